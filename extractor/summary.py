"""Counts of one run: what was read, analysed, rejected, skipped and found.

The same numbers go to stderr as one line (for people) and to
OUT.summary.json (for scripts and benchmarks), so nothing disappears silently:
read == processed + skipped_language + duplicates + failed, and every
rejected, skipped or failed item is counted by reason.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Dict, Optional

from .records import Record, Rejected, Skipped

SKIPPED_LANGUAGE = "skipped_language"
STATUS_ERROR = "error"
_COUNTERS = ("rejected", "failed", "skipped", "warnings", "entities", "relations")


def reason_key(reason: str) -> str:
    """The stable part of a reason ("invalid JSON: unexpected ..." -> "invalid JSON")."""
    return reason.split(":", 1)[0].strip() or reason


class RunSummary:
    """Counters fed by the CLI while it streams; cheap enough to call per record."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.finished: Optional[float] = None
        self.read = 0
        self.processed = 0
        self.duplicates = 0
        self.rejected: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()
        self.entities: Counter[str] = Counter()
        self.relations: Counter[str] = Counter()
        self.extra: Dict[str, Any] = {}

    # -- feeding ------------------------------------------------------------

    def add_item(self, item: Any) -> None:
        """Count one item from the readers (Record, Rejected or Skipped)."""
        if isinstance(item, Record):
            self.read += 1
            self.warnings.update(reason_key(note) for note in item.notes)
        elif isinstance(item, Rejected):
            self.rejected[reason_key(item.reason)] += 1
        elif isinstance(item, Skipped):
            self.skipped[item.reason] += 1

    def add_output(self, out: Dict[str, Any]) -> None:
        """Count one output record: analysed, failed, skipped for language, or duplicate."""
        if out.get("status") == STATUS_ERROR:
            self.failed[reason_key(str(out.get("error") or "error"))] += 1
        elif out.get("status"):
            self.skipped[out["status"]] += 1
        elif out.get("duplicate_of"):
            self.duplicates += 1
        else:
            self.processed += 1
        for entity in out.get("entities") or ():
            self.entities[str(entity.get("type"))] += 1
        for relation in out.get("relations") or ():
            self.relations[str(relation.get("type"))] += 1

    def counts(self) -> Dict[str, Any]:
        """The counters alone (no times), for a part of a run to hand on: see add_counts."""
        return {"read": self.read, "processed": self.processed, "duplicates": self.duplicates,
                **{name: dict(getattr(self, name)) for name in _COUNTERS}}

    def add_counts(self, counts: Dict[str, Any]) -> None:
        """Add the counters of a part of the run (RunSummary.counts of another process)."""
        self.read += counts["read"]
        self.processed += counts["processed"]
        self.duplicates += counts["duplicates"]
        for name in _COUNTERS:
            getattr(self, name).update(counts[name])

    def finish(self) -> None:
        self.finished = time.perf_counter()

    # -- reporting ----------------------------------------------------------

    @property
    def seconds(self) -> float:
        end = self.finished if self.finished is not None else time.perf_counter()
        return end - self.started

    @property
    def rate(self) -> float:
        """Articles per second, counting every output record (analysed or not)."""
        seconds = self.seconds
        return self.read / seconds if seconds > 0 else 0.0

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def n_failed(self) -> int:
        return sum(self.failed.values())

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())

    def line(self) -> str:
        """One line for stderr."""
        parts = [f"{self.read} read", f"{self.processed} processed"]
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicates")
        if self.skipped:
            parts.append(f"{self.n_skipped} skipped ({_counts(self.skipped)})")
        if self.failed:
            parts.append(f"{self.n_failed} failed ({_counts(self.failed)})")
        if self.rejected:
            parts.append(f"{self.n_rejected} rejected ({_counts(self.rejected)})")
        if self.warnings:
            parts.append(f"{sum(self.warnings.values())} warnings ({_counts(self.warnings)})")
        parts.append(f"{sum(self.entities.values())} entities")
        parts.append(f"{sum(self.relations.values())} relations")
        return f"{', '.join(parts)} in {self.seconds:.1f}s ({self.rate:.1f} articles/s)"

    def to_json(self) -> Dict[str, Any]:
        """The summary as a JSON-ready dict (OUT.summary.json)."""
        data: Dict[str, Any] = {
            "read": self.read,
            "processed": self.processed,
            "duplicates": self.duplicates,
            "failed": self.n_failed,
            "failed_by_reason": dict(sorted(self.failed.items())),
            "rejected": self.n_rejected,
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "skipped": self.n_skipped,
            "skipped_by_reason": dict(sorted(self.skipped.items())),
            "warnings": sum(self.warnings.values()),
            "warnings_by_reason": dict(sorted(self.warnings.items())),
            "entities": sum(self.entities.values()),
            "entities_by_type": dict(sorted(self.entities.items())),
            "relations": sum(self.relations.values()),
            "relations_by_type": dict(sorted(self.relations.items())),
            "seconds": round(self.seconds, 3),
            "articles_per_second": round(self.rate, 2),
        }
        data.update(self.extra)
        return data


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in counter.most_common())
