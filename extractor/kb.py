"""The company knowledge base and the place lexicon it draws descriptive aliases from.

Descriptive references are not listed per company: a company's HQ city, region and
country (extractor/data/kb/places.jsonl) give its demonyms ("die Münchner", "die Bayern",
"die Amerikaner"), adjectives ("bayerisch", "schwedisch") and prefixes ("US-"), and
its industry nouns (extractor/data/lexicons/industry.json) give the heads ("Autobauer").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

import orjson

LEGAL_FORMS = (
    "gmbh & co. kgaa", "gmbh & co. kg", "gmbh & co kg", "gesellschaft m.b.h.", "ges.m.b.h.", "gesmbh", "m.b.h.", "& co. kgaa", "& co. kg", "& co. ohg", "& co.", "& co",
    "ag & co. kgaa", "kgaa", "gmbh", "ag", "se", "kg", "ohg", "mbh", "e.v.", "eg", "inc.", "inc", "corp.", "corp",
    "corporation", "co.", "ltd.", "ltd", "limited", "plc", "llc", "s.a.", "sa", "s.p.a.", "spa", "n.v.", "nv",
    "b.v.", "bv", "s.a.s.", "sas", "ab", "asa", "a/s", "oyj", "holding", "holdings", "group", "gruppe", "konzern",
)
_LEGAL_RE = re.compile(
    r"(?:[\s,]+(?:" + "|".join(re.escape(form) for form in sorted(LEGAL_FORMS, key=len, reverse=True)) + r"))+\s*$",
    re.I,
)


def without_endings(word: str, endings: Iterable[str]) -> Iterator[Tuple[str, str]]:
    """(ending, what is left) for each of `endings` the word has, in the order given ("" for
    the word itself): the one inflection helper of the lexicon look-ups."""
    for ending in endings:
        if not ending:
            yield ending, word
        elif word.endswith(ending):
            yield ending, word[: len(word) - len(ending)]


def fold(name: str) -> str:
    """Case-folded, whitespace-collapsed name without legal-form suffix: the matching key."""
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"\s+", " ", name).strip(" \t\n.,;:!?\"'()[]„“”«»‚‘’")
    stripped = _LEGAL_RE.sub("", name)
    return (stripped or name).casefold()


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # city | region | country
    country: Optional[str]
    region: Optional[str]
    demonyms: Tuple[str, ...] = ()
    adjective: Optional[str] = None
    prefixes: Tuple[str, ...] = ()
    other_names: Tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass
class Company:
    id: str
    name: str
    type: str
    legal_names: List[str] = field(default_factory=list)
    names: List[str] = field(default_factory=list)
    abbreviations: List[str] = field(default_factory=list)
    industry: List[str] = field(default_factory=list)
    city: Optional[str] = None
    region: Optional[str] = None
    country: Optional[str] = None
    parent: Optional[str] = None
    aliases: List[str] = field(default_factory=list)
    ids: Dict[str, str] = field(default_factory=dict)  # stable identifiers: ID_KEYS only

    def surface_forms(self) -> List[str]:
        return [self.name, *self.names, *self.legal_names, *self.abbreviations]


class KnowledgeBase:
    """Companies and organisations with their names, HQ places and industry nouns."""

    def __init__(self, companies: Iterable[Company], places: Iterable[Place], industry: dict,
                 towns: Iterable[str] = ()) -> None:
        self.companies: Dict[str, Company] = {c.id: c for c in companies}
        towns = list(towns)
        self.places: List[Place] = list(places)
        self.industry = industry
        self._by_fold: Dict[str, str] = {}
        for company in self.companies.values():
            for form in company.surface_forms():
                self._by_fold.setdefault(fold(form), company.id)
        self._place_words: Dict[str, Place] = {}
        self._place_by_name: Dict[Tuple[str, str], Place] = {}
        self._place_names: Dict[str, List[Place]] = {}
        for place in self.places:
            self._place_by_name[(place.kind, place.name)] = place
            self._place_names.setdefault(place.name, []).append(place)
            for word in (*place.demonyms, *place.prefixes):
                self._place_words.setdefault(word, place)
            if place.adjective:
                self._place_words.setdefault(place.adjective.casefold(), place)
        self._sector_cache: Dict[str, Tuple[Optional[str], bool]] = {}
        self._generic = frozenset(industry["generic"])
        self._noun_sectors = {noun: sector for sector, nouns in industry["sectors"].items() for noun in nouns}
        # regular adjectives of the gazetteer's towns ("Paderborner", "Münchener"); curated forms
        # win, and a company noun is never one ("Konzern" is no plural of "Konzer" from Konz)
        self._town_words: Dict[str, str] = {}
        for town in towns:
            for word in town_adjectives(town):
                if word.casefold() not in self._place_words and not self._noun_sectors_uncached(word)[1] \
                        and not self._noun_sectors_uncached(word + "n")[1]:
                    self._town_words.setdefault(word, town)
        self._towns: Dict[str, Place] = {}
        self._town_names = frozenset(town for town in towns if town[:1].isupper())

    def __len__(self) -> int:
        return len(self.companies)

    def get(self, kb_id: Optional[str]) -> Optional[Company]:
        return self.companies.get(kb_id) if kb_id else None

    def lookup(self, name: str) -> Optional[Company]:
        """Exact match on the folded name (legal forms dropped)."""
        kb_id = self._by_fold.get(fold(name))
        return self.companies[kb_id] if kb_id else None

    def folded_names(self) -> Dict[str, str]:
        return self._by_fold

    # --- places -----------------------------------------------------------------
    def demonym_place(self, word: str) -> Optional[Place]:
        """The place whose people `word` names ("Bayern", "Amerikaner", "Münchner"); a town's
        regular "-er" form names its people too ("die Paderborner", "den Paderbornern")."""
        for form in (word, word[:-1]) if word.endswith("ern") else (word,):
            place = self._place_words.get(form)
            if place and form in place.demonyms:
                return place
            place = self._town_of(form)
            if place is not None:
                return place
        return None

    def places_named(self, word: str) -> List[Place]:
        """The places called `word` ("Wien": the city and the Bundesland): in organisation
        names such as "SG Flensburg-Handewitt" they say where the organisation is."""
        return self._place_names.get(word, [])

    def places_called(self, name: str) -> List[Place]:
        """The curated places called `name`, else the gazetteer's town of that name ("Wismar";
        "WISMAR" in a dateline)."""
        for form in (name, name.title()) if name.isupper() else (name,):
            if form in self._place_names:
                return self._place_names[form]
            if form in self._town_names:
                return [self._town(form)]
        return []

    def within(self, keys: Iterable[str]) -> FrozenSet[str]:
        """The keys and those of the places around them: a Munich company is a Bavarian and a
        German one ("city:München" -> also "region:Bayern", "country:DE")."""
        out: Set[str] = set(keys)
        for key in keys:
            kind, _, name = key.partition(":")
            place = self._place_by_name.get((kind, name)) or (self._towns.get(name) if kind == "city" else None)
            if place is None:
                continue
            if place.region:
                out.add(f"region:{place.region}")
            if place.country and kind != "country":
                out.add(f"country:{place.country}")
        return frozenset(out)

    def prefix_place(self, word: str) -> Optional[Place]:
        place = self._place_words.get(word)
        return place if place and word in place.prefixes else None

    def adjective_place(self, word: str) -> Optional[Place]:
        """The place of an inflected adjective: "bayerische" -> Bayern, "Münchner" -> München."""
        for _, stem in without_endings(word.casefold(), ("", "e", "en", "er", "es", "em")):
            place = self._place_words.get(stem)
            if place and place.adjective and place.adjective.casefold() == stem:
                return place
        return self._town_of(word)

    def _town_of(self, word: str) -> Optional[Place]:
        """The town of a regular town adjective (indeclinable, capitalised): "Wismarer" -> Wismar;
        the curated place where there is one, else a bare city the gazetteer names."""
        town = self._town_words.get(word)
        return self._town(town) if town is not None else None

    def _town(self, town: str) -> Place:
        place = self._place_by_name.get(("city", town))
        if place is None:
            # beyond the curated places the gazetteer's towns are German ones (scripts/build_gazetteers.py)
            place = self._towns.setdefault(town, Place(name=town, kind="city", country="DE", region=None))
        return place

    def company_places(self, company: Company) -> FrozenSet[str]:
        """Keys of every place a company belongs to: its HQ city, region and country."""
        keys: Set[str] = set()
        if company.city:
            keys.add(f"city:{company.city}")
            city = self._place_by_name.get(("city", company.city))
            if city and city.region:
                keys.add(f"region:{city.region}")
        if company.region:
            keys.add(f"region:{company.region}")
        if company.country:
            keys.add(f"country:{company.country}")
        return frozenset(keys)

    @staticmethod
    def place_keys(place: Place) -> FrozenSet[str]:
        """What a place reference can match: a country by code, others by name."""
        if place.kind == "country":
            return frozenset({f"country:{place.country}"})
        return frozenset({place.key})

    # --- industry ---------------------------------------------------------------
    def noun_sectors(self, noun: str) -> Tuple[Optional[str], bool]:
        """(sector, is_known_head) of an uninflected industry noun; compounds by prefix (memoised)."""
        cached = self._sector_cache.get(noun)
        if cached is None:
            cached = self._sector_cache[noun] = self._noun_sectors_uncached(noun)
        return cached

    def _noun_sectors_uncached(self, noun: str) -> Tuple[Optional[str], bool]:
        low = noun.casefold()
        if low in self._noun_sectors:
            return self._noun_sectors[low], True
        generic = self._generic
        for i in range(1, len(low) - 2):  # longest generic head first: "Auto|gigant"
            if low[i:] in generic:
                prefix = low[:i].rstrip("-")
                # "Batterie|hersteller": a generic head makes any compound an industry noun, sector unknown
                return self.industry["prefixes"].get(prefix), prefix in self.industry["prefixes"] or len(prefix) >= 3
        if low in generic:
            return None, True
        for i in range(1, min(13, len(low) - 2)):  # a compound of a known noun: "Luxus|autobauer"
            sector = self._noun_sectors.get(low[i:])
            if sector is not None:
                return sector, True
        return None, False

    def company_sectors(self, company: Company) -> FrozenSet[str]:
        return frozenset(s for s in (self.noun_sectors(n)[0] for n in company.industry) if s)


TOWN_SUFFIX_DROPS = ("ingen", "hausen", "ungen")  # "Göttingen" -> "Göttinger", "Holzhausen" -> "Holzhauser"


def town_adjectives(town: str) -> Tuple[str, ...]:
    """The regular adjective of a one-word town: "Paderborn" -> "Paderborner", "Wismar" ->
    "Wismarer", "Darmstadt" -> "Darmstädter", "Göttingen" -> "Göttinger"; none for short names
    (their forms are ordinary words: "Konzer", "Großer") or compound ones (irregular or rare)."""
    if len(town) < 5 or not town.isalpha() or not town[0].isupper() or not town[1:].islower():
        return ()
    if town.endswith("stadt"):
        return (town[:-5] + "städter",)
    if town.endswith(TOWN_SUFFIX_DROPS):
        return (town[:-2] + "er",)
    if town.endswith("e"):
        return (town + "r",)
    return (town + "er",)


def _read_jsonl(path: Path) -> Iterable[dict]:
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


ID_KEYS = ("isin", "register", "cik")
TOWNS = "gazetteers/cities.txt"  # OpenStreetMap town names: their regular adjectives


def check_ids(ids: object, where: str) -> Dict[str, str]:
    """The optional `ids` object; a misspelt key would silently drop an identifier, so it fails loudly."""
    if not isinstance(ids, dict):
        raise ValueError(f"{where}: ids must be an object, not {type(ids).__name__}")
    for key, value in ids.items():
        if key not in ID_KEYS:
            raise ValueError(f"{where}: unknown ids key {key!r} (allowed: {', '.join(ID_KEYS)})")
        if not isinstance(value, str) or not value or value.strip() != value:
            raise ValueError(f"{where}: ids[{key!r}] must be a non-empty string, not {value!r}")
    return dict(ids)


def _company(row: dict, where: str = "companies.jsonl") -> Company:
    keys = Company.__dataclass_fields__
    if "ids" in row:
        row = {**row, "ids": check_ids(row["ids"], f"{where} ({row.get('id')!r})")}
    return Company(**{k: v for k, v in row.items() if k in keys and v is not None})


def _place(row: dict) -> Place:
    return Place(
        name=row["name"], kind=row["kind"], country=row.get("country"), region=row.get("region"),
        demonyms=tuple(row.get("demonyms") or ()), adjective=row.get("adjective"),
        prefixes=tuple(row.get("prefixes") or ()), other_names=tuple(row.get("other_names") or ()),
    )


@lru_cache(maxsize=4)
def load_kb(data_dir: str) -> KnowledgeBase:
    """Load (once per process) the knowledge base from `data_dir`."""
    root = Path(data_dir)
    path = root / "kb" / "companies.jsonl"
    companies = [_company(row, f"{path}:{no}") for no, row in enumerate(_read_jsonl(path), 1)]
    places = [_place(row) for row in _read_jsonl(root / "kb" / "places.jsonl")]
    industry = orjson.loads((root / "lexicons" / "industry.json").read_bytes())
    towns_path = root / TOWNS
    towns = towns_path.read_text(encoding="utf-8").splitlines() if towns_path.exists() else ()
    return KnowledgeBase(companies, places, industry, towns)


@lru_cache(maxsize=16)
def load_lexicon(data_dir: str, name: str) -> dict:
    return orjson.loads((Path(data_dir) / "lexicons" / name).read_bytes())
