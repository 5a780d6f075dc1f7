"""A run written as a folder of parts: shards of the input, one part file each.

`extract -o OUTDIR/` (with or without `--cluster`) splits the inputs into
shards: files in input order, and JSON-lines files by blocks of lines, so a
shard is a list of pieces. Each shard becomes `part-NNNNN.jsonl.gz`, written
atomically and synced to disk, numbered in input order: concatenating the parts
gives the output of a run to one file.

Beside the parts, the hidden folder `OUTDIR/.extractor/` keeps what a later
`--resume` and the end of the run need:

- `manifest.json`: the inputs' fingerprints (path, size, mtime), the settings
  (extractor version, model, shard size, text limit) and a hash of the shard
  plan. `--resume` goes on only when they are the same.
- per shard: `part-NNNNN.jsonl.gz` (the part, waiting for the id and
  duplicate check across shards), `part-NNNNN.sig` (for that check, a row per
  record: its input id and the MinHash fingerprint of its text, None when it
  is not German), `part-NNNNN.graph` (its node and edge tables, merged at the
  end into the run's graph),
  `part-NNNNN.rejected.jsonl` and `.rejected.index.jsonl` (its rejected
  lines, concatenated at the end), and `part-NNNNN.done.json`, written last:
  the part's counts, size and SHA-256. A part counts as done only with a done
  marker whose size and hash match the part file, so a part cut short by a
  crash (or a temporary file of a killed writer) is never taken as done.

The `.sig` and `.graph` files are pickles: written and read by the same
extractor version only (the manifest checks it), never meant to be exchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import orjson

from . import __version__
from .io import HTML_EXTS, TEXT_EXTS, AtomicWriter, Item, iter_file, iter_line_block, line_blocks, split_name, splittable, walk
from .records import Rejected, Skipped

DEFAULT_SHARD_SIZE = 1000
STATE_DIR = ".extractor"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 2  # 2: a .sig has a row per record (id, fingerprint or None)
PART_PATTERN = "part-*.jsonl.gz"
REJECTED, REJECTED_INDEX, SUMMARY = "rejected.jsonl", "rejected.index.jsonl", "summary.json"


@dataclass(frozen=True)
class Piece:
    """One stretch of input: a whole file, lines [first_line, ...) at bytes
    [start, end) of a JSON-lines file, or a problem met while walking a folder
    (`problem`), passed on in its place so it is reported in input order."""

    path: str
    start: int = 0
    end: int = -1  # -1: the whole file
    first_line: int = 1
    problem: Optional[Union[Rejected, Skipped]] = None


@dataclass(frozen=True)
class Shard:
    number: int
    pieces: Tuple[Piece, ...]


def iter_shard(shard: Shard) -> Iterator[Item]:
    """The shard's items, exactly as iter_inputs yields them for these pieces."""
    for piece in shard.pieces:
        if piece.problem is not None:
            yield piece.problem
        elif piece.end < 0:
            yield from iter_file(piece.path)
        else:
            yield from iter_line_block(piece.path, piece.start, piece.end, piece.first_line)


# ---------------------------------------------------------------------------
# Planning


def plan_shards(inputs: Iterable[str], shard_size: int, exclude: Iterable[str] = ()) -> List[Shard]:
    """Shards of about `shard_size` records in input order. A JSON-lines file
    is cut into blocks of lines (large files spread over many shards, small
    ones share one); a one-article file (.txt, .html) counts as one record; any
    other file (compressed, WARC, a JSON array) cannot be entered in the middle
    and is a shard of its own. `exclude` names files and folders never to read
    (the run's own output folder when it lies inside an input folder)."""
    planner = _Planner(shard_size)
    for piece in _pieces(inputs, [os.path.realpath(p) for p in exclude]):
        planner.add(piece)
    return planner.finish()


class _Planner:
    def __init__(self, shard_size: int) -> None:
        self.shard_size = shard_size
        self.shards: List[Shard] = []
        self.current: List[Piece] = []
        self.count = 0

    def add(self, piece: Piece) -> None:
        if piece.problem is not None:
            self.current.append(piece)
        elif splittable(piece.path):
            self._add_lines(piece.path)
        elif split_name(piece.path)[1] in TEXT_EXTS + HTML_EXTS:
            self._take(piece, 1)
        else:
            self._close()
            self._take(piece, self.shard_size)

    def _add_lines(self, path: str) -> None:
        for start, end, first, lines in line_blocks(path, self.shard_size - self.count, self.shard_size):
            self._take(Piece(path, start, end, first), lines)

    def _take(self, piece: Piece, records: int) -> None:
        self.current.append(piece)
        self.count += records
        if self.count >= self.shard_size:
            self._close()

    def _close(self) -> None:
        if self.current:
            self.shards.append(Shard(len(self.shards), tuple(self.current)))
        self.current, self.count = [], 0

    def finish(self) -> List[Shard]:
        self._close()
        return self.shards


def _pieces(inputs: Iterable[str], exclude: List[str]) -> Iterator[Piece]:
    """Files (as whole-file pieces) and walking problems in the order iter_inputs reads them."""
    for path in inputs:
        if not os.path.isdir(path):
            if not _excluded(path, exclude):
                yield Piece(path)
            continue
        for found in walk(path):
            if not isinstance(found, str):
                yield Piece(found.file, problem=found)
            elif not _excluded(found, exclude):
                yield Piece(found)


