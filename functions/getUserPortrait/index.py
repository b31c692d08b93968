"""SCF entry point: ``cloud.openapi.analysis.getUserPortrait`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getUserPortrait", __file__)
