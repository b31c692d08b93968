"""SCF entry point: keep the archive of the ten analysis reports complete (daily timer, manual runs).

See ``wxcloud.archive.function.handler`` for what a run does, and README "The archive" for the setup."""

from wxcloud.archive import ArchiveFunction

main_handler = ArchiveFunction.deployed(__file__)
