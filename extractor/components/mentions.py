"""Entity mentions: statistical NER, the knowledge base and company-name patterns, merged.

Each source proposes spans; longer spans win, and at equal length the knowledge
base beats a legal-form pattern beats the NER. Organisations are then linked to the
knowledge base (exact, then fuzzy with rapidfuzz for spelling and inflection
variants) and typed COMPANY or ORG. A name glued to a hyphen ("BMW-Vorstandschef")
is a `compound` mention covering the name part only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from ..kb import KnowledgeBase, fold, load_kb, without_endings
from ..relation_types import load_json, validation_problems
from .titles import TitleLexicon
from .mention import COMPOUND, ORG_TYPES, STOCK_INDEX, Mention, mentions
from .resources import KB_FILES, TITLES, DataComponent

NER_LABELS = {"PER": "PERSON", "PERSON": "PERSON", "LOC": "LOCATION", "LOCATION": "LOCATION", "GPE": "LOCATION",
              "ORG": "ORG", "COMPANY": "COMPANY", "MISC": "MISC", "OTH": "MISC"}
LEGAL_FORM_TOKENS = ["GmbH", "AG", "SE", "KGaA", "KG", "OHG", "Inc.", "Inc", "Corp.", "Corp", "Ltd.", "Ltd", "plc",
                     "PLC", "LLC", "S.A.", "SA", "N.V.", "NV", "B.V.", "S.p.A.", "SpA", "AB", "ASA", "Oyj", "mbH", "eG",
                     "GesmbH", "m.b.H.", "Ges.m.b.H.", "Ges.m.b.H"]
COMPANY_CUES = re.compile(r"(?i)\b(gmbh|ag|se|kgaa|kg|inc|corp|ltd|plc|llc|holding|bank|versicherung|verlag|werke|"
                          r"airlines?|motors?|group|konzern|brauerei|reederei)\b")
ORG_CUES = re.compile(r"(?i)(ministerium|regierung|gewerkschaft|verband|partei|behörde|amt\b|gericht|kommission|"
                      r"parlament|bundestag|polizei|universität|hochschule|institut|stiftung|verein|zentralbank|"
                      r"notenbank|agentur für|rat\b|senat|union\b|liga|\bfc\b|\bsv\b)")
COMPOUND_HEADS = ("management", "sprecher", "sprecherin", "aktie", "aktien", "tochter", "mutter", "werk", "werke",
                  "zentrale", "gruppe", "konzern", "konzerns", "manager", "chef", "chefin", "vorstand", "betriebsrat",
                  "mitarbeiter", "belegschaft", "kunden", "modelle", "motoren", "übernahme", "insolvenz", "pleite")
INSTITUTION_HEADS = ("ministerium", "ministeriums", "präsidium", "präsidiums", "gericht", "gerichts", "gerichtshof",
                     "gerichtshofs", "behörde", "kommission", "bundesamt", "bundesamts", "bundesamtes",
                     "bundespolizei", "staatsanwaltschaft", "bundesagentur", "bundesanstalt")
# heads that name an institution only with a name glued in front: "Hasso-Plattner-Institut"
CHAIN_HEADS = ("institut", "instituts", "institutes", "stiftung", "zentrum", "zentrums", "klinikum", "klinikums")
AMBIGUOUS = "lexicons/ambiguous_names.txt"
OPENING_QUOTES = {'"', "„", "“", "«", "»", "‚", "'"}
CLOSING_QUOTES = {'"', "“", "”", "»", "«", "‘", "'"}
MONTHS = {"januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "dezember"}
WEEKDAYS = {"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "sonnabend",
            "montagausgabe", "dienstagausgabe", "mittwochausgabe", "donnerstagausgabe", "freitagausgabe",
            "samstagausgabe", "sonntagausgabe", "wochenendausgabe"}
STOCK_INDICES = "lexicons/stock_indices.json"
# words before a name that are not part of it: forms of address, academic titles, "Fa." (Firma)
NAME_PREFIXES = {"Herr", "Herrn", "Frau", "Dr.", "Dr", "Prof.", "Prof", "Dipl.-Ing.", "Ing.", "Mag.", "Dkfm.",
                 "med.", "rer.", "nat.", "h.c.", "Fa.", "Firma"}
# heads that make a hyphen chain after a person's name an organisation or a place named after them
NAMED_ORG_HEADS = ("stiftung", "institut", "museum", "schule", "gymnasium", "universität", "hochschule", "akademie",
                   "klinik", "klinikum", "zentrum", "verein", "gesellschaft")
NAMED_PLACE_HEADS = {"straße", "strasse", "weg", "platz", "allee", "gasse", "ring", "halle", "stadion", "arena",
                     "brücke", "park", "ufer", "damm", "chaussee", "kaserne", "bahnhof"}
PRIORITY = {"kb": 4, "legal": 3, "title": 2, "apposition": 2, "ner": 1}


@Language.factory("entity_mentions", default_config={"fuzzy_cutoff": 90.0},
                  requires=["doc.ents"], assigns=["doc._.mentions"])
def create_entity_mentions(nlp: Language, name: str, fuzzy_cutoff: float) -> "EntityMentions":
    return EntityMentions(nlp, name, fuzzy_cutoff)


class EntityMentions(DataComponent):
    data_files = KB_FILES + (AMBIGUOUS, TITLES, STOCK_INDICES)

    def __init__(self, nlp: Language, name: str = "entity_mentions", fuzzy_cutoff: float = 90.0) -> None:
        super().__init__(name)
        self.nlp = nlp
        self.fuzzy_cutoff = fuzzy_cutoff

    def load(self, data_dir: str) -> None:
        nlp = self.nlp
        self.kb: KnowledgeBase = load_kb(data_dir)
        self.ambiguous = _read_list(Path(data_dir) / AMBIGUOUS)
        self.indices = read_stock_indices(Path(data_dir) / STOCK_INDICES)
        self.kb_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        owners: Dict[str, Set[str]] = {}
        for company in self.kb.companies.values():
            for form in company.surface_forms():
                owners.setdefault(form, set()).add(company.id)
        for company in self.kb.companies.values():
            # an inflected form that is another entry's name is that entry's ("Krone" + s = "Krones")
            forms = sorted({v for v in _variants(company.surface_forms())
                            if owners.get(v, {company.id}) >= {company.id}})
            self.kb_matcher.add(company.id, list(nlp.tokenizer.pipe(forms)))
        self.legal_matcher = Matcher(nlp.vocab)
        name_any = {"TEXT": {"REGEX": r"^[A-ZÄÖÜ0-9][\w&+.\-]*$"}}
        legal = {"ORTH": {"IN": LEGAL_FORM_TOKENS}}
        self.legal_matcher.add("COMPANY", [
            [name_any, {"ORTH": {"IN": ["&", "+", "-"]}, "OP": "?"}, name_any, {"ORTH": {"IN": ["&", "-"]}, "OP": "?"},
             name_any, legal, {"ORTH": {"IN": ["&", "Co.", "KG", "KGaA"]}, "OP": "*"}],
            [name_any, {"ORTH": {"IN": ["&", "+", "-"]}, "OP": "?"}, name_any, legal,
             {"ORTH": {"IN": ["&", "Co.", "KG", "KGaA"]}, "OP": "*"}],
            [name_any, legal, {"ORTH": {"IN": ["&", "Co.", "KG", "KGaA"]}, "OP": "*"}],
        ], greedy="LONGEST")
        self._fold_choices = list(self.kb.folded_names().keys())
        self.titles = TitleLexicon(data_dir)
        self.generic_heads = tuple(self.kb.industry["generic"])
        self.compound_heads: Set[str] = set(self.titles.heads) | self.titles.titles | set(COMPOUND_HEADS)

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        org_names = _ner_org_names(doc)
        candidates = list(self._from_kb(doc)) + list(self._from_legal(doc, org_names)) + \
            list(self._from_ner(doc, org_names))
        chosen = _named_after_people(doc, _resolve_overlaps(candidates))
        chosen += self._persons_after_titles(doc, chosen)
        chosen += self._companies_after_industry_nouns(doc, chosen)
        chosen += _institutions(doc, chosen, self.kb)
        found = mentions(doc)
        for mention in chosen:
            if mention.type in ORG_TYPES and mention.end < len(doc) and doc[mention.end].text in {"Online", "ONLINE"}:
                mention.end += 1  # "Handelsblatt Online", "FOCUS Online": a medium's site takes its name
            if mention.type in ORG_TYPES and _is_compound(doc, mention) and doc[mention.end + 1].text == "Gruppe":
                mention.end += 2  # "die Pfeiffer-Gruppe": a group is named so, not a compound of its name
            self._link_and_type(doc, mention)
            if mention.type in ORG_TYPES and self.indices.names(doc, mention):
                # "der Nasdaq 100": an index, not the exchange
                mention.type, mention.kb_id, mention.source = "MISC", None, STOCK_INDEX
            if _is_compound(doc, mention):
                mention.kind = COMPOUND
            found.append(mention)
        found.sort(key=lambda m: m.start)
        return doc

    # --- proposals ------------------------------------------------------------
    def _from_ner(self, doc: Doc, org_names: Set[str]) -> Iterable[Mention]:
        pieces = ((ent, start, end) for ent in doc.ents for start, end in _pieces(doc, ent.start, ent.end))
        for ent, start, end in pieces:
            label = NER_LABELS.get(ent.label_)
            if label is None:
                continue
            start, end = _trim(doc, start, end, self.compound_heads)
            if start < end and doc[start].lower_ in MONTHS and any(t.like_num for t in doc[start:end]):
                continue  # "Januar 2016 - Ferratum Oyj": the dateline's date is no name
            while start < end - 1 and doc[start].text in NAME_PREFIXES:
                start += 1  # "Dr. Helmut Pauls", "Herr Grube", "Fa. itek GmbH": the name follows
            glued = end < len(doc) and doc[end].text == "-" and not doc[start].whitespace_
            if end - start == 1 and label in ORG_TYPES and not glued and self._place_word(doc[start].text):
                continue  # "der Paderborner Konzern"; a name glued to a hyphen is one ("Berger-Gruppe")
            if label in ORG_TYPES:
                start = self._past_descriptor(doc, start, end, org_names)
                if end - start > 1 and self._seat_adjective(doc, start, end):
                    start += 1  # "die Münchner Allianz": the seat's adjective is no part of a known name
            while label in ORG_TYPES and start < end < len(doc) and doc[end].text in LEGAL_FORM_TOKENS \
                    and doc[end - 1].whitespace_:
                end += 1  # "Unternehmenslogistik Gesellschaft m.b.H.": the legal form the NER left out
            if start < end:
                yield Mention(start, end, label, source="ner")

    def _place_word(self, word: str) -> bool:
        """ "Paderborner", "Münchener", "norwegischer", "Schweizern": a place's adjective or its
        people, which the NER takes for a name; a place's own name ("Bayern") stays one."""
        return (self.kb.adjective_place(word) is not None or self.kb.demonym_place(word) is not None) \
            and not self.kb.places_named(word) and self.kb.lookup(word) is None

    def _seat_adjective(self, doc: Doc, start: int, end: int) -> bool:
        """ "die Münchner Allianz", "der Münchner Unicredit-Tochter": a place adjective before a
        known company that is its seat, or before a compound, describes it; "Frankfurter Neue
        Presse" and "Mannheimer Adler" are names of their own."""
        word, company = doc[start].text, self.kb.lookup(doc[start + 1:end].text)
        if company is None or self.kb.lookup(doc[start:end].text) or not self._place_word(word):
            return False
        place = self.kb.adjective_place(word) or self.kb.demonym_place(word)
        return _is_compound_span(doc, start, end) or place.name in {company.city, company.region}

    def _past_descriptor(self, doc: Doc, start: int, end: int, org_names: Set[str]) -> int:
        """Where the name starts in a span the NER began at its descriptor: "IT-Unternehmen
        Materna GmbH", "des Systemhauses Netgo" (the descriptor is an alias, not the name)."""
        i = start
        while i + 2 < end and doc[i + 1].text == "-" and not doc[i].whitespace_:
            i += 2  # the hyphen chain "IT-Unternehmen", "Fußball-Bundesligist"
        head = doc[i]
        if i + 1 >= end or not (head.is_alpha and head.text[:1].isupper() and head.text[1:].islower()) \
                or not doc[i + 1].text[:1].isupper() or self.kb.lookup(doc[start:end].text):
            return start
        rest = doc[i + 1:end].text
        if self.kb.places_named(rest):
            return start  # "Theater Bremen", "Amtsgericht München": the place belongs to the name
        alone = rest in org_names
        legal = doc[end - 1].text in LEGAL_FORM_TOKENS
        if alone or self._industry_noun(head.text) and (legal or i > start):
            return i + 1  # the bare name stands alone in the article, or a descriptor precedes a legal name
        return start

    def _from_kb(self, doc: Doc) -> Iterable[Mention]:
        ner_tokens = {i for ent in doc.ents for i in range(ent.start, ent.end)}
        for match_id, start, end in self.kb_matcher(doc):
            kb_id = doc.vocab.strings[match_id]
            span = doc[start:end]
            if _inside_word(doc, start, end) or span.text.isupper() and _shouted(doc, start, end):
                continue
            if span.text in self.ambiguous and not (ner_tokens & set(range(start, end))) and \
                    not _is_compound_span(doc, start, end) and not self._named_as_such(doc, start, end, kb_id):
                continue
            yield Mention(start, end, self.kb.companies[kb_id].type, kb_id=kb_id, source="kb")

    def _named_as_such(self, doc: Doc, start: int, end: int, kb_id: str) -> bool:
        """An ordinary-word name written as a title: in quotes ("«Die Welt»"), with its edition
        ("der Welt (Samstag)", "der Welt vom Sonntag", "(Online-Ausgabe)"), or after a noun of
        its own sector ("die Tageszeitung Die Welt", "der Versandhändler Otto")."""
        before, after = doc[start - 1] if start > 0 else None, doc[end] if end < len(doc) else None
        if before is not None and after is not None and before.text in OPENING_QUOTES and after.text in CLOSING_QUOTES:
            return True
        if after is not None and after.text in {"(", "vom"} and end + 1 < len(doc) and (
                doc[end + 1].lower_ in WEEKDAYS or doc[end + 1].lower_.endswith("ausgabe")):
            return True
        if before is None or not before.text[:1].isupper():
            return False
        sector = self.kb.noun_sectors(before.text)[0]
        return sector is not None and sector in self.kb.company_sectors(self.kb.companies[kb_id])

    def _from_legal(self, doc: Doc, org_names: Set[str]) -> Iterable[Mention]:
        for _, start, end in self.legal_matcher(doc):
            # "Der Ulmer Maschinenbauer Müller GmbH", "13. Januar 2016 - Ferratum Oyj": articles, place
            # adjectives, industry nouns and dates are not the name
            while start < end - 2 and (doc[start].is_stop or self.kb.adjective_place(doc[start].text)
                                       or self.kb.noun_sectors(doc[start].text)[1] or doc[start].text.isdigit()
                                       or doc[start].text in NAME_PREFIXES or doc[start].lower_ in MONTHS
                                       or doc[start].is_punct):
                start += 1
            start = self._past_descriptor(doc, start, end, org_names)
            if not doc[start].is_stop:  # "Das AG Frankfurt" is a court (Amtsgericht), not a company
                yield Mention(start, end, "COMPANY", source="legal")

    def _persons_after_titles(self, doc: Doc, chosen: List[Mention]) -> List[Mention]:
        """ "Daimler-Chef Zetsche": a capitalised word after organisation + title is a person."""
        taken = {i for m in chosen for i in range(m.start, m.end)}
        found = []
        for m in chosen:
            if m.type not in ORG_TYPES or not _is_compound(doc, m):
                continue
            i = m.end + 1
            while i + 2 < len(doc) and doc[i + 1].text == "-" and not doc[i].whitespace_:
                i += 2
            if i + 1 >= len(doc) or not self.titles.is_title(doc[i]):
                continue
            j = i + 1
            end = j
            while end < len(doc) and end - j < 3 and _name_like(doc[end]) and end not in taken:
                end += 1
            if end > j and not doc[j].is_sent_start:
                found.append(Mention(j, end, "PERSON", source="title"))
                taken.update(range(j, end))
        return found

    def _companies_after_industry_nouns(self, doc: Doc, chosen: List[Mention]) -> List[Mention]:
        """ "der US-Laborausrüster Sigma-Aldrich": an unusual-looking name after an industry noun."""
        taken = {i for m in chosen for i in range(m.start, m.end)}
        found = []
        for token in doc[:-1]:
            if not token.text[:1].isupper() or not self._industry_noun(token.text):
                continue
            start = end = token.i + 1
            while end < len(doc) and end not in taken and (
                    _odd_name(doc[end]) or (end > start and doc[end].text in {"-", "&"} and end + 1 < len(doc)
                                            and doc[end + 1].text[:1].isupper() and not doc[end - 1].whitespace_)):
                end += 2 if doc[end].text in {"-", "&"} else 1
            if end > start and doc[end - 1].text not in {"-", "&"}:
                found.append(Mention(start, end, "COMPANY", source="apposition"))
                taken.update(range(start, end))
        return found

    def _industry_noun(self, word: str) -> bool:
        """A company noun, also an unlisted compound of a generic head ("Labor|ausrüster")."""
        return any(self.kb.noun_sectors(base)[1] or base.casefold().endswith(self.generic_heads)
                   for _, base in without_endings(word, ("", "s", "es", "en", "n")))

    # --- linking and typing ---------------------------------------------------------
    def _link_and_type(self, doc: Doc, mention: Mention) -> None:
        if mention.kb_id is None and mention.type in ORG_TYPES:
            mention.kb_id = self._lookup(mention.text(doc))
        company = self.kb.get(mention.kb_id)
        if company is not None:
            mention.type = company.type
        elif mention.type in ORG_TYPES:
            text = mention.text(doc)
            if ORG_CUES.search(text):
                mention.type = "ORG"
            elif COMPANY_CUES.search(text):
                mention.type = "COMPANY"

    def _lookup(self, text: str) -> Optional[str]:
        company = self.kb.lookup(text)
        if company is None and text.endswith("s"):
            company = self.kb.lookup(text[:-1])
        if company is not None:
            return company.id
        key = fold(text)
        if len(key) < 5:
            return None
        match = process.extractOne(key, self._fold_choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff)
        return self.kb.folded_names()[match[0]] if match else None


