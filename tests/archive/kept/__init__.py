"""The archive's kept wing."""
