"""Sentence boundaries for news text without a parser.

Headlines, datelines and teasers end without a full stop but on a line break; the
tokenizer already keeps "Dr.", "Okt.", "z.B." and ordinals whole, so a boundary
after ".", "!", "?" and after a line break is enough, and costs nothing. A single
line break inside a phrase is hard wrapping ("derzeit Leiter der⏎Commerzbank-
Niederlassung"): after a comma or a word that cannot end a sentence (article,
preposition, conjunction), or before a lower-case word, the sentence goes on.
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

END_PUNCT = {".", "!", "?", "…", "?!", "!?", "..."}
# words after which no sentence, headline included, ends
OPEN_WORDS = frozenset({"der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem", "einen",
                        "von", "vom", "zum", "zur", "beim", "im", "am", "bei", "für", "über", "und", "oder", "sowie",
                        "dass", "als", "wie", "seiner", "seine", "ihrer", "ihre", "dieser", "diese", "mit"})
CLOSING = {'"', "“", "”", "»", "«", "'", "’", ")", "]"}


@Language.factory("news_sentencizer", assigns=["token.is_sent_start"])
def create_news_sentencizer(nlp: Language, name: str) -> "NewsSentencizer":
    return NewsSentencizer()


class NewsSentencizer:
    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        starts = [False] * len(doc)
        starts[0] = True
        for i, token in enumerate(doc[:-1]):
            if "\n" in token.whitespace_ or (token.is_space and "\n" in token.text):
                starts[i + 1] = not _wrapped(doc, i)
            elif token.text in END_PUNCT or (token.text.endswith(".") and token.text[:-1] in END_PUNCT):
                j = i + 1
                while j < len(doc) and doc[j].text in CLOSING and not doc[j - 1].whitespace_:
                    j += 1
                if j < len(doc) and not doc[j].is_lower:
                    starts[j] = True
        values = numpy.asarray([1 if start else -1 for start in starts], dtype="int64").view("uint64").reshape(-1, 1)
        doc.from_array([SENT_START], values)  # one call: per-token assignment is slow on long texts
        return doc


def _wrapped(doc: Doc, i: int) -> bool:
    """Token i ends a line that a hard wrap cut mid-sentence."""
    breaks = doc[i].whitespace_ + (doc[i].text if doc[i].is_space else "")
    before = doc[i - 1] if doc[i].is_space and i > 0 else doc[i]
    after = doc[i + 1]
    if breaks.count("\n") > 1 or before.is_space or after.is_space:
        return False  # a blank line ends a paragraph
    ordinal = before.text[:-1].isdigit() and before.text.endswith(".")  # "per 1.⏎April"
    if before.text in END_PUNCT or before.text.endswith(".") and not ordinal:
        return False
    return ordinal or before.text == "," or before.lower_ in OPEN_WORDS or (after.is_alpha and after.is_lower)
