"""SCF entry point: one function that makes any cloud call its config.json lists, from the event
``{"api": "security.msgSecCheck", "data": {...}}`` (see ``wxcloud.scf.forward``)."""

from wxcloud.scf.forward import OpenApiFunction

main_handler = OpenApiFunction.deployed(__file__)
