"""The WeChat emulator, the independent oracle the integration tests run against."""
