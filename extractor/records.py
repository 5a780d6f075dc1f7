"""The record types that flow from the readers to the pipeline and the writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

# Keys of an input record that map to Record fields; anything else goes to `meta`.
KNOWN_KEYS = ("id", "text", "title", "date", "url", "source", "lang")
# Longer texts are rejected before analysis (the default of `extract --max-chars`).
MAX_CHARS = 5_000_000


@dataclass
class Record:
    """One article to process. `origin` is "FILE:LINE" (or "FILE") for error messages."""

    id: str
    text: str
    title: Optional[str] = None
    date: Optional[str] = None
    url: Optional[str] = None
    source: Optional[str] = None
    lang: Optional[str] = None
    meta: Dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    # Set by the readers/filters: "skipped_language", ...; None means "process it".
    status: Optional[str] = None
    duplicate_of: Optional[str] = None
    # True when `text` was extracted here (HTML, WARC): it is written to the output so offsets can be checked.
    text_extracted: bool = False
    # The JSON line the record was read from, kept until the last check before analysis (the text
    # limit) so that a record rejected there still reaches OUT.rejected.jsonl byte for byte.
    raw: Optional[bytes] = field(default=None, repr=False)
    # What the readers changed to make the record usable ("decoded as Windows-1252", "invalid date
    # dropped"): reported as warnings and counted in the summary, not in the output.
    notes: List[str] = field(default_factory=list)


@dataclass
class Rejected:
    """An input file or record that could not be read. Whole-file problems
    (line 0, or a damaged archive) are only listed in OUT.rejected.index.jsonl;
    a rejected JSON line is the subclass io.LineRejected, whose `raw` goes to
    OUT.rejected.jsonl untouched."""

    file: str
    line: int
    reason: str
    raw: bytes


@dataclass
class Skipped:
    """An input item that is not an article (a WARC request record, an image ...); only counted."""

    file: str
    reason: str


class RepeatedIds:
    """The record ids of a run so far. The output keys articles by id
    (`duplicate_of`, the graph's article lists, joins downstream), so a record
    that repeats an earlier id is renamed to the first free "ID#N" (N = 2, 3,
    ...): kept, it would be written as a duplicate of itself, or be left out of
    the graph, which counts an id once. Memory grows with the number of
    distinct ids (as the graph's does)."""

    def __init__(self) -> None:
        self._last: Dict[str, int] = {}  # id -> the last N given to a copy of it (1: the id itself)

    def rename(self, record_id: str) -> Optional[str]:
        """None for an id not seen before (now taken), else the new id of this record (taken too)."""
        n = self._last.get(record_id)
        if n is None:
            self._last[record_id] = 1
            return None
        new = f"{record_id}#{n + 1}"
        while new in self._last:
            n += 1
            new = f"{record_id}#{n + 1}"
        self._last[record_id] = n + 1
        self._last[new] = 1
        return new
