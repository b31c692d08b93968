"""SCF entry point: ``cloud.openapi.analysis.getDailyRetain`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getDailyRetain", __file__)
