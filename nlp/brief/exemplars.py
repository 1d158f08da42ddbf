"""Exemplar sentences: what a pain, a need, an objection ... sounds like, for the MiniLM score.

A candidate sentence's similarity to a kind is its highest cosine similarity to the kind's
exemplars; with the cue words it makes the item's confidence (`nlp.brief.items`). The exemplars
are embedded once per process.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from transcription.once import load_once

EXEMPLARS: dict[str, tuple[str, ...]] = {
    "pain": (
        "It takes us hours every week to pull the reports together by hand.",
        "We keep losing deals because nobody follows up in time.",
        "Our data is a mess and nobody trusts the numbers.",
        "We have no visibility into what our reps actually say on calls.",
        "The tool we have is slow and the team hates using it.",
        "Onboarding new hires takes far too long.",
        "We only find out about problems when it's too late.",
        "Our forecasts are always wrong.",
        "Customers complain that our response times are too slow.",
        "We waste a lot of time copying data between systems.",
        "Our win rate dropped a lot this year.",
        "Everything lives in spreadsheets and nothing is shared.",
        "Our managers can't listen to more than a handful of calls.",
        "The reports are always a week out of date.",
        # Other trades' pains, said as numbers and stories rather than with a pain word.
        "We throw away a lot of product every single month.",
        "Our scrap rate on that line is far too high.",
        "Half of our new staff quit within the first three months.",
        "Customers wait on hold for twenty minutes before anyone picks up.",
        "We lost a big client last quarter because deliveries were late.",
        "Our people type the same data into three different systems.",
        "Closing the books every month takes the finance team a full week.",
        "When the system goes down, nobody on the floor can work.",
        "We get so many false alarms that people have stopped looking at them.",
        "Our costs went up twenty percent this year and margins are shrinking.",
        "Patients miss their appointments and those slots just sit empty.",
        "Nobody can tell me where an order is without calling around.",
    ),
    "need": (
        "We need something that integrates with Salesforce.",
        "It has to support single sign-on.",
        "The data must stay on our own servers.",
        "We're looking for a tool our managers will actually use.",
        "Ideally we'd have everything in one place.",
        "Success for us would be cutting the ramp time in half.",
        "It's important that the reps can see their own scorecards.",
        "We want to be able to coach every rep every week.",
        "A must-have for us is support for German and French.",
        "Our main requirement is that it works with our dialer.",
        "The goal is to get new hires productive in their first month.",
    ),
    "objection": (
        "Honestly, that's more than we can spend right now.",
        "It's too expensive for a team our size.",
        "This isn't a priority for us until next year.",
        "The timing just isn't right.",
        "It's not my decision, I'd have to run it by my boss.",
        "We're pretty happy with the tool we have today.",
        "Can you just send me some information and I'll take a look?",
        "I'm not convinced it's worth the money.",
        "We're locked into our current contract until the summer.",
        "We can't take on anything new before next quarter.",
        "That number is a lot higher than what we pay today.",
        "I would have a hard time getting that approved upstairs.",
        "Our current vendor already does most of this.",
        "Our IT people would rather build it themselves.",
        "We're in the middle of a big migration, so nothing new until that's done.",
        "We got burned by the last vendor we brought in.",
        "A three-year term is a deal breaker for us.",
        "Just email me something and I'll look at it when I get a chance.",
        "That has to go through the committee, it's not up to me.",
        "I don't see how this would pay for itself.",
    ),
    "budget": (
        "We have about fifty thousand set aside for this.",
        "Our budget for this project is around twenty thousand dollars a year.",
        "We could spend up to ten thousand this quarter.",
        "The budget has been approved for next year.",
        "We were thinking of spending somewhere around thirty thousand.",
    ),
    "decision": (
        "Our CFO makes the final decision.",
        "My boss and the finance team would need to sign off.",
        "Anything over ten thousand has to go through procurement.",
        "Legal will need to review the contract before we sign.",
        "I'm the one who signs, but the VP has the final say.",
        "The decision will be made by the leadership team.",
        "Our process is a security review first and then a pilot.",
        "The board votes on anything above that amount.",
        "It goes to the steering committee at their next meeting.",
        "Our general manager has the final word on purchases like this.",
        "Procurement runs a formal tender for anything this size.",
    ),
    "competitor": (
        "We tried Gong last year but it didn't stick.",
        "We're also talking to another vendor.",
        "We're evaluating a couple of other tools at the moment.",
        "We used Chorus before and cancelled.",
        "We got a quote from another provider last month.",
    ),
    "price": (
        "It's sixty dollars per seat per month.",
        "The license is twelve thousand a year for your team.",
        "Pricing starts at forty-nine dollars per user.",
        "For twenty reps that comes to about fourteen thousand a year.",
    ),
}
KINDS: tuple[str, ...] = tuple(EXEMPLARS)


@load_once
def exemplar_vectors() -> dict[str, npt.NDArray[np.float32]]:
    """Each kind's exemplars as unit vectors (MiniLM), embedded once per process."""
    from nlp.semantic import load_embedder

    embed = load_embedder().embed
    texts = [t for kind in KINDS for t in EXEMPLARS[kind]]
    vectors = embed(texts)
    out: dict[str, npt.NDArray[np.float32]] = {}
    i = 0
    for kind in KINDS:
        n = len(EXEMPLARS[kind])
        out[kind] = vectors[i : i + n]
        i += n
    return out


def similarities(vectors: npt.NDArray[np.float32]) -> dict[str, npt.NDArray[np.float32]]:
    """For each kind, every row's highest cosine similarity to the kind's exemplars."""
    if len(vectors) == 0:
        return {kind: np.zeros(0, dtype=np.float32) for kind in KINDS}
    table = exemplar_vectors()
    scores = vectors @ np.vstack([table[kind] for kind in KINDS]).T  # one product for every kind
    out: dict[str, npt.NDArray[np.float32]] = {}
    start = 0
    for kind in KINDS:
        n = len(table[kind])
        out[kind] = scores[:, start : start + n].max(axis=1)
        start += n
    return out


__all__ = ["EXEMPLARS", "KINDS", "exemplar_vectors", "similarities"]
