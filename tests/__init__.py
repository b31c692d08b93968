"""The suite, in folders that mirror the library. A package: its modules are imported by their dotted
paths (``tests.core.test_tokens``), so two folders may hold modules of the same name, and the helpers
of tests/support/ are imported as ``tests.support.<module>``."""