class StockIndexFile(BaseModel):
    """lexicons/stock_indices.json, checked when loaded."""

    model_config = ConfigDict(extra="forbid")

    doc: str = Field("", alias="_doc")
    names: List[str]
    with_number: List[str]


class StockIndices:
    """Tells an index ("der Nasdaq 100", "der Nikkei-Index") from the company of the same name."""

    def __init__(self, spec: StockIndexFile) -> None:
        self.always = frozenset(name.casefold() for name in spec.names)
        self.with_number = frozenset(name.casefold() for name in spec.with_number)

    def names(self, doc: Doc, mention: Mention) -> bool:
        text = mention.text(doc).casefold()
        if text in self.always:
            return True
        after = doc[mention.end: mention.end + 2]
        if after and (after[0].lower_ == "index" or
                      after[0].text in {"-", "–"} and len(after) > 1 and after[1].lower_ == "index"):
            return True  # "der Nikkei Index", "der Nikkei-Index" (the tokenizer splits the hyphen)
        return text in self.with_number and bool(after) and after[0].text.isdigit()


def read_stock_indices(path: Path) -> StockIndices:
    try:
        return StockIndices(StockIndexFile.model_validate(load_json(path)))
    except ValidationError as error:
        raise ValueError(f"{path}: {validation_problems(error)}") from None


