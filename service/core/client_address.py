"""Which address a request comes from: the one rule for per-address limits (sign-in attempts).

The connecting address is the client, whatever the request's headers say: anyone can send an
`X-Forwarded-For`. Only when that address is one of `TALKTRACK_TRUSTED_PROXIES` (a reverse proxy
the operator named) is the header read, from its right end: each trusted proxy appends the
address it saw, so the first address from the right that is not a trusted proxy is the client
(entries further left were written by the client itself and are ignored).

`talktrack serve` starts uvicorn without its own proxy-header handling (which trusts 127.0.0.1 by
default and rewrites the connecting address before the application sees it); run plain uvicorn with
`--no-proxy-headers` for the same.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection

from service.core.config import IPNetwork, proxy_networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(text: str, proxies: tuple[IPNetwork, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in proxies)


def forwarded_client(peer: str, forwarded_for: list[str], proxies: tuple[IPNetwork, ...]) -> str:
    """The client's address, given the connecting address `peer`, the `X-Forwarded-For` header
    values in order, and the trusted proxies' networks."""
    if not _trusted(peer, proxies):
        return peer
    client = peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # not an address: nothing further left can be believed
            return client
        client = str(address)
        if not any(address in network for network in proxies):
            return client
    return client


def client_address(conn: HTTPConnection) -> str:
    """The address a request or WebSocket comes from ("unknown" when the server does not say)."""
    peer = conn.client.host if conn.client else "unknown"
    proxies = proxy_networks(conn.app.state.settings.trusted_proxies)
    if not proxies:
        return peer
    return forwarded_client(peer, conn.headers.getlist("x-forwarded-for"), proxies)
