"""The archive's fetch wing."""
