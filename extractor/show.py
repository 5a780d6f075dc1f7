"""`extractor show`: each article rendered with spaCy's displaCy, the relations and their evidence below.

The page is built from the output records (the contract's entities with their mention
offsets), so it shows what a user gets, typed by entity type and mention kind
("COMPANY alias" for "die Bayern"), not the raw NER.
"""

from __future__ import annotations

import html
from typing import Any, Dict, Iterable, List, Tuple

from spacy import displacy

from .io import AtomicWriter

TYPE_COLOURS = {"COMPANY": "#7aa6f0", "ORG": "#7fd1a8", "PERSON": "#f5b971", "LOCATION": "#c9b3f2", "MISC": "#d0d4da"}
KINDS = ("name", "compound", "alias", "pronoun")
PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>extractor show</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}} article{{margin-bottom:3em}}
.relations li{{margin:.4em 0}} .relations q{{color:#555}} .type{{font-weight:600}}</style></head>
<body><h1>extractor show</h1>{articles}</body></html>
"""


def label(entity_type: str, kind: str) -> str:
    return f"{entity_type} {kind}"


def colours() -> Dict[str, str]:
    """displaCy colours: one per entity type, the same for every mention kind of it."""
    return {label(t, k): c for t, c in TYPE_COLOURS.items() for k in KINDS}


def spans(out: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The record's mentions as displaCy's manual spans, sorted, overlaps dropped."""
    found = sorted(((m["start"], m["end"], label(e["type"], m["kind"]))
                    for e in out.get("entities") or [] for m in e.get("mentions") or []), key=lambda s: (s[0], -s[1]))
    kept, end = [], -1
    for start, stop, name in found:
        if start >= end:
            kept.append({"start": start, "end": stop, "label": name})
            end = stop
    return kept


def relations_html(out: Dict[str, Any]) -> str:
    items = []
    for rel in out.get("relations") or []:
        attributes = ", ".join(f"{k}: {v}" for k, v in (rel.get("attributes") or {}).items())
        obj = f" → {html.escape(str(rel['object_name']))}" if rel.get("object_name") else ""
        items.append(f"<li><span class=type>{html.escape(rel['type'])}</span> {html.escape(str(rel['subject_name']))}"
                     f"{obj}{' (' + html.escape(attributes) + ')' if attributes else ''} "
                     f"<q>{html.escape(rel['evidence']['text'])}</q></li>")
    return f"<ul class=relations>{''.join(items)}</ul>" if items else "<p>no relations</p>"


def article_html(text: str, out: Dict[str, Any]) -> str:
    title = out.get("title") or out.get("id")
    markup = displacy.render({"text": text, "ents": spans(out), "title": None}, style="ent", manual=True,
                             options={"colors": colours()}, page=False, jupyter=False)
    return (f"<article><h2>{html.escape(str(title))}</h2><p><code>{html.escape(str(out.get('id')))}</code></p>"
            f"{markup}<h3>Relations</h3>{relations_html(out)}</article>")


def write_page(articles: Iterable[Tuple[str, Dict[str, Any]]], path: str) -> int:
    """Write the page atomically; returns the number of articles shown."""
    parts = [article_html(text, out) for text, out in articles]
    with AtomicWriter(path) as writer:
        writer.write(PAGE.format(articles="".join(parts)).encode("utf-8"))
    return len(parts)