def _ner_org_names(doc: Doc) -> Set[str]:
    """The texts the NER tagged as organisations: a bare name that also stands alone."""
    return {ent.text for ent in doc.ents if NER_LABELS.get(ent.label_) in ORG_TYPES}


def _institutions(doc: Doc, chosen: List[Mention], kb: KnowledgeBase) -> List[Mention]:
    """Authorities named by a compound institution noun: "das Außenministerium", "Polizeipräsidium
    München", "das Düsseldorfer Arbeitsgericht", "der Bundesgerichtshof". A bare head ("das
    Ministerium") is generic, not a name. A place that completes the name is taken out of `chosen`."""
    taken = {i for m in chosen for i in range(m.start, m.end)}
    found = []
    for token in doc:
        low = token.lower_
        if token.i in taken or not token.is_alpha or not token.text[:1].isupper() or token.is_sent_start and token.i:
            continue
        start = hyphen_chain_start(doc, token.i) if low in CHAIN_HEADS else token.i
        head = next((h for h in INSTITUTION_HEADS if low.endswith(h) and len(low) >= len(h) + 3), None)
        if (head is None and start == token.i) or taken.intersection(range(start, token.i)):
            continue
        end = token.i + 1
        place = next((m for m in chosen if m.start == end and m.type == "LOCATION"), None)
        if place is not None and token.whitespace_:
            end = place.end  # "Polizeipräsidium München": the place is part of the name
            chosen.remove(place)
        alone = [m for m in chosen if m.start == start - 1 and m.end == start]
        if start > 0 and doc[start - 1].text[:1].isupper() and kb.adjective_place(doc[start - 1].text) \
                and (start - 1 not in taken or alone):
            start -= 1  # "das Düsseldorfer Arbeitsgericht": the place adjective is part of the name
            for m in alone:
                chosen.remove(m)
        found.append(Mention(start, end, "ORG", source="institution"))
        taken.update(range(start, end))
    return found


