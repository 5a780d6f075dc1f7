"""Relations between organisations from trigger words and argument patterns per sentence.

Triggers live in extractor/data/lexicons/relations.json. Each type has a small argument rule
(who is the buyer, who the supplier) built on the prepositions and compounds German
news uses ("Übernahme von Y durch X", "Lieferung von X-Motoren", "X-Tochter Y").
Negated or denied statements yield nothing; speculation sets `status: rumoured`.
"""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..kb import KnowledgeBase, load_kb
from ..relation_types import load_triggers
from .mention import ARTICLES, COMPOUND, Mention
from .relation import add_relation, entity_type, main_entity, mention_counts, sentence_mentions, with_references
from .resources import KB_FILES, RELATIONS, DataComponent

GROUP_WORDS = {"beide", "beiden"}
OWNER_STEMS = ("eigner", "eigentümer")  # subsidiary triggers naming the parent, like "-mutter"
INDEFINITE = {"ein", "eine", "einer", "einem", "einen", "eines"}
PREPOSITIONS = {"mit", "von", "an", "bei", "für", "über", "zu", "auf", "in", "aus", "durch", "gegen", "um", "unter"}
POSSESSIVES = {"sein", "seine", "seiner", "seinem", "seinen", "seines", "ihr", "ihre", "ihrer", "ihrem", "ihren", "ihres"}
ARTICLE_WORDS = {"der", "die", "das", "den", "dem", "des", "eine", "einer", "ein", "einem"}
DENIALS = {"dementiert", "dementierte", "dementieren", "bestreitet", "bestritt", "bestreiten", "verneint", "verneinte"}
QUOTES = {'"', "„", "“", "»", "«", "'", "‚"}
REPORTING = {"erfuhr", "erfahren", "berichtete", "berichtet", "berichten", "meldete", "meldet", "zufolge", "laut",
             "sagte", "sagt", "schreibt", "schrieb", "quelle", "foto", "informationen",
             "vorliegt", "vorliegen", "vorlag", "vorlagen", "vorliegenden"}  # "..., der dem STANDARD vorliegt"
SHAREHOLDER_HEADS = ("aktionär", "aktionärin", "anteilseigner")
HOLDING_WORDS = ("beteiligung", "anteil", "anteile", "aktienpaket", "minderheit")
SHARE_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:Prozent|%)")
COUNT_RE = re.compile(r"^\d{1,3}(?:\.\d{3})*$|^\d+$")
GRADE_RE = re.compile(r"^(AAA|AA[+-]?|A[+-]?|BBB[+-]?|BB[+-]?|B[+-]?|CCC[+-]?|CC|C|D|Aaa|Aa[123]|A[123]|Baa[123]|Ba[123]|B[123]|Caa[123]|Ca)$")
CAUSES = {"wegen", "aufgrund", "infolge", "angesichts"}
UNION_WORDS = ("gewerkschaft", "verdi", "gdl", "ig metall", "cockpit", "ufo", "evg", "ig bce", "marburger bund", "dbb")
REACH = 5  # prepositions to the name: "durch den US-Rivalen Diebold", "des Asset-Managers Pamera"
CLAUSE_BREAKS = {"und", "oder", "sowie", "aber", "von", "vom", "durch", "an", "am", "mit", "für", "bei", "beim", "zu", "zum",
                 "zur", "in", "im", "auf", "über", "nach", "aus", "ist", "sind", "hat", "haben", "wird", "werden"}
COUNT_NOUNS = ("stellen", "jobs", "arbeitsplätze", "mitarbeiter", "beschäftigte", "vollzeitstellen", "angestellte")


