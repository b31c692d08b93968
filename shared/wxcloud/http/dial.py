"""Opening a TCP connection by a deadline: the name lookup and every connect attempt together.

Why: urllib3 opens a connection the way ``socket.create_connection`` does, and that has two
unbounded parts. The name lookup (``getaddrinfo``) takes no timeout at all: a resolver that does
not answer holds the caller until the C library gives up, tens of seconds later, or for ever.
And each address the name resolves to is tried in turn with the full connect timeout, so a host
whose N addresses all drop SYNs costs N times that timeout. ``open_connection`` here is the same
function with both parts fitted into one deadline (the transport gives it what is left of the
connect timeout and of the exchange):

* the lookup runs in a daemon thread and the caller waits for it only until the deadline, then
  gives up on it (a blocking C call cannot be interrupted; abandoning it is the only way out). An
  abandoned lookup ends on its own; until it does, a new lookup of the same name joins it rather
  than starting another thread, so a stalled resolver costs one thread per name, not one per
  call. An IP address needs no lookup and gets no thread; nor does a pooled connection, which
  never comes here.
* the addresses are tried in the order the resolver gives them, each with half of the time left
  and the last with all of it (curl's rule): the first address, the likeliest to work, gets a
  fair chance, and however many addresses drop SYNs, all of them together cost the deadline.

Why not a library: an asynchronous resolver (aiodns, dnspython) asks DNS servers itself and so
skips ``/etc/hosts`` and the system's resolver configuration, which a function deployed in a VPC
may rely on; and nothing in requests' or urllib3's reach bounds ``getaddrinfo``. Errors are the
ones ``socket.create_connection`` raises (``socket.gaierror``, ``TimeoutError``, another
``OSError``), so urllib3's caller maps them as before.
"""

from __future__ import annotations

import copy
import ipaddress
import os
import socket
import threading
import time
from collections.abc import Sequence
from typing import Any

from urllib3.exceptions import LocationParseError
from urllib3.util.connection import allowed_gai_family

__all__ = ["AddrInfo", "SocketOptions", "open_connection", "resolve"]

AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]  # as socket.getaddrinfo gives them
SocketOptions = Sequence[tuple[int, int, Any]]  # as urllib3's connections hold them


def open_connection(
    host: str,
    port: int,
    deadline: float,
    *,
    source_address: tuple[str, int] | None = None,
    socket_options: SocketOptions | None = None,
) -> socket.socket:
    """A connected socket to ``host``:``port``, or an error by ``deadline`` (``time.monotonic``).
    urllib3's ``create_connection`` with the lookup and the attempts bounded; the socket keeps the
    timeout of its attempt, which the caller replaces."""
    if host.startswith("["):
        host = host.strip("[]")
    try:
        host.encode("idna")
    except UnicodeError:
        raise LocationParseError(f"'{host}', label empty or too long") from None
    addresses = resolve(host, port, allowed_gai_family(), deadline)
    error: OSError | None = None
    for index, (family, kind, proto, _, address) in enumerate(addresses):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("connect timed out")
        sock: socket.socket | None = None
        try:
            sock = socket.socket(family, kind, proto)
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.settimeout(left if index == len(addresses) - 1 else left / 2)
            if source_address:
                sock.bind(source_address)
            sock.connect(address)
            return sock
        except OSError as exc:
            error = exc
            if sock is not None:
                sock.close()
    if error is None:
        raise OSError("getaddrinfo returns an empty list")
    try:
        raise error
    finally:
        error = None  # break the cycle through this frame, as urllib3 does


def resolve(host: str, port: int, family: int, deadline: float) -> Sequence[AddrInfo]:
    """``socket.getaddrinfo(host, port, family, SOCK_STREAM)``, given up at ``deadline`` with a
    ``TimeoutError``. An IP address is converted in place (no lookup, no thread)."""
    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    key = (host, port, family)
    with _lock:
        lookup = _pending.get(key)
        if lookup is None:
            lookup = _pending[key] = _Lookup()
            threading.Thread(target=_look_up, args=(key, lookup), name="wxcloud-resolve", daemon=True).start()
    if not lookup.done.wait(max(deadline - time.monotonic(), 0.0)):
        raise TimeoutError("name resolution timed out")
    if lookup.error is not None:
        raise copy.copy(lookup.error)  # a copy: callers sharing a lookup each get their own traceback
    return lookup.addresses


class _Lookup:
    __slots__ = ("addresses", "done", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.addresses: Sequence[AddrInfo] = ()
        self.error: BaseException | None = None


_lock = threading.Lock()
_pending: dict[tuple[str, int, int], _Lookup] = {}  # lookups in flight, by what they look up


def _forget_lookups_in_child() -> None:
    """A forked child has none of the parent's lookup threads: a lookup it inherited as in flight
    would never end, and every call to that name would wait for it until its deadline."""
    global _lock
    _lock = threading.Lock()
    _pending.clear()


os.register_at_fork(after_in_child=_forget_lookups_in_child)


def _look_up(key: tuple[str, int, int], lookup: _Lookup) -> None:
    host, port, family = key
    try:
        lookup.addresses = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    except BaseException as exc:  # handed to the callers, which raise it
        lookup.error = exc
    finally:
        with _lock:
            if _pending.get(key) is lookup:
                del _pending[key]
        lookup.done.set()
