"""Main text and metadata of a news web page, via trafilatura.

The pipeline only sees the article body: navigation, teasers of other stories,
ads and comments would add entities and relations the article never states, so
extraction favours precision over recall.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import trafilatura

from ..records import Record

# Tuned with scripts/html_quality.py against the annotated SmartData pages.
EXTRACT_OPTIONS = dict(
    favor_precision=True,
    include_comments=False,
    include_tables=False,
    include_images=False,
    include_links=False,
    deduplicate=False,
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title>|<div[\s>]|<p[\s>]|<script[\s>]",
    re.I,
)


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, then strict UTF-8, then the declared charset, then cp1252.

    UTF-8 goes before the declared charset because crawlers often re-encode
    pages to UTF-8 and leave an old `charset=iso-8859-1` behind (mojibake such
    as "Ã¼" would break every German name); non-UTF-8 German text practically
    never validates as UTF-8. Browsers read ISO-8859-1 as cp1252 (curly quotes);
    cp1252 with replacement never fails, so no page is lost to decoding.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(data[:8192])
    if match:
        codec = match.group(1).decode("ascii", "ignore").lower()
        if codec in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
            codec = "cp1252"  # what browsers do (WHATWG encoding standard)
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", errors="replace")


# Lines at the end of the extracted text that are not article: teasers of other
# stories ("... weiterlesen", "Der Konzern hat ..."), link-list headings
# ("Weitere Links:"), agency codes ("/so/hbr/DP/fbr"), app promotion.
_TAIL_JUNK = re.compile(
    r"(\.\.\.|…|weiterlesen|mehr lesen|mehr zum thema|hier klicken|:)\s*$"
    r"|^[/\w]*/[/\w]*$|app-store|abo\b|newsletter",
    re.I,
)


_SENTENCE_END = (".", "!", "?", "“", '"', "»", "«", ")")


def _is_fragment(line: str) -> bool:
    """A short line that is no sentence: dateline, byline, agency code, button."""
    return len(line.split()) < 5 and not line.endswith(_SENTENCE_END)


def _trim(lines: list[str], title: str | None) -> list[str]:
    """Drop boilerplate at the edges of the text only, never from inside the
    article (a quote ending in "..." mid-article is kept): a repeated headline
    and datelines at the start, teasers and link lists at the end."""
    head = 0
    while head < min(len(lines) - 1, 4):
        line = lines[head]
        if (title and title.startswith(line)) or _is_fragment(line):
            head += 1
        else:
            break
    lines = lines[head:]
    while len(lines) > 1 and (_TAIL_JUNK.search(lines[-1]) or _is_fragment(lines[-1])):
        lines.pop()
    if len(lines) == 1 and _is_fragment(lines[0]):
        return []  # a lone link or label ("Start") is no article
    return lines


def _clean_title(title: str | None) -> str | None:
    """Cut site-name suffixes: "Headline | News | site.de" -> "Headline"."""
    if not title:
        return None
    return title.split(" | ")[0].strip() or None


def _site_name(sitename: str | None, hostname: str | None) -> str | None:
    """Pages often put their <title> into og:site_name; a long one is no site name."""
    if sitename and len(sitename) <= 40 and len(sitename.split()) <= 4:
        return sitename
    return hostname or sitename


def looks_like_html(sample: str) -> bool:
    """True when the start of a file or payload is HTML markup (content sniffing
    for files without a telling extension and for WARC payloads)."""
    head = sample[:2048].lstrip("\ufeff \t\r\n")
    if head.startswith("<?xml"):
        return "<html" in head.lower()
    return head.startswith("<") and bool(_HTML_SNIFF.search(head))


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host[4:] if host and host.startswith("www.") else host


def html_to_record(
    html: str | bytes,
    *,
    id: str,
    url: str | None = None,
    origin: str = "",
    date: str | None = None,
) -> Record:
    """Turn one web page into a Record whose `text` is the article body only.

    `date` is a fallback (e.g. the crawl date of a WARC record) used when the
    page states no publication date. A page without recognisable main text gives
    `text=""` and `meta["extraction"] = "empty"`: an empty result, not a crash.
    """
    if isinstance(html, bytes):
        html = decode_html(html)
    doc = None
    if html.strip():
        try:
            doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, **EXTRACT_OPTIONS)
        except Exception:  # malformed markup must not stop a batch run
            doc = None
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    title = _clean_title(getattr(doc, "title", None))
    text = "\n".join(_trim([line.strip() for line in text.splitlines() if line.strip()], title))
    page_url = url or getattr(doc, "url", None)
    meta: dict = {}
    for key in ("author", "sitename", "description"):
        value = getattr(doc, key, None) if doc is not None else None
        if value:
            meta[key] = value
    if not text:
        meta["extraction"] = "empty"
    source = _site_name(meta.get("sitename"), getattr(doc, "hostname", None) or _hostname(page_url))
    return Record(
        id=id,
        text=text,
        title=title,
        date=getattr(doc, "date", None) or date,
        url=page_url,
        source=source,
        meta=meta,
        origin=origin,
        text_extracted=True,
    )
