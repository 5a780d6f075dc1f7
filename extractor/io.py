"""Read input records from files, folders and stdin; write output files atomically.

Everything streams: JSON lines are read line by line as bytes (also through
gzip/bz2/lzma), so memory does not grow with the size of a dump. Bad input
never stops a run here: it becomes a `Rejected` item carrying the file, the
line and the raw bytes, and the caller decides (`--errors skip|fail`).

Formats are recognised by extension first, then by content:

- `.jsonl`, `.json` (optionally `.gz`, `.bz2`, `.xz`): one JSON object per
  line. A `.json` file whose first character is `[` holds one JSON array of
  records (read whole: arrays cannot be streamed), and a `.json` file that
  holds one pretty-printed object is read as one record.
- `.txt`: one article per file; id = file name without extension.
- `.html`, `.htm`: one web page per file, main text extracted.
- `.warc`, `.warc.gz`: web archives, one record per HTML response.
- anything else is sniffed: `WARC/` -> WARC, `{` -> JSON lines, `[` -> JSON
  array, HTML markup -> HTML, NUL bytes -> skipped as binary, else text.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import io
import lzma
import os
import stat
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, Dict, Iterable, Iterator, List, Optional, Union

import orjson

try:
    import fcntl
except ImportError:  # Windows: no flock, outputs are not locked
    fcntl = None  # type: ignore[assignment]

from .records import KNOWN_KEYS, Record, Rejected, Skipped

Item = Union[Record, Rejected, Skipped]

STDIN = "-"
STDIN_NAME = "<stdin>"
SNIFF_BYTES = 4096
COMPRESSION: Dict[str, Callable[..., BinaryIO]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
# Compressed streams are recognised by their first bytes, not by the name: dumps
# are often renamed, and a ".gz" that was already unpacked must still read.
MAGIC: Dict[bytes, Callable[[BinaryIO], BinaryIO]] = {
    b"\x1f\x8b": lambda fh: gzip.GzipFile(fileobj=fh, mode="rb"),  # type: ignore[dict-item]
    b"BZh": lambda fh: bz2.BZ2File(fh),  # type: ignore[dict-item]
    b"\xfd7zXZ\x00": lambda fh: lzma.LZMAFile(fh),  # type: ignore[dict-item]
}
JSON_EXTS = (".jsonl", ".json", ".ndjson")
TEXT_EXTS = (".txt",)
HTML_EXTS = (".html", ".htm", ".xhtml")
BOM = b"\xef\xbb\xbf"
# Errors a damaged compressed stream raises while being read.
STREAM_ERRORS = (OSError, EOFError, lzma.LZMAError, ValueError)


class LineRejected(Rejected):
    """A rejected JSON line: `raw` is the line itself (without its newline), so
    OUT.rejected.jsonl can hold it byte for byte."""


# ---------------------------------------------------------------------------
# Reading


def iter_inputs(paths: Iterable[str], *, exclude: Iterable[str] = ()) -> Iterator[Item]:
    """Records, rejections and skipped items from files, folders (walked
    recursively in sorted order, hidden entries skipped) and "-" (stdin).

    `exclude` names files never to read (the run's own outputs when they lie
    inside an input folder).
    """
    skip = {os.path.realpath(p) for p in exclude}
    for path in paths:
        if path == STDIN:
            yield from iter_stdin()
        elif os.path.isdir(path):
            for found in walk(path):
                if not isinstance(found, str):
                    yield found
                elif os.path.realpath(found) not in skip:
                    yield from iter_file(found)
        elif os.path.realpath(path) not in skip:
            yield from iter_file(path)


def walk(root: str) -> Iterator[Union[str, Rejected, Skipped]]:
    """The files under `root` in sorted path order (a folder's entries sorted
    by name, subfolders in place), without hidden files and folders (.git,
    editor backups, our own temporary files). What cannot be walked is not
    passed over in silence: an unreadable folder is a Rejected item, a link to
    a folder (not followed: it may loop) or a device or pipe a Skipped one;
    links to files, broken ones included, are passed on for iter_file to read
    or report."""
    try:
        with os.scandir(root) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as err:
        yield Rejected(file=root, line=0, reason=f"unreadable folder: {err.strerror or err}", raw=b"")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from walk(entry.path)
        elif entry.is_symlink() and os.path.isdir(entry.path):  # isdir, unlike DirEntry's, is False on a loop
            yield Skipped(file=entry.path, reason="link to a folder (not followed)")
        elif entry.is_symlink() or entry.is_file():  # DirEntry.is_file raises on a loop
            yield entry.path
        else:
            yield Skipped(file=entry.path, reason="not a regular file")


def walk_files(root: str) -> Iterator[str]:
    """The paths `walk` finds, without its reports."""
    return (found for found in walk(root) if isinstance(found, str))


def split_name(path: str) -> tuple[str, str, str]:
    """(stem, format extension, compression extension) of a file name:
    "a/news.jsonl.gz" -> ("news", ".jsonl", ".gz")."""
    name = os.path.basename(path)
    stem, ext = os.path.splitext(name)
    comp = ""
    if ext.lower() in COMPRESSION:
        comp = ext.lower()
        stem, ext = os.path.splitext(stem)
    return stem, ext.lower(), comp


def open_binary(path: str) -> BinaryIO:
    """The file's bytes, decompressed when they start with the magic bytes of
    gzip, bzip2 or xz, whatever the name. One open, no seek: a pipe works too."""
    fh = open(path, "rb")
    try:
        head = fh.peek(8)[:8]
        for magic, opener in MAGIC.items():
            if head.startswith(magic):
                return io.BufferedReader(_Decompressed(opener(fh), fh), buffer_size=1 << 16)  # type: ignore[return-value]
    except BaseException:
        fh.close()
        raise
    return fh


class _Decompressed(io.RawIOBase):
    """A decompressing reader that also closes the file under it (GzipFile and
    friends leave a file object they were given open)."""

    def __init__(self, stream: BinaryIO, fh: BinaryIO) -> None:
        self._stream = stream
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._stream.readinto(buffer)  # type: ignore[attr-defined]

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._fh.close()
            super().close()


def iter_file(path: str) -> Iterator[Item]:
    """Items from one file, by extension and, for unknown ones, by content."""
    problem = _link_problem(path)
    if problem:
        yield Rejected(file=path, line=0, reason=problem, raw=b"")
        return
    stem, ext, comp = split_name(path)
    try:
        if ext == ".warc" and comp in ("", ".gz"):
            open(path, "rb").close()  # warcio opens it itself: an unreadable file is no damaged WARC
            yield from _iter_warc(path)
        elif ext in JSON_EXTS:
            yield from _iter_json_file(path, stem, array_ok=ext == ".json")
        elif ext in TEXT_EXTS:
            yield _text_item(_read_all(path), path, stem)
        elif ext in HTML_EXTS:
            yield _html_item(_read_all(path), path, stem)
        else:
            yield from _iter_sniffed(path, stem)
    except OSError as err:
        yield Rejected(file=path, line=0, reason=f"unreadable file: {err.strerror or err}", raw=b"")
    except _Unreadable as err:
        yield Rejected(file=path, line=err.line, reason=f"unreadable file: {err}", raw=b"")


def _link_problem(path: str) -> Optional[str]:
    """Why a symbolic link cannot be read (it loops, or points nowhere), or None."""
    if not os.path.islink(path):
        return None
    try:
        os.stat(path)
    except OSError as err:
        return "symlink loop" if err.errno == errno.ELOOP else f"dangling symlink: {err.strerror}"
    return None


class _Unreadable(Exception):
    """A file that cannot be opened or decompressed (permissions, damaged archive)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def _read_all(path: str) -> bytes:
    try:
        with open_binary(path) as fh:
            return fh.read()
    except STREAM_ERRORS as err:
        raise _Unreadable(f"{type(err).__name__}: {err}") from err


