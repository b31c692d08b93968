"""Plain helpers the tests import: servers, fakes, clocks, paths. Fixtures live in the conftest.py files."""
