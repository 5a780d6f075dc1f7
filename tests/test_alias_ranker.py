"""The alias linker's trained ranker: training on a tiny sample, saving, loading, and the
oracle that gives it the labels `extractor eval` scores by."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.components.alias_ranker import TrainedRanker
from extractor.evaluate import AliasOracle
from extractor.pipeline import load_pipeline
from extractor.training import aliases as training

FIXTURE = Path(__file__).parent / "fixtures" / "aliases.gold.jsonl"


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def _alias_owner(doc, text: str):
    for entity in doc._.entities:
        if any(m["kind"] == "alias" and m["text"] == text for m in entity["mentions"]):
            return entity["name"]
    return None


def test_trains_on_a_tiny_sample_saves_and_loads(tmp_path, nlp):
    out = training.run([FIXTURE], None, tmp_path / "linker", epochs=5, min_precision=0.5)
    ranker = TrainedRanker().from_disk(out / "ranker")
    assert 0.05 <= ranker.threshold <= 1.01
    linker = nlp.get_pipe("alias_linker")
    shipped = linker.ranker
    try:
        linker.from_disk(out, exclude=["data"])  # the weights alone, as load_pipeline reads them
        assert isinstance(linker.ranker, TrainedRanker)
        text = "Tchibo eröffnet neue Filialen. Der Kaffeeröster setzt auf Qualität."
        linker.ranker.threshold = 0.0  # vets nothing: the rules' choice stands
        assert _alias_owner(nlp(text), "Der Kaffeeröster") == "Tchibo"
        linker.ranker.threshold = 1.01  # vetoes every organisation link
        assert _alias_owner(nlp(text), "Der Kaffeeröster") is None
    finally:
        linker.ranker = shipped


def test_ranker_config_without_threshold_fails_loudly(tmp_path):
    TrainedRanker().to_disk(tmp_path / "ranker")
    (tmp_path / "ranker" / "cfg").write_text('{"length": 16384}', encoding="utf-8")
    with pytest.raises(ValueError, match="cfg: missing threshold"):
        TrainedRanker().from_disk(tmp_path / "ranker")


def test_training_refuses_evaluation_gold(tmp_path):
    gold = tmp_path / "shared" / "eval" / "dev.gold.jsonl"
    gold.parent.mkdir(parents=True)
    gold.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValueError, match="never training data"):
        training.run([gold], None, tmp_path / "linker", epochs=1, min_precision=0.5)


def test_oracle_labels_a_link_as_eval_scores_it():
    gold = {"id": "g", "text": "Tchibo und Aldi. Der Kaffeeröster wächst.",
            "entities": [{"name": "Tchibo", "type": "COMPANY", "aliases": ["Kaffeeröster"]},
                         {"name": "Aldi", "type": "COMPANY", "aliases": []}]}
    pred = {"entities": [{"id": "E1", "type": "COMPANY", "name": "Tchibo", "mentions": []},
                         {"id": "E2", "type": "COMPANY", "name": "Aldi", "mentions": []}]}
    oracle = AliasOracle(gold, pred)
    assert oracle("E1", "Der Kaffeeröster") is True
    assert oracle("E2", "Der Kaffeeröster") is False
    assert oracle("E1", "Der Händler") is False


def test_office_file_with_a_misspelt_key_fails_with_file_and_key(tmp_path):
    from extractor.components.aliases import read_offices
    from extractor.paths import data_path

    good = read_offices(data_path("lexicons", "offices.json"))
    assert "kanzlerin" in good["Angela Merkel"]
    bad = tmp_path / "offices.json"
    bad.write_text(json.dumps({"_doc": "", "holder": good}), encoding="utf-8")
    with pytest.raises(ValueError) as error:
        read_offices(bad)
    assert str(bad) in str(error.value) and "holder" in str(error.value)
