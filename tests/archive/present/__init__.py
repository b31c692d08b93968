"""The archive's present wing."""
