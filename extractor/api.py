"""The Python API of CONTRACT.md: `extractor.load()` and `extractor.extract(...)`."""

from __future__ import annotations

from itertools import count
from typing import Any, Dict, Iterable, Iterator, Optional, Union

from .pipeline import Extractor, load_pipeline
from .records import Record

RECORD_FIELDS = ("title", "date", "url", "source", "lang")


def load(model: Optional[str] = None):
    """The full pipeline as a spaCy Language: `nlp(text)._.entities`, `._.relations`."""
    return load_pipeline(model)


def extract(items: Iterable[Union[str, Dict[str, Any]]], model: Optional[str] = None,
            batch_size: int = 16) -> Iterator[Dict[str, Any]]:
    """Output dicts exactly as the command line writes them, one per text or record, in
    order and streaming. A text gets the id "1", "2", ...; a record is
    {"id", "text"} plus optional title/date/url/source/lang, other keys go to `meta`."""
    extractor = Extractor(model)
    yield from extractor.process((_record(item, n) for item, n in zip(items, count(1))), batch_size=batch_size)


def _record(item: Union[str, Dict[str, Any]], n: int) -> Record:
    if isinstance(item, str):
        return Record(id=str(n), text=item, origin=f"item {n}")
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError(f"item {n}: expected a text or a record with a string 'text', got {type(item).__name__}")
    fields = {key: item[key] for key in RECORD_FIELDS if item.get(key) is not None}
    for key, value in fields.items():
        if not isinstance(value, str):
            raise ValueError(f"item {n}: {key} is not a string")
    meta = {k: v for k, v in item.items() if k not in ("id", "text", *RECORD_FIELDS)}
    return Record(id=str(item.get("id", n)), text=item["text"], meta=meta, origin=f"item {n}", **fields)