class Triggers:
    """Which tokens of a sentence trigger which relation type (one compiled regex per type)."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self._cache: Dict[str, frozenset] = {}
        self.particle_stems = [(rtype, body["particle_stems"]) for rtype, body in spec.items()
                               if isinstance(body, dict) and "particle_stems" in body]
        self.patterns = {rtype: _pattern(body) for rtype, body in spec.items() if isinstance(body, dict)}
        self.blocked = {rtype: _prefixes(body.get("not_stems", [])) for rtype, body in spec.items() if isinstance(body, dict)}
        self.required = {rtype: _pattern(body["requires_any"]) for rtype, body in spec.items()
                         if isinstance(body, dict) and "requires_any" in body}

    def types(self, low: str) -> frozenset:
        """The relation types a lower-cased word triggers (memoised: news repeats its words)."""
        found = self._cache.get(low)
        if found is None:
            found = self._cache[low] = frozenset(
                rtype for rtype, pattern in self.patterns.items()
                if pattern.match(low) and not (self.blocked[rtype] and self.blocked[rtype].match(low)))
        return found

    def in_sentence(self, sent: Span) -> Dict[str, List[Token]]:
        """Relation type -> its trigger tokens in `sent`, in one pass over the tokens."""
        found: Dict[str, List[Token]] = {}
        words = [t.lower_ for t in sent]
        present = set(words)
        for token, low in zip(sent, words):
            if not token.is_alpha:
                low = low.rsplit("-", 1)[-1]  # "100%-Tochter": the word after the hyphen
                if not low.isalpha():
                    continue
            types = set(self.types(low))
            for rtype, stems in self.particle_stems:
                for stem, particles in stems.items():
                    if low.startswith(stem) and any(p in present and p != low for p in particles):
                        types.add(rtype)
            if token.i > sent.start and sent.doc[token.i - 1].text in QUOTES:
                types -= {"acquisition", "stake"}  # a quoted recommendation ("Kaufen") is not a purchase
            for rtype in types:
                found.setdefault(rtype, []).append(token)
        return found

    def requires(self, rtype: str, sent: Span) -> bool:
        pattern = self.required.get(rtype)
        return pattern is None or any(pattern.match(t.lower_) for t in sent)

    def words(self, key: str) -> Set[str]:
        return set(self.spec[key])


def _pattern(body: dict) -> "re.Pattern[str]":
    """Prefix stems or suffixes, as one anchored regex."""
    stems = "|".join(re.escape(s) for s in body.get("stems", [])) or "(?!)"
    suffixes = "|".join(re.escape(s) for s in body.get("suffixes", [])) or "(?!)"
    return re.compile(f"(?:{stems})|.*(?:{suffixes})$")


def _prefixes(stems: List[str]) -> Optional["re.Pattern[str]"]:
    return re.compile("|".join(re.escape(s) for s in stems)) if stems else None


@Language.factory("relations", requires=["doc._.mentions", "doc._.entities", "token.is_sent_start"],
                  assigns=["doc._.relations"])
def create_relations(nlp: Language, name: str) -> "Relations":
    return Relations(name)


class Relations(DataComponent):
    data_files = KB_FILES + (RELATIONS,)

    def load(self, data_dir: str) -> None:
        self.kb: KnowledgeBase = load_kb(data_dir)
        self.triggers = Triggers(load_triggers(Path(data_dir) / RELATIONS))
        self.negation = self.triggers.words("negation")
        self.speculation = self.triggers.words("speculation")
        self.planned = self.triggers.words("planned")
        self.completed = self.triggers.words("completed")

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        if doc._.relations is None:
            doc._.relations = []
        sents = list(doc.sents)
        for n, sent in enumerate(sents):
            triggered = self.triggers.in_sentence(sent)
            if not triggered:
                continue
            orgs = [m for m in with_references(doc, sent, sentence_mentions(doc, sent))
                    if not self._is_source(doc, sent, m)]
            group = self._group(doc, sent, sents[n - 1] if n else None)
            nxt = sents[n + 1] if n + 1 < len(sents) else None
            for rtype, rule in RULES:
                for trigger in triggered.get(rtype, ()):
                    # "der Lufthansa-Ableger X" names a fact whatever the clause denies
                    if not self._negated(doc, sent, trigger) or \
                            rtype == "subsidiary" and _compound_before(doc, trigger, orgs) is not None:
                        rule(self, doc, sent, trigger, orgs, group, nxt, triggered)
        _analysts_of_the_rater(self, doc, sents)
        return doc

    # --- shared helpers ------------------------------------------------------------
    def _negated(self, doc: Doc, sent: Span, trigger: Token) -> bool:
        clause = _clause(doc, sent, trigger)
        words = {t.lower_ for t in clause}
        if words & self.negation:
            return True
        # a denial governs the clause after it: "Bayer dementiert, Monsanto übernehmen zu wollen"
        if any(t.lower_ in DENIALS for t in doc[sent.start:trigger.i]):
            return True
        return any(t.lower_ in {"lehnte", "lehnt", "lehnen", "lehnten", "weist", "wies", "weisen", "wiesen"}
                   for t in clause) and any(t.lower_ in {"ab", "zurück"} for t in clause)

    def _status(self, sent: Span) -> str:
        words = {t.lower_ for t in sent}
        if words & self.speculation:
            return "rumoured"
        if words & self.planned:
            return "planned"
        if words & self.completed:
            return "completed"
        return "agreed"

    def _group(self, doc: Doc, sent: Span, previous: Optional[Span]) -> List[str]:
        """ "beide Autokonzerne", "die beiden Konzerne": the two companies named together before."""
        if not any(t.lower_ in GROUP_WORDS for t in sent):
            return []
        for scope in (doc[sent.start : sent.end], previous):
            if scope is None:
                continue
            ids: List[str] = []
            for m in sentence_mentions(doc, scope):
                if m.entity not in ids:
                    ids.append(m.entity)
            if len(ids) >= 2 and scope is previous:
                return ids[:2]
        return []

    def _entities(self, orgs: List[Mention], group: List[str]) -> List[str]:
        ids: List[str] = []
        for entity in group + [m.entity for m in orgs]:
            if entity not in ids:
                ids.append(entity)
        return ids

    def _is_source(self, doc: Doc, sent: Span, mention: Mention) -> bool:
        """A medium quoted as the source ("wie die dpa erfuhr", "laut Handelsblatt") or a party
        affiliation ("Sigmar Gabriel (SPD)") is no party to the relation."""
        if mention.start > 1 and doc[mention.start - 1].text == "(" and \
                entity_type(doc, _owner(doc, mention.start - 2)) == "PERSON":
            return True
        if "media" not in self._sector(doc, mention.entity):
            return False
        if mention.start > 0 and doc[mention.start - 1].text == "(":
            return True  # the dateline: "Berlin (dpa) -", "SAN JOSE (dpa-AFX)"
        clause = _clause(doc, sent, doc[mention.start])
        return any(t.lower_ in REPORTING for t in clause)

    def _is_company(self, doc: Doc, entity: str) -> bool:
        return entity_type(doc, entity) == "COMPANY"

    def _paragraph_bank(self, doc: Doc, sents: List[Span], sent: Span, person) -> Optional[str]:
        """The bank or broker named first in the paragraph (the line) of `person`, before it,
        where a sentence of the paragraph has a rating trigger: "Die US-Bank Citigroup hat ABN Amro
        mit Buy ... aufgenommen. ..., schrieb Analyst Andrew Coombs"."""
        begin = doc.text.rfind("\n", 0, sent.start_char) + 1
        paragraph = [s for s in sents if s.start_char >= begin and s.start <= sent.start]
        if not any(self.triggers.in_sentence(s).get("rating") for s in paragraph):
            return None
        first = next((m for s in paragraph for m in sentence_mentions(doc, s)), None)
        if first is None or first.start >= person.start or not self._sector(doc, first.entity) & {"bank", "finance"}:
            return None
        return first.entity

    def _sector(self, doc: Doc, entity: str) -> Set[str]:
        info = doc.user_data.get("entity_index", {}).get(entity)
        company = self.kb.get(info.kb_id) if info else None
        sectors = set(self.kb.company_sectors(company)) if company else set()
        return sectors | (info.sectors if info else set())


