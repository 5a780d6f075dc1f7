"""Sentence boundaries for news text without a parser.

Headlines, datelines and teasers end without a full stop but on a line break; the
tokenizer already keeps "Dr.", "Okt.", "z.B." and ordinals whole, so a boundary
after ".", "!", "?" and after any line break is enough, and costs nothing.
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

END_PUNCT = {".", "!", "?", "…", "?!", "!?", "..."}
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
                starts[i + 1] = True
            elif token.text in END_PUNCT or (token.text.endswith(".") and token.text[:-1] in END_PUNCT):
                j = i + 1
                while j < len(doc) and doc[j].text in CLOSING and not doc[j - 1].whitespace_:
                    j += 1
                if j < len(doc) and not doc[j].is_lower:
                    starts[j] = True
        values = numpy.asarray([1 if start else -1 for start in starts], dtype="int64").view("uint64").reshape(-1, 1)
        doc.from_array([SENT_START], values)  # one call: per-token assignment is slow on long texts
        return doc
