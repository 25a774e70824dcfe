"""Inferring the exposure and outcome from a free-text question, without an LLM.

"Does radio airplay raise record sales?" names its exposure first and its
outcome second.  We match the question's words against each variable's name,
label and description (``radio_play``: radio, play; "airplay" contains
"play"), score the matches, and read the order of first mention.  The LLM,
when configured, makes the same inference inside the drafting call; this is
the offline fallback and the check on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.draft.spec import DraftRequest
from assistant.errors import InputError

_STOP = {"the", "a", "an", "of", "on", "in", "to", "and", "or", "does", "do", "did", "is", "are", "was", "were",
         "what", "how", "much", "many", "effect", "effects", "cause", "causes", "raise", "raises", "increase",
         "increases", "reduce", "reduces", "lower", "lowers", "affect", "affects", "impact", "impacts", "by", "for",
         "with", "at", "if", "we", "it", "its", "their", "they", "would", "will", "can", "could", "should", "have",
         "has", "had", "be", "been", "than", "then", "that", "this", "these", "those", "from", "into", "hours",
         "number", "amount", "level", "levels", "rate", "month", "months", "year", "years", "6", "six"}


def _tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in _STOP]


@dataclass(frozen=True)
class Mention:
    name: str
    score: float
    position: int


def _match(token: str, vocab: set[str]) -> bool:
    if token in vocab:
        return True
    # Compound words: "airplay" mentions "play"; only for long enough pieces to avoid noise.
    return any(len(v) >= 4 and (v in token or (len(token) >= 4 and token in v)) for v in vocab)


def mentions(request: DraftRequest) -> list[Mention]:
    """Variables the question mentions, with a match score and the position of the first mention."""
    words = _tokens(request.question)
    found: list[Mention] = []
    for v in request.variables:
        strong = set(_tokens(v.name.replace("_", " "))) | set(_tokens(v.label or ""))
        weak = set(_tokens(v.description)) - strong
        positions, score = [], 0.0
        for i, w in enumerate(words):
            if _match(w, strong):
                positions.append(i)
                score += 1.0
            elif _match(w, weak):
                positions.append(i)
                score += 0.25
        if score >= 1.0 or (score > 0 and not strong):
            found.append(Mention(v.name, score / max(1, len(strong)), min(positions)))
    return found


def infer_exposure_outcome(request: DraftRequest) -> tuple[str, str]:
    """The exposure and outcome the question asks about, in that order; raises if it names too few variables."""
    if request.exposure and request.outcome:
        return request.exposure, request.outcome
    found = sorted(mentions(request), key=lambda m: (m.position, -m.score))
    taken = {n for n in (request.exposure, request.outcome) if n}
    candidates = [m.name for m in found if m.name not in taken]
    exposure = request.exposure or (candidates.pop(0) if candidates else None)
    outcome = request.outcome or (candidates[-1] if candidates else None)
    if exposure is None or outcome is None or exposure == outcome:
        names = ", ".join(repr(n) for n in request.names[:12])
        raise InputError(f"the question {request.question!r} names no known variable as "
                         f"{'exposure' if exposure is None else 'outcome'}",
                         hint=f"pass --exposure and --outcome, or name the variables in the question ({names})")
    return exposure, outcome
