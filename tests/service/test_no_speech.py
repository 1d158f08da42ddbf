"""A call with no speech (a silent recording, or speech the model gave no words for over most of
the call) is marked as such by one rule (`service.domain.calls.speechless_reason`): no scorecard
pre-fill, not in the coach's review inbox, no feature row (so trends and insights do not count
it), and one clear message on the call page instead of contradictory warnings."""

from __future__ import annotations

import io
import wave
from typing import Any

import httpx
import numpy as np
import pytest

from service.domain.calls import speechless_reason

UNHEARD = ("speech from 0:00 to 0:40 (40 s) gave no words: it may be another language, which the English-only "
           "speech model (Whisper tiny.en) cannot transcribe or name (pass a multilingual CTranslate2 Whisper "
           "model with --model to name it), or noise")
CHINESE = "speech in Chinese (zh, p=0.97) from 0:02 to 0:50 (48 s) was not transcribed: Talktrack's analysis is English-only"


def silent_wav(seconds: float) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(int(16000 * seconds), dtype="<i2").tobytes())
    return buf.getvalue()


def test_the_rule() -> None:
    word = {"word": "hello", "start": 1.0, "end": 1.3, "speaker": "S1"}
    assert speechless_reason({"words": [], "warnings": ["no speech found"], "duration_s": 30.0}) == "no words"
    assert speechless_reason({"words": [word], "warnings": [UNHEARD], "duration_s": 60.0}) is not None
    assert speechless_reason({"words": [word], "warnings": [CHINESE], "duration_s": 60.0}) is not None
    assert speechless_reason({"words": [word], "warnings": [UNHEARD], "duration_s": 600.0}) is None  # 40 s of 10 min
    assert speechless_reason({"words": [word], "warnings": [], "duration_s": 60.0}) is None


def test_the_rule_reads_the_unheard_warnings_as_the_library_writes_them_today() -> None:
    """The seconds are read with patterns made from `transcription.unheard`'s templates: each of its
    four warnings counts, a stretch transcribed in another language (`transcription.routing`) does not."""
    from transcription.asr import AsrOptions
    from transcription.routing import LanguageRouter, LanguageSpan
    from transcription.unheard import UnheardSpeech, unheard_warnings

    word = {"word": "hello", "start": 1.0, "end": 1.3, "speaker": "S1"}
    stretches = [UnheardSpeech(0.0, 12.0, "ja", 0.9), UnheardSpeech(20.0, 27.0)]
    for detected in (False, True):
        warnings = unheard_warnings(stretches, detected=detected)
        assert len(warnings) == 2
        assert speechless_reason({"words": [word], "warnings": warnings, "duration_s": 38.0}) == \
            "19 s of speech gave no words"
        assert speechless_reason({"words": [word], "warnings": warnings, "duration_s": 39.0}) is None
    router = LanguageRouter(AsrOptions(language="en"), 30.0)
    router.spans = [LanguageSpan(0.0, 10.0, "en"), LanguageSpan(10.0, 60.0, "de", 0.95)]
    assert len(router.warnings()) == 1
    assert speechless_reason({"words": [word], "warnings": router.warnings(), "duration_s": 60.0}) is None


def web_session(stack: Any, who: str) -> httpx.Client:
    from sqlmodel import Session

    from models import User
    from service.core.db import get_engine
    from service.core.sessions import SESSION_COOKIE, start_session

    with Session(get_engine(stack.settings())) as session:
        user = session.get(User, stack.ids[who])
        assert user is not None
        started = start_session(session, user, hours=1)
    return httpx.Client(base_url=stack.url, cookies={SESSION_COOKIE: started.token}, timeout=30)


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_a_silent_call_is_marked_and_left_out(stack: Any, h: Any) -> None:
    from sqlmodel import Session, col, select

    from models import Call
    from models.coaching import CallFeatureRow
    from service.core.access import Principal
    from service.core.db import get_engine
    from service.domain import scorecards
    from service.domain.insights import visible_feature_columns
    from service.domain.trends import rep_trends

    with stack.client("rep1") as c:
        silent = h.upload(c, silent_wav(8.0), filename="silence.wav", content_type="audio/wav").json()["id"]
        spoken = h.upload(c, h.vtt, filename="call.vtt", content_type="text/vtt").json()["id"]
        assert h.wait_status(c, silent)["status"] == "done"
        assert h.wait_status(c, spoken)["status"] == "done"
    with Session(get_engine(stack.settings())) as session:
        # No feature row: trends and insights read only those rows.
        assert session.get(CallFeatureRow, silent) is None
        assert session.get(CallFeatureRow, spoken) is not None
        call = session.get(Call, silent)
        assert call is not None
        coach = Principal(org_id=call.org_id, role="coach", key_id="test", user_id=stack.ids["coach"],
                          team_id=stack.ids["team1"])
        assert scorecards.draft_scorecard(session, coach, call) is None  # no pre-filled zeros
        inbox = [c.id for c in scorecards.review_inbox(session, coach)]
        assert spoken in inbox and silent not in inbox
        # Insights and trends read the feature rows: the silent call is not among them, and the week's
        # call count for the rep grows by the spoken call only.
        ids = set(visible_feature_columns(session, coach).call_ids.tolist())
        assert spoken in ids and silent not in ids
        rows = session.exec(select(CallFeatureRow).join(Call, col(Call.id) == col(CallFeatureRow.call_id))
                            .where(col(Call.rep_user_id) == stack.ids["rep1"])).all()
        assert sum(rep_trends(session, coach, stack.ids["rep1"]).rep_calls) == len(rows)
        with pytest.raises(scorecards.NoSpeech):
            scorecards.save_scorecard(session, coach, silent, [], [])
    with web_session(stack, "coach") as web:
        page = web.get(f"/calls/{silent}").text
        assert 'id="no-speech"' in page and page.count('class="card warn"') == 1, page
        assert 'id="scorecard-form"' not in page and "Nothing to score" in page
        assert "no speech found" not in page
        inbox_page = web.get("/inbox").text
        assert f"/calls/{spoken}" in inbox_page and f"/calls/{silent}" not in inbox_page
        spoken_page = web.get(f"/calls/{spoken}").text
        assert 'id="no-speech"' not in spoken_page and 'id="scorecard-form"' in spoken_page