def _named_after_people(doc: Doc, chosen: List[Mention]) -> List[Mention]:
    """ "Hans-Böckler-Stiftung", "Robert-Bosch-Straße": a name glued into a hyphen chain that
    ends in a place head names a place, not the person or company; a person's name in a chain
    that ends in an institution head names the institution (ORG)."""
    out = []
    for mention in chosen:
        end = mention.end
        while end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ \
                and not doc[end].whitespace_ and doc[end + 1].text[:1].isupper():
            end += 2
        head = doc[end - 1].lower_
        glued = any(doc[i].text == "-" for i in range(mention.start, end))
        if mention.type != "LOCATION" and glued and head in NAMED_PLACE_HEADS:
            continue
        if mention.type == "PERSON" and end > mention.end and head.endswith(NAMED_ORG_HEADS):
            mention = Mention(mention.start, end, "ORG", source="institution")
        out.append(mention)
    return out


def hyphen_chain_start(doc: Doc, i: int) -> int:
    """Start of "Hasso - Plattner - Institut": capitalised parts glued by hyphens."""
    start = i
    while start - 2 >= 0 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_ \
            and not doc[start - 1].whitespace_ and doc[start - 2].text[:1].isupper() and doc[start - 2].is_alpha:
        start -= 2
    return start


def _shouted(doc: Doc, start: int, end: int) -> bool:
    """A word in capitals next to other words in capitals: a headline set in capitals
    ("POST STREICHT STELLEN"), where a capitalised name says nothing."""
    near = [t for t in doc[max(0, start - 2):end + 2] if t.is_alpha and not start <= t.i < end and len(t) > 1]
    return any(t.is_upper for t in near)


