"""Which webhook URLs Talktrack may send to (server-side request forgery guard).

A webhook makes the server POST to a URL a client chose, so without a rule an API key could aim it
at the server's own network: the database, Redis, an admin port on 127.0.0.1, or the cloud metadata
service that hands out credentials. The rule: every address the host name resolves to must be a
public (globally routable) address. Loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
link-local (169.254/16, fe80::/10), shared (100.64/10), multicast, unspecified and reserved
addresses are refused, unless `TALKTRACK_WEBHOOK_ALLOW_PRIVATE=true` (an on-premises CRM on the
local network). Cloud metadata addresses are refused even then.

The check runs when a webhook is registered (422) and again before every delivery, and a delivery
connects to the very address that was checked (`pinned_request`), so a DNS answer that changes
between the check and the connection (DNS rebinding) cannot move it elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle): never a CRM.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192",
))


class UnsafeTarget(ValueError):
    """The URL may not be a webhook target; `str(exc)` says why (safe to show to the client)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: its host name and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress


def _unwrap(addr: IPAddress) -> IPAddress:
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return addr.ipv4_mapped
        if addr.sixtofour is not None:
            return addr.sixtofour
    return addr


def address_refusal(addr: IPAddress, allow_private: bool) -> str | None:
    """Why `addr` may not be a webhook target, or None when it may."""
    addr = _unwrap(addr)
    if addr in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if addr.is_unspecified or addr.is_multicast:
        return "not a unicast address"
    if addr.is_global or allow_private:
        return None
    kind = ("a loopback" if addr.is_loopback else "a link-local" if addr.is_link_local
            else "a private" if addr.is_private else "a reserved")
    return f"{kind} address (set TALKTRACK_WEBHOOK_ALLOW_PRIVATE=true for an on-premises receiver)"


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeTarget(f"the host {host!r} does not resolve") from exc
    out: list[IPAddress] = []
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if addr not in out:
            out.append(addr)
    if not out:
        raise UnsafeTarget(f"the host {host!r} does not resolve")
    return out


def check_target(url: str, allow_private: bool) -> Target:
    """The target to deliver `url` to; raises `UnsafeTarget` when any address its host resolves
    to is refused (one bad answer among several could be the one a connection would use)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("a webhook URL must be http(s)://host/...")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("the URL's port is not valid") from exc
    host = parts.hostname
    addresses = resolve(host, port)
    for addr in addresses:
        why = address_refusal(addr, allow_private)
        if why is not None:
            raise UnsafeTarget(f"the webhook host {host!r} resolves to {why}")
    return Target(url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0])


def pinned_url(target: Target) -> str:
    """`target.url` with its host replaced by the checked address (send `Host` and, for https,
    the SNI name separately: see `service.webhooks.delivery.deliver`)."""
    parts = urlsplit(target.url)
    literal = f"[{target.address}]" if target.address.version == 6 else str(target.address)
    netloc = f"{literal}:{target.port}"
    return parts._replace(netloc=netloc).geturl()


def host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


__all__ = ["METADATA_ADDRESSES", "Target", "UnsafeTarget", "address_refusal", "check_target", "host_header",
           "pinned_url", "resolve"]
