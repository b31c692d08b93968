"""The archive's cli wing."""