def _variants(forms: Iterable[str]) -> Iterable[str]:
    """Inflected surface forms: genitive -s and the weak adjective ("Deutschen Bank"), and the
    name in capitals (trusted only in running text, see `_shouted`)."""
    for form in forms:
        if not form:
            continue
        yield form
        if len(form) >= 4 and form.upper() != form:
            yield form.upper()  # a paper's own styling: "sagte er dem STANDARD"
        if " " not in form and form[-1] not in "sxzßSXZ" and form[-1].isalpha():
            yield form + "s"
        if form.startswith("Deutsche "):
            yield "Deutschen " + form[len("Deutsche "):]


def _pieces(doc: Doc, start: int, end: int) -> Iterator[Tuple[int, int]]:
    """An NER span cut at separators no name contains: a dash between spaces ("Januar 2016 -
    Ferratum Oyj", "Holtby - Müller"), a closing parenthesis or a double dash
    ("Dow Jones)-- Daimler")."""
    for i in range(start, end):
        token = doc[i]
        spaced_dash = token.text in {"-", "–", "—"} and token.whitespace_ and i > 0 and doc[i - 1].whitespace_
        if spaced_dash or token.text in {")", "--", "|"} and not doc[start:i].text.count("("):
            yield start, i
            start = i + 1
    yield start, end


