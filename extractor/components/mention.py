"""The Mention record that the components pass along on `doc._.mentions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, List, Optional

from spacy.tokens import Doc, Span

NAME, COMPOUND, ALIAS, PRONOUN = "name", "compound", "alias", "pronoun"
ORG_TYPES = ("COMPANY", "ORG")


@dataclass
class Mention:
    start: int  # token indices into the Doc
    end: int
    type: str
    kind: str = NAME
    kb_id: Optional[str] = None
    source: str = "ner"
    entity: Optional[str] = None  # "E1" once linked
    key: Optional[str] = None  # clustering key (kb id, type + folded name)
    # descriptive references: what the words say about the referent
    places: FrozenSet[str] = frozenset()
    sector: Optional[str] = None
    plural: bool = False
    title: Optional[str] = None  # a person reference by title: "der Wirtschaftskammerpräsident"
    recent: bool = False  # a person reference that means the person last named: "der 52-Jährige"
    owner: Optional[str] = None  # kb id of the maker a product prefix names: "der Android-Hersteller"
    family: Optional[str] = None  # "parent:<kb id>" / "child:<kb id>": "die AUA-Mutter", "die VW-Tochter"

    def span(self, doc: Doc) -> Span:
        return doc[self.start : self.end]

    def text(self, doc: Doc) -> str:
        return doc[self.start : self.end].text

    def to_json(self, doc: Doc) -> dict:
        span = self.span(doc)
        return {"start": span.start_char, "end": span.end_char, "text": span.text, "kind": self.kind}


def set_extensions() -> None:
    for name, default in (("mentions", None), ("entities", None), ("relations", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


def mentions(doc: Doc) -> List[Mention]:
    if doc._.mentions is None:
        doc._.mentions = []
    return doc._.mentions


set_extensions()
