"""The archive's plan wing."""