def _coordinated(doc: Doc, first: Mention, second: Mention) -> bool:
    """ "Audi, BMW und Daimler", "die X GmbH und die Y GmbH": joined by commas or "und" (an
    article may follow), so partners on one side."""
    between = [t.text for t in doc[first.end:second.start]]
    if between and between[-1].lower() in ARTICLES and len(between) > 1:
        between = between[:-1]
    return len(between) > 0 and all(t in {",", "und", "sowie", "&"} for t in between)


def _owner(doc: Doc, i: int) -> str:
    """The entity id of the mention covering token i, or ""."""
    for m in doc._.mentions or []:
        if m.start <= i < m.end and m.entity:
            return m.entity
    return ""


def _clause(doc: Doc, sent: Span, trigger: Token) -> Span:
    start, end = trigger.i, trigger.i + 1
    while start > sent.start and doc[start - 1].text not in {",", ";", ":", "–"}:
        start -= 1
    while end < sent.end and doc[end].text not in {",", ";", ":", "–"}:
        end += 1
    return doc[start:end]


def _after(doc: Doc, sent: Span, i: int, preps: Set[str], orgs: List[Mention], window: int = 4) -> Optional[Mention]:
    """The organisation right after a preposition following token i ("durch X", "an Y"), past
    a short descriptor ("durch Deutschlands größten Lebensmittelhändler Edeka")."""
    for j in range(i + 1, min(sent.end, i + 1 + window)):
        if doc[j].lower_ in preps:
            for m in orgs:
                if j < m.start <= j + 3 or j + 3 < m.start <= j + REACH and _descriptor(doc, j + 1, m.start):
                    return m
    return None


def _descriptor(doc: Doc, start: int, end: int) -> bool:
    """Tokens that can only describe the name after them: articles, adjectives, nouns, hyphens."""
    return all(t.is_alpha and t.lower_ not in CLAUSE_BREAKS or t.text == "-" for t in doc[start:end])


def _compound_before(doc: Doc, trigger: Token, orgs: List[Mention]) -> Optional[Mention]:
    """ "Monsanto-Übernahme": the organisation glued to the trigger."""
    for m in orgs:
        if m.kind == COMPOUND and m.end + 1 == trigger.i:
            return m
    return None


def _nearest(orgs: List[Mention], i: int, before: bool) -> Optional[Mention]:
    side = [m for m in orgs if (m.end <= i if before else m.start > i)]
    if not side:
        return None
    return max(side, key=lambda m: m.start) if before else min(side, key=lambda m: m.start)


# --- rules, one per type --------------------------------------------------------------
def _partners(self: Relations, doc: Doc, sent: Span, trigger: Token, orgs: List[Mention], group: List[str]) -> List[str]:
    """The parties of a symmetric relation: those in the trigger's clause when it names two;
    never the owner in "die Opel-Mutter General Motors" or "Etihad-Beteiligungen" (subsidiary, stake)."""
    orgs = [m for m in orgs if not (m.kind == COMPOUND and m.end + 1 < len(doc)
                                    and doc[m.end + 1].lower_.startswith(("mutter", "tochter", "beteiligung")))]
    clause = _clause(doc, sent, trigger)
    local = [m for m in orgs if clause.start <= m.start < clause.end]
    return self._entities(local if len({m.entity for m in local}) >= 2 else orgs, group)


