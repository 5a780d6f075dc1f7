"""Register identifiers in the knowledge base: schema, spot checks against the registers, output."""
from __future__ import annotations

import csv
import importlib.util
import json
import lzma
import shutil
import sys
from pathlib import Path

import pytest

from extractor.kb import load_kb
from extractor.paths import data_path
from conftest import shared_path

ROOT = Path(__file__).resolve().parent.parent
KB = data_path("kb")


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


check_kb = _script("check_kb")
match_registers = _script("match_registers")


@pytest.fixture(scope="module")
def companies() -> dict:
    with open(KB / "companies.jsonl", encoding="utf-8") as fh:
        return {c["id"]: c for c in map(json.loads, fh)}


def _kb_with(tmp_path: Path, ids: dict) -> Path:
    """A copy of the package data whose first company carries `ids`."""
    (tmp_path / "kb").mkdir()
    shutil.copytree(data_path("lexicons"), tmp_path / "lexicons")
    shutil.copy(KB / "places.jsonl", tmp_path / "kb" / "places.jsonl")
    lines = (KB / "companies.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first.pop("ids", None)
    first["ids"] = ids
    lines[0] = json.dumps(first, ensure_ascii=False)
    (tmp_path / "kb" / "companies.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


# --- schema -----------------------------------------------------------------------
def test_loader_rejects_a_misspelt_ids_key(tmp_path):
    data = _kb_with(tmp_path, {"isn": "DE0005545503"})
    with pytest.raises(ValueError, match=r"companies\.jsonl:1 .*'isn'"):
        load_kb(str(data))


def test_loader_rejects_a_non_string_id(tmp_path):
    with pytest.raises(ValueError, match="cik"):
        load_kb(str(_kb_with(tmp_path, {"cik": 320193})))


def test_loader_keeps_ids(tmp_path):
    kb = load_kb(str(_kb_with(tmp_path, {"isin": "DE0005545503", "register": "Montabaur HRB 1"})))
    first = json.loads((KB / "companies.jsonl").read_text(encoding="utf-8").splitlines()[0])["id"]
    assert kb.get(first).ids == {"isin": "DE0005545503", "register": "Montabaur HRB 1"}


def test_validator_names_file_and_key(tmp_path):
    errors = "\n".join(check_kb.check(_kb_with(tmp_path, {"isin": "DE0005545503", "lei": "x"}) / "kb"))
    assert "companies.jsonl:1" in errors and "'lei'" in errors


def test_validator_accepts_the_matched_kb():
    assert check_kb.check(KB) == []


# --- the matched identifiers ------------------------------------------------------
def _listings(exchange: str) -> dict:
    path = shared_path("data", "companies", "registers", "financedatabase", "equities", f"{exchange}.csv.xz")
    with lzma.open(path, "rt", encoding="utf-8", newline="") as fh:
        return {row["symbol"]: row for row in csv.DictReader(fh)}


def test_spot_checks_against_the_registers(companies):
    ger, mun = _listings("GER"), _listings("MUN")
    assert ger["SIE.DE"]["isin"] == companies["siemens"]["ids"]["isin"] == "DE0007236101"
    # Xetra's BMW.DE row carries the preference share's ISIN: the ordinary share is the one kept
    assert mun["BMW.MU"]["name"] == "Bayerische Motoren Werke AG"
    assert mun["BMW.MU"]["isin"] == companies["bmw"]["ids"]["isin"] == "DE0005190003"
    sec = json.loads(shared_path("data", "companies", "registers", "sec", "company_tickers.json").read_text())
    apple = next(r for r in sec.values() if r["ticker"] == "AAPL")
    assert str(apple["cik_str"]) == companies["apple"]["ids"]["cik"] == "320193"
    assert companies["apple"]["ids"]["isin"] == "US0378331005"


def test_no_adr_isin_and_no_shared_id(companies):
    """The registers mislabel ADRs as home listings (adidas, Allianz on Xetra): never a US ISIN abroad."""
    seen: dict = {}
    for c in companies.values():
        ids = c.get("ids", {})
        if "isin" in ids:
            assert ids["isin"][:2] == c["country"], c["id"]
            assert match_registers.valid_isin(ids["isin"]), c["id"]
        for key, value in ids.items():
            assert seen.setdefault((key, value), c["id"]) == c["id"], (key, value)
    assert "isin" not in companies["adidas"].get("ids", {})


def test_name_keys():
    assert match_registers.name_key("Siemens Aktiengesellschaft") == match_registers.name_key("Siemens AG")
    assert match_registers.name_key("AMPHENOL CORP /DE/") == "amphenol"
    assert match_registers.legal_key("Siemens Aktiengesellschaft") == match_registers.legal_key("Siemens AG")
    assert match_registers.legal_key("Siemens GmbH") != match_registers.legal_key("Siemens AG")
    assert not match_registers.names_agree({"bayerische motoren werke"}, "bayerische motoren werke pref")
    assert match_registers.names_agree({"altria"}, "altria group")


# --- output -----------------------------------------------------------------------
def test_output_entity_carries_ids(analyse, companies):
    out = analyse("Siemens hat im dritten Quartal mehr verdient. Auch Bosch legte zu, teilte der "
                  "Zulieferer in Stuttgart mit.")
    by_kb = {e["kb_id"]: e for e in out["entities"] if e["kb_id"]}
    assert by_kb["siemens"]["ids"] == companies["siemens"]["ids"]
    assert "ids" not in companies["bosch"] and "ids" not in by_kb["bosch"]
