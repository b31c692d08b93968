"""SCF entry point: ``cloud.openapi.analysis.getWeeklyVisitTrend`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getWeeklyVisitTrend", __file__)
