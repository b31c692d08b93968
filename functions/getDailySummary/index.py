"""SCF entry point: ``cloud.openapi.analysis.getDailySummary`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getDailySummary", __file__)
