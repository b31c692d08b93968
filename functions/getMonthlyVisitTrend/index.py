"""SCF entry point: ``cloud.openapi.analysis.getMonthlyVisitTrend`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getMonthlyVisitTrend", __file__)
