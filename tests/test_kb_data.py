"""Checks on the hand-curated knowledge base (extractor/data/kb/)."""
import importlib.util
import json
from pathlib import Path

import pytest

from extractor.paths import data_path

ROOT = Path(__file__).resolve().parent.parent
KB = data_path("kb")

_spec = importlib.util.spec_from_file_location("check_kb", ROOT / "scripts" / "check_kb.py")
check_kb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_kb)


def _load(name):
    with open(KB / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def companies():
    return {c["id"]: c for c in _load("companies.jsonl")}


@pytest.fixture(scope="module")
def places():
    return _load("places.jsonl")


def by_name(companies, name):
    hits = [c for c in companies.values() if c["name"] == name]
    assert len(hits) == 1, name
    return hits[0]


def test_validator_is_clean():
    assert check_kb.check(KB) == []


def test_validator_catches_errors(tmp_path):
    (tmp_path / "places.jsonl").write_text(
        json.dumps({"name": "Schweden", "kind": "country", "country": "SE", "region": None,
                    "demonyms": ["Schweden"], "adjective": "schwedisch"}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    rows = [
        {"id": "a", "name": "A", "type": "COMPANY", "legal_names": [], "names": [], "abbreviations": ["X"],
         "industry": ["Konzern"], "city": "Göteborg", "region": None, "country": "SE", "ticker": None,
         "indices": [], "parent": "missing", "aliases": []},
        {"id": "b", "name": "A", "type": "FIRM", "legal_names": [], "names": [], "abbreviations": ["X"],
         "industry": ["Autobauer"], "city": None, "region": None, "country": "SE", "ticker": None,
         "indices": [], "parent": None, "aliases": []},
    ]
    (tmp_path / "companies.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    errors = "\n".join(check_kb.check(tmp_path))
    assert "Konzern" in errors
    assert "Göteborg" in errors
    assert "parent 'missing'" in errors
    assert "bad type" in errors
    assert "name 'A' used by" in errors
    assert "surface form 'X'" in errors


def test_counts(companies):
    types = [c["type"] for c in companies.values()]
    assert types.count("COMPANY") >= 450
    assert types.count("ORG") >= 80


def test_bmw(companies):
    bmw = companies["bmw"]
    assert bmw["city"] == "München"
    assert bmw["region"] == "Bayern"
    assert bmw["country"] == "DE"
    assert "DAX" in bmw["indices"]
    assert "Autobauer" in bmw["industry"]


def test_general_motors(companies):
    gm = by_name(companies, "General Motors")
    assert "GM" in gm["abbreviations"]
    assert gm["country"] == "US"
    assert gm["city"] == "Detroit"
    assert "Opel" not in gm["names"]


def test_volkswagen_family(companies):
    vw = by_name(companies, "Volkswagen")
    assert "VW" in vw["abbreviations"]
    assert vw["city"] == "Wolfsburg"
    assert companies["audi"]["parent"] == vw["id"]
    assert companies["audi"]["city"] == "Ingolstadt"
    assert companies["porsche"]["parent"] == vw["id"]


def test_saab_is_swedish(companies):
    assert by_name(companies, "Saab")["country"] == "SE"


def test_rating_agencies(companies):
    for name in ["Fitch", "Moody’s", "Standard & Poor’s", "Scope"]:
        assert "Ratingagentur" in by_name(companies, name)["industry"], name
    assert "S&P" in companies["standard-poors"]["abbreviations"]


def test_subsidiaries(companies):
    assert companies["germanwings"]["parent"] == "lufthansa"
    assert companies["hypovereinsbank"]["parent"] == "unicredit"
    assert "HVB" in companies["hypovereinsbank"]["abbreviations"]
    assert companies["opel"]["parent"] == "stellantis"


def test_orgs(companies):
    for kb_id in ["ezb", "bundesbank", "ig-metall", "verdi", "gdl", "vereinigung-cockpit", "ufo",
                  "vda", "bdi", "dihk", "bundeskartellamt", "bafin", "sec", "fed", "iwf", "oecd", "wto"]:
        assert companies[kb_id]["type"] == "ORG", kb_id
    assert companies["fed"]["country"] == "US"
    assert "Notenbank" in companies["fed"]["industry"]


def test_company_types(companies):
    for kb_id in ["dpa", "reuters", "fitch", "lufthansa", "deutsche-bank", "munich-re", "axel-springer"]:
        assert companies[kb_id]["type"] == "COMPANY", kb_id


def test_no_generic_industry_nouns(companies):
    for c in companies.values():
        assert not {"Konzern", "Unternehmen", "Firma", "Gruppe"} & set(c["industry"]), c["id"]


def test_places(places):
    index = {(p["name"], p["kind"]): p for p in places}
    assert index[("München", "city")]["adjective"] == "Münchner"
    assert index[("Bayern", "region")]["adjective"] == "bayerisch"
    us = index[("Vereinigte Staaten", "country")]
    assert "Amerikaner" in us["demonyms"] and "US" in us["prefixes"]
    assert index[("Schweden", "country")]["adjective"] == "schwedisch"
    bundeslaender = {p["name"] for p in places if p["kind"] == "region" and p["country"] == "DE"}
    assert len(bundeslaender) == 16
    eu = set("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
    assert eu <= {p["country"] for p in places if p["kind"] == "country"}


def test_media_are_companies_in_the_media_sector(companies):
    """A medium quoted as a source is no relation party: that needs type COMPANY and an industry
    noun of the `media` sector (extractor/kb.py `company_sectors`)."""
    from extractor.kb import load_kb

    kb = load_kb(str(data_path()))
    for kb_id in ["der-standard", "kronen-zeitung", "die-presse", "kurier", "nzz", "tages-anzeiger", "blick", "taz",
                  "stern", "apa", "keystone-sda", "orf", "zdf", "ard", "srf", "bbc", "cnn", "new-york-times",
                  "wall-street-journal", "le-monde", "tass", "servus-tv", "puls-4"]:
        assert companies[kb_id]["type"] == "COMPANY", kb_id
        assert "media" in kb.company_sectors(kb.get(kb_id)), kb_id
    assert "SDA" in companies["keystone-sda"]["abbreviations"]
    assert "NZZ" in companies["nzz"]["abbreviations"]
    assert companies["die-presse"]["parent"] == "styria-media-group"


def test_parties_and_institutions(companies):
    for kb_id in ["liste-pilz", "gruene-oesterreich", "rassemblement-national", "pis", "fidesz", "syriza",
                  "labour", "conservative-party", "movimento-5-stelle", "republikanische-partei-usa",
                  "esma", "egmr", "ilo", "iaea", "osze", "wksta", "gpa", "pro-ge", "unia", "bundesfinanzhof"]:
        assert companies[kb_id]["type"] == "ORG", kb_id
    assert "Partei" in companies["syriza"]["industry"]
    assert "Nationalbank" in companies["oenb"]["names"]
    assert "Front National" in companies["rassemblement-national"]["names"]
    assert "GOP" in companies["republikanische-partei-usa"]["abbreviations"]
    assert "M5S" in companies["movimento-5-stelle"]["abbreviations"]
    for kb_id in ["wiener-boerse", "six-group", "nyse", "asfinag", "big", "magenta-telekom", "github"]:
        assert companies[kb_id]["type"] == "COMPANY", kb_id
    assert companies["nyse"]["parent"] == "intercontinental-exchange"


def test_common_word_names_are_listed_as_ambiguous(companies):
    """Names that are ordinary words count only where the NER or a compound supports them."""
    ambiguous = {line.strip() for line in (data_path("lexicons") / "ambiguous_names.txt").read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")}
    for word in ["Standard", "Standards", "Der Standard", "Krone", "Presse", "Die Presse", "Kurier", "Blick", "Stern",
                 "Bild", "Welt", "Die Welt", "Zeit", "Die Zeit", "Magenta", "Salt", "A1", "Demokraten",
                 "Republikaner", "Die Mitte", "JETZT"]:
        assert word in ambiguous, word
        stem = word[:-1] if word.endswith("s") else word  # "Standards": the genitive variant of "Standard"
        assert any({word, stem} & set(check_kb.surface_forms(c)) for c in companies.values()), word


def test_nickname_aliases(companies):
    expected = {
        "1-fc-koeln": "Geißböcke",
        "fc-schalke-04": "Knappen",
        "borussia-dortmund": "Schwarz-Gelben",
        "fc-bayern-muenchen": "Rekordmeister",
        "hertha-bsc": "Alte Dame",
        "rapid-wien": "Hütteldorfer",
        "austria-wien": "Veilchen",
        "real-madrid": "Königlichen",
        "lufthansa": "Kranich-Linie",
        "fed": "Notenbanker",
        "iwf": "Währungsfonds",
    }
    for cid, alias in expected.items():
        assert alias in companies[cid]["aliases"], (cid, alias)
    for club in ("fc-schalke-04", "rapid-wien", "fc-barcelona", "red-bull-salzburg"):
        assert companies[club]["type"] == "ORG" and companies[club]["city"] and companies[club]["country"]
    with open(data_path("lexicons", "industry.json"), encoding="utf-8") as fh:
        generic = {w.casefold() for w in json.load(fh)["generic"]}
    generic |= {"verein", "club", "klub", "bank"}
    bare = [(c["id"], a) for c in companies.values() for a in c["aliases"] if a.casefold() in generic]
    assert bare == []


def test_regular_town_adjectives_from_the_gazetteer():
    """ "Paderborner", "Wismarer", "Münchener": derived from gazetteers/cities.txt; curated forms
    win, and short towns or company nouns yield none ("Konzern" is not "Konzer" from Konz)."""
    from extractor.kb import load_kb, town_adjectives

    kb = load_kb(str(data_path()))
    assert kb.adjective_place("Paderborner").name == "Paderborn"
    assert kb.demonym_place("Paderbornern").name == "Paderborn"
    assert kb.adjective_place("Münchener").name == "München"  # beside the curated "Münchner"
    assert kb.demonym_place("Schweizern").name == "Schweiz"
    assert kb.demonym_place("Konzern") is None and kb.adjective_place("Großer") is None
    assert town_adjectives("Darmstadt") == ("Darmstädter",) and town_adjectives("Göttingen") == ("Göttinger",)
    assert kb.within({"city:München"}) >= {"region:Bayern", "country:DE"}
