"""Webhook secrets at rest: sealed with the server key, key rotation, legacy clear-text rows sealed at
start-up, and a clear error for a secret sealed under another key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr


def test_seal_open_and_rotate(tmp_path: Path) -> None:
    from service.core.config import Settings
    from service.core.secret_box import SecretBox, SecretKeyError, secret_box

    old = SecretBox(["old-key-0123456789"])
    sealed = old.seal("whsec-abc")
    assert sealed.startswith("enc:v1:") and "whsec-abc" not in sealed and old.open(sealed) == "whsec-abc"
    rotated = secret_box(Settings(data_dir=tmp_path, secret_key=SecretStr("new-key-0123456789,old-key-0123456789")))
    assert rotated.open(sealed) == "whsec-abc"  # old tokens still open
    assert SecretBox(["new-key-0123456789"]).open(rotated.seal("x")) == "x"  # the first key seals
    with pytest.raises(SecretKeyError):
        SecretBox(["unrelated-key-0123456789"]).open(sealed)
    assert old.open("plain-legacy-secret") == "plain-legacy-secret"
    # No key set: one random key kept in the data directory, the same for every process.
    a = secret_box(Settings(data_dir=tmp_path / "d"))
    b = SecretBox([(tmp_path / "d" / "secret.key").read_text().strip()])
    assert b.open(a.seal("s")) == "s"


def test_legacy_clear_text_secrets_are_sealed(tmp_path: Path) -> None:
    from models import Organization, Webhook
    from service.core.config import Settings
    from service.core.db import run_migrations, session_scope
    from service.core.secret_box import secret_box
    from service.webhooks.delivery import seal_legacy_secrets

    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("k-0123456789abcdef"))
    run_migrations(settings)
    with session_scope(settings) as s:
        org = Organization(name="O")
        s.add(org)
        s.flush()
        hook = Webhook(org_id=org.id, url="https://crm.example.com/h", secret="clear-secret-0123456789",
                       events=["call.analyzed"])
        s.add(hook)
        s.commit()
        hook_id = hook.id
    assert seal_legacy_secrets(settings) == 1
    assert seal_legacy_secrets(settings) == 0  # idempotent
    with session_scope(settings) as s:
        stored = s.get(Webhook, hook_id)
        assert stored is not None and stored.secret.startswith("enc:v1:")
        assert secret_box(settings).open(stored.secret) == "clear-secret-0123456789"
