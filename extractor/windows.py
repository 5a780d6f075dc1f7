"""Long articles analysed in windows: memory and time stay bounded by the window, not the text.

A spaCy Doc of several megabytes needs gigabytes (the NER's state per token, the
sentence and clause scans), so a text longer than WINDOW_CHARS is cut at paragraph
breaks (else line breaks, sentence ends, spaces) into windows that are analysed one
by one. Their entities and relations are merged back into one article: offsets are
shifted to the full text, entities of the same kind and name (or knowledge-base id)
become one, relation arguments follow them. What a window cannot see — a reference
to an entity named only in another window — is the price of the bound.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from .kb import fold
from .relation_types import SYMMETRIC_TYPES

WINDOW_CHARS = 20_000
SEPARATORS = ("\n\n", "\n", ". ", " ")


def windows(text: str, size: int = WINDOW_CHARS) -> List[Tuple[int, int]]:
    """(start, end) character spans that cover `text`, each at most `size` long."""
    spans, start = [], 0
    while len(text) - start > size:
        end = _cut(text, start, start + size)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def _cut(text: str, lo: int, hi: int) -> int:
    """The best break in the second half of [lo, hi): a paragraph, a line, a sentence, a space."""
    middle = lo + (hi - lo) // 2
    for separator in SEPARATORS:
        at = text.rfind(separator, middle, hi)
        if at != -1:
            return at + len(separator)
    return hi


def merge_windows(parts: Sequence[Tuple[int, List[Dict[str, Any]], List[Dict[str, Any]]]]
                  ) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """One article's entities and relations from its windows' (offset, entities, relations)."""
    entities: List[Dict[str, Any]] = []
    by_key: Dict[Tuple[str, str], Dict[str, Any]] = {}
    relations: List[Dict[str, Any]] = []
    seen = set()
    for offset, window_entities, window_relations in parts:
        new_id = {}
        for entity in window_entities:
            key = (entity["type"], entity.get("kb_id") or fold(entity["name"]) or entity["name"])
            mentions = [_shift(m, offset) for m in entity["mentions"]]
            target = by_key.get(key)
            if target is None:
                target = dict(entity, id=f"E{len(entities) + 1}", mentions=mentions)
                entities.append(target)
                by_key[key] = target
            else:
                target["mentions"].extend(mentions)
            new_id[entity["id"]] = target
        for relation in window_relations:
            subject = new_id[relation["subject"]]
            obj = new_id.get(relation["object"]) if relation.get("object") else None
            pair = (subject["id"], obj["id"] if obj else None)
            key = (relation["type"], tuple(sorted(pair, key=str)) if relation["type"] in SYMMETRIC_TYPES else pair)
            if key in seen:
                continue
            seen.add(key)
            relations.append(dict(relation, subject=subject["id"], subject_name=subject["name"],
                                  object=obj["id"] if obj else None, object_name=obj["name"] if obj else None,
                                  evidence=_shift(relation["evidence"], offset)))
    return entities, relations


def _shift(span: Dict[str, Any], offset: int) -> Dict[str, Any]:
    return dict(span, start=span["start"] + offset, end=span["end"] + offset)
