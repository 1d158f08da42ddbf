"""Who is the rep: roles (and names) for a transcript's speakers, from the strongest evidence given.

Precedence, first that applies wins:
1. Stereo channel mapping (`rep_channel`): the speaker recorded on that channel is the rep, every
   other channel's speaker the customer; `role_confidence` None (the recording says so). A voice
   profile matching the rep's channel still gives the rep's name.
2. Voice profiles (`profiles` + the diarizer's `speaker_embeddings`): each enrolled rep is matched to
   at most one speaker and each speaker to at most one rep (optimal one-to-one assignment on cosine
   similarity), and only pairs at or above `PROFILE_THRESHOLD` count. A matched speaker becomes
   role "rep" with the profile's name and a `role_confidence` in [0.5, 1]; when some rep was found,
   speakers matching no profile become "customer" with the lowest confidence among the matched
   reps (the inference is only as good as the match). Below the threshold nothing is decided here.
3. The uploader (`uploader`: the name of the rep user the upload names, e.g. the rep who uploaded
   their own call): that person is known to be on the call, so their voice profile is compared with
   a lower bar, relative to the other voices: the most similar speaker is the rep when its similarity
   is at least `UPLOADER_THRESHOLD` and leads the next speaker by `UPLOADER_MIN_LEAD`. On a
   transcript, a speaker named like the uploader is the rep (unless `rep_name` names someone else).
   Confidence as for profiles (voice) or None (name).
4. A transcript speaker name (`rep_name`, from VTT voice tags or an import): the speakers it names
   (`types.name_matches`: case and spacing ignored, and "Alex Rivera" names "Alex Rivera (Acme)")
   are the rep, the others customers; confidence None.
5. Otherwise nothing is decided here: speakers keep the roles they already had ("unknown" by
   default), and the language stage may assign them from what is said (`nlp.speaker_roles`, with
   its confidence), or say why it cannot and how to fix it (`talktrack relabel`, `talktrack enroll`).

Each assigned speaker's `role_source` names the rule: "channel", "profile", "uploader" or "name".
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from transcription.types import Transcript, name_matches
from transcription.voiceprint import VoiceProfile, current_encoder

# Cosine similarity between a speaker centroid and a profile at or above which they are taken to be
# the same person (CAM++, the only encoder speakers are embedded with), measured on the bundled
# sample call (profile from the stereo channel, against the mono mix diarized): same voice
# 0.96-0.97, the other voice 0.64-0.73.
PROFILE_THRESHOLD = 0.85


# A voice profile made with another speaker encoder (`made_with`) than the call's (`encoder`) and
# without its enrolment audio.
STALE_PROFILE_WARNING = (
    "voice profile '{name}' was made with the {made_with} speaker encoder, not {encoder}, and has no "
    "stored enrolment audio to re-embed it: it was not used; enrol the rep again (`talktrack enroll`)"
)


def stale_profile_warnings(profiles: list[VoiceProfile], encoder: str) -> list[str]:
    """One warning per profile that cannot be compared with speakers embedded by `encoder`."""
    return [STALE_PROFILE_WARNING.format(name=p.name, made_with=p.encoder, encoder=encoder)
            for p in profiles if p.encoder != encoder]
# The uploader's own profile against a call they are known to be on: the same voice measured 0.96-0.97
# and the other voice 0.64-0.73 with CAM++ on the bundled sample (see PROFILE_THRESHOLD). The
# lead over the other voices is what decides (0.23 there); the bar only keeps a voice that resembles
# no one (a call the uploader is not on) from being picked, and lets a noisier line still match.
UPLOADER_THRESHOLD = 0.70
UPLOADER_MIN_LEAD = 0.10
# Similarity above the threshold at which the voice match alone gives full confidence.
PROFILE_FULL_CONFIDENCE_MARGIN = 0.06
# Lead over the second most similar speaker (for the same profile) that gives full confidence.
PROFILE_FULL_SEPARATION = 0.08


def match_profiles(
    speaker_embeddings: dict[str, npt.NDArray[np.floating]],
    profiles: list[VoiceProfile],
    threshold: float = PROFILE_THRESHOLD,
    encoder: str | None = None,
) -> dict[str, tuple[VoiceProfile, float, float]]:
    """speaker id -> (profile, cosine similarity, confidence) for the one-to-one best matches at or
    above `threshold`. No profile is given to two speakers; no speaker gets
    two profiles. `encoder` is the encoder of `speaker_embeddings` (default: the current one); only
    profiles made by the same encoder are compared."""
    encoder = encoder or current_encoder()
    profiles = [p for p in profiles if p.encoder == encoder]
    ids = [s for s, e in speaker_embeddings.items() if np.linalg.norm(e) > 0]
    if not ids or not profiles:
        return {}
    spk = np.stack([np.asarray(speaker_embeddings[s], np.float64) for s in ids])
    spk /= np.linalg.norm(spk, axis=1, keepdims=True)
    prof = np.stack([np.asarray(p.embedding, np.float64) for p in profiles])
    prof /= np.linalg.norm(prof, axis=1, keepdims=True)
    sims = spk @ prof.T  # (speakers, profiles)
    rows, cols = linear_sum_assignment(-sims)
    out: dict[str, tuple[VoiceProfile, float, float]] = {}
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        sim = float(sims[r, c])
        if sim < threshold:
            continue
        others = np.delete(sims[:, c], r)
        lead = sim - float(others.max()) if len(others) else 1.0
        strength = min(1.0, (sim - threshold) / PROFILE_FULL_CONFIDENCE_MARGIN)
        separation = min(1.0, max(0.0, lead) / PROFILE_FULL_SEPARATION)
        out[ids[r]] = (profiles[c], sim, round(0.5 + 0.5 * strength * separation, 3))
    return out


def _uploader_match(
    candidates: dict[str, npt.NDArray[np.floating]], profiles: list[VoiceProfile], uploader: str | None, encoder: str
) -> tuple[str, str, float] | None:
    """(speaker id, profile name, confidence) when the uploader's profile clearly picks one speaker."""
    own = [p for p in profiles if uploader and p.encoder == encoder and name_matches(p.name, uploader)]
    ids = [s for s, e in candidates.items() if np.linalg.norm(e) > 0]
    if not own or not ids:
        return None
    prof = np.asarray(own[0].embedding, np.float64)
    prof /= np.linalg.norm(prof)
    sims = sorted(((float(np.asarray(candidates[s], np.float64) @ prof / np.linalg.norm(candidates[s])), s)
                   for s in ids), reverse=True)
    best, best_id = sims[0]
    lead = best - sims[1][0] if len(sims) > 1 else 1.0
    if best < UPLOADER_THRESHOLD or lead < UPLOADER_MIN_LEAD:
        return None
    strength = min(1.0, (best - UPLOADER_THRESHOLD) / (2 * PROFILE_FULL_CONFIDENCE_MARGIN))
    separation = min(1.0, lead / (2 * PROFILE_FULL_SEPARATION))
    return best_id, own[0].name, round(0.5 + 0.5 * strength * separation, 3)


