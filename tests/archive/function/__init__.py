"""The archive's function wing."""
