"""The HTTP plumbing under every WeChat call: the transport (one frozen ``requests`` session, a
wall-clock bound on each exchange), the watchdog that enforces that bound once a socket is
connected, the dialler that keeps the name lookup and the connect attempts inside it, the redaction
that keeps secrets out of what they return and raise, and the per-attempt ``Timeouts``.

Nothing here knows WeChat's APIs; the call path (``client``, ``tokens``, ``replies``) uses it.
"""
