"""The Python API of CONTRACT.md: extractor.load() and extractor.extract()."""

from __future__ import annotations

import pytest

import extractor


@pytest.fixture(scope="module")
def outputs():
    return list(extractor.extract([
        "BMW-Chef Harald Krüger sprach in München.",
        {"id": "a1", "text": "Siemens übernimmt Osram.", "title": "Übernahme", "feed": "wiwo"},
    ]))


def test_extract_yields_the_output_format_in_order(outputs):
    first, second = outputs
    assert (first["id"], second["id"]) == ("1", "a1")
    assert first["schema_version"] == "1" and first["model"]["name"]
    assert ("role", "Harald Krüger", "BMW") in {(r["type"], r["subject_name"], r["object_name"]) for r in first["relations"]}
    assert second["title"] == "Übernahme" and second["meta"] == {"feed": "wiwo"}
    assert [r["type"] for r in second["relations"]] == ["acquisition"]


def test_bad_item_is_named():
    with pytest.raises(ValueError, match="item 2"):
        list(extractor.extract(["Siemens wächst.", {"id": "x"}]))


def test_load_gives_the_pipeline_with_contract_extensions():
    nlp = extractor.load()
    doc = nlp("Siemens übernimmt Osram.")
    assert {e["name"] for e in doc._.entities} == {"Siemens", "Osram"}
    assert doc._.relations[0]["type"] == "acquisition"
