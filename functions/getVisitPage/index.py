"""SCF entry point: ``cloud.openapi.analysis.getVisitPage`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getVisitPage", __file__)
