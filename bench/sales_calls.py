"""Generated two-person sales calls with known roles, as unlabelled transcripts, for the role scorer.

Each call is drawn from a seed: who opens (the rep on an outbound call, the customer who answers or
calls in), whether the rep introduces themselves and the company, how many discovery questions,
customer questions and pitch turns there are, whether a next step is proposed, and by whom. Some
calls are hard on purpose: inbound calls where the customer asks most of the questions, reps who
never introduce themselves, customers who talk about "our platform", and a share of turns given
to the wrong speaker (what a diarization error does to a mono call).

Train on seeds `TRAIN_SEEDS` (bench/roles_train.py); evaluate on `EVAL_SEED` (bench/roles_eval.py),
which nothing is tuned on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from transcription.types import Speaker, Transcript, Word

TRAIN_SEEDS = range(1, 401)
VALIDATION_SEEDS = range(1001, 1101)
EVAL_SEED_BASE = 90_000  # eval calls: seeds EVAL_SEED_BASE + i, never tuned on

REP_NAMES = ["Sam", "Alex Rivera", "Priya", "Marcus", "Dana Kim", "Lena", "Tom Miller", "Jordan", "Chris", "Ana"]
CUSTOMER_NAMES = ["Jordan Lee", "Maria", "Kevin", "Sofia", "Raj", "Emily", "Daniel", "Olga", "Ben", "Keiko"]
COMPANIES = ["Acme", "Northwind", "Brightline", "Clearpath", "Fathom", "Lumen", "Vertex", "Orbit Labs", "Quill"]

REP_INTROS = [
    "Hi {c}, this is {r} from {co}. Thanks for taking the time today.",
    "Hello {c}, {r} here from {co}. Thanks for making time to chat.",
    "Hi, my name is {r} and I'm with {co}. Is now still a good time?",
    "Hey {c}, it's {r} calling from {co}. How are you doing?",
    "Good morning {c}, this is {r} with {co}. I appreciate you taking the time.",
    "Hi {c}, {r} from {co} here. Thanks for jumping on.",
]
REP_PLAIN_OPENINGS = [
    "Hi {c}, how are you today?",
    "Hey {c}, good to finally connect.",
    "Hello, can you hear me okay?",
    "Hi there, thanks for joining.",
]
CUSTOMER_ANSWERS_PHONE = ["Hello?", "Hi, this is {c}.", "{c} speaking.", "Hello, {c} here."]
CUSTOMER_CALLS_IN = [
    "Hi, I'm calling about your pricing page, I had a few questions.",
    "Hello, I filled in the form on your website and wanted to learn more about your product.",
    "Hi, a colleague recommended your tool and I wanted to see if it fits us.",
]
REP_ANSWERS_INBOUND = [
    "Thanks for calling {co}, this is {r}. Happy to help.",
    "Hi, you've reached {co}, {r} speaking. What can I do for you?",
    "Sure, glad you reached out. I'm {r}.",
]
DISCOVERY = [
    "Could you walk me through how your team handles reporting right now?",
    "What prompted you to look at this now?",
    "How many people are on your team today?",
    "What does your current process look like?",
    "What happens when the numbers are wrong?",
    "Who else is involved in a decision like this?",
    "What would success look like for you six months from now?",
    "How are you handling that today?",
    "What's the biggest challenge with your current setup?",
    "If you could change one thing about that process, what would it be?",
    "Do you have a budget set aside for this?",
    "When are you hoping to have something in place?",
    "Are you using any tool for this at the moment?",
    "How much time does your team spend on that each week?",
    "What have you tried so far?",
    "Is that the main pain, or is there something bigger behind it?",
    "How does that affect your targets for the quarter?",
    "So it sounds like the manual work is the real problem?",
]
CUSTOMER_ANSWERS = [
    "Right now we export everything into spreadsheets every Friday, and it takes most of the afternoon.",
    "We have about twelve people, split between two offices.",
    "Honestly it's a mess. Everybody keeps their own notes and nothing is shared.",
    "Our manager reviews it on Monday, so the numbers are always a few days old.",
    "We tried a couple of tools last year but nobody kept using them.",
    "My boss and the finance team would need to sign off.",
    "We lost two deals last quarter because nobody followed up in time.",
    "Probably three or four hours a week, sometimes more at the end of the month.",
    "Ideally we'd have everything in one place by the end of the year.",
    "We use a CRM, but half the team doesn't update it.",
    "The biggest issue is that we only find out about problems when it's too late.",
    "Yeah, that's pretty much it.",
    "I'd say the onboarding of new hires is what worries me most.",
    "We're a small team, so we can't afford to waste time on admin.",
]
CUSTOMER_QUESTIONS = [
    "Is that something your product does?",
    "How much does it cost?",
    "Does it integrate with Salesforce?",
    "How long does the setup usually take?",
    "Do you offer a free trial?",
    "What kind of support do you provide?",
    "Can your platform handle multiple teams?",
    "Who else uses your tool in our industry?",
    "Is the data stored in Europe?",
    "How is that different from what we have now?",
]
PITCHES = [
    "It does. We connect to your systems directly, and the dashboards refresh every hour.",
    "Our platform pulls the data from your CRM automatically, so nobody has to copy and paste anything.",
    "We offer a flat price per seat, and the first month is free while you try it.",
    "Most of our customers are set up within a week. We handle the integration for you.",
    "Yes, we integrate with Salesforce and HubSpot out of the box, and our team helps with anything custom.",
    "We provide a dedicated success manager for the first ninety days.",
    "What we usually see is that teams save about five hours a week once the reports run themselves.",
    "Our product flags the deals that are at risk, so your managers can step in early.",
    "You'd be able to see every call and every deal in one dashboard.",
]
NEXT_STEPS_REP = [
    "Would it help if I showed you a short demo next week with your own data?",
    "I'll send you a summary and the pricing by Friday.",
    "Let's book a follow-up on Tuesday with your manager.",
    "I'll put together a proposal and send it over tomorrow.",
    "How about we schedule a call for next Thursday to go through the details?",
]
NEXT_STEPS_CUSTOMER = [
    "Can you send me the security documents by Friday?",
    "I'll talk to my boss and get back to you next week.",
    "Let me check with finance and I'll email you on Monday.",
]
ACCEPT = ["Sounds good.", "That works for me.", "Sure, Tuesday afternoon works.", "Perfect, thank you.", "Okay, great."]
BACKCHANNELS = ["Yes.", "Right.", "Okay.", "Mm-hmm.", "I see.", "That makes sense.", "Got it."]
CUSTOMER_OUR_PLATFORM = [
    "Our platform is built in house, so anything new has to connect to it.",
    "We offer our clients a monthly report, and that's where the numbers come from.",
]
CLOSINGS_REP = ["Thanks again for your time, {c}. Talk soon.", "Great talking to you, have a good day."]
CLOSINGS_CUSTOMER = ["Thanks, bye.", "Thank you, talk soon.", "Bye for now."]


@dataclass(frozen=True)
class SalesCall:
    """One generated call: the unlabelled transcript (speakers S1, S2 without names or roles) and the
    id of the rep's speaker. `kind` names the scenario ("outbound", "inbound", ...)."""

    seed: int
    kind: str
    transcript: Transcript
    rep_id: str

    @property
    def customer_id(self) -> str:
        return "S2" if self.rep_id == "S1" else "S1"


