"""SCF entry point: ``cloud.openapi.analysis.getWeeklyRetain`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getWeeklyRetain", __file__)
