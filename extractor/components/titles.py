"""The job-title lexicon shared by the mention and role components."""

from __future__ import annotations

from bisect import bisect_left
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.tokens import Doc, Span, Token

from ..relation_types import load_json, validation_problems
from .mention import ORG_TYPES, mentions
from .resources import TITLES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OwnCompanyTitles(_Strict):
    prefixes: List[str]
    titles: List[str]


class SourceWords(_Strict):
    before: List[str]
    after: List[str]


class TitleFile(_Strict):
    """lexicons/titles.json, checked when loaded: a misspelt or missing key fails with the file."""

    doc: str = Field("", alias="_doc")
    titles: List[str]
    heads: List[str]
    excluded: List[str]
    status: Dict[str, List[str]]
    person_nouns: List[str]
    own_company: OwnCompanyTitles
    sources: SourceWords
    qualifiers: List[str]
    boards: List[str]
    led_by: List[str]
    founded_by: Dict[str, Optional[str]]


def read_titles(path: Path) -> TitleFile:
    try:
        return TitleFile.model_validate(load_json(path))
    except ValidationError as error:
        raise ValueError(f"{path}: {validation_problems(error)}") from None


class TitleLexicon:
    def __init__(self, data_dir: str) -> None:
        lexicon = read_titles(Path(data_dir) / TITLES)
        self.titles = set(lexicon.titles)
        self.heads = tuple(lexicon.heads)
        self.excluded = set(lexicon.excluded)
        self.status = {word: status for status, words in lexicon.status.items() for word in words}
        # occupations and offices held at no organisation ("die Kanzlerin"): person references, never roles
        self.person_nouns = frozenset(lexicon.person_nouns)
        # posts at the company the article is about: "Konzernchef", "Geschäftsführer"
        self.own_prefixes = tuple(lexicon.own_company.prefixes)
        self.own_titles = frozenset(lexicon.own_company.titles)
        # words that cite a medium as the source: "im Interview mit der X", "X zufolge"
        self.source_before = frozenset(lexicon.sources.before)
        self.source_after = frozenset(lexicon.sources.after)
        self.qualifiers = frozenset(lexicon.qualifiers)  # "Erster Vorsitzender"
        self.boards = frozenset(lexicon.boards)  # "Vorsitzender des Vorstands"
        self.led_by = frozenset(lexicon.led_by)  # "unter der Leitung von X"
        self.founded_by = dict(lexicon.founded_by)  # "von X gegründet": participle -> title or None

    def is_title(self, token: Token) -> bool:
        low = token.lower_
        if low in self.excluded or not token.is_alpha:
            return False
        return low in self.titles or (token.text[:1].isupper() and low.endswith(self.heads))

    def chains(self, sent: Span) -> List[Tuple[int, int]]:
        """Token ranges of titles, hyphen chains included ("Vize-Verwaltungsratschef")."""
        found = []
        doc = sent.doc
        for token in sent:
            if not self.is_title(token):
                continue
            if token.i + 2 < sent.end and doc[token.i + 1].text == "-" and not token.whitespace_ \
                    and self.is_title(doc[token.i + 2]):
                continue  # the chain ends further right
            start = token.i
            while start - 2 >= sent.start and doc[start - 1].text == "-" and not doc[start - 2].whitespace_ \
                    and doc[start - 2].is_alpha and self._in_title(doc, start - 2):
                start -= 2
            found.append((start, token.i + 1))
        return found

    def _in_title(self, doc: Doc, i: int) -> bool:
        """A chain part that is not an organisation name ("Vize" yes, "GM" no)."""
        org_tokens = doc.user_data.get("org_tokens")  # sorted token indices: user_data takes no sets
        if org_tokens is None:
            org_tokens = sorted({j for m in mentions(doc) if m.type in ORG_TYPES for j in range(m.start, m.end)})
            doc.user_data["org_tokens"] = org_tokens
        k = bisect_left(org_tokens, i)
        return k == len(org_tokens) or org_tokens[k] != i