def _fill(text: str, rng: random.Random, r: str, c: str, co: str) -> str:
    return text.format(r=r.split()[0] if rng.random() < 0.5 else r, c=c.split()[0], co=co)


def generate_sales_call(seed: int) -> SalesCall:
    """The call drawn from `seed` (deterministic)."""
    rng = random.Random(seed)
    rep, cust, co = rng.choice(REP_NAMES), rng.choice(CUSTOMER_NAMES), rng.choice(COMPANIES)
    kind = rng.choices(["outbound", "outbound-quiet", "inbound", "interview"], weights=[5, 2, 2, 1])[0]
    lines: list[tuple[str, str]] = []  # (role, text)

    def say(role: str, pool: list[str]) -> None:
        lines.append((role, _fill(rng.choice(pool), rng, rep, cust, co)))

    if kind == "inbound":
        say("customer", CUSTOMER_CALLS_IN)
        say("rep", REP_ANSWERS_INBOUND)
    else:
        if rng.random() < 0.35:
            say("customer", CUSTOMER_ANSWERS_PHONE)
        say("rep", REP_INTROS if kind == "outbound" and rng.random() < 0.8 else REP_PLAIN_OPENINGS)
        say("customer", ["Sure, happy to.", "Good, thanks. I have about twenty minutes.", "Hi, yes, go ahead."])
    n_discovery = {"outbound": rng.randint(3, 8), "outbound-quiet": rng.randint(1, 4),
                   "inbound": rng.randint(1, 4), "interview": rng.randint(0, 2)}[kind]
    n_customer_q = {"outbound": rng.randint(0, 2), "outbound-quiet": rng.randint(1, 3),
                    "inbound": rng.randint(2, 5), "interview": rng.randint(4, 7)}[kind]
    blocks: list[str] = ["discovery"] * n_discovery + ["customer_q"] * n_customer_q
    rng.shuffle(blocks)
    for block in blocks:
        if block == "discovery":
            say("rep", DISCOVERY)
            if rng.random() < 0.3:
                say("rep", BACKCHANNELS)
            say("customer", CUSTOMER_ANSWERS)
            if rng.random() < 0.4:
                say("rep", BACKCHANNELS)
        else:
            say("customer", CUSTOMER_QUESTIONS)
            say("rep", PITCHES)
            if rng.random() < 0.5:
                say("customer", BACKCHANNELS)
        if rng.random() < 0.08:
            say("customer", CUSTOMER_OUR_PLATFORM)
    if rng.random() < 0.5:
        say("rep", PITCHES)
    closing = rng.random()
    if closing < 0.6:
        say("rep", NEXT_STEPS_REP)
        say("customer", ACCEPT)
    elif closing < 0.8:
        say("customer", NEXT_STEPS_CUSTOMER)
        say("rep", ACCEPT)
    say("rep", CLOSINGS_REP)
    say("customer", CLOSINGS_CUSTOMER)

    # Diarization errors: a share of turns is given to the other speaker.
    swap = rng.choice([0.0, 0.0, 0.05, 0.1, 0.15])
    rep_id = rng.choice(["S1", "S2"])
    ids = {"rep": rep_id, "customer": "S2" if rep_id == "S1" else "S1"}
    words: list[Word] = []
    t = 0.3
    for role, text in lines:
        speaker = ids[role]
        if rng.random() < swap:
            speaker = ids["customer" if role == "rep" else "rep"]
        for tok in text.split():
            d = 0.12 + 0.045 * len(tok)
            words.append(Word(round(t, 3), round(t + d, 3), tok, speaker))
            t += d + 0.05
        t += rng.uniform(0.2, 0.9)
    speakers = [Speaker("S1"), Speaker("S2")]
    transcript = Transcript(duration_s=round(t, 3), speakers=speakers, words=words, source="json")
    return SalesCall(seed, kind, transcript, rep_id)


def generate_sales_calls(seeds: range | list[int]) -> list[SalesCall]:
    return [generate_sales_call(s) for s in seeds]