def _trim(doc: Doc, start: int, end: int, heads: Set[str]) -> Tuple[int, int]:
    """Drop punctuation, articles and a compound head the NER swallowed ("BMW-Vorstandschef")."""
    while start < end and (doc[start].is_punct or doc[start].is_stop or doc[start].is_space):
        start += 1  # "Von Kirsten Röder", "Der Konzern ..."
    while end > start and (doc[end - 1].is_space or doc[end - 1].is_punct and doc[end - 1].text not in {".", ")"}):
        end -= 1
    if end - start >= 3 and doc[end - 2].text in {"-", "–"} and _is_head(doc[end - 1].lower_, heads):
        end -= 2
    return start, end


def _is_head(word: str, heads: Set[str]) -> bool:
    return word in heads or any(word.endswith(head) for head in heads if len(head) > 4)


def _odd_name(token) -> bool:
    """Shapes common nouns never have: "SAP", "SolarWorld", "Sigma-Aldrich" parts, "3M"."""
    text = token.text
    if not text[:1].isupper() or token.is_stop or len(text) < 2:
        return False
    return text.isupper() or any(c.isupper() for c in text[1:]) or any(c.isdigit() for c in text) or (
        token.i + 2 < len(token.doc) and token.doc[token.i + 1].text == "-" and not token.whitespace_
        and token.doc[token.i + 2].text[:1].isupper() and not token.doc[token.i + 2].is_lower
        and len(token.doc[token.i + 2].text) > 2 and token.doc[token.i + 2].text[1:].islower()
        and token.doc[token.i + 2].text not in {"Chef", "Konzern", "Gruppe"})


