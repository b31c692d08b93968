"""The revisions, oldest first: ``released`` (the first release's schema), ``settling``, ``fanout``,
``provenance``."""
