"""Input sources beyond JSON lines and plain text: web pages, web archives,
and the filters a crawl needs (language, duplicates)."""

from .dedup import NearDuplicateIndex
from .html import decode_html, html_to_record, looks_like_html
from .language import detect_language, is_german
from .warc import iter_warc

__all__ = [
    "NearDuplicateIndex",
    "decode_html",
    "detect_language",
    "html_to_record",
    "is_german",
    "iter_warc",
    "looks_like_html",
]
