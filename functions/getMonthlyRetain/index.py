"""SCF entry point: ``cloud.openapi.analysis.getMonthlyRetain`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getMonthlyRetain", __file__)
