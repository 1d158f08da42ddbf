"""Outages on demand: a loopback TCP proxy in front of a real server (moto's S3, PostgreSQL) that can be
cut and restored, so a test makes a server unavailable to Talktrack without touching the server itself
(moto keeps its objects in memory, and the PostgreSQL cluster is shared by every test).

`cut()` closes the listening socket (new connections are refused, as from a stopped server) and
resets every open connection (as when a server dies); `restore()` listens on the same port again.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from urllib.parse import urlsplit, urlunsplit

from devstack.stack import free_port


class TcpProxy:
    """127.0.0.1:`port` forwards to `upstream` (host, port) while it is up."""

    def __init__(self, upstream: tuple[str, int], port: int | None = None) -> None:
        self.upstream = upstream
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self.connections = 0  # accepted since start, for the tests' own checks

    @classmethod
    def in_front_of(cls, url: str) -> TcpProxy:
        """A proxy for the server of `url` (http://host:port, postgresql://user@host:port/db)."""
        parts = urlsplit(url)
        return cls((parts.hostname or "127.0.0.1", parts.port or 80))

    def url(self, url: str) -> str:
        """`url` with its host and port replaced by this proxy's."""
        parts = urlsplit(url)
        user = f"{parts.username}{':' + parts.password if parts.password else ''}@" if parts.username else ""
        return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{self.port}"))

    # -- up and down ---------------------------------------------------------------------------

    def start(self) -> TcpProxy:
        self.restore()
        return self

    def restore(self) -> None:
        """Listen again (the server is back)."""
        with self._lock:
            if self._listener is not None:
                return
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True, name=f"proxy-{self.port}").start()

    def cut(self) -> None:
        """Refuse new connections and reset the open ones (the server is gone)."""
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for conn in conns:
            _reset(conn)

    def stop(self) -> None:
        self.cut()

    @property
    def up(self) -> bool:
        return self._listener is not None

    # -- forwarding ----------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    _reset(client)
                    _reset(server)
                    return
                self._conns.update((client, server))
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1.0)
                if a.fileno() < 0 or b.fileno() < 0:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    peers[s].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._conns.discard(a)
                self._conns.discard(b)
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the peer sees "connection reset", not a clean end."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
