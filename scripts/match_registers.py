#!/usr/bin/env python3
"""Match knowledge-base companies to open registers and store their identifiers.

Usage: python scripts/match_registers.py [--data ../shared/data] [--kb extractor/data/kb] [--report PATH] [--dry-run]

Writes an optional `"ids": {"isin": ..., "register": ..., "cik": ...}` into each
matched line of extractor/data/kb/companies.jsonl (every other key, the order and the
format stay as they are) and a report of the ambiguous cases that were skipped.

Precision matters far more than coverage: a wrong identifier links an article to
the wrong legal entity downstream, a missing one only loses a join. So every rule
needs two independent agreements (ticker and name, or legal name and seat), and a
company with two different candidates gets none:

- ISIN (FinanceDatabase): the listing's ticker and normalised name both agree on
  a preferred exchange (clean names), or the exact normalised legal name agrees on
  a German/Austrian/Swiss listing for a company of that country. The ISIN's
  country prefix must be the company's country (a US prefix on a European
  company is an ADR, not the share).
- CIK (SEC EDGAR): ticker and normalised name agree, US companies only.
- Register number (OffeneRegister): exactly one live entry bears the company's
  legal name (legal form spelled out or abbreviated, nothing else folded) and
  its seat is the KB city where the KB knows one.
"""
from __future__ import annotations

import argparse
import csv
import json
import lzma
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
ID_KEYS = ("isin", "register", "cik")
PREFERRED = ("GER", "VIE", "EBS", "LSE", "NYQ", "PAR")  # clean legal names
DACH_EXCHANGES = ("GER", "VIE", "EBS", "BER", "DUS", "HAM", "HAN", "MUN")  # regional ones truncate: exact only
DACH = {"DE", "AT", "CH"}
LIVE = "currently registered"

# legal forms folded away for the name key (longest first); share-class markers
# such as "Pref" or "Vz" are kept on purpose: preference shares have their own ISIN
LEGAL_FORMS = sorted({
    "aktiengesellschaft", "ag", "se", "societas europaea", "kgaa", "gmbh", "kg", "ohg", "mbh",
    "gmbh & co kg", "gmbh & co kgaa", "ag & co kgaa", "& co kgaa", "& co kg", "& co", "co", "& cie",
    "inc", "incorporated", "corp", "corporation", "company", "cos", "ltd", "limited", "plc", "llc", "lp",
    "sa", "s a", "spa", "s p a", "nv", "n v", "bv", "sas", "ab", "ab publ", "publ", "asa", "a/s", "as", "oyj",
}, key=len, reverse=True)
_FORM_RE = re.compile(r"(?:[\s,]+(?:" + "|".join(re.escape(f) for f in LEGAL_FORMS) + r"))+$")
_SPELLED = [  # register names spell out what the KB abbreviates, or the reverse
    (re.compile(r"\bgesellschaft mit beschränkter haftung\b"), "gmbh"),
    (re.compile(r"\bkommanditgesellschaft auf aktien\b"), "kgaa"),
    (re.compile(r"\baktiengesellschaft\b"), "ag"),
    (re.compile(r"\bkommanditgesellschaft\b"), "kg"),
    (re.compile(r"\bsocietas europaea\b"), "se"),
    (re.compile(r"\beingetragener verein\b"), "ev"),
    (re.compile(r"\beingetragene genossenschaft\b"), "eg"),
]


def _basic(name: str) -> str:
    """Lower case, umlauts transliterated, punctuation dropped, spaces collapsed."""
    name = unicodedata.normalize("NFC", name).casefold()
    name = name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = name.replace("+", " and ").replace(" und ", " & ").replace(" and ", " & ")
    name = re.sub(r"\s*/[a-z]{2,3}/?$", "", name)  # SEC's state of incorporation: "AMPHENOL CORP /DE/"
    name = re.sub(r"['’!]", "", name)  # "Lowe's", "Yum! Brands"
    name = re.sub(r"[-.,()\"/]", " ", name)
    return re.sub(r"\s+", " ", name).strip()


