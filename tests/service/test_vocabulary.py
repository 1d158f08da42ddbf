"""Custom vocabulary: per organization over the API, from a YAML file on the command line, and the
names it is for ("Gong", "Chorus") coming out right in the sample call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import soundfile as sf

from service.cli import main
from transcription.vocabulary import VocabularyError, load_vocabulary, vocabulary_from_data

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
COMPETITORS = {"competitors": ["Gong", "Chorus"], "terms": ["Salesforce"]}


def gong_line(tmp_path: Path) -> Path:
    """The sample call's 'We looked at Gong and at Chorus last year' (customer channel, 122.4-128.6 s)."""
    audio, rate = sf.read(SAMPLES / "discovery_call.wav", dtype="float32")
    clip = tmp_path / "gong.wav"
    sf.write(clip, audio[int(122.4 * rate): int(128.6 * rate), 1], rate)
    return clip


def test_vocabulary_files_and_bodies_are_checked(tmp_path: Path) -> None:
    assert vocabulary_from_data({"competitors": ["Gong", " gong ", "Chorus"], "terms": ["Sales  force"]}) == (
        "Gong", "Chorus", "Sales force")
    assert vocabulary_from_data(["Acme", 42]) == ("Acme", "42")
    with pytest.raises(VocabularyError, match="unknown key"):
        vocabulary_from_data({"rivals": ["Gong"]})
    with pytest.raises(VocabularyError, match="at most 100"):
        vocabulary_from_data([f"term {i}" for i in range(101)])
    bad = tmp_path / "bad.yaml"
    bad.write_text("competitors: [Gong\n")
    with pytest.raises(VocabularyError, match="not valid YAML"):
        load_vocabulary(bad)


@pytest.mark.slow
def test_cli_vocabulary_spells_the_competitors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = gong_line(tmp_path)
    vocab = tmp_path / "vocabulary.yaml"
    vocab.write_text("competitors: [Gong, Chorus]\nterms: [Salesforce]\n")
    assert main(["analyze", str(clip), "--format", "vtt", "--no-progress"]) == 0
    plain = capsys.readouterr().out
    assert main(["analyze", str(clip), "--format", "vtt", "--vocabulary", str(vocab), "--no-progress"]) == 0
    tuned = capsys.readouterr().out
    assert "Gong" not in plain  # tiny.en alone hears "long" (see docs/transcription.md)
    assert "Gong" in tuned and "Chorus" in tuned, tuned


def test_vocabulary_api_roles_and_isolation(stack: Any) -> None:
    with stack.client("admin") as admin, stack.client("rep1") as rep, stack.client("admin_b") as other:
        assert admin.delete("/v1/vocabulary").status_code == 204
        assert admin.get("/v1/vocabulary").json()["all_terms"] == []
        r = admin.put("/v1/vocabulary", json=COMPETITORS)
        assert r.status_code == 200, r.text
        assert r.json()["all_terms"] == ["Gong", "Chorus", "Salesforce"]
        assert rep.get("/v1/vocabulary").json()["competitors"] == ["Gong", "Chorus"]  # everyone reads
        assert rep.put("/v1/vocabulary", json={"terms": ["x"]}).status_code == 403  # only admins write
        assert other.get("/v1/vocabulary").json()["all_terms"] == []  # another organization's is its own
        assert admin.put("/v1/vocabulary", json={"rivals": ["Gong"]}).status_code == 422
        assert admin.put("/v1/vocabulary", json={"terms": ["x" * 61]}).status_code == 422
        assert admin.get("/v1/vocabulary").json()["all_terms"] == ["Gong", "Chorus", "Salesforce"]


@pytest.mark.slow
def test_uploads_are_transcribed_with_the_org_vocabulary(stack: Any, h: Any, tmp_path: Path) -> None:
    from service.core.accounts import create_key, create_org
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:  # an organization of its own: no other test's definitions
        key = create_key(s, create_org(s, "Vocabulary Inc").id, "admin").secret
    audio = gong_line(tmp_path).read_bytes()
    with httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
        assert c.put("/v1/vocabulary", json=COMPETITORS).status_code == 200
        tuned = _transcript(c, h, audio)
        assert c.delete("/v1/vocabulary").status_code == 204
        plain = _transcript(c, h, audio)
    assert "Gong" in tuned and "Chorus" in tuned, tuned
    assert "Gong" not in plain, plain


def _transcript(c: httpx.Client, h: Any, audio: bytes) -> str:
    r = h.upload(c, audio, "gong.wav", "audio/wav")
    assert r.status_code == 202, r.text
    call = h.wait_status(c, r.json()["id"])
    assert call["status"] == "done", call["error"]
    return " ".join(w["word"] for w in call["analysis"]["words"])


def test_vocabulary_reaches_the_analysis_options(tmp_path: Path) -> None:
    """The job's options carry the organization's terms (and none for an organization without)."""
    from service.core.accounts import create_org
    from service.core.config import Settings
    from service.core.db import run_migrations, session_scope
    from service.domain.org_definitions import org_vocabulary

    settings = Settings(data_dir=tmp_path)
    run_migrations(settings)
    from models import Vocabulary

    with session_scope(settings) as s:
        org = create_org(s, "Acme")
        assert org_vocabulary(s, org.id) == ()
        s.add(Vocabulary(org_id=org.id, content=COMPETITORS))
        s.commit()
        assert org_vocabulary(s, org.id) == ("Gong", "Chorus", "Salesforce")


def test_a_voice_profile_of_another_size_does_not_fail_analyses(tmp_path: Path) -> None:
    """A profile posted with another encoder's size (the API takes 16-4096 floats) used to make every mono
    call of the organization fail in roles.match_profiles ("all input arrays must have the same shape")."""
    from models import VoiceProfile
    from service.core.accounts import create_org
    from service.core.config import Settings
    from service.core.db import run_migrations, session_scope
    from service.domain.org_definitions import org_voice_profiles

    settings = Settings(data_dir=tmp_path)
    run_migrations(settings)
    with session_scope(settings) as s:
        org = create_org(s, "Acme")
        s.add(VoiceProfile(org_id=org.id, name="Odd", embedding=[0.25] * 16))
        s.add(VoiceProfile(org_id=org.id, name="Dana", embedding=[0.0625] * 256))
        s.commit()
        assert [p.name for p in org_voice_profiles(s, org.id)] == ["Dana"]
