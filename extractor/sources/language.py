"""Offline language identification by stopword profiles.

The pipeline is German-only: an English or French article would only produce
noise. Function words are the cheapest reliable signal for whole articles (a
few dozen per language, stored in `extractor/data/lang/<code>.txt`), need no model
download and cost well under a millisecond per article. Short texts (tweets,
headlines) carry too little signal and are reported as undecidable.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from ..paths import data_path

LANG_DIR = data_path("lang")
MAX_CHARS = 2000  # the start of an article is enough, and keeps it fast
MIN_WORDS = 20  # fewer words than this: undecidable
MIN_HITS = 4.0  # stopword evidence the winner needs
MIN_RATIO = 1.3  # winner over runner-up; closer calls (da/sv on short texts) are undecidable

_WORD = re.compile(r"[^\W\d_]+")
_NOISE = re.compile(r"\S*(?:https?://|www\.|@|#)\S*")  # URLs, handles, hashtags: no language


@lru_cache(maxsize=1)
def _profiles() -> dict[str, dict[str, float]]:
    """word -> {lang: weight}; a word shared by n languages weighs 1/n for each."""
    owners: dict[str, list[str]] = defaultdict(list)
    for path in sorted(LANG_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf8").splitlines():
            word = line.strip().lower()
            if word and not word.startswith("#"):
                owners[word].append(path.stem)
    return {w: {lang: 1.0 / len(langs) for lang in set(langs)} for w, langs in owners.items()}


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unclear."""
    words = _WORD.findall(_NOISE.sub(" ", text[:MAX_CHARS].lower()))
    if len(words) < MIN_WORDS:
        return None
    profiles = _profiles()
    scores: dict[str, float] = defaultdict(float)
    for word in words:
        for lang, weight in profiles.get(word, {}).items():
            scores[lang] += weight
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_score < MIN_HITS or best_score < MIN_RATIO * runner_up:
        return None
    return best


def is_german(text: str) -> bool:
    """True for German and for undecidable texts, so short tweets and headlines
    are processed rather than dropped."""
    return detect_language(text) in (None, "de")
