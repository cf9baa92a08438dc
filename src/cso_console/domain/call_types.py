"""Finding call types the way people type them: by code, by label, by any word of a label."""

from __future__ import annotations

from collections.abc import Iterable

from cso_console.domain.town import CallType

_TYPO_CUTOFF = 80.0


def _words(label: str) -> list[str]:
    return label.replace("/", " ").replace("(", " ").replace(")", " ").split()


def _score(text: str, ct: CallType) -> float:
    code, label = ct.code.upper(), ct.label.upper()
    words = _words(label)
    if text in (code, label, f"{code} {label}"):
        return 100.0
    if code.startswith(text):
        return 90.0 + 5.0 * len(text) / len(code)
    if label.startswith(text):
        return 85.0 + 5.0 * len(text) / len(label)
    said = text.split()
    if all(any(w == lw for lw in words) for w in said):
        return 80.0  # whole words inside the label: "dog" -> Barking dog
    if all(any(lw.startswith(w) for lw in words) for w in said):
        return 70.0 + 5.0 * len(text) / len(label)
    return 0.0


def _typo_score(text: str, ct: CallType) -> float:
    """A misspelt word of the label or the code ("barkng"), when nothing matched as written."""
    if len(text) < 4:
        return 0.0
    from rapidfuzz import fuzz  # loaded by the first typo looked for, not at start

    candidates = [ct.code.upper(), *_words(ct.label.upper())]
    ratio = max(fuzz.ratio(w, c) for w in text.split() for c in candidates)
    return ratio * 0.6 if ratio >= _TYPO_CUTOFF else 0.0


def rank_call_types(types: Iterable[CallType], text: str, limit: int = 5) -> list[CallType]:
    """The call types ``text`` may mean, best first (at most ``limit``)."""
    t = " ".join(text.upper().split())
    if not t:
        return []
    types = list(types)
    scored = [(s, i, ct) for i, ct in enumerate(types) if (s := _score(t, ct)) > 0]
    if not scored:
        scored = [(s, i, ct) for i, ct in enumerate(types) if (s := _typo_score(t, ct)) > 0]
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [ct for _, _, ct in scored[:limit]]
