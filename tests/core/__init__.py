"""The core library: the client, its replies, tokens, casing, errors, periods, transport, validation, settings."""
