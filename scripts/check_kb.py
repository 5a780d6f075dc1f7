#!/usr/bin/env python3
"""Validate the hand-curated knowledge base in extractor/data/kb/.

Usage: python scripts/check_kb.py [KB_DIR]    (default: extractor/data/kb)

Checks companies.jsonl and places.jsonl: schema keys and value types, unique
ids and names, valid types, existing parents (no cycles), sort order, that
every HQ city/region/country has a line in places.jsonl, and that no surface
form (name, other name, legal name, abbreviation) belongs to two entries unless
listed in ALLOWED_SHARED. Exit status 0 when clean, 1 when errors were found.
"""
from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

COMPANY_KEYS = ["id", "name", "type", "legal_names", "names", "abbreviations", "industry",
                "city", "region", "country", "ticker", "indices", "parent", "aliases"]
OPTIONAL_KEYS = ["ids"]  # after the schema keys, when present
ID_KEYS = {"isin", "register", "cik"}
ISIN_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$")
LIST_KEYS = ["legal_names", "names", "abbreviations", "industry", "indices", "aliases"]
PLACE_KEYS = ["name", "kind", "country", "region", "demonyms", "adjective"]
PLACE_OPTIONAL = {"prefixes": [], "other_names": []}
TYPES = {"COMPANY", "ORG"}
KINDS = {"city", "region", "country"}
INDICES = {"DAX", "MDAX", "SDAX", "TecDAX", "Dow Jones", "S&P 500", "Nasdaq-100", "FTSE 100", "FTSE MIB"}
GENERIC_INDUSTRY = {"Konzern", "Unternehmen", "Firma", "Gruppe"}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_RE = re.compile(r"^[A-Z]{2}$")
# surface forms knowingly shared by two entries: {form: {ids}}
ALLOWED_SHARED: dict[str, set[str]] = {}

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "extractor" / "data" / "kb"