def _talks(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    if not self.triggers.requires("cooperation_talks", sent):
        return
    ids = _partners(self, doc, sent, trigger, orgs, group)
    for a, b in combinations(ids[:3], 2):
        add_relation(doc, "cooperation_talks", a, b, sent, {"topic": _topic(doc, sent)}, 0.75)


def _cooperation(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    if "cooperation_talks" in triggered and self.triggers.requires("cooperation_talks", sent):
        return
    sides = _with_sides(doc, sent, trigger, orgs)
    pairs = [(a, b) for a in sides[0] for b in sides[1]] if sides else \
        list(combinations(_partners(self, doc, sent, trigger, orgs, group)[:4], 2))
    for a, b in pairs:
        add_relation(doc, "cooperation", a, b, sent, {"topic": _topic(doc, sent)}, 0.7)


def _genitive_of(doc: Doc, mention: Mention, orgs: List[Mention]) -> bool:
    """ "der Behörde X des (Wirtschafts-)Ministeriums Y": Y in the genitive right after another name."""
    i = mention.start - 1
    while i > mention.start - 4 and i > 0 and doc[i].lower_ not in {"des", "der"} and _descriptor(doc, i, i + 1):
        i -= 1
    return doc[i].lower_ in {"des", "der"} and any(o.end == i for o in orgs)


def _with_sides(doc: Doc, sent: Span, trigger: Token, orgs: List[Mention]) -> Optional[Tuple[List[str], List[str]]]:
    """ "X arbeitet mit Y und Z zusammen", "die Partnerschaft von X mit Y": the parties before
    "mit" work with each party after it, not those after it with one another; a name in the
    genitive after a party ("Behörde DGCCRF des Wirtschaftsministeriums") is its owner, no party."""
    clause = _clause(doc, sent, trigger)
    local = [m for m in orgs if clause.start <= m.start < clause.end]
    mit = next((t.i for t in clause if t.lower_ == "mit"), None)
    if mit is None:
        return None
    before = [m.entity for m in local if m.end <= mit]
    after = [m for m in local if m.start > mit and not _genitive_of(doc, m, local)]
    left = list(dict.fromkeys(before))
    right = [e for e in dict.fromkeys(m.entity for m in after) if e not in left]
    if not left or not right:
        return None
    return left, right


def _supply(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    if len({m.entity for m in orgs}) < 2:
        return
    supplier = customer = None
    product = None
    low = trigger.lower_
    if low.startswith("lieferung") and trigger.i + 1 < sent.end and doc[trigger.i + 1].lower_ in {"von", "vom"}:
        for m in orgs:
            if trigger.i + 1 < m.start <= trigger.i + 3 and m.kind == COMPOUND:
                supplier = m
                product = doc[m.end + 1].text if m.end + 1 < len(doc) else None
    elif low.startswith(("liefer", "beliefer")) and trigger.is_lower:  # the verb, not "Lieferfirma"
        supplier = _nearest(orgs, trigger.i, before=True)
        customer = _after(doc, sent, trigger.i, {"an"}, orgs, 8) or (
            _nearest(orgs, trigger.i, before=False) if low.startswith("beliefer") else None)
    elif low.startswith(("bestell", "order")):
        customer = _nearest(orgs, trigger.i, before=True)
        supplier = _after(doc, sent, trigger.i, {"bei"}, orgs, 8)
    elif "auftrag" in low and doc[trigger.i - 1].lower_ not in {"im", "in"}:  # not "im Auftrag des ..."
        customer = _after(doc, sent, trigger.i, {"von", "vom", "der", "des", "aus"}, orgs, 2) or _compound_before(doc, trigger, orgs)
        if customer is not None:
            supplier = next((m for m in orgs if m.entity != customer.entity and m.end <= trigger.i), None)
    if supplier is None:
        return
    if customer is None:
        customer = next((m for m in orgs if m.entity != supplier.entity), None)
    if customer is None or customer.entity == supplier.entity:
        return
    add_relation(doc, "supply_contract", supplier.entity, customer.entity, sent, {"product": product}, 0.75)


def _rating(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    agents = [m for m in orgs if "rating" in self._sector(doc, m.entity)]
    if not agents:
        agents = [m for m in orgs if any(t.lower_.startswith("analyst") for t in doc[max(sent.start, m.start - 3): m.end + 2])]
    if not agents and any(t.lower_ in {"aktie", "aktien", "kursziel", "papiere"} for t in sent):
        # a bank rating a stock: "Goldman Sachs hat die Aktie von Wirecard auf 'Verkaufen' abgestuft"
        agents = [m for m in orgs if self._sector(doc, m.entity) & {"bank", "finance"} and m.start < trigger.i]
    if not agents:
        return
    agent = agents[0]
    target = _nearest([m for m in orgs if m.entity != agent.entity], trigger.i, before=False) or \
        _nearest([m for m in orgs if m.entity != agent.entity], trigger.i, before=True)
    if target is None:
        return
    add_relation(doc, "rating", agent.entity, target.entity, sent,
                 {"rating": _grade(sent, nxt), "direction": _direction(self, sent)}, 0.75)


def _analysts_of_the_rater(self: Relations, doc: Doc, sents: List[Span]) -> None:
    """ "Die NordLB hat das Kursziel für Vonovia gesenkt ... schrieb Analyst Michael Seufert":
    an analyst the article names without an employer works for the one firm that rates; in an
    article of several ratings ("Citigroup startet ABN Amro mit 'Buy' ... schrieb Analyst X"), for
    the bank named first in the analyst's paragraph, where the paragraph speaks of a rating."""
    raters = {r["subject"] for r in doc._.relations if r["type"] == "rating"}
    rater = raters.pop() if len(raters) == 1 else None
    placed = {r["subject"] for r in doc._.relations if r["type"] == "role"}
    for sent in sents:
        for person in sentence_mentions(doc, sent, ("PERSON",)):
            title = doc[person.start - 1] if person.start > sent.start else None
            if title is None or not title.lower_.startswith("analyst") or person.entity in placed:
                continue
            employer = rater or self._paragraph_bank(doc, sents, sent, person)
            if employer is not None:
                add_relation(doc, "role", person.entity, employer, sent, {"title": title.text, "status": "current"}, 0.7)
                placed.add(person.entity)


def _grade(sent: Span, nxt: Optional[Span]) -> Optional[str]:
    for scope in (sent, nxt):
        if scope is None:
            continue
        for t in scope:
            grade = t.text.rstrip(".")
            if GRADE_RE.match(grade):
                return grade
        text = scope.text
        quoted = re.search(r"(?:als|auf)\s+[\"„“»]([^\"“”«]+)[\"“”«]", text) or re.search(r"[\"„“»]([^\"“”«]{2,30})[\"“”«]\s+(?:ein)?gestuft", text)
        if quoted:
            return quoted.group(1)
    return None


def _direction(self: Relations, sent: Span) -> Optional[str]:
    spec = self.triggers.spec
    for direction in ("downgrade", "upgrade", "affirm"):
        if any(any(t.lower_.startswith(w) for w in spec[direction]) for t in sent):
            return direction
    return None


def _acquisition(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    if trigger.is_lower:
        orgs = [m for m in orgs if not _seller(doc, sent, trigger, m)]
    if len({m.entity for m in orgs}) < 2:
        return
    buyer = _after(doc, sent, trigger.i, {"durch"}, orgs, 10)
    if "angebot" in trigger.lower_ or "gebot" in trigger.lower_:  # "ein Übernahmeangebot von X": X bids
        buyer = buyer or _after(doc, sent, trigger.i, {"von", "vom"}, orgs, 1)
        target = _compound_before(doc, trigger, orgs) or _nearest(
            [m for m in orgs if buyer is None or m.entity != buyer.entity], trigger.i, before=True)
    else:
        target = _compound_before(doc, trigger, orgs) or _after(doc, sent, trigger.i, {"von", "der", "des"}, orgs, 1)
    clause_words = {t.lower_ for t in _clause(doc, sent, trigger)}
    participle = trigger.lower_ in {"übernommen", "gekauft", "erworben", "geschluckt", "aufgekauft"}
    passive = participle and bool(clause_words & {"wurde", "wurden", "wird", "werden", "worden"})
    if participle and not passive:  # "X hat 74 Prozent von Z übernommen": Z sold, it is no party
        orgs = [m for m in orgs if not any(t.lower_ in {"von", "vom"} for t in doc[max(sent.start, m.start - 4):m.start])]
    if passive and buyer is None:
        von = [m for m in orgs if m.end <= trigger.i and _after_von(doc, sent, m)]
        if von:
            buyer = von[-1]
            target = target or next((m for m in orgs if m.entity != buyer.entity and m.end <= trigger.i), None)
    before = [m for m in orgs if m.end <= trigger.i and (target is None or m.entity != target.entity)]
    after = [m for m in orgs if m.start > trigger.i]
    if buyer is None and target is None and not before and trigger.is_lower and len({m.entity for m in after}) >= 2:
        buyer, target = after[0], next(m for m in after if m.entity != after[0].entity)  # "Laut X übernimmt Bayer Monsanto"
    if buyer is None and target is None and not passive and trigger.is_lower and not any(m.start > trigger.i for m in orgs) \
            and len({m.entity for m in before}) >= 2 and not _coordinated(doc, before[-2], before[-1]):
        buyer, target = before[0], before[-1]  # verb last: "Insidern zufolge will X Y übernehmen"
    if buyer is None:
        buyer = _nearest(before, trigger.i, before=True)
    if target is None and buyer is not None and trigger.is_lower:
        # a verb takes its object after it; a noun ("die Übernahme") must name its target ("von X", "X-Übernahme")
        target = _nearest([m for m in orgs if m.entity != buyer.entity], trigger.i, before=False)
    if buyer is None or target is None or buyer.entity == target.entity:
        return
    share = SHARE_RE.search(sent.text)
    minority = float(share.group(1).replace(",", ".")) < 50 if share else _holding_bought(doc, trigger, target)
    rtype = "stake" if minority else "acquisition"
    attributes = {"share": share.group(0) if share else None}
    if rtype == "acquisition":
        status = self._status(sent)
        attributes["status"] = "planned" if status == "agreed" and "gebot" in trigger.lower_ else status
    for party in _coordinated_with(doc, orgs, buyer):  # "Audi, BMW und Daimler haben Here gekauft"
        if party.entity != target.entity:
            add_relation(doc, rtype, party.entity, target.entity, sent, dict(attributes), 0.7)


def _seller(doc: Doc, sent: Span, trigger: Token, mention: Mention) -> bool:
    """ "X kauft das Werk vom Konzern Z", "X übernimmt von der Y die Sparte": after a verb,
    "von" names who sells, unless it names whose shares are bought ("30 Prozent von Z")."""
    window = doc[max(sent.start, trigger.i + 1, mention.start - 4):mention.start]
    von = next((t for t in window if t.lower_ in {"von", "vom"}), None)
    return von is not None and (von.lower_ == "vom" or von.i == trigger.i + 1 or not (
        doc[von.i - 1].lower_ in {"prozent", "%"} or doc[von.i - 1].lower_.startswith(HOLDING_WORDS + ("mehrheit", "aktie"))))


def _holding_bought(doc: Doc, trigger: Token, target: Mention) -> bool:
    """ "erwirbt eine Minderheitsbeteiligung an X", "kauft Anteile von X": a holding, not the
    company, unless it is the majority."""
    words = [t.lower_ for t in (doc[trigger.i + 1:target.start] if target.start > trigger.i else [trigger])]
    return any(w.startswith(HOLDING_WORDS) or w.endswith(HOLDING_WORDS) for w in words) and \
        not any("mehrheit" in w for w in words)


def _after_von(doc: Doc, sent: Span, mention: Mention) -> bool:
    """ "von X", "von der X", "vom Rivalen X": the agent of a passive."""
    i = mention.start - 1
    while i > max(sent.start, mention.start - REACH) and _descriptor(doc, i, i + 1):
        i -= 1
    return i >= sent.start and doc[i].lower_ in {"von", "vom"}


def _coordinated_with(doc: Doc, orgs: List[Mention], mention: Mention) -> List[Mention]:
    """`mention` and the organisations listed with it ("Audi, BMW und Daimler")."""
    ordered = sorted(orgs, key=lambda m: m.start)
    k = next(i for i, m in enumerate(ordered) if m is mention)
    first = last = k
    while first > 0 and _coordinated(doc, ordered[first - 1], ordered[first]):
        first -= 1
    while last + 1 < len(ordered) and _coordinated(doc, ordered[last], ordered[last + 1]):
        last += 1
    return ordered[first:last + 1]


def _stake(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    if len({m.entity for m in orgs}) < 2 or any(t.lower_.startswith(("verkauf", "veräußer", "abgestoßen", "stößt"))
                                                 for t in sent):
        return  # selling a holding is not holding it
    glued, named = _compound_before(doc, trigger, orgs), _follower(doc, trigger, orgs)
    holder = trigger.lower_.endswith(SHAREHOLDER_HEADS)  # the noun names the investor, not the holding
    if glued is not None and named is not None and glued.entity != named.entity:
        if holder:  # "der Telekom-Großaktionär KfW"
            add_relation(doc, "stake", named.entity, glued.entity, sent, _share(doc, sent, glued), 0.65)
            return
        for company in _coordinated_with(doc, orgs, named):  # "Etihad-Beteiligungen Air Berlin und Alitalia"
            add_relation(doc, "stake", glued.entity, company.entity, sent, {}, 0.65)
        return
    preps = {"der", "des", "von", "bei", "beim"} if holder else {"an", "am", "bei", "beim"}
    company = _after(doc, sent, trigger.i, preps, orgs, 3 if holder else 8)
    companies = [company] if company is not None else [] if holder else _fronted(doc, sent, trigger, orgs)
    held = {m.entity for m in companies}
    investor = _nearest([m for m in orgs if m.entity not in held and (company is not None or not _held_at(doc, sent, m))],
                        trigger.i, before=True)
    if investor is None:
        return
    for company in companies:
        add_relation(doc, "stake", investor.entity, company.entity, sent, _share(doc, sent, company), 0.65)


def _share(doc: Doc, sent: Span, company: Mention) -> dict:
    """The percentage written nearest before the company ("zu 29 Prozent an X und zu 49 Prozent
    an Y"), else the sentence's first."""
    found = list(SHARE_RE.finditer(sent.text))
    before = [m for m in found if sent.start_char + m.end() <= doc[company.start].idx]
    share = before[-1] if before else (found[0] if found else None)
    return {"share": share.group(0) if share else None}


def _fronted(doc: Doc, sent: Span, trigger: Token, orgs: List[Mention]) -> List[Mention]:
    """The companies of a holding named before the verb: "An der RBI ist X mit zehn Prozent
    beteiligt", "X ist zu 29 Prozent an Air Berlin und zu 49 Prozent an Alitalia beteiligt",
    "Uniqa, an der X beteiligt ist"."""
    before = [m for m in orgs if m.end <= trigger.i]
    held = [m for m in before if _held_at(doc, sent, m)]
    if held:
        return held
    clause_start = _clause(doc, sent, trigger).start
    antecedents = [m for m in before if m.start < clause_start and m.end + 1 < trigger.i and doc[m.end].text == ","
                   and doc[m.end + 1].lower_ in {"an", "bei"}]
    return antecedents[-1:]  # the antecedent of "an der/dem"


def _held_at(doc: Doc, sent: Span, mention: Mention) -> bool:
    """ "an (der) X", "bei (der) X": the company a holding is in (not the subject of the
    relative clause "Y, an dem X die Mehrheit hält")."""
    i = mention.start - 1
    if i > sent.start and doc[i].lower_ in ARTICLES:
        i -= 1
        if i > sent.start and doc[i - 1].text == ",":
            return False
    return i >= sent.start and doc[i].lower_ in {"an", "am", "bei", "beim"}


def _merger(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    if not trigger.is_lower:  # a noun ("nach dem Merger") names its parties in its own clause
        clause = _clause(doc, sent, trigger)
        orgs = [m for m in orgs if clause.start <= m.start < clause.end]
    ids = [e for e in self._entities(orgs, group) if self._is_company(doc, e)]
    if len(ids) >= 2:
        add_relation(doc, "merger", ids[0], ids[1], sent, {"status": self._status(sent)}, 0.7)


def _subsidiary(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    low = trigger.lower_
    glued = _compound_before(doc, trigger, orgs)
    follower = _follower(doc, trigger, orgs)
    parent = child = None
    if low.endswith(("tochter", "töchter", "ableger")) or low.startswith("tochter"):
        parent = glued or _past_owner(doc, _after(doc, sent, trigger.i, {"von", "des", "der"}, orgs, 3), orgs)
        if parent is None and follower is not None:
            parent = _owner_before(doc, sent, trigger, orgs)  # "E.ON bringt Tochter Uniper an die Börse"
        if follower is not None and follower is not parent:
            child = follower
        elif (reference := _reference_around(orgs, trigger)) is not None:
            child = reference  # "Covestro ... Dass die Bayer-Tochter ..."
        elif not _unnamed(doc, sent, glued.start if glued else trigger.i):
            child = _nearest([m for m in orgs if parent is None or m.entity != parent.entity], trigger.i, before=True)
    elif "mutter" in low or low.startswith(OWNER_STEMS):  # "die Opel-Mutter GM", "des Kaufhof-Eigners HBC"
        child, parent = glued, follower or _reference_around(orgs, trigger)
    elif low.startswith(("gehör", "zähl")):
        for parent, child in _belongs(doc, sent, trigger, orgs):
            if parent.entity != child.entity:
                add_relation(doc, "subsidiary", parent.entity, child.entity, sent, {}, 0.7)
        return
    if parent is None or child is None or parent.entity == child.entity:
        return
    add_relation(doc, "subsidiary", parent.entity, child.entity, sent, {}, 0.7)


def _reference_around(orgs: List[Mention], trigger: Token) -> Optional[Mention]:
    """The resolved family reference the trigger is part of: "die Bayer-Tochter" names the
    company the alias linker found it to mean."""
    return next((m for m in orgs if m.family and m.start < trigger.i < m.end), None)


def _unnamed(doc: Doc, sent: Span, start: int) -> bool:
    """ "mit einer Alibaba-Tochter": an indefinite phrase after a preposition names no company
    of its own (unlike the apposition "X, eine Alibaba-Tochter" or "X ist eine Tochter von Y")."""
    i = start - 1
    while i > sent.start and doc[i].is_lower and doc[i].lower_ not in INDEFINITE:
        i -= 1  # adjectives: "einer indirekten Tochtergesellschaft"
    return doc[i].lower_ in INDEFINITE and i > sent.start and doc[i - 1].lower_ in PREPOSITIONS


def _past_owner(doc: Doc, found: Optional[Mention], orgs: List[Mention]) -> Optional[Mention]:
    """ "Tochter der zur Würth-Gruppe gehörenden Würth Elektronik": the parent is the company
    the participle describes, not the group it belongs to."""
    end = _phrase_end(doc, found) if found is not None else 0
    if found is None or end >= len(doc) or not doc[end].lower_.startswith("gehörend"):
        return found
    return next((m for m in orgs if end < m.start <= end + 3), found)


def _phrase_end(doc: Doc, mention: Mention) -> int:
    """The end of the noun a compound mention begins ("Würth-Gruppe"), else of the mention."""
    if mention.kind == COMPOUND and mention.end + 1 < len(doc) and doc[mention.end].text == "-":
        return mention.end + 2
    return mention.end


def _follower(doc: Doc, trigger: Token, orgs: List[Mention]) -> Optional[Mention]:
    """The name right after a noun trigger: "Tochter Uniper", "die Tochter, die X"."""
    return next((m for m in orgs if trigger.i < m.start <= trigger.i + 3 and
                 all(t.lower_ in ARTICLE_WORDS or t.text == "," for t in doc[trigger.i + 1:m.start])), None)


def _owner_before(doc: Doc, sent: Span, trigger: Token, orgs: List[Mention]) -> Optional[Mention]:
    """The owner of "seine/ihre Tochter X" (the company named before, across commas) or of
    "X bringt Tochter Y ..." (the company before the trigger in its own clause)."""
    possessive = any(t.lower_ in POSSESSIVES for t in doc[max(sent.start, trigger.i - 3):trigger.i])
    start = sent.start if possessive else _clause(doc, sent, trigger).start
    return _nearest([m for m in orgs if m.start >= start], trigger.i, before=True)


def _belongs(doc: Doc, sent: Span, trigger: Token, orgs: List[Mention]) -> List[Tuple[Mention, Mention]]:
    """(parent, child) pairs of "X gehört zu Y", of the relative clause "Y, zu dem X und Z
    gehören/zählen" and of the participle "die zur Y gehörende X"."""
    clause = _clause(doc, sent, trigger)
    if clause.start < trigger.i - 1 and doc[clause.start].lower_ in {"zu", "zum", "zur"}:
        parent = _nearest(orgs, clause.start, before=True)
        children = [m for m in orgs if clause.start < m.start and m.end <= trigger.i]
        return [(parent, child) for child in children] if parent is not None else []
    if trigger.lower_.startswith("zähl"):
        return []  # "X zählt zu den Kunden von Y": only the relative clause says who owns whom
    if trigger.lower_.startswith("gehörend"):
        parent = next((m for m in orgs if _phrase_end(doc, m) == trigger.i and m.start > sent.start
                       and doc[m.start - 1].lower_ in {"zu", "zum", "zur"}), None)
        child = next((m for m in orgs if trigger.i < m.start <= trigger.i + 3), None)
        return [(parent, child)] if parent is not None and child is not None else []
    parent, child = _after(doc, sent, trigger.i, {"zu", "zum", "zur"}, orgs, 6), _nearest(orgs, trigger.i, before=True)
    return [(parent, child)] if parent is not None and child is not None else []


def _spin_off(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    if trigger.lower_.startswith(("trenn", "getrennt")):  # "X will sich von Y trennen": Y is the unit
        von = [m for m in orgs if any(t.lower_ in {"von", "vom"} for t in doc[max(sent.start, m.start - 4):m.start])]
        parent = next((m for m in orgs if not von or m.entity != von[0].entity), None)
        if von and parent is not None and parent.start < von[0].start:
            add_relation(doc, "spin_off", parent.entity, von[0].entity, sent, {}, 0.6)
        return
    parent = _after(doc, sent, trigger.i, {"des", "der", "von", "vom"}, orgs, 2)
    if parent is not None:
        unit = _nearest([m for m in orgs if m.entity != parent.entity], trigger.i, before=True)
    else:
        parent = _nearest(orgs, trigger.i, before=True)
        unit = _nearest([m for m in orgs if parent is None or m.entity != parent.entity], trigger.i, before=False)
    if parent is None or unit is None or parent.entity == unit.entity:
        return
    add_relation(doc, "spin_off", parent.entity, unit.entity, sent, {}, 0.6)


def _insolvency(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    companies = [m for m in orgs if self._is_company(doc, m.entity)]
    if trigger.is_lower and trigger.lower_[-1] in "enrs":  # "der insolventen Air Berlin": the noun it qualifies
        # past a descriptor: "der insolvente Brennstoff-Hersteller German Pellets"
        qualified = next((m for m in companies if trigger.i < m.start <= trigger.i + 5
                          and not any(t.is_punct and t.text != "-" for t in doc[trigger.i + 1:m.start])), None)
        if qualified is not None:
            add_relation(doc, "insolvency", qualified.entity, None, sent, {}, 0.75)
        return
    clause = _clause(doc, sent, trigger)
    local = [m for m in companies if clause.start <= m.start < clause.end]
    # states go bankrupt too ("Zahlungsunfähigkeit Griechenlands"): only a company in the clause counts then
    scope = local if trigger.lower_.startswith("zahlungsunf") or len({m.entity for m in companies}) > 1 else companies
    subject = (_compound_before(doc, trigger, scope)
               or _after(doc, sent, trigger.i, {"von", "der", "des", "bei", "beim", "über"}, scope, 1)
               or _nearest(scope, trigger.i, before=True) or _nearest(scope, trigger.i, before=False))
    if subject is None:
        return
    parties = _coordinated_with(doc, scope, subject)
    if not _opens_clause(doc, sent, parties[0].start):
        parties = [subject]  # only a list that opens the clause is its subject: not "Nach BMW und Audi meldet X ..."
    for party in parties:  # "Die Slav Beteiligung GmbH und die Slav Aero GmbH haben Konkurs angemeldet"
        add_relation(doc, "insolvency", party.entity, None, sent, {}, 0.75)


def _opens_clause(doc: Doc, sent: Span, start: int) -> bool:
    """A name that begins its sentence or clause (an article before it aside): a subject's place."""
    i = start
    while i > sent.start and doc[i - 1].lower_ in ARTICLES:
        i -= 1
    return i == sent.start or doc[i - 1].is_punct or doc[i - 1].lower_ in {"und", "dass", "aber", "nachdem", "weil", "als"}


def _layoffs(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    if not self.triggers.requires("layoffs", sent):
        return
    everywhere = [m for m in orgs if self._is_company(doc, m.entity)]
    clause = _clause(doc, sent, trigger)
    companies = [m for m in everywhere if clause.start <= m.start < clause.end]
    if not companies and len({m.entity for m in everywhere}) == 1:
        companies = everywhere  # "Die vom Stellenabbau betroffenen ... , kündigte Intel an"
    subject = _compound_before(doc, trigger, companies) or _nearest(companies, trigger.i, before=True) or \
        _nearest(companies, trigger.i, before=False)
    if subject is None:
        return
    count = None
    for t in sent:
        if COUNT_RE.match(t.text) and t.i + 1 < sent.end and doc[t.i + 1].lower_.endswith(COUNT_NOUNS):
            count = int(t.text.replace(".", ""))
            break
    add_relation(doc, "layoffs", subject.entity, None, sent, {"count": count}, 0.7)


def _strike(self: Relations, doc, sent, trigger, orgs, group, nxt, triggered) -> None:
    unions = [m for m in orgs if any(w in m.text(doc).casefold() for w in UNION_WORDS)]
    if not unions:
        return
    employers = [m for m in orgs if m.entity != unions[0].entity and self._is_company(doc, m.entity)
                 and "media" not in self._sector(doc, m.entity)]  # not the agency in the dateline
    employer = _after(doc, sent, trigger.i, {"bei", "beim", "gegen"}, employers, 6)
    affected = any(t.lower_ in CAUSES for t in doc[max(sent.start, trigger.i - 5):trigger.i])
    if employer is None and employers and not affected:  # "Lufthansa streicht Flüge wegen des Streiks"
        employer = min(employers, key=lambda m: abs(m.start - trigger.i))
    if employer is not None:
        add_relation(doc, "strike", unions[0].entity, employer.entity, sent, {}, 0.7)
        return
    # "Die Gewerkschaft Ufo ruft zum Streik auf" in an article about Lufthansa: the employer is the
    # company the article is about; with none, the strike names no employer and is left out
    skip = {unions[0].entity} | {e for e in mention_counts(doc, ("COMPANY",)) if "media" in self._sector(doc, e)}
    main = main_entity(doc, ("COMPANY",), skip)
    if main is not None:
        add_relation(doc, "strike", unions[0].entity, main, sent, {}, 0.6)


def _topic(doc: Doc, sent: Span) -> Optional[str]:
    for t in sent:
        if t.lower_ == "bei" and t.i + 2 < sent.end and doc[t.i + 1].lower_ in {"der", "dem", "den"}:
            nxt = doc[t.i + 2]
            if nxt.text[:1].isupper() and nxt.is_alpha:
                return nxt.text
    return None


RULES = (
    ("cooperation_talks", _talks),
    ("cooperation", _cooperation),
    ("supply_contract", _supply),
    ("rating", _rating),
    ("acquisition", _acquisition),
    ("stake", _stake),
    ("merger", _merger),
    ("subsidiary", _subsidiary),
    ("spin_off", _spin_off),
    ("insolvency", _insolvency),
    ("layoffs", _layoffs),
    ("strike", _strike),
)