def _read_list(path: Path) -> Set[str]:
    """One entry per line; blank lines and # comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _name_like(token) -> bool:
    return token.is_alpha and token.text[:1].isupper() and not token.is_stop and not token.text.isupper() \
        and token.text[1:].islower()


def _split_by_kb(span: Mention, kb: List[Mention]) -> bool:
    """An NER span that is two known names side by side ("Siemens Alstom") is two mentions."""
    inside = [m for m in kb if span.start <= m.start and m.end <= span.end]
    covered = {i for m in inside for i in range(m.start, m.end)}
    return len(inside) >= 2 and covered == set(range(span.start, span.end))


def _inside_word(doc: Doc, start: int, end: int) -> bool:
    """A match glued to letters on its left ("ZF" in "VZF") is not a mention."""
    return start > 0 and not doc[start - 1].whitespace_ and doc[start - 1].is_alpha


def _is_compound_span(doc: Doc, start: int, end: int) -> bool:
    return (end < len(doc) - 1 and doc[end].text in {"-", "–"} and not doc[end - 1].whitespace_
            and not doc[end].whitespace_ and doc[end + 1].is_alpha)


def _is_compound(doc: Doc, mention: Mention) -> bool:
    return _is_compound_span(doc, mention.start, mention.end)


def _resolve_overlaps(candidates: List[Mention]) -> List[Mention]:
    kb = [m for m in candidates if m.source == "kb"]
    candidates = [m for m in candidates if m.source != "ner" or not _split_by_kb(m, kb)]
    ranked = sorted(candidates, key=lambda m: (-(m.end - m.start), -PRIORITY[m.source], m.start))
    taken: Set[int] = set()
    chosen: List[Mention] = []
    for mention in ranked:
        tokens = set(range(mention.start, mention.end))
        if tokens & taken:
            continue
        taken |= tokens
        chosen.append(mention)
    # a KB match inside a longer NER span of an organisation gives it its id ("Deutsche Bank AG")
    return chosen
