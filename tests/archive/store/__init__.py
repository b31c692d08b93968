"""The archive's store wing."""