def name_key(name: str) -> str:
    """The company as a listing names it, legal forms folded away: "Siemens Aktiengesellschaft" -> "siemens"."""
    key = _basic(name)
    key = re.sub(r"^the ", "", key)
    stripped = _FORM_RE.sub("", key).strip(" ,&")
    return stripped or key


def legal_key(name: str) -> str:
    """A legal name with its legal form kept, spelled one way: "Siemens Aktiengesellschaft" == "Siemens AG"."""
    key = unicodedata.normalize("NFC", name).casefold()
    for pattern, short in _SPELLED:
        key = pattern.sub(short, key)
    key = re.sub(r"\s+", " ", re.sub(r"[.,]", " ", key)).strip()
    return re.sub(r"\be v$", "ev", key)


PREFERENCE = re.compile(r"\b(?:pref|preferred|pfd|vz|vzo|vorzug\w*)\b")


def names_agree(kb_keys: Set[str], key: str) -> bool:
    """With the ticker agreeing, the register name may go on: "altria" ~ "altria group", not "bny" ~ "blackrock".

    Never into a preference share ("Bayerische Motoren Werke AG Pref"): it has an ISIN of its own.
    """
    if key in kb_keys:
        return True
    return any(len(k) >= 4 and key.startswith(k + " ") and not PREFERENCE.search(key[len(k):]) for k in kb_keys)


def ticker_key(symbol: str) -> str:
    """ "BRK-B", "BRK.B", "brk b" -> "BRKB": exchanges spell share classes differently."""
    return re.sub(r"[^A-Z0-9]", "", symbol.upper())


def valid_isin(isin: str) -> bool:
    """Shape and Luhn check digit: a scraped listing can carry a mangled ISIN."""
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", isin):
        return False
    digits = "".join(str(int(ch, 36)) for ch in isin[:-1])
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(isin[-1])


# --- registers --------------------------------------------------------------------
@dataclass(frozen=True)
class Listing:
    exchange: str
    symbol: str  # without the exchange suffix
    name: str
    isin: str


def _xz_csv(path: Path, delimiter: str = ",") -> Iterator[dict]:
    csv.field_size_limit(1 << 24)
    with lzma.open(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter=delimiter)


def read_listings(folder: Path, exchanges: Iterable[str]) -> List[Listing]:
    """Listings with an ISIN from the FinanceDatabase exchange files."""
    out = []
    for exchange in exchanges:
        path = folder / f"{exchange}.csv.xz"
        if not path.exists():
            continue
        for row in _xz_csv(path):
            if valid_isin((row.get("isin") or "").strip()) and row.get("name"):
                symbol = row["symbol"].rsplit(".", 1)[0] if "." in row["symbol"] and exchange != "NYQ" else row["symbol"]
                out.append(Listing(exchange, symbol, row["name"], row["isin"].strip()))
    return out


def read_sec(folder: Path) -> List[Tuple[str, str, str]]:
    """(ticker, name, cik) rows of SEC's company_tickers.json."""
    rows = json.loads((folder / "company_tickers.json").read_text(encoding="utf-8"))
    return [(r["ticker"], r["title"], str(r["cik_str"])) for r in rows.values()]


def read_register(folder: Path, wanted: Set[str]) -> Dict[str, List[dict]]:
    """OffeneRegister rows whose current or a previous name has a legal key in `wanted`."""
    hits: Dict[str, List[dict]] = defaultdict(list)
    for path in sorted(folder.glob("*.tsv.xz")):
        for row in _xz_csv(path, "\t"):
            previous = [(n, True) for n in (row.get("previous_names") or "").split("|") if n]
            for name, former in [(row["name"] or "", False), *previous]:
                key = legal_key(name)
                if name and key in wanted:
                    hits[key].append({**row, "matched_previous": former})
    return hits