def _excluded(path: str, exclude: List[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == other or real.startswith(other.rstrip(os.sep) + os.sep) for other in exclude)


def plan_hash(shards: List[Shard]) -> str:
    pieces = [[s.number, [[p.path, p.start, p.end, p.first_line, p.problem is not None] for p in s.pieces]]
              for s in shards]
    return hashlib.sha256(orjson.dumps(pieces)).hexdigest()


def input_fingerprints(shards: List[Shard]) -> List[Dict[str, Any]]:
    """Path, size and modification time of each input file of the plan: a file
    changed since the parts were written makes them stale."""
    paths = dict.fromkeys(p.path for s in shards for p in s.pieces if p.problem is None)
    rows = []
    for path in paths:
        try:
            info = os.stat(path)
            rows.append({"path": os.path.abspath(path), "size": info.st_size, "mtime_ns": info.st_mtime_ns})
        except OSError:
            rows.append({"path": os.path.abspath(path), "size": None, "mtime_ns": None})
    return rows


# ---------------------------------------------------------------------------
# The folder


@dataclass
class PartDone:
    """A part's done marker: what the end of the run needs without reading the part again."""

    number: int
    records: int
    size: int
    sha256: str
    counts: Dict[str, Any]
    rejected: bool = False
    rejected_index: bool = False
    extra: Dict[str, Any] = field(default_factory=dict)


class RunFolder:
    """The files of a folder run, by name."""

    def __init__(self, root: Union[str, Path]) -> None:
        self.root = Path(root)
        self.state = self.root / STATE_DIR

    def part(self, number: int) -> Path:
        return self.root / f"part-{number:05d}.jsonl.gz"

    def state_file(self, number: int, kind: str) -> Path:
        return self.state / f"part-{number:05d}.{kind}"

    @property
    def manifest(self) -> Path:
        return self.state / MANIFEST

    # -- starting

    def read_manifest(self) -> Optional[Dict[str, Any]]:
        try:
            return json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def start_fresh(self, manifest: Dict[str, Any]) -> None:
        """Remove an earlier run's parts and state (its files only), then write the manifest."""
        for path in self.root.glob(PART_PATTERN):
            path.unlink()
        for name in (REJECTED, REJECTED_INDEX, SUMMARY):
            (self.root / name).unlink(missing_ok=True)
        shutil.rmtree(self.state, ignore_errors=True)
        self.state.mkdir(parents=True)
        with AtomicWriter(self.manifest, durable=True) as out:
            out.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))

    def remove_temporary(self) -> None:
        """Temporary files of writers that were killed: never parts, only debris."""
        for folder in (self.root, self.state):
            for path in folder.glob(".*.tmp"):
                path.unlink(missing_ok=True)

    # -- parts

    def done(self, number: int) -> Optional[PartDone]:
        """The part's done marker when the part file is whole (its size and SHA-256
        match) and its fingerprints are there for the check of later shards, else None."""
        try:
            marker = PartDone(**json.loads(self.state_file(number, "done.json").read_text(encoding="utf-8")))
            part = self.part(number)
            if (part.stat().st_size != marker.size or file_sha256(part) != marker.sha256
                    or not self.state_file(number, "sig").exists()):
                return None
        except (OSError, ValueError, TypeError):
            return None
        return marker

    def write_done(self, marker: PartDone) -> None:
        with AtomicWriter(self.state_file(marker.number, "done.json"), durable=True) as out:
            out.write(orjson.dumps(asdict(marker), option=orjson.OPT_APPEND_NEWLINE))

    def pending(self, number: int) -> Path:
        """Where a part waits, written whole, for the duplicate check across shards."""
        return self.state_file(number, "jsonl.gz")

    def accept(self, marker: PartDone) -> None:
        """Move a checked part into place, then mark it done."""
        os.replace(self.pending(marker.number), self.part(marker.number))
        self.write_done(marker)

    def write_pickle(self, number: int, kind: str, value: Any) -> AtomicWriter:
        """An uncommitted writer holding `value` (committed with the part's other files)."""
        writer = AtomicWriter(self.state_file(number, kind), durable=True)
        writer.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return writer

    def read_pickle(self, number: int, kind: str) -> Any:
        with open(self.state_file(number, kind), "rb") as fh:
            return pickle.load(fh)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_for(shards: List[Shard], settings: Dict[str, Any]) -> Dict[str, Any]:
    return {"format": MANIFEST_FORMAT, "extractor": __version__, "settings": settings,
            "inputs": input_fingerprints(shards), "plan": plan_hash(shards), "parts": len(shards)}


def manifest_mismatch(old: Dict[str, Any], new: Dict[str, Any]) -> Optional[str]:
    """What differs between an earlier run's manifest and this run's, or None."""
    for key in ("format", "extractor", "settings", "inputs", "plan"):
        if old.get(key) != new.get(key):
            return _difference(key, old.get(key), new.get(key))
    return None


def _difference(key: str, old: Any, new: Any) -> str:
    if key == "settings" and isinstance(old, dict) and isinstance(new, dict):
        changed = [f"{name} {old.get(name)!r} -> {new.get(name)!r}" for name in sorted(set(old) | set(new))
                   if old.get(name) != new.get(name)]
        return "settings changed: " + ", ".join(changed)
    if key == "inputs" and isinstance(old, list) and isinstance(new, list):
        before = {row["path"]: row for row in old}
        changed = [row["path"] for row in new if before.get(row["path"]) != row]
        gone = sorted(set(before) - {row["path"] for row in new})
        return "inputs changed: " + ", ".join(changed + [f"{path} (gone)" for path in gone])
    return {"format": "written by another format of run folder", "extractor": f"written by extractor {old}",
            "plan": "the inputs split into other shards"}.get(key, f"{key} changed")
