"""API keys: random, shown once, stored only as a SHA-256 hash.

The keys carry 256 bits of randomness, so a fast unsalted hash is enough (there is nothing to
brute-force) and lets a request find its key with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "tt_"


def generate_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_display_prefix(key: str) -> str:
    """The first characters, kept so an admin can tell keys apart without the secret."""
    return key[: len(KEY_PREFIX) + 6]


def sign_payload(secret: str, timestamp: int, body: bytes) -> str:
    """Webhook signature: hex HMAC-SHA256 over `"{timestamp}." + body` (Stripe's scheme), so a
    receiver that checks the timestamp's age also rejects replays."""
    msg = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), msg, hashlib.sha256).hexdigest()


def verify_signature(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign_payload(secret, timestamp, body), signature)