# --- matching ---------------------------------------------------------------------
class Matcher:
    """Collects ids per company and the ambiguous cases it refused."""

    def __init__(self, companies: List[dict], places: List[dict]) -> None:
        self.companies = companies
        self.ids: Dict[str, Dict[str, str]] = defaultdict(dict)
        self.skipped: List[str] = []
        self.city_names = _city_names(places)

    def skip(self, company: dict, kind: str, why: str) -> None:
        self.skipped.append(f"{kind}\t{company['id']}\t{why}")

    # ISIN
    def match_isin(self, listings: List[Listing]) -> None:
        by_name: Dict[str, List[Listing]] = defaultdict(list)
        by_ticker: Dict[str, List[Listing]] = defaultdict(list)
        for listing in listings:
            by_name[name_key(listing.name)].append(listing)
            if listing.exchange in PREFERRED:
                by_ticker[ticker_key(listing.symbol)].append(listing)
        for company in self.companies:
            if company["type"] == "COMPANY":
                self._isin(company, by_name, by_ticker)

    def _isin(self, company: dict, by_name: Dict[str, List[Listing]], by_ticker: Dict[str, List[Listing]]) -> None:
        country, ticker = company["country"], company["ticker"]
        names = {name_key(n) for n in [company["name"], *company["names"], *company["legal_names"]]}
        legal = {name_key(n) for n in company["legal_names"]}
        strong = {l for l in by_ticker.get(ticker_key(ticker or ""), []) if names_agree(names, name_key(l.name))}
        exact = {l for key in legal for l in by_name.get(key, [])
                 if country in DACH and l.exchange in DACH_EXCHANGES}
        found = strong | exact
        isins = {l.isin for l in found}
        wrong = {i for i in isins if i[:2] != country}
        if wrong:
            self.skip(company, "isin", f"ISIN country {sorted(wrong)} is not {country} ({_show(found)})")
            isins -= wrong
        if len(isins) == 1:
            self.ids[company["id"]]["isin"] = isins.pop()
        elif isins:  # ordinary and preference shares, or a mislabelled listing: either way not one answer
            self.skip(company, "isin", f"several ISINs {_show(l for l in found if l.isin in isins)}")

    # CIK
    def match_cik(self, rows: List[Tuple[str, str, str]]) -> None:
        by_ticker: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
        for ticker, name, cik in rows:
            by_ticker[ticker_key(ticker)].append((name, cik))
        for company in self.companies:
            if company["country"] != "US" or not company["ticker"]:
                continue
            names = {name_key(n) for n in [company["name"], *company["names"], *company["legal_names"]]}
            rows_ = by_ticker.get(ticker_key(company["ticker"]), [])
            ciks = {cik for name, cik in rows_ if names_agree(names, name_key(name))}
            if len(ciks) == 1:
                self.ids[company["id"]]["cik"] = ciks.pop()
            elif len(ciks) > 1:
                self.skip(company, "cik", f"several CIKs {sorted(ciks)}")
            elif rows_:
                self.skip(company, "cik", f"ticker {company['ticker']} is {sorted({n for n, _ in rows_})}, "
                                          "name differs")

    # register number
    def register_keys(self) -> Set[str]:
        return {legal_key(n) for c in self.companies if c["country"] == "DE" for n in c["legal_names"]}

    def match_register(self, hits: Dict[str, List[dict]]) -> None:
        for company in self.companies:
            if company["country"] == "DE" and company["legal_names"]:
                self._register(company, hits)

    def _register(self, company: dict, hits: Dict[str, List[dict]]) -> None:
        rows = [r for n in company["legal_names"] for r in hits.get(legal_key(n), [])]
        if company["type"] == "COMPANY":
            rows = [r for r in rows if r["register_art"] != "VR"]  # associations are no companies
        live = [r for r in rows if r["current_status"] == LIVE]
        numbers = {r["native_company_number"] for r in live}
        if not numbers:
            return
        if len(numbers) > 1:
            self.skip(company, "register", f"several live entries {sorted(numbers)}")
            return
        row = live[0]
        if any(r["matched_previous"] for r in live):
            self.skip(company, "register", f"{row['native_company_number']} bears the name only as a former one")
            return
        seats = self.city_names.get(company["city"], {company["city"]}) if company["city"] else None
        if seats is not None and row["registered_office"] not in seats:
            self.skip(company, "register", f"{row['native_company_number']} ({row['name']}) sits in "
                                           f"{row['registered_office']!r}, KB city {company['city']!r}")
            return
        self.ids[company["id"]]["register"] = row["native_company_number"]

    def drop_shared(self) -> None:
        """An identifier claimed by two KB entries identifies neither reliably."""
        owners: Dict[Tuple[str, str], List[str]] = defaultdict(list)
        for kb_id, ids in self.ids.items():
            for key, value in ids.items():
                owners[(key, value)].append(kb_id)
        by_id = {c["id"]: c for c in self.companies}
        for (key, value), kb_ids in owners.items():
            if len(kb_ids) > 1:
                for kb_id in kb_ids:
                    del self.ids[kb_id][key]
                    self.skip(by_id[kb_id], key, f"{value} also matched {sorted(set(kb_ids) - {kb_id})}")


