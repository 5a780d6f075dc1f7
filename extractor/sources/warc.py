"""Articles from web archives (WARC, plain or gzipped), record by record.

Crawls mix article pages with requests, metadata, images, scripts and error
pages; only successful HTML responses become Records, the rest is counted as
Skipped. A damaged archive must not abort a batch run: reading stops at the
damage with one Rejected item.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import nullcontext
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from ..records import Record, Rejected, Skipped
from .html import html_to_record, looks_like_html

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_PAGE_BYTES = 8 * 1024 * 1024  # larger "pages" are dumps or binaries, not articles


def _content_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def iter_warc(path: str, stream: BinaryIO | None = None) -> Iterator[Record | Skipped | Rejected]:
    """Yield a Record per HTML page with HTTP status 200 (id = WARC-Record-ID
    without its angle brackets, date = the page's publication date or else
    the crawl date), a Skipped for every other record, and one Rejected when
    the file turns out corrupt or truncated, after which reading stops.

    warcio reads a truncated archive without complaint, so each record is read
    to its end and checked against its Content-Length before it is yielded.
    `stream` is the archive already open (the sniffer's replaying reader: a
    pipe cannot be opened twice); `path` then only names it in messages.
    """
    ordinal = 0
    try:
        with open(path, "rb") if stream is None else nullcontext(stream) as fh:
            records = ArchiveIterator(fh)
            for record in records:
                ordinal += 1
                if record.format != "warc":  # warcio reads junk lines as ARC headers
                    raise ValueError(f"not a WARC record ({record.format})")
                item = _convert(record, path, ordinal)
                while record.raw_stream.read(1 << 16):
                    pass
                if record.raw_stream.limit > 0:
                    raise EOFError(f"record {ordinal} ends {record.raw_stream.limit} bytes early")
                if isinstance(item, Record):
                    # Only now: get_record_offset() reads the record to its end.
                    item.origin = f"{path}:{records.get_record_offset()}"
                yield item
        if ordinal == 0 and (stream is not None or os.path.getsize(path) > 0):
            raise ValueError("no WARC record found")
    except Exception as err:  # warcio raises many types for damaged input
        reason = f"corrupt or truncated WARC: {type(err).__name__}: {err}"
        yield Rejected(file=path, line=max(ordinal, 1), reason=reason, raw=b"")


def _convert(record, path: str, ordinal: int) -> Record | Skipped:
    kind = record.rec_type
    if kind not in ("response", "resource"):
        return Skipped(file=path, reason=f"warc {kind}")
    if kind == "response":
        if record.http_headers is None:
            return Skipped(file=path, reason="non-http response")
        status = record.http_headers.get_statuscode()
        if status != "200":
            return Skipped(file=path, reason=f"http {status}")
        ctype = _content_type(record.http_headers.get_header("Content-Type"))
    else:
        ctype = _content_type(record.rec_headers.get_header("Content-Type"))
    if ctype and ctype not in HTML_TYPES:
        return Skipped(file=path, reason=f"non-html {ctype}")
    # Reading the payload also raises on truncation: caught by the caller.
    payload = record.content_stream().read(MAX_PAGE_BYTES + 1)
    if len(payload) > MAX_PAGE_BYTES:
        return Skipped(file=path, reason="html too large")
    if not ctype and not looks_like_html(payload[:2048].decode("latin-1")):
        return Skipped(file=path, reason="non-html unknown")
    headers = record.rec_headers
    record_id = (headers.get_header("WARC-Record-ID") or f"{path}#{ordinal}").strip("<>")
    warc_date = headers.get_header("WARC-Date") or ""
    rec = html_to_record(
        payload,
        id=record_id,
        url=headers.get_header("WARC-Target-URI"),
        origin=path,
        date=warc_date[:10] or None,
    )
    if warc_date:
        rec.meta["crawl_date"] = warc_date
    return rec
