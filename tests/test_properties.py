"""Property: whatever mix of good and bad JSON lines comes in, the run does
not crash and every input line is accounted for exactly once, as an output
record or as a line of OUT.rejected.jsonl (stand-in extractor, a few seconds)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import List, Tuple

import orjson
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from test_cli import FakeExtractor  # noqa: E402

from extractor import parallel  # noqa: E402
from extractor.cli import main  # noqa: E402

MAX_CHARS = 40
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß BMW", min_size=1, max_size=30)
# (line, good): good lines become output records, the others rejected lines.
good_lines = st.builds(lambda t, d: (orjson.dumps({"text": t, "date": d}), True),
                       words, st.sampled_from([None, "2024-01-05", "gestern", "2024-13-45"]))
bad_lines = st.one_of(
    st.just((b'{"id": "kaputt", "text": "BMW', False)),
    st.sampled_from([b"[1, 2]", b'"Text"', b"42", b"null"]).map(lambda b: (b, False)),
    words.map(lambda t: (orjson.dumps({"text": t + "x" * MAX_CHARS}), False)),
    st.just((b'{"id": "x", "title": "ohne Text"}', False)),
    st.sampled_from(["url", "source", "title", "lang", "date"]).map(
        lambda k: (orjson.dumps({"text": "BMW", k: 7}), False)),
    st.just((b'{"text": "Gr\xfc\xdfe"}', False)),
)


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(parallel, "load_extractor", lambda model=None: FakeExtractor(model))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(good_lines, bad_lines), min_size=1, max_size=12))
def test_every_line_is_accounted_for_once(fake, lines: List[Tuple[bytes, bool]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_bytes(b"".join(line + b"\n" for line, _ in lines))
        code = main(["extract", str(source), "-o", str(out), "--max-chars", str(MAX_CHARS), "-q"])
        ids = [orjson.loads(line)["id"] for line in out.read_bytes().splitlines()]
        rejected = Path(tmp) / "out.rejected.jsonl"
        kept = rejected.read_bytes() if rejected.exists() else b""
    assert ids == [f"in:{n}" for n, (_, good) in enumerate(lines, start=1) if good]
    assert kept == b"".join(line + b"\n" for line, good in lines if not good)
    assert code == (0 if all(good for _, good in lines) else 1)