def _peeked(fh: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first SNIFF_BYTES of `fh` and a stream that replays them before the
    rest. The sniff must not cost a second open or a seek: a pipe or FIFO
    (`extract <(cat f.jsonl)`, /dev/stdin) has neither, and its first bytes
    would be lost."""
    head = fh.read(SNIFF_BYTES)
    return head, io.BufferedReader(_PrefixedStream(head, fh), buffer_size=1 << 16)  # type: ignore[arg-type]


def _first_char(sample: bytes) -> bytes:
    head = sample.lstrip(BOM).lstrip()
    return head[:1]


def _iter_sniffed(path: str, stem: str) -> Iterator[Item]:
    try:
        with open_binary(path) as fh:
            head, stream = _peeked(fh)
            yield from _sniffed_items(sniff(head), stream, path, stem)
    except STREAM_ERRORS as err:
        raise _Unreadable(f"{type(err).__name__}: {err}") from err


def _sniffed_items(kind: str, stream: BinaryIO, path: str, stem: str) -> Iterator[Item]:
    if kind == "warc":
        if split_name(path)[2] in ("", ".gz"):
            yield from _iter_warc(path, stream)
        else:
            yield Skipped(file=path, reason="unsupported WARC compression")
    elif kind == "json":
        yield from _iter_json_array(stream.read(), path, stem)
    elif kind == "jsonl":
        yield from _iter_json_stream(stream, path, stem, whole_ok=True)
    elif kind == "binary":
        yield Skipped(file=path, reason="binary file")
    elif kind == "html":
        yield _html_item(stream.read(), path, stem)
    else:
        yield _text_item(stream.read(), path, stem)


def sniff(sample: bytes) -> str:
    """Format of a file from its first bytes: warc, jsonl, json, html, binary or text."""
    if sample.startswith(b"WARC/"):
        return "warc"
    first = _first_char(sample)
    if first == b"{":
        return "jsonl"
    if first == b"[":
        return "json"
    if b"\x00" in sample:
        return "binary"
    from .sources.html import looks_like_html

    if looks_like_html(sample.decode("utf-8", errors="replace")):
        return "html"
    return "text"


def _iter_warc(path: str, stream: Optional[BinaryIO] = None) -> Iterator[Item]:
    from .sources.warc import iter_warc

    yield from iter_warc(path, stream)


def _decode(data: bytes) -> Optional[str]:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _text_item(data: bytes, path: str, stem: str) -> Item:
    """A plain-text article: the whole file, id = file name without extension.
    Text that is not UTF-8 is read as Windows-1252 (what older German
    Windows editors and exports write), with a note; only bytes that are
    neither make it a rejection."""
    text = _decode(data)
    notes = []
    if text is None:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return Rejected(file=path, line=0, reason="neither UTF-8 nor Windows-1252", raw=b"")
        notes.append("decoded as Windows-1252")
    return Record(id=stem, text=text, origin=path, notes=notes)


def _html_item(data: bytes, path: str, stem: str) -> Item:
    from .sources.html import html_to_record

    try:
        return html_to_record(data, id=stem, origin=path)
    except Exception as err:  # one broken page must not stop a batch run
        return Rejected(file=path, line=0, reason=f"unreadable HTML: {type(err).__name__}: {err}", raw=data)


def _iter_json_file(path: str, stem: str, array_ok: bool) -> Iterator[Item]:
    try:
        with open_binary(path) as fh:
            if not array_ok:
                yield from _iter_json_stream(fh, path, stem)
                return
            head, stream = _peeked(fh)
            kind = "json" if _first_char(head) == b"[" else "jsonl"
            yield from _sniffed_items(kind, stream, path, stem)
    except STREAM_ERRORS as err:
        raise _Unreadable(f"{type(err).__name__}: {err}") from err


def _iter_json_stream(fh: IO[bytes], file: str, stem: str, whole_ok: bool = False, start: int = 1) -> Iterator[Item]:
    """JSON lines from a binary stream whose first line is line `start` of the
    file. With `whole_ok`, a file whose first line is a lone "{" is read as one
    pretty-printed JSON object."""
    first = True
    for number, raw in enumerate(fh, start=start):
        if number == 1:
            raw = raw.lstrip(BOM)
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        if whole_ok and first and line.strip() == b"{":
            yield from _iter_json_document(raw + fh.read(), file, stem, number)
            return
        first = False
        yield parse_line(line, file, number, stem)


def _iter_json_document(data: bytes, file: str, stem: str, start: int) -> Iterator[Item]:
    """One pretty-printed object; when it does not parse, its lines are reported
    one by one like any JSON-lines input."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        for number, raw in enumerate(data.splitlines(), start=start):
            if raw.strip():
                yield parse_line(raw, file, number, stem)
        return
    yield _validate(value, file, start, stem, orjson.dumps(value))  # one line: OUT.rejected.jsonl is JSON lines


def _iter_json_array(data: bytes, file: str, stem: str) -> Iterator[Item]:
    try:
        value = orjson.loads(data.lstrip(BOM))
    except orjson.JSONDecodeError as err:
        reason = "invalid UTF-8" if _decode(data) is None else f"invalid JSON: {err}"
        yield Rejected(file=file, line=0, reason=reason, raw=data)
        return
    if not isinstance(value, list):
        yield _validate(value, file, 1, stem, orjson.dumps(value))
        return
    yield from _array_items(value, file, stem)


def _array_items(items: List[Any], file: str, stem: str) -> Iterator[Item]:
    """Records of a JSON array; "line" is the item's position (1-based)."""
    for number, value in enumerate(items, start=1):
        yield _validate(value, file, number, stem, orjson.dumps(value))


def parse_line(line: bytes, file: str, number: int, stem: str) -> Item:
    """One JSON line -> Record, or LineRejected with the reason and the raw line."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as err:
        reason = "invalid UTF-8" if _decode(line) is None else f"invalid JSON: {err}"
        return LineRejected(file=file, line=number, reason=reason, raw=line)
    return _validate(value, file, number, stem, line)


def _validate(value: Any, file: str, number: int, stem: str, raw: bytes) -> Item:
    """Record from a decoded JSON value, or the reason it is not an input record."""
    reason = _invalid_reason(value)
    if reason:
        return LineRejected(file=file, line=number, reason=reason, raw=raw)
    fields: Dict[str, Any] = {}
    meta: Dict[str, Any] = {}
    if isinstance(value.get("meta"), dict):
        meta.update(value["meta"])  # re-reading our own output keeps its meta flat
    for key, item in value.items():
        if key in KNOWN_KEYS:
            fields[key] = item
        elif key != "meta" or not isinstance(item, dict):
            meta[key] = item
    notes = []
    if fields.get("date") is not None and not _is_iso_date(fields["date"]):
        notes.append(f"invalid date: {fields.pop('date')!r} (dropped)")
    if fields.get("id") is None:
        fields["id"] = f"{stem}:{number}"
    fields["id"] = str(fields["id"])
    return Record(**fields, meta=meta, origin=f"{file}:{number}", raw=raw, notes=notes)


def _is_iso_date(value: str) -> bool:
    """An ISO 8601 date or date-time ("2024-01-05", "2024-01-05T09:30:00Z")."""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _invalid_reason(value: Any) -> Optional[str]:
    if not isinstance(value, dict):
        return "not a JSON object"
    if "text" not in value or value["text"] is None:
        return "missing text"
    if not isinstance(value["text"], str):
        return "text is not a string"
    if value.get("id") is not None and not _usable_id(value["id"]):
        return "id is not a string or integer"
    for key in KNOWN_KEYS[2:]:
        if value.get(key) is not None and not isinstance(value[key], str):
            return f"{key} is not a string"
    return None


def _usable_id(value: Any) -> bool:
    """Strings, and integers (kept as strings: many dumps number their
    articles); not floats or booleans, whose string forms ("1.0", "True") would
    be ids nobody wrote."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def splittable(path: str) -> bool:
    """Whether `path` can be read in line blocks (see iter_line_block): an
    uncompressed JSON-lines file by name and by its first bytes (a `.json` may
    hold an array or one pretty-printed object, and a compressed stream cannot
    be entered in the middle)."""
    if split_name(path)[1:] not in ((".jsonl", ""), (".ndjson", "")) or os.path.islink(path) and _link_problem(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return not any(head.startswith(magic) for magic in MAGIC)


def iter_line_block(path: str, start: int, end: int, first_line: int) -> Iterator[Item]:
    """Items from the bytes [start, end) of a JSON-lines file, a block of whole
    lines whose first is line `first_line`: what iter_file yields for those
    lines, with the same line numbers, so a file read in blocks on several
    machines gives the records and rejections of one read."""
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            block = io.BufferedReader(_Limited(fh, end - start), buffer_size=1 << 16)  # type: ignore[arg-type]
            yield from _iter_json_stream(block, path, split_name(path)[0], start=first_line)
    except OSError as err:
        yield Rejected(file=path, line=0, reason=f"unreadable file: {err.strerror or err}", raw=b"")


def line_blocks(path: str, first_block: int, block: int) -> Iterator[tuple[int, int, int, int]]:
    """(start byte, end byte, first line, lines) of consecutive blocks of lines
    covering the file, the first of `first_block` lines (to fill up a shard
    begun by earlier files), the others of `block`: one sequential read
    counting newlines, so planning a large file costs a fraction of analysing it."""
    start = pos = 0
    first = line = 1
    size = first_block
    with open(path, "rb") as fh:
        for raw in fh:
            pos += len(raw)
            line += 1
            if line - first == size:
                yield start, pos, first, line - first
                start, first, size = pos, line, block
    if pos > start:
        yield start, pos, first, line - first


class _Limited(io.RawIOBase):
    """At most `limit` bytes of a stream, from where it stands."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream = stream
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        data = self._stream.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def iter_stdin() -> Iterator[Item]:
    """Records from stdin: JSON lines when the first non-space character is "{",
    else one article (HTML when it looks like HTML, else plain text) with id "stdin"."""
    stream = sys.stdin.buffer
    head = b""
    while True:  # read until a non-space byte or EOF decides the format
        chunk = stream.read1(SNIFF_BYTES) if hasattr(stream, "read1") else stream.read(SNIFF_BYTES)
        head += chunk
        if not chunk or head.lstrip(BOM).strip():
            break
    kind = sniff(head)
    if kind in ("jsonl", "json"):
        reader = io.BufferedReader(_PrefixedStream(head, stream))  # type: ignore[arg-type]
        if kind == "json":
            yield from _iter_json_array(reader.read(), STDIN_NAME, "stdin")
        else:
            yield from _iter_json_stream(reader, STDIN_NAME, "stdin")
        return
    data = head + stream.read()
    if kind == "html":
        yield _html_item(data, STDIN_NAME, "stdin")
    elif data.strip():
        yield _text_item(data, STDIN_NAME, "stdin")


class _PrefixedStream(io.RawIOBase):
    """Bytes already read for sniffing, then the rest of the stream."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read1(len(buffer)) if hasattr(self._stream, "read1") else self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def iter_json_objects(path: str) -> Iterator[tuple[int, Union[Dict[str, Any], str]]]:
    """(line, object) for each line of a JSON-lines file of results or gold
    records, or (line, error message) for a line that is not a JSON object."""
    opener = (lambda: sys.stdin.buffer) if path == STDIN else (lambda: open_binary(path))
    fh = opener()
    try:
        for number, raw in enumerate(fh, start=1):
            line = raw.lstrip(BOM) if number == 1 else raw
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as err:
                yield number, f"invalid JSON: {err}"
                continue
            yield number, value if isinstance(value, dict) else "not a JSON object"
    finally:
        if path != STDIN:
            fh.close()


# ---------------------------------------------------------------------------
# Writing


class AtomicWriter:
    """A binary file that appears under its name only when complete.

    Data goes to a hidden temporary file in the target's folder (same file
    system, so the final `os.replace` is atomic); on any exception, including
    KeyboardInterrupt, the temporary file is removed and an existing target
    stays untouched. A target ending in ".gz" is gzip-compressed. With
    `lazy=True` nothing is created until the first write (the rejected-records
    file exists only when something was rejected).
    """

    def __init__(self, path: Union[str, Path], *, lazy: bool = False, buffer_size: int = 1 << 20,
                 durable: bool = False) -> None:
        self.path = Path(path)
        self.lazy = lazy
        self.durable = durable  # fsync before the rename: the file survives a power cut or a reboot whole
        self.buffer_size = buffer_size
        self.count = 0
        self._tmp: Optional[str] = None
        self._raw: Optional[BinaryIO] = None
        self._fh: Optional[BinaryIO] = None

    def __enter__(self) -> "AtomicWriter":
        if not self.lazy:
            self._open()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()

    @property
    def opened(self) -> bool:
        return self._fh is not None

    def _open(self) -> None:
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent or ".")
        self._raw = os.fdopen(fd, "wb", buffering=self.buffer_size)
        if self.path.suffix == ".gz":
            self._fh = gzip.GzipFile(filename=self.path.stem, mode="wb", fileobj=self._raw, mtime=0)  # type: ignore[assignment]
        else:
            self._fh = self._raw

    def write(self, data: bytes) -> None:
        if self._fh is None:
            self._open()
        with self._naming_errors():
            self._fh.write(data)  # type: ignore[union-attr]

    def write_jsonl(self, obj: Any) -> None:
        """One JSON object and a newline."""
        self.write(orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE))
        self.count += 1

    def finish(self) -> None:
        """Flush and close the temporary file, leaving the target untouched:
        a full disk often shows only here, with the last buffer (see commit_all)."""
        if self._fh is None:
            if self.lazy or self._tmp is not None:
                return  # lazy and never written, or finished already
            self._open()
        with self._naming_errors():
            self._close(sync=self.durable)
            os.chmod(self._tmp, _default_mode(self.path))  # type: ignore[arg-type]

    def commit(self) -> None:
        """Move the finished file into place (an empty file for a non-lazy writer without writes)."""
        try:
            self.finish()
            if self._tmp is not None:
                with self._naming_errors():
                    os.replace(self._tmp, self.path)
        except BaseException:
            self.discard()
            raise
        self._tmp = None

    def discard(self) -> None:
        """Drop what was written; the target is left as it was."""
        try:
            self._close()
        except Exception:
            pass
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
            self._tmp = None

    @contextmanager
    def _naming_errors(self) -> Iterator[None]:
        """An OSError from writing a file descriptor names no file: name the
        target, so the one-line failure message says which output failed."""
        try:
            yield
        except OSError as err:
            if err.filename is None:
                err.filename = str(self.path)
            raise

    def _close(self, sync: bool = False) -> None:
        if self._fh is not None and self._fh is not self._raw:
            self._fh.close()
        if self._raw is not None:
            if sync and not self._raw.closed:
                self._raw.flush()
                os.fsync(self._raw.fileno())
            self._raw.close()
        self._fh = self._raw = None


