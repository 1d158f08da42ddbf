"""Which voice profiles tell the rep on a live mono call: the named rep's own, else the organization's."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _emb(i: int) -> list[float]:
    v = np.zeros(192)
    v[i] = 1.0
    return v.tolist()


def test_the_named_reps_profile_comes_first_then_the_organizations(tmp_path: Path) -> None:
    from models import VoiceProfile
    from service.core.accounts import create_org, create_user
    from service.core.config import Settings
    from service.core.db import run_migrations, session_scope
    from service.domain.org_definitions import live_rep_profiles
    from transcription.voiceprint import CAMPPLUS_ENCODER

    settings = Settings(data_dir=tmp_path)
    run_migrations(settings)
    with session_scope(settings) as s:
        org, other = create_org(s, "Acme"), create_org(s, "Globex")
        alex = create_user(s, org.id, "Alex Rivera")
        assert live_rep_profiles(s, org.id, alex.id, None).profiles == ()  # nothing enrolled
        s.add(VoiceProfile(org_id=org.id, user_id=alex.id, name="Alex Rivera", embedding=_emb(0),
                           encoder=CAMPPLUS_ENCODER))
        s.add(VoiceProfile(org_id=org.id, name="Sam Lee", embedding=_emb(1), encoder=CAMPPLUS_ENCODER))
        s.add(VoiceProfile(org_id=org.id, name="Old", embedding=[0.0625] * 256))  # a Resemblyzer row
        s.add(VoiceProfile(org_id=other.id, name="Dana", embedding=_emb(2), encoder=CAMPPLUS_ENCODER))
        s.commit()
        by_user = live_rep_profiles(s, org.id, alex.id, None)
        assert ([p.name for p in by_user.profiles], by_user.source) == (["Alex Rivera"], "uploader")
        by_name = live_rep_profiles(s, org.id, None, "alex rivera")
        assert ([p.name for p in by_name.profiles], by_name.source) == (["Alex Rivera"], "uploader")
        anyone = live_rep_profiles(s, org.id, None, "Jordan")
        assert anyone.source == "profile"
        assert sorted((p.name, p.stale) for p in anyone.profiles) == [
            ("Alex Rivera", False), ("Old", True), ("Sam Lee", False)]  # stale: never compared (RepVoice)
