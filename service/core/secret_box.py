"""Secrets kept at rest encrypted with a server key (Fernet: AES-128-CBC + HMAC-SHA256).

Webhook signing secrets must be readable by the server (it signs every delivery with them), so
they cannot be hashed like API keys; they are encrypted instead, and a copy of the database alone
(a backup, a replica, a leaked dump) does not reveal them.

The key comes from `TALKTRACK_SECRET_KEY`: any long random string (it is stretched to a Fernet key
with SHA-256). Several keys separated by commas rotate: the first encrypts, all of them decrypt.
Without the setting, the embedded default makes a random key once and keeps it in
`<data_dir>/secret.key` (mode 0600); a production layout with workers on other hosts must set
`TALKTRACK_SECRET_KEY` to the same value everywhere.

Stored values start with `enc:v1:`; a value without the prefix is a secret stored in clear by an
older version and is read as it is (`seal_legacy_webhook_secrets` encrypts those at start-up).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from service.core.config import Settings
from transcription.errors import TalktrackError

PREFIX = "enc:v1:"
KEY_FILE = "secret.key"


class SecretKeyError(TalktrackError):
    """A stored secret cannot be decrypted with the configured key(s)."""


def _fernet_key(text: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode("utf-8")).digest())


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key")
        self._fernet = MultiFernet([Fernet(_fernet_key(k)) for k in keys])

    def seal(self, plain: str) -> str:
        return PREFIX + self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # stored in clear by an older version
        try:
            return self._fernet.decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise SecretKeyError("a stored secret does not decrypt with TALKTRACK_SECRET_KEY "
                                 "(was the key changed without keeping the old one after a comma?)") from exc

    @staticmethod
    def is_sealed(stored: str) -> bool:
        return stored.startswith(PREFIX)


def _key_file(path: Path) -> str:
    """The key kept in `path`, made (random, mode 0600) when absent; safe against a concurrent maker."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
        f.flush()
        os.fsync(f.fileno())
    return key


_boxes: dict[tuple[str, ...], SecretBox] = {}
_lock = threading.Lock()


def secret_box(settings: Settings) -> SecretBox:
    """The process's box for `settings` (cached: the key derivation runs once)."""
    configured = settings.secret_key.get_secret_value() if settings.secret_key is not None else ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        keys = [_key_file(settings.data_dir.resolve() / KEY_FILE)]
    with _lock:
        box = _boxes.get(tuple(keys))
        if box is None:
            box = _boxes[tuple(keys)] = SecretBox(keys)
        return box


__all__ = ["PREFIX", "SecretBox", "SecretKeyError", "secret_box"]
