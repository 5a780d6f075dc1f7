"""The trained relation classifier: training on a tiny sample, saving, loading, predicting,
and the relation-type registry that it, the graph and eval share."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.components.relation_classifier import RelationClassifier, labels_for
from extractor.pipeline import BUNDLED_MODEL, CLASSIFIER, load_pipeline
from extractor.relation_types import RELATION_TYPES, SYMMETRIC_TYPES, UNARY_TYPES
from extractor.training import relations as training

FIXTURE = Path(__file__).parent / "fixtures" / "relations.gold.jsonl"


@pytest.fixture(scope="module")
def rule_pipeline():
    nlp = load_pipeline()
    if CLASSIFIER in nlp.pipe_names:
        nlp.remove_pipe(CLASSIFIER)
    return nlp


def test_trains_on_a_tiny_sample_saves_loads_and_predicts(tmp_path, rule_pipeline):
    out = training.run(FIXTURE, None, tmp_path / "rc", epochs=5, min_precision=0.5, folds=2)
    assert sorted(p.name for p in out.iterdir()) == ["cfg", "model"]  # the weights: lexicons stay in the package
    loaded = RelationClassifier()
    loaded.initialize()
    loaded.from_disk(out, exclude=["data"])
    assert "role<" in loaded.labels  # "Telekom-Chef Timotheus Höttges": organisation first
    assert set(loaded.thresholds) == {f"{label}@{g}" for label in loaded.labels for g in ("sent", "cross")}
    rule_pipeline.add_pipe(CLASSIFIER).initialize()
    rule_pipeline.get_pipe(CLASSIFIER).from_disk(out, exclude=["data"])
    try:
        loaded.thresholds = dict.fromkeys(loaded.thresholds, 0.0)  # everything it can say
        doc = rule_pipeline("Die Telekom-Chefin Anna Zyrbel sprach in Bonn. Sie lobte die Zusammenarbeit.")
        for rel in doc._.relations:
            assert RELATION_TYPES[rel["type"]].allows(*_types(doc, rel))
            assert 0.0 <= rel["confidence"] <= 1.0 and rel["evidence"]["text"]
    finally:
        rule_pipeline.remove_pipe(CLASSIFIER)


def test_training_refuses_evaluation_gold(tmp_path):
    gold = tmp_path / "shared" / "eval" / "dev.gold.jsonl"
    gold.parent.mkdir(parents=True)
    gold.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValueError, match="never training data"):
        training.run(gold, None, tmp_path / "rc", epochs=1, min_precision=0.5)


@pytest.mark.skipif(not (BUNDLED_MODEL / CLASSIFIER / "cfg").exists(), reason="no trained classifier shipped")
@pytest.mark.parametrize("text, subject, obj", [
    ("Volkswagen hat Herbert Diess zum neuen Markenchef gemacht.", "Herbert Diess", "Volkswagen"),
])
def test_shipped_classifier_finds_roles_no_rule_covers(analyse, rule_pipeline, text, subject, obj):
    assert not rule_pipeline(text)._.relations  # no rule was written for this one
    out = analyse(text)
    names = {(r["type"], r["subject_name"], r["object_name"]) for r in out["relations"]}
    assert ("role", subject, obj) in names, (names, out["entities"])


def test_registry_is_the_contract_table():
    assert SYMMETRIC_TYPES == {"cooperation_talks", "cooperation", "merger"}
    assert UNARY_TYPES == {"insolvency", "layoffs"}
    assert labels_for(("PERSON", "COMPANY")) == ["role>", "stake>"]
    assert "role<" in labels_for(("COMPANY", "PERSON")) and "merger" in labels_for(("COMPANY", "ORG"))
    assert labels_for(("PERSON", "PERSON")) == []


def _types(doc, rel):
    by_id = {e["id"]: e["type"] for e in doc._.entities}
    return by_id[rel["subject"]], by_id.get(rel["object"])


def test_relation_type_schema_rejects_a_misspelt_key(tmp_path):
    from extractor.relation_types import TYPES_FILE, load_relation_types
    import json

    spec = json.loads(TYPES_FILE.read_text(encoding="utf-8"))
    spec["types"]["merger"]["symetric"] = spec["types"]["merger"].pop("symmetric")
    bad = tmp_path / "types.json"
    bad.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_relation_types(bad)
    message = str(error.value)
    assert str(bad) in message and "'merger'" in message and "symetric" in message
    spec["types"]["merger"]["symmetric"] = spec["types"]["merger"].pop("symetric")
    spec["types"]["merger"]["subject"] = ["COMPANIE"]
    bad.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match="subject"):
        load_relation_types(bad)


def test_trigger_file_schema_rejects_misspelt_types_fields_and_missing_lists(tmp_path):
    from extractor.paths import data_path
    from extractor.relation_types import load_triggers
    import json

    spec = json.loads(data_path("lexicons", "relations.json").read_text(encoding="utf-8"))
    assert load_triggers(data_path("lexicons", "relations.json"))["subsidiary"]["suffixes"]
    bad = tmp_path / "relations.json"
    for broken, word in ((dict(spec, subsidary=spec["subsidiary"]), "subsidary"),
                         (dict(spec, merger=dict(spec["merger"], stem=["fusion"])), "stem"),
                         ({k: v for k, v in spec.items() if k != "negation"}, "negation")):
        bad.write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(ValueError) as error:
            load_triggers(bad)
        assert str(bad) in str(error.value) and word in str(error.value), error.value


def test_threshold_needs_more_than_a_few_lucky_points():
    """Thresholds come from out-of-fold points; two correct points at the top are no evidence
    of 70 % precision, twenty of twenty-two are."""
    from extractor.training.relations import _best_threshold

    few = [(0.9, True), (0.8, True), (0.3, False), (0.2, False)]
    assert _best_threshold(few, total=10, min_precision=0.7)[0] == 1.01
    many = [(0.99 - i / 100, True) for i in range(20)] + [(0.5, False), (0.4, False), (0.3, False)]
    threshold, (precision, recall, _) = _best_threshold(many, total=25, min_precision=0.7)
    assert threshold == 0.8 and precision == 1.0 and recall == 0.8