def read_jsonl(path: Path) -> tuple[list[dict], list[str]]:
    rows, errors = [], []
    with open(path, encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                errors.append(f"{path.name}:{no}: empty line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{path.name}:{no}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"{path.name}:{no}: not an object")
                continue
            rows.append(obj)
    return rows, errors


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() == v and v for v in value)


def check_places(places: list[dict]) -> list[str]:
    errors = []
    seen = set()
    countries = {p.get("country") for p in places if p.get("kind") == "country"}
    regions = {(p.get("name"), p.get("country")) for p in places if p.get("kind") == "region"}
    for i, p in enumerate(places, 1):
        where = f"places.jsonl:{i} ({p.get('name')!r})"
        missing = [k for k in PLACE_KEYS if k not in p]
        extra = set(p) - set(PLACE_KEYS) - set(PLACE_OPTIONAL)
        if missing:
            errors.append(f"{where}: missing keys {missing}")
            continue
        if extra:
            errors.append(f"{where}: unknown keys {sorted(extra)}")
        if not isinstance(p["name"], str) or not p["name"]:
            errors.append(f"{where}: bad name")
        if p["kind"] not in KINDS:
            errors.append(f"{where}: bad kind {p['kind']!r}")
        if not (isinstance(p["country"], str) and ISO_RE.match(p["country"])):
            errors.append(f"{where}: bad country {p['country']!r}")
        if not _is_str_list(p["demonyms"]):
            errors.append(f"{where}: demonyms must be a list of strings")
        if p["adjective"] is not None and not (isinstance(p["adjective"], str) and p["adjective"]):
            errors.append(f"{where}: adjective must be a string or null")
        for k in PLACE_OPTIONAL:
            if k in p and not _is_str_list(p[k]):
                errors.append(f"{where}: {k} must be a list of strings")
        key = (p["name"], p["kind"], p["country"])
        if key in seen:
            errors.append(f"{where}: duplicate place {key}")
        seen.add(key)
        if p["kind"] == "city" and p["region"] is not None and (p["region"], p["country"]) not in regions:
            errors.append(f"{where}: region {p['region']!r} has no region line")
        if p["kind"] != "city" and p["region"] is not None:
            errors.append(f"{where}: only cities carry a region")
        if p["country"] not in countries:
            errors.append(f"{where}: country {p['country']!r} has no country line")
    return errors


def surface_forms(entry: dict) -> list[str]:
    return [entry["name"], *entry["names"], *entry["legal_names"], *entry["abbreviations"]]


def check_companies(companies: list[dict], places: list[dict]) -> list[str]:
    errors = []
    ids = [c.get("id") for c in companies]
    idset = set(ids)
    city_index = set()
    for p in places:
        if p.get("kind") == "city":
            for n in [p["name"], *p.get("other_names", [])]:
                city_index.add((n, p["country"]))
    regions = {(p["name"], p["country"]) for p in places if p.get("kind") == "region"}
    countries = {p["country"] for p in places if p.get("kind") == "country"}
    names = defaultdict(list)
    for i, c in enumerate(companies, 1):
        where = f"companies.jsonl:{i} ({c.get('id')!r})"
        if list(c) != COMPANY_KEYS + [k for k in OPTIONAL_KEYS if k in c]:
            missing = [k for k in COMPANY_KEYS if k not in c]
            extra = [k for k in c if k not in COMPANY_KEYS + OPTIONAL_KEYS]
            if missing or extra:
                errors.append(f"{where}: keys missing {missing} unknown {extra}")
                continue
            errors.append(f"{where}: keys not in schema order")
        if not (isinstance(c["id"], str) and ID_RE.match(c["id"])):
            errors.append(f"{where}: id must be a lowercase ascii slug")
        if not (isinstance(c["name"], str) and c["name"].strip() == c["name"] and c["name"]):
            errors.append(f"{where}: bad name")
        if c["type"] not in TYPES:
            errors.append(f"{where}: bad type {c['type']!r}")
        for k in LIST_KEYS:
            if not _is_str_list(c[k]):
                errors.append(f"{where}: {k} must be a list of non-empty strings")
            elif len(set(c[k])) != len(c[k]):
                errors.append(f"{where}: duplicates in {k}")
        if c["name"] in c["names"]:
            errors.append(f"{where}: name repeated in names")
        bad = GENERIC_INDUSTRY & set(c["industry"])
        if bad:
            errors.append(f"{where}: generic industry nouns {sorted(bad)}")
        if c["type"] == "COMPANY" and not c["industry"]:
            errors.append(f"{where}: company without industry nouns")
        for idx in c["indices"]:
            if idx not in INDICES:
                errors.append(f"{where}: unknown index {idx!r}")
        if c["ticker"] is not None and not (isinstance(c["ticker"], str) and c["ticker"]):
            errors.append(f"{where}: ticker must be a string or null")
        if c["country"] is not None:
            if not (isinstance(c["country"], str) and ISO_RE.match(c["country"])):
                errors.append(f"{where}: bad country {c['country']!r}")
            elif c["country"] not in countries:
                errors.append(f"{where}: country {c['country']!r} has no places line")
        if c["city"] is not None and (c["city"], c["country"]) not in city_index:
            errors.append(f"{where}: city {c['city']!r} ({c['country']}) has no places line")
        if c["region"] is not None and (c["region"], c["country"]) not in regions:
            errors.append(f"{where}: region {c['region']!r} ({c['country']}) has no places line")
        if c["parent"] is not None:
            if c["parent"] not in idset:
                errors.append(f"{where}: parent {c['parent']!r} not in KB")
            elif c["parent"] == c["id"]:
                errors.append(f"{where}: is its own parent")
        if "ids" in c:
            errors.extend(check_ids(c["ids"], where))
        names[c["name"]].append(c["id"])
    if len(idset) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        errors.append(f"duplicate ids: {dup}")
    if ids != sorted(ids):
        errors.append("companies.jsonl is not sorted by id")
    for name, owners in names.items():
        if len(owners) > 1:
            errors.append(f"name {name!r} used by {owners}")
    # parent cycles
    parent = {c["id"]: c.get("parent") for c in companies}
    for start in parent:
        seen, cur = set(), start
        while cur is not None and cur in parent:
            if cur in seen:
                errors.append(f"parent cycle through {start!r}")
                break
            seen.add(cur)
            cur = parent[cur]
    errors.extend(check_shared_forms(companies))
    return errors


def check_ids(ids, where: str) -> list[str]:
    """The optional identifiers: known keys, string values, well-formed ISIN and CIK."""
    if not isinstance(ids, dict) or not ids:
        return [f"{where}: ids must be a non-empty object (leave the key out when none is known)"]
    errors = []
    for key, value in ids.items():
        if key not in ID_KEYS:
            errors.append(f"{where}: unknown ids key {key!r} (allowed: {sorted(ID_KEYS)})")
        elif not (isinstance(value, str) and value and value.strip() == value):
            errors.append(f"{where}: ids[{key!r}] must be a non-empty string")
        elif key == "isin" and not ISIN_RE.match(value):
            errors.append(f"{where}: malformed ISIN {value!r}")
        elif key == "cik" and not value.isdigit():
            errors.append(f"{where}: CIK {value!r} is not a number")
    return errors


def shared_forms(companies: list[dict]) -> dict[str, set[str]]:
    """Surface forms (case-sensitive) claimed by more than one entry."""
    owners: dict[str, set[str]] = defaultdict(set)
    for c in companies:
        for form in surface_forms(c):
            owners[form].add(c["id"])
    return {f: ids for f, ids in owners.items() if len(ids) > 1}


def check_shared_forms(companies: list[dict]) -> list[str]:
    errors = []
    for form, ids in sorted(shared_forms(companies).items()):
        if ALLOWED_SHARED.get(form, set()) >= ids:
            continue
        errors.append(f"surface form {form!r} shared by {sorted(ids)}")
    return errors


def check(kb_dir: Path | str = DEFAULT_DIR) -> list[str]:
    kb_dir = Path(kb_dir)
    places, errors = read_jsonl(kb_dir / "places.jsonl")
    companies, errs = read_jsonl(kb_dir / "companies.jsonl")
    errors += errs
    errors += check_places(places)
    errors += check_companies(companies, places)
    return errors


def main(argv: list[str]) -> int:
    kb_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    errors = check(kb_dir)
    for e in errors:
        print(e, file=sys.stderr)
    companies, _ = read_jsonl(kb_dir / "companies.jsonl")
    places, _ = read_jsonl(kb_dir / "places.jsonl")
    counts = defaultdict(int)
    for c in companies:
        counts[c.get("type")] += 1
    print(f"{len(companies)} entries ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}), "
          f"{len(places)} places, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
