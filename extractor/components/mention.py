"""The Mention record that the components pass along on `doc._.mentions`, and the spans
the linked mentions become for spaCy's tools (`doc.ents`, `doc.spans`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import FrozenSet, List, Optional, Type, TypeVar

import srsly
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

NAME, COMPOUND, ALIAS, PRONOUN = "name", "compound", "alias", "pronoun"
ORG_TYPES = ("COMPANY", "ORG")
STOCK_INDEX = "stock_index"  # Mention.source of a name that stands for an index ("der Nasdaq 100")
MENTIONS, ALIASES = "mentions", "aliases"  # the doc.spans keys
# words that introduce a picture or source credit: "Foto: Bernd Thissen (dpa)", "(c) Deutsche Presse-Agentur"
ARTICLES = frozenset({"der", "die", "das", "des", "dem", "den"})  # the definite article
CREDIT_WORDS = frozenset({"foto", "fotos", "bild", "bilder", "quelle", "grafik", "copyright", "video"})
# doc.user_data key: bare generic references ("der Konzern") resolved for the relation rules
GENERIC_REFERENCES = "generic_references"
T = TypeVar("T")


def serialisable(cls: Type[T]) -> Type[T]:
    """Register a dataclass with srsly's msgpack, so that what the components keep on a Doc
    survives `doc.to_bytes()`, `DocBin(store_user_data=True)` and `nlp.pipe(n_process=...)`
    (which sends Docs between processes as bytes). Set fields travel as sorted lists."""
    tag = f"extractor.{cls.__name__}"
    sets = {f.name: (frozenset if str(f.type).startswith("FrozenSet") else set)
            for f in fields(cls) if str(f.type).startswith(("FrozenSet", "Set"))}

    def encode(obj, chain=None):
        if type(obj) is not cls:
            return obj if chain is None else chain(obj)
        values = {f.name: getattr(obj, f.name) for f in fields(cls)}
        return {"__extractor__": tag, **{k: sorted(v) if k in sets else v for k, v in values.items()}}

    def decode(obj, chain=None):
        if obj.get("__extractor__") != tag:
            return obj if chain is None else chain(obj)
        values = {k: sets[k](v) if k in sets else v for k, v in obj.items() if k != "__extractor__"}
        return cls(**values)

    srsly.msgpack_encoders.register(tag, func=encode)
    srsly.msgpack_decoders.register(tag, func=decode)
    return cls


@serialisable
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
    prefix: Optional[str] = None  # the organisation a title reference names: "spd" in "der SPD-Chef"
    known_as: FrozenSet[str] = frozenset()  # kb ids whose nickname the reference is: "die Geißböcke"
    credit: bool = False  # names the source, not a party: "Berlin (dpa) -", "Foto: Reuters" (see `is_credit`)

    def is_credit(self, doc: Doc, media: bool) -> bool:
        """A medium (`media`: its sector) named as the source: after a credit word ("Bild: APA/dpa",
        "(c) dpa"), alone in parentheses ("Berlin (dpa) -"), on a line of its own (a byline) or
        as the interviewer's label ("STANDARD: Wie viele ...?").
        Relations, salience and the referents of "das Unternehmen" leave it out; it stays an
        entity of the article. A company's own "Foto: Solarwatt GmbH" is no credit of a medium."""
        return media and (_after_credit_word(doc, self.start) or _own_line(doc, self) or _interviewer(doc, self) or
                          self.start > 0 and doc[self.start - 1].text == "(" and
                          self.end < len(doc) and doc[self.end].text in {")", "/", ","})

    def span(self, doc: Doc) -> Span:
        return doc[self.start : self.end]

    def text(self, doc: Doc) -> str:
        return doc[self.start : self.end].text

    def to_json(self, doc: Doc) -> dict:
        span = self.span(doc)
        return {"start": span.start_char, "end": span.end_char, "text": span.text, "kind": self.kind}


def _after_credit_word(doc: Doc, start: int) -> bool:
    """ "Foto: ...", "Quelle: ...", "© ...", "(c) ..." within the five tokens before `start`."""
    for t in doc[max(0, start - 5):start]:
        if t.text == "©" or t.lower_ == "c" and 0 < t.i < len(doc) - 1 and t.nbor(-1).text == "(" \
                and t.nbor(1).text == ")" or t.lower_ in CREDIT_WORDS and t.i + 1 < len(doc) and t.nbor(1).text == ":":
            return True
    return False


def _own_line(doc: Doc, mention: "Mention") -> bool:
    """A name that is a line of its own: a byline ("dpa - Deutsche Presse-Agentur GmbH", whose two
    names are two mentions of one medium)."""
    same = {i for m in mentions(doc) if mention.kb_id and m.kb_id == mention.kb_id for i in range(m.start, m.end)}

    def edge(tokens) -> bool:
        for t in tokens:
            if "\n" in t.text:
                return True
            if not (t.is_punct or t.is_space or t.i in same):
                return False
        return True
    before = reversed(doc[max(0, mention.start - 12):mention.start])
    return edge(before) and edge(doc[mention.end:mention.end + 12])


def _interviewer(doc: Doc, mention: "Mention") -> bool:
    """A name that opens a line and is followed by a colon: the interviewer of an interview."""
    before = doc[mention.start - 1] if mention.start else None
    opens = before is None or "\n" in before.text or before.is_sent_end
    return opens and mention.end < len(doc) and doc[mention.end].text == ":"


def set_extensions() -> None:
    for name, default in (("mentions", None), ("entities", None), ("relations", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    if not Span.has_extension("mention_kind"):
        Span.set_extension("mention_kind", default=None)


def set_spans(doc: Doc) -> None:
    """The linked mentions as spans, so that displaCy and spaCy's tools see what the
    extractor found: names and compounds in `doc.ents` (the raw NER is replaced), every
    mention in `doc.spans["mentions"]`, descriptive references in `doc.spans["aliases"]`.
    A span's label is its entity's type, `id_` the entity id ("E1"), `kb_id_` the entity's
    knowledge-base id, `span._.mention_kind` the mention's kind."""
    entities = {entity["id"]: entity for entity in doc._.entities or []}
    spans = []
    for m in doc._.mentions or []:
        entity = entities.get(m.entity)
        if entity is None:
            continue
        span = Span(doc, m.start, m.end, label=entity["type"], kb_id=entity["kb_id"] or "", span_id=m.entity)
        span._.mention_kind = m.kind
        spans.append(span)
    doc.spans[MENTIONS] = spans
    doc.spans[ALIASES] = [span for span in spans if span._.mention_kind == ALIAS]
    doc.ents = filter_spans([span for span in spans if span._.mention_kind in (NAME, COMPOUND)])


def mentions(doc: Doc) -> List[Mention]:
    if doc._.mentions is None:
        doc._.mentions = []
    return doc._.mentions


set_extensions()
