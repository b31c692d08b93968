"""The archive's observe wing."""
