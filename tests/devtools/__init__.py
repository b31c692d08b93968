"""The developer's tools: dev.py, the install lines, the benches, the test markers."""
