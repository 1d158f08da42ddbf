"""The optional generated wording of a call's brief, through an OpenAI-compatible chat endpoint the
organization runs itself (Ollama, vLLM, llama.cpp's server): `TALKTRACK_LLM_URL` and friends
(docs/brief.md, "Generative wording (optional)"). Off unless `TALKTRACK_LLM_URL` is set: then no
request goes anywhere.

`ChatClient` is the `complete(messages) -> str` that `nlp.brief.wording.word_brief` calls: one
`POST {url}/v1/chat/completions` per request, with the configured model, temperature 0, no
streaming, the API key as a Bearer token when one is set, no proxy from the environment and no
redirects. Only loopback and private-network (LAN) addresses are called: the URL's host must
resolve to nothing else (a link-local address, such as a cloud metadata service, is refused too).

`add_wording` runs it on a finished analysis in the analysis job (`service.jobs.core`). An endpoint
that refuses, times out or answers an error never fails the analysis: the brief keeps its items,
has no `summary`, and a warning is logged and counted (`stats()`, and `talktrack_llm_wording` on
`/metrics` for the server process and its worker threads).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import httpx

from nlp.analysis import CallAnalysis
from nlp.brief.wording import Message, word_brief
from service.core.config import Settings

log = logging.getLogger(__name__)
_counts: Counter[str] = Counter()
_lock = threading.Lock()
STAT_KEYS = ("runs", "requests", "failed", "kept", "dropped", "unreadable")


class LlmEndpointError(Exception):
    """The endpoint could not be used: refused, timed out, answered an error or not in the
    OpenAI shape, or its address is not a loopback or LAN one."""


def _count(**amounts: int) -> None:
    with _lock:
        _counts.update(amounts)


def stats() -> dict[str, int]:
    """What this process's wording did: runs, requests sent, failed runs, sentences kept and
    dropped, unreadable answers."""
    with _lock:
        return {k: _counts[k] for k in STAT_KEYS}


def completions_url(url: str) -> str:
    """`http://host:11434` or `http://host:11434/v1` -> `http://host:11434/v1/chat/completions`."""
    base = url.strip().rstrip("/")
    if base.endswith("/v1"):
        base = base[: -len("/v1")]
    return base + "/v1/chat/completions"


def check_address(url: str) -> None:
    """Raise `LlmEndpointError` unless the URL is http(s) and its host resolves only to loopback or
    private-network addresses (not link-local, multicast or unspecified)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LlmEndpointError(f"TALKTRACK_LLM_URL must be an http:// or https:// URL, not {url!r}")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except OSError as exc:
        raise LlmEndpointError(f"cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        allowed = (address.is_loopback or address.is_private) and not (
            address.is_link_local or address.is_multicast or address.is_unspecified)
        if not allowed:
            raise LlmEndpointError(f"{parts.hostname} resolves to {address}, which is neither a loopback nor "
                                   "a private-network address; TALKTRACK_LLM_URL must point to a server on this "
                                   "machine or its LAN")


class ChatClient:
    """`complete(messages) -> str` over `POST {url}/v1/chat/completions` (see the module's docstring)."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        if not settings.llm_url:
            raise ValueError("TALKTRACK_LLM_URL is not set")
        self.url = completions_url(settings.llm_url)
        self.model = settings.llm_model
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else ""
        self.headers = {"Content-Type": "application/json", "User-Agent": "Talktrack-Wording/1"}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        self.client = client or httpx.Client(timeout=httpx.Timeout(settings.llm_timeout_s),
                                             follow_redirects=False, trust_env=False)
        self.checked = False

    def close(self) -> None:
        self.client.close()

    def __call__(self, messages: list[Message]) -> str:
        if not self.checked:
            check_address(self.url)
            self.checked = True
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0, "stream": False}
        _count(requests=1)
        try:
            resp = self.client.post(self.url, json=body, headers=self.headers)
        except httpx.TimeoutException as exc:
            raise LlmEndpointError("timeout") from exc
        except httpx.HTTPError as exc:
            raise LlmEndpointError(f"connection failed ({type(exc).__name__})") from exc
        if resp.status_code != 200:
            raise LlmEndpointError(f"HTTP {resp.status_code}")
        try:
            content = resp.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmEndpointError("the answer is not an OpenAI chat completion") from exc
        if not isinstance(content, str):
            raise LlmEndpointError("the answer is not an OpenAI chat completion")
        return content


def add_wording(settings: Settings, analysis: CallAnalysis, call_id: str = "",
                client: httpx.Client | None = None) -> None:
    """Word the analysis' brief in place when `TALKTRACK_LLM_URL` is set (nothing is sent
    otherwise). Never raises for the endpoint: a failure leaves the brief without a summary."""
    if not settings.llm_url or analysis.brief is None or not analysis.brief.items:
        return
    chat = ChatClient(settings, client)
    try:
        result = word_brief(analysis.brief, analysis.transcript, chat, model=settings.llm_model,
                            prompt_chars=settings.llm_prompt_chars)
    except Exception:  # a bug in the wording must not fail the call's analysis either
        _count(runs=1, failed=1)
        log.exception("call %s: the brief's wording failed; the brief keeps its items, without a summary", call_id)
        return
    finally:
        if client is None:
            chat.close()
    _count(runs=1)
    if result.error is not None:
        _count(failed=1)
        log.warning("call %s: the brief's wording endpoint failed (%s); the brief keeps its items, without "
                    "a summary", call_id, result.error)
        return
    _count(kept=len(result.kept), dropped=len(result.dropped), unreadable=result.unreadable)
    if result.unreadable:
        log.warning("call %s: %d of %d wording answers were not the JSON list asked for; their sentences "
                    "are lost", call_id, result.unreadable, len(result.requests))
    for dropped in result.dropped:
        log.warning("call %s: generated sentence dropped (%s): %r", call_id, dropped.reason, dropped.text)
    log.info("call %s: brief worded in %d requests: %d sentences kept, %d dropped", call_id,
             len(result.requests), len(result.kept), len(result.dropped))
    analysis.brief = result.brief


__all__ = ["ChatClient", "LlmEndpointError", "add_wording", "check_address", "completions_url", "stats"]