def _show(listings: Iterable[Listing]) -> str:
    return ", ".join(sorted({f"{l.exchange}:{l.symbol} {l.name!r} {l.isin}" for l in listings}))


def _city_names(places: List[dict]) -> Dict[str, Set[str]]:
    """Each city's names: a register seat "Frankfurt am Main" is the KB's "Frankfurt am Main" or "Frankfurt"."""
    out: Dict[str, Set[str]] = {}
    for p in places:
        if p["kind"] == "city":
            names = {p["name"], *p.get("other_names", [])}
            for n in names:
                out.setdefault(n, set()).update(names)
    return out


# --- the KB file ------------------------------------------------------------------
def read_jsonl(path: Path) -> List[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_companies(path: Path, companies: List[dict], ids: Dict[str, Dict[str, str]]) -> None:
    """Rewrite the file in its own format; `ids` goes last, keys in ID_KEYS order, absent when empty."""
    lines = []
    for company in companies:
        row = {k: v for k, v in company.items() if k != "ids"}
        found = ids.get(company["id"], {})
        if found:
            row["ids"] = {k: found[k] for k in ID_KEYS if k in found}
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    tmp = path.with_suffix(".jsonl.tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(path)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--kb", type=Path, default=ROOT / "extractor" / "data" / "kb")
    parser.add_argument("--report", type=Path, default=ROOT / "extractor" / "data" / "kb" / "registers_skipped.tsv")
    parser.add_argument("--dry-run", action="store_true", help="print counts, write nothing")
    args = parser.parse_args(argv)
    registers = args.data / "companies" / "registers"
    companies = read_jsonl(args.kb / "companies.jsonl")
    matcher = Matcher(companies, read_jsonl(args.kb / "places.jsonl"))
    exchanges = sorted(set(PREFERRED) | set(DACH_EXCHANGES))
    matcher.match_isin(read_listings(registers / "financedatabase" / "equities", exchanges))
    matcher.match_cik(read_sec(registers / "sec"))
    matcher.match_register(read_register(registers / "offeneregister", matcher.register_keys()))
    matcher.drop_shared()
    counts = Counter(key for ids in matcher.ids.values() for key in ids)
    print(", ".join(f"{key} {counts[key]}" for key in ID_KEYS),
          f"({sum(1 for ids in matcher.ids.values() if ids)} companies); skipped {len(matcher.skipped)}")
    if not args.dry_run:
        write_companies(args.kb / "companies.jsonl", companies, matcher.ids)
        args.report.write_text("kind\tkb_id\twhy skipped\n" + "".join(f"{s}\n" for s in sorted(matcher.skipped)),
                               encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