class StdoutClosed(Exception):
    """The reader of stdout went away (`extractor ... -o - | head`): the run
    stops, but this is no failure of the extractor (see cli.main)."""


@contextmanager
def _stdout_errors() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise StdoutClosed() from None


def write_stdout(data: bytes) -> None:
    """Bytes to stdout, flushed; a closed pipe raises StdoutClosed."""
    with _stdout_errors():
        sys.stdout.flush()  # whatever print() left in the text layer goes first
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


class StdoutWriter:
    """`-o -`: AtomicWriter's interface over stdout. Lines go out as they come,
    so a consumer of the pipe sees results while the run goes on; there is no
    file to rename or take back. A reader that goes away raises StdoutClosed."""

    def __init__(self) -> None:
        self.count = 0
        self._fh = sys.stdout.buffer

    def __enter__(self) -> "StdoutWriter":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.commit()

    def write(self, data: bytes) -> None:
        with _stdout_errors():
            self._fh.write(data)

    def write_jsonl(self, obj: Any) -> None:
        """One JSON object and a newline."""
        self.write(orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE))
        self.count += 1

    def finish(self) -> None:
        with _stdout_errors():
            self._fh.flush()

    commit = finish

    def discard(self) -> None:
        """What went out cannot be taken back."""


def commit_all(writers: Iterable[Any], stale: Iterable[str] = ()) -> None:
    """Commit a run's outputs as one: every file is finished first (where a
    full disk or a quota shows), and only then are the `stale` files (an
    earlier run's companions that would misdescribe this one) removed and the
    files renamed into place, in the given order (the main output last). A
    failure before the renames discards them all: no output is half updated,
    no result goes out without its graph and summary."""
    writers = list(writers)
    try:
        for writer in writers:
            writer.finish()
        for path in stale:
            _remove_if_present(path)
        for writer in writers:
            writer.commit()
    except BaseException:
        discard_all(writers)
        raise


