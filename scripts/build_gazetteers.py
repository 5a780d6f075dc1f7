"""Build extractor/data/gazetteers/ (name lists the bundled model uses as token features).

Reads ../shared/data/names (GermaNER surnames, ASL 2.0; OpenStreetMap city names,
CC BY-SA 2.0; official country names, public domain), the training corpora's
person names (first names, CC BY 4.0) and the knowledge base (company name words).

    python scripts/build_gazetteers.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "extractor" / "data" / "gazetteers"
WORD = re.compile(r"^[A-ZÄÖÜ][\wÄÖÜäöüß'’.&-]*$")


def words(lines):
    for line in lines:
        for word in line.split():
            if WORD.match(word) and len(word) > 1:
                yield word


def first_names(data: Path) -> set:
    names = set()

    def add(text: str) -> None:
        parts = text.split()
        if len(parts) >= 2 and re.match(r"^[A-ZÄÖÜ][a-zäöüéèáßç]+$", parts[0]):
            names.add(parts[0])

    for line in (data / "smartdata" / "train.jsonl").open(encoding="utf-8"):
        doc = json.loads(line)
        for ent in doc["entities"]:
            if ent["type"] == "PERSON":
                add(doc["text"][ent["start"]:ent["end"]])
    for name in ("germeval2014/germeval2014-dev.jsonl", "ler/ler-dev.jsonl", "ler/ler-test.jsonl"):
        for line in (data / name).open(encoding="utf-8"):
            sent = json.loads(line)
            for start, end, label in sent["ents"]:
                if label in ("PER", "RR", "AN"):
                    add(sent["text"][start:end])
    return names - {"Herr", "Frau", "Dr", "Prof", "Sankt", "St", "Der", "Die", "Das", "Papst", "König"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    names = args.data / "names"
    OUT.mkdir(parents=True, exist_ok=True)
    lists = {
        "surnames": set(words((names / "personennamen.list").read_text(encoding="utf-8").splitlines())),
        "cities": set(words((names / "stadtnamen.list").read_text(encoding="utf-8").splitlines())),
        "countries": set(words((names / "laendernamen.list").read_text(encoding="utf-8").splitlines())),
        "first_names": first_names(args.data),
    }
    companies = set()
    for line in (ROOT / "extractor" / "data" / "kb" / "companies.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        companies.update(words([row["name"], *row["names"], *row["legal_names"], *row["abbreviations"]]))
    lists["companies"] = companies
    for place in (ROOT / "extractor" / "data" / "kb" / "places.jsonl").open(encoding="utf-8"):
        row = json.loads(place)
        key = "countries" if row["kind"] == "country" else "cities"
        lists[key].update(words([row["name"], *row.get("other_names", [])]))
    for name, entries in lists.items():
        (OUT / f"{name}.txt").write_text("\n".join(sorted(entries)) + "\n", encoding="utf-8")
        print(f"{name}: {len(entries)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
