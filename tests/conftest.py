"""Shared fixtures: one loaded pipeline per test session, the shared data folders."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def extractor():
    from extractor.pipeline import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def analyse(extractor):
    """Text in, output record out (the contract's dict)."""
    from extractor.records import Record

    def run(text: str, id: str = "t") -> dict:
        return next(extractor.process([Record(id=id, text=text)]))

    return run


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (a user's own clone without ../shared)")
    return path
