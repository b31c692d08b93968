"""SCF entry point: ``cloud.openapi.analysis.getVisitDistribution`` as a Python cloud function."""

from wxcloud import FunctionApp

main_handler = FunctionApp.deployed("analysis.getVisitDistribution", __file__)