def assign_roles(
    transcript: Transcript,
    *,
    rep_channel: int | None = None,
    rep_name: str | None = None,
    profiles: list[VoiceProfile] | None = None,
    speaker_embeddings: dict[str, npt.NDArray[np.floating]] | None = None,
    encoder: str | None = None,
    uploader: str | None = None,
) -> Transcript:
    """Return a copy of `transcript` whose speakers carry roles (and names) by the precedence in
    this module's docstring. `uploader`: the name of the rep user the upload names (rule 3). The
    words are not changed."""
    speakers = [replace(s) for s in transcript.speakers]
    # Only speakers that are in the transcript compete for a profile (a diarized voice whose words
    # were all dropped must not take the rep's name away from the real rep).
    present = {s.id for s in speakers}
    candidates = {sid: e for sid, e in (speaker_embeddings or {}).items() if sid in present}
    encoder = encoder or current_encoder()
    matches = match_profiles(candidates, profiles or [], encoder=encoder)
    warnings = list(transcript.warnings)
    if candidates:
        warnings += [w for w in stale_profile_warnings(profiles or [], encoder) if w not in warnings]
    has_channels = any(s.channel is not None for s in speakers)

    uploader_match = _uploader_match(candidates, profiles or [], uploader, encoder) if not matches else None

    if rep_channel is not None and has_channels:
        for s in speakers:
            s.role = "rep" if s.channel == rep_channel else "customer"
            s.role_confidence, s.role_source = None, "channel"
            if s.role == "rep" and s.id in matches and not s.name:
                s.name = matches[s.id][0].name
    elif matches:
        floor = min(conf for _, _, conf in matches.values())
        for s in speakers:
            if s.id in matches:
                profile, _, conf = matches[s.id]
                s.role, s.name, s.role_confidence = "rep", profile.name, conf
            else:
                s.role, s.role_confidence = "customer", floor
            s.role_source = "profile"
    elif uploader_match is not None:
        rep_id, profile_name, conf = uploader_match
        for s in speakers:
            s.role, s.role_confidence, s.role_source = ("rep" if s.id == rep_id else "customer"), conf, "uploader"
            if s.id == rep_id:
                s.name = profile_name
    elif (uploader and any(name_matches(s.name, uploader) for s in speakers)
          and (name_matches(rep_name, uploader) if rep_name else all(s.role == "unknown" for s in speakers))):
        for s in speakers:
            s.role = "rep" if name_matches(s.name, uploader) else "customer"
            s.role_confidence, s.role_source = None, "uploader"
    elif rep_name and any(name_matches(s.name, rep_name) for s in speakers):
        for s in speakers:
            s.role = "rep" if name_matches(s.name, rep_name) else "customer"
            s.role_confidence, s.role_source = None, "name"
    return replace(transcript, speakers=speakers, words=list(transcript.words), warnings=warnings)


__all__ = ["PROFILE_THRESHOLD", "UPLOADER_THRESHOLD", "assign_roles", "match_profiles", "stale_profile_warnings"]
