"""Splitting an ask that bundles several demands into its parts.

Letters often pack a list of demands into one sentence: "... States recommended that the United
States abolish the death penalty, enact policies to address racial justice ..., lift sanctions
against the International Criminal Court, and ratify ...". Linked as one text, such an ask
matches nothing well; linked part by part, each demand finds its recommendations.

A part starts at an imperative verb that follows a comma, a semicolon or "and" (the verb list is
the opening words of the UPR Info database's recommendations, less words that are often nouns).
A sentence is split only when it holds at least two such parts; everything else is left whole.
"""

from __future__ import annotations

import itertools
import re

# Opening words of at least 8 recommendations in the UPR Info export (sessions 1-20), keeping verbs
# only and leaving out those often used as nouns in lists ("work", "end", "report", "use", ...).
ASK_VERBS = frozenset(
    [
        "continue",
        "take",
        "consider",
        "ratify",
        "ensure",
        "strengthen",
        "adopt",
        "establish",
        "implement",
        "intensify",
        "increase",
        "sign",
        "develop",
        "accede",
        "review",
        "provide",
        "make",
        "pursue",
        "extend",
        "improve",
        "amend",
        "abolish",
        "undertake",
        "put",
        "enhance",
        "promote",
        "guarantee",
        "enact",
        "accelerate",
        "seek",
        "repeal",
        "give",
        "introduce",
        "investigate",
        "address",
        "reinforce",
        "maintain",
        "redouble",
        "bring",
        "withdraw",
        "complete",
        "speed",
        "carry",
        "create",
        "revise",
        "incorporate",
        "respect",
        "allow",
        "cooperate",
        "expedite",
        "include",
        "conduct",
        "become",
        "eliminate",
        "decriminalize",
        "decriminalise",
        "remove",
        "pay",
        "allocate",
        "prohibit",
        "follow",
        "protect",
        "proceed",
        "raise",
        "facilitate",
        "submit",
        "reform",
        "reconsider",
        "encourage",
        "invite",
        "recognize",
        "recognise",
        "finalize",
        "finalise",
        "engage",
        "combat",
        "lift",
        "accept",
        "harmonize",
        "harmonise",
        "consolidate",
        "apply",
        "respond",
        "release",
        "prioritize",
        "prioritise",
        "adhere",
        "expand",
        "reduce",
        "comply",
        "prevent",
        "keep",
        "grant",
        "examine",
        "initiate",
        "launch",
        "explore",
        "enforce",
        "elaborate",
        "integrate",
        "modify",
        "criminalize",
        "criminalise",
        "formulate",
        "commit",
        "stop",
        "build",
        "conclude",
        "identify",
        "uphold",
        "refrain",
        "cease",
        "fight",
        "impose",
        "fulfil",
        "fulfill",
        "commute",
        "define",
        "exert",
        "envisage",
        "declare",
        "approve",
        "evaluate",
        "organize",
        "organise",
        "disseminate",
        "devote",
        "align",
        "publish",
        "acknowledge",
        "endeavour",
        "prosecute",
        "prepare",
        "involve",
        "enable",
        "agree",
        "deepen",
        "adjust",
        "accomplish",
        "institute",
        "abrogate",
        "sustain",
        "revoke",
        "renew",
        "adapt",
        "halt",
        "eradicate",
        "persevere",
        "devise",
        "inform",
        "broaden",
        "safeguard",
        "foster",
        "abide",
        "join",
        "assess",
        "ban",
        "reinstate",
        "spare",
        "deploy",
        "strive",
        "restore",
        "begin",
        "condemn",
        "confirm",
        "meet",
        "reach",
        "demonstrate",
        "suspend",
        "permit",
        "contribute",
        "collaborate",
        "secure",
        "concentrate",
        "resolve",
        "achieve",
        "bolster",
        "clarify",
        "promulgate",
        "invest",
        "designate",
        "attach",
        "analyse",
        "avoid",
        "collect",
        "participate",
        "heed",
        "rescind",
        "annul",
        "reverse",
        "reengage",
        "re-engage",
        "rejoin",
        "recommit",
        "close",
    ]
)

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
# A boundary: comma or semicolon, optionally followed by "and"/"or", or a bare " and ", then a verb.
_BOUNDARY = re.compile(r"(?:[,;]\s+(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)([A-Za-z-]+)\b")
_WORD = re.compile(r"[A-Za-z-]+")
MIN_PART_WORDS = 3


def _clean(part: str) -> str:
    part = part.strip().rstrip(",;:").strip()
    part = re.sub(r"^(?:and|or)\s+", "", part)
    part = re.sub(r"[,;]?\s+(?:and|or)$", "", part)
    return part.rstrip(".,;: ").strip()


def split_sentence(sentence: str) -> list[str]:
    """The demands of one sentence, or [] when it is not a list of demands."""
    starts = [m.start(1) for m in _BOUNDARY.finditer(sentence) if m.group(1).lower() in ASK_VERBS]
    if len(starts) < 2:
        return []
    # The first demand starts at the last verb before the first boundary.
    first = None
    for m in _WORD.finditer(sentence, 0, starts[0]):
        if m.group(0).lower() in ASK_VERBS:
            first = m.start()
    if first is None:
        return []
    bounds = [first, *starts, len(sentence)]
    parts = [_clean(sentence[a:b]) for a, b in itertools.pairwise(bounds)]
    parts = [p for p in parts if len(p.split()) >= MIN_PART_WORDS]
    return parts if len(parts) >= 2 else []


def split_ask(text: str) -> list[str]:
    """The parts of an ask: its demands when it lists several, else the whole text as one part."""
    parts: list[str] = []
    for sentence in _SENT.split(text.strip()):
        parts += split_sentence(sentence)
    return parts if len(parts) >= 2 else [text.strip()]
