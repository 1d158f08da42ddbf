"""Sign-in limits per address cannot be escaped with a made-up `X-Forwarded-For`: the
connecting address is the client unless it is one of `TALKTRACK_TRUSTED_PROXIES`. Real servers
started as users start them (`talktrack serve`), with 2 sign-ins per account and so 8 per address
a minute; and the rule itself (`forwarded_client`) on its own."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.core.client_address import forwarded_client
from service.core.config import proxy_networks

PER_ADDRESS = 8  # 4 x TALKTRACK_LOGIN_ATTEMPTS_PER_MINUTE


@contextmanager
def serve(h: Any, tmp: Path, env: dict[str, str]) -> Iterator[Any]:
    stack, _ = h.make_stack("sqlite", tmp, {"TALKTRACK_LOGIN_ATTEMPTS_PER_MINUTE": "2", **env})
    h.bootstrap_accounts(stack)
    try:
        stack.start_server(via_cli=True)
        yield stack
    finally:
        stack.stop()


class SignIn:
    """A browser signing in with wrong passwords, a new e-mail address each time (so the limit per
    account never applies), sending the given `X-Forwarded-For`."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)
        self.n = 0

    def attempt(self, forwarded_for: str | None) -> int:
        page = self.client.get("/login").text
        token = re.search(r'name="prelogin" value="([^"]+)"', page)
        assert token
        self.n += 1
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        r = self.client.post("/login", headers=headers, data={
            "email": f"nobody{self.n}@example.test", "password": "not the password", "prelogin": token.group(1)})
        return r.status_code


def test_a_made_up_forwarded_for_does_not_escape_the_limit(h: Any, tmp_path: Path) -> None:
    with serve(h, tmp_path, {}) as stack:
        browser = SignIn(stack.url)
        statuses = [browser.attempt(f"203.0.113.{i}") for i in range(PER_ADDRESS)]
        assert statuses == [401] * PER_ADDRESS
        assert browser.attempt("198.51.100.77") == 429  # a new "address" each time: still this client
        assert browser.attempt(None) == 429


def test_a_trusted_proxy_names_the_client(h: Any, tmp_path: Path) -> None:
    with serve(h, tmp_path, {"TALKTRACK_TRUSTED_PROXIES": "127.0.0.1"}) as stack:
        browser = SignIn(stack.url)
        assert [browser.attempt("203.0.113.1") for _ in range(PER_ADDRESS)] == [401] * PER_ADDRESS
        assert browser.attempt("203.0.113.1") == 429
        # What the client wrote itself, left of what the proxy appended, changes nothing.
        assert browser.attempt("198.51.100.9, 203.0.113.1") == 429
        assert browser.attempt("203.0.113.2") == 401  # another client behind the proxy


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("198.51.100.1", ["203.0.113.5"], "198.51.100.1"),  # not a proxy: its header is ignored
    ("10.0.0.2", ["203.0.113.5"], "203.0.113.5"),
    ("10.0.0.2", ["1.2.3.4, 203.0.113.5, 10.0.0.3"], "203.0.113.5"),  # two proxies; the client's own entry ignored
    ("10.0.0.2", ["1.2.3.4", "203.0.113.5"], "203.0.113.5"),  # the header sent twice
    ("10.0.0.2", ["not-an-address, 10.0.0.3"], "10.0.0.3"),  # garbage: the nearest proxy's word stops there
    ("10.0.0.2", [], "10.0.0.2"),
    ("10.0.0.2", ["[2001:db8::1]"], "2001:db8::1"),
])
def test_forwarded_client(peer: str, forwarded: list[str], client: str) -> None:
    got = forwarded_client(peer, forwarded, proxy_networks("10.0.0.0/8"))
    assert got == client


def test_trusted_proxies_must_be_addresses() -> None:
    from service.core.config import Settings

    with pytest.raises(ValueError, match="'proxy.example' is not an IP address or network"):
        Settings(trusted_proxies="10.0.0.1, proxy.example")
    assert proxy_networks(" 10.0.0.1 ,192.168.0.0/16,") == (ipaddress.ip_network("10.0.0.1/32"),
                                                            ipaddress.ip_network("192.168.0.0/16"))
