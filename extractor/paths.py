"""Where the extractor's data files are: one place, used by every module that reads them.

The lexicons, the knowledge base, the relation-type registry, the language profiles and
the model's token-feature tables ship inside the package (`extractor/data/`), so an
installed wheel works from any directory. Components copy what they read into a saved
pipeline (`nlp.to_disk`), which therefore needs no data folder at all.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_path(*parts: str) -> Path:
    """A file or folder of the package data: `data_path("kb", "companies.jsonl")`."""
    return DATA_DIR.joinpath(*parts)
