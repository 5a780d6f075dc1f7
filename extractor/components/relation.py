"""Helpers shared by the roles and relations components: entity lookup, evidence, JSON."""

from __future__ import annotations

from bisect import bisect_left
from typing import Collection, Dict, List, Optional, Sequence

from spacy.tokens import Doc, Span

from ..relation_types import SYMMETRIC_TYPES
from .mention import GENERIC_REFERENCES, Mention


def entity_names(doc: Doc) -> Dict[str, dict]:
    """Entity id -> output entity, cached on the Doc (relations look it up per argument)."""
    cache = doc.user_data.get("entity_names")
    if cache is None or len(cache) != len(doc._.entities or []):
        cache = {entity["id"]: entity for entity in doc._.entities or []}
        doc.user_data["entity_names"] = cache
    return cache


def add_relation(doc: Doc, rtype: str, subject: str, obj: Optional[str], sent: Span,
                 attributes: Optional[dict] = None, confidence: float = 0.8) -> None:
    """Append a relation unless the same (type, subject, object) is already there."""
    if doc._.relations is None:
        doc._.relations = []
    if subject == obj:
        return
    for existing in doc._.relations:
        if existing["type"] == rtype and {existing["subject"], existing["object"]} == {subject, obj} and (
            rtype in SYMMETRIC_TYPES or (existing["subject"], existing["object"]) == (subject, obj)
        ):
            for key, value in (attributes or {}).items():
                if value is not None:
                    existing["attributes"].setdefault(key, value)
            return
    names = entity_names(doc)
    doc._.relations.append({
        "type": rtype,
        "subject": subject,
        "object": obj,
        "subject_name": names[subject]["name"],
        "object_name": names[obj]["name"] if obj else None,
        "attributes": {k: v for k, v in (attributes or {}).items() if v is not None},
        "confidence": round(confidence, 2),
        "evidence": {"start": sent.start_char, "end": sent.end_char, "text": sent.text},
    })



def sentence_mentions(doc: Doc, sent: Span, types=("COMPANY", "ORG")) -> List[Mention]:
    """Linked mentions starting inside `sent`, source credits left out (bisect over the sorted
    mentions: long texts stay linear)."""
    found = _starting_in(doc, sent, doc._.mentions or [], "mention_starts")
    return [m for m in found if m.entity and not m.credit and entity_type(doc, m.entity) in types]


def _starting_in(doc: Doc, sent: Span, ordered: List[Mention], cache: str) -> List[Mention]:
    """The mentions of `ordered` (sorted by start) that start inside `sent`, by bisection over
    their starts, kept in `doc.user_data[cache]` so that long texts stay linear."""
    starts = doc.user_data.get(cache)
    if starts is None or len(starts) != len(ordered):
        starts = [m.start for m in ordered]
        doc.user_data[cache] = starts
    return ordered[bisect_left(starts, sent.start):bisect_left(starts, sent.end)]


def with_references(doc: Doc, sent: Span, found: List[Mention]) -> List[Mention]:
    """`found` and the generic references of `sent` ("der Konzern" for the company named
    last), in text order: arguments for the relation rules, not output mentions."""
    here = _starting_in(doc, sent, doc.user_data.get(GENERIC_REFERENCES) or [], "generic_reference_starts")
    return sorted(found + here, key=lambda m: m.start) if here else found


def entity_type(doc: Doc, entity_id: str) -> str:
    entity = entity_names(doc).get(entity_id)
    return entity["type"] if entity else ""


def mention_counts(doc: Doc, types: Sequence[str]) -> Dict[str, int]:
    """Entity id -> number of its linked mentions, for entities of these types, in order of
    first mention (so a stable sort by count lets the first named win a tie)."""
    counts: Dict[str, int] = {}
    for m in doc._.mentions or []:
        if m.entity and not m.credit and entity_type(doc, m.entity) in types:
            counts[m.entity] = counts.get(m.entity, 0) + 1
    return counts


def main_entity(doc: Doc, types: Sequence[str], skip: Collection[str] = ()) -> Optional[str]:
    """The entity of these types (other than `skip`) named at least twice and more often than
    any other: the one the article is about, if there is one."""
    ranked = sorted(((e, n) for e, n in mention_counts(doc, types).items() if e not in skip), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[0][1] <= ranked[1][1]):
        return None
    return ranked[0][0]