def discard_all(writers: Iterable[Any]) -> None:
    """Drop every uncommitted file (committed ones stay as they are)."""
    for writer in writers:
        writer.discard()


def _remove_if_present(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _default_mode(path: Path) -> int:
    """Permissions of the file being replaced, else the usual 0666 minus umask
    (mkstemp creates 0600, which would surprise users sharing results)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def rejected_bytes(item: Rejected) -> Optional[bytes]:
    """The line OUT.rejected.jsonl keeps for a rejected item (without newline),
    or None for a whole-file problem.

    Only input lines go there, byte for byte, so that the file is itself an
    input: fixed or not, it can be fed in again. An unreadable file, a damaged
    archive or a .txt that cannot be decoded has no line to keep; it is listed
    in OUT.rejected.index.jsonl alone.
    """
    return item.raw if isinstance(item, LineRejected) else None


def index_row(item: Rejected) -> Dict[str, Any]:
    """The OUT.rejected.index.jsonl row for a rejected item: where it came from
    and why; `kept` says whether its line is in OUT.rejected.jsonl (the kept
    rows are in the same order as that file's lines)."""
    return {"file": item.file, "line": item.line or None, "reason": item.reason,
            "kept": isinstance(item, LineRejected)}


def too_long(record: Record, limit: int) -> Optional[Rejected]:
    """The rejection for a record whose text exceeds `limit` characters, else
    None. A record read from a JSON line keeps that line (see Record.raw)."""
    if len(record.text) <= limit:
        return None
    reason = f"text longer than {limit} characters"
    if record.raw is None:
        return Rejected(file=record.origin, line=0, reason=reason, raw=b"")
    file, _, line = record.origin.rpartition(":")
    return LineRejected(file=file, line=int(line), reason=reason, raw=record.raw)


def output_paths(out: str) -> Dict[str, str]:
    """OUT.jsonl -> its companions OUT.rejected.jsonl, OUT.rejected.index.jsonl and OUT.summary.json."""
    path = Path(out)
    base = path.name
    for suffix in (".gz", ".jsonl", ".json", ".ndjson"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return {
        "out": str(path),
        "rejected": str(path.with_name(f"{base}.rejected.jsonl")),
        "rejected_index": str(path.with_name(f"{base}.rejected.index.jsonl")),
        "summary": str(path.with_name(f"{base}.summary.json")),
    }


def output_dir_error(path: str) -> Optional[str]:
    """Why `path` cannot be written (missing or read-only folder), or None."""
    folder = Path(path).parent
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            return f"cannot create output folder {folder}: {err.strerror or err}"
    if not folder.is_dir():
        return f"output folder {folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"output folder {folder} is not writable"
    if Path(path).is_dir():
        return f"output {path} is a folder"
    return None


class OutputBusy(Exception):
    """Another run holds the lock of an output this run would write (a usage error, exit 2)."""


def lock_path(output: Union[str, Path]) -> Path:
    """The lock file of an output: hidden (readers and walks skip it) and beside
    the file, or inside a folder output."""
    path = Path(output)
    if str(output).endswith(("/", os.sep)) or path.is_dir():
        return path / ".extractor.lock"
    return path.with_name(f".{path.name}.lock")


@contextmanager
def output_locks(outputs: Iterable[Union[str, Path]]) -> Iterator[None]:
    """Hold an exclusive lock on each output while the run writes, so that a
    second run on the same output fails at once (OutputBusy) instead of
    replacing or deleting the first run's files."""
    locks = {lock_path(p): str(p) for p in outputs}
    with ExitStack() as stack:
        for path in sorted(locks):
            stack.enter_context(_held(path, locks[path]))
        yield


@contextmanager
def _held(path: Path, output: str) -> Iterator[None]:
    """An flock on `path`: the kernel drops it when the process ends, even by
    kill -9, so a lock file left behind blocks nobody. The file is removed
    while still locked; a run that opened it just before checks, once it holds
    the lock, that the name still leads to the file it locked (else it takes
    the new one), so two runs never both hold the lock."""
    if fcntl is None:
        yield
        return
    fd = _acquire(path, output)
    try:
        yield
    finally:
        if _names(fd, path):
            _remove_if_present(str(path))
        os.close(fd)


def _acquire(path: Path, output: str) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            pid = f"pid {holder}, " if holder.isdigit() else ""
            raise OutputBusy(f"output {output} is being written by another run ({pid}lock {path}): "
                             "wait for it to end, or write elsewhere") from None
        except BaseException:
            os.close(fd)
            raise
        if _names(fd, path):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)  # named in the message of a run that finds it locked
            return fd
        os.close(fd)  # removed by its holder between our open and our lock: take the new file


def _names(fd: int, path: Path) -> bool:
    """Whether `path` is (still) the file open as `fd`."""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def input_errors(paths: Iterable[str]) -> List[str]:
    """Messages for input paths that do not exist (a usage error, exit 2). A
    broken link does exist: it is read and reported like a broken file."""
    return [f"input not found: {p}" for p in paths if p != STDIN and not os.path.lexists(p)]


__all__ = [
    "AtomicWriter",
    "LineRejected",
    "OutputBusy",
    "StdoutClosed",
    "StdoutWriter",
    "commit_all",
    "discard_all",
    "input_errors",
    "iter_file",
    "iter_inputs",
    "index_row",
    "iter_json_objects",
    "iter_line_block",
    "line_blocks",
    "lock_path",
    "output_locks",
    "iter_stdin",
    "output_dir_error",
    "output_paths",
    "parse_line",
    "rejected_bytes",
    "sniff",
    "splittable",
    "too_long",
    "walk_files",
    "write_stdout",
]
