"""SCF entry point: ``cloud.openapi.analysis.getDailyVisitTrend`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getDailyVisitTrend", __file__)
