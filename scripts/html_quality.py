"""Main-text extraction quality on the annotated SmartData pages.

Compares `html_to_record(...).text` with the article text the corpus annotators
kept (`index.jsonl`), as word-level recall and precision from the matching
blocks of difflib's SequenceMatcher (order-aware, so a teaser that repeats
article words still counts against precision). The reference sometimes starts
with the headline, which our `text` leaves out by design (it is in `title`), so
the title is prepended before scoring.

The references are cut at about 950 characters (the SmartData documents are
article prefixes), so for a cut reference precision is measured on the
extracted text up to the last run of 3+ words aligned with the reference: junk before or
inside the article counts, the article's own continuation does not.

    python scripts/html_quality.py [DATA_DIR]
"""

from __future__ import annotations

import json
import re
import sys
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from extractor.sources.html import html_to_record  # noqa: E402

WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


CUT_AT = 900  # references at least this long are prefixes of the article


def score(pred: str, ref: str) -> tuple[float, float]:
    """Word-level (recall, precision) of `pred` against `ref`."""
    p, r = words(pred), words(ref)
    if not p or not r:
        return (0.0 if r else 1.0), (0.0 if p else 1.0)
    blocks = [b for b in SequenceMatcher(None, p, r, autojunk=False).get_matching_blocks() if b.size]
    matched = sum(b.size for b in blocks)
    window = len(p)
    solid = [b for b in blocks if b.size >= 3]  # a lone "ein" far down is no alignment
    if len(ref) >= CUT_AT and solid:
        window = max(solid[-1].a + solid[-1].size, 1)
    return matched / len(r), matched / window


def main(data_dir: str = "../shared/data/html-pages") -> None:
    root = Path(data_dir)
    rows = [json.loads(line) for line in (root / "index.jsonl").open(encoding="utf8")]
    recalls, precisions = [], []
    for row in rows:
        rec = html_to_record((root / row["file"]).read_bytes(), id=row["file"], url=row["url"])
        pred = "\n".join(filter(None, [rec.title, rec.text]))
        r, p = score(pred, row["annotated_text"])
        recalls.append(r)
        precisions.append(p)
        n_pred, n_ref = len(words(rec.text)), len(words(row["annotated_text"]))
        print(f"{row['file']}  R={r:.3f}  P={p:.3f}  words={n_pred:5d}  ref={n_ref:5d}  {rec.date}  {rec.source}")
    n = len(rows)
    mr, mp = sum(recalls) / n, sum(precisions) / n
    f1 = 2 * mr * mp / (mr + mp) if mr + mp else 0.0
    print(f"mean  R={mr:.3f}  P={mp:.3f}  F1={f1:.3f}  ({n} pages)")


if __name__ == "__main__":
    main(*sys.argv[1:])
