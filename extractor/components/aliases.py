"""One entity per real-world thing: cluster names, link descriptive references.

Names cluster by knowledge-base id, by folded name, and persons by surname.
Descriptive references ("der bayerische Hersteller", "der US-Autokonzern", "die
Amerikaner", "die Schweden") carry a place and/or a sector; they link to an earlier
company that fits: first what the article itself said (an apposition such as "der
bayerische Hersteller BMW" teaches that BMW is the bayerische Hersteller), then the
knowledge base (HQ, country, industry), then recency. A reference stays unlinked
when nothing fits or two candidates fit equally well.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.language import Language
from spacy.tokens import Doc, Token

from ..kb import KnowledgeBase, fold, load_kb, load_lexicon, without_endings
from ..relation_types import load_json, validation_problems
from .alias_ranker import CONFLICT, Candidate, RuleRanker, TrainedRanker, candidate_features
from .mentions import hyphen_chain_start
from .mention import (ALIAS, ARTICLES, COMPOUND, GENERIC_REFERENCES, NAME, ORG_TYPES, PRONOUN, STOCK_INDEX, Mention, mentions,
                      serialisable, set_spans)
from .resources import KB_FILES, TITLES, DataComponent
from .titles import TitleLexicon

# definite only: "einen Investor" introduces someone new, it does not refer back
DETERMINERS = ARTICLES
DEFINITE = DETERMINERS | {"dieser", "diese", "dieses", "diesem", "diesen"}
INDEFINITE = {"ein", "eine", "eines", "einem", "einen", "einer", "kein", "keine", "keinen", "keinem", "keiner"}
PLURAL_QUANTIFIERS = {"beide", "beiden", "mehrere", "mehreren", "viele", "vielen", "alle", "allen", "einige",
                      "einigen", "andere", "anderen", "zwei", "drei", "vier", "sämtliche", "zahlreiche", "manche"}
FAMILY_HEADS = {"mutter": "parent", "mutterkonzern": "parent", "muttergesellschaft": "parent",
                "eigentümer": "parent", "eigner": "parent", "tochter": "child", "tochterfirma": "child",
                "tochtergesellschaft": "child"}
AGE_NOUNS = {"jährige", "jährigen", "jähriger"}  # "der 52-Jährige"
# endings of an industry noun -> whether the form is plural (None: it depends on the noun)
HEAD_ENDINGS = {"": False, "s": False, "es": False, "en": None, "n": True, "e": True, "innen": True}
PRODUCTS = "lexicons/products.json"
OFFICES = "lexicons/offices.json"
NOT_AFTER = {"in", "im", "aus", "nach", "von", "für", "gegen", "ganz", "über"}
# a preposition fused with the article ends like an adjective but begins no reference: "vom Oldenburger Versorger"
FUSED = {"vom", "im", "am", "zum", "beim", "zur"}
SPORT = "sport"  # the sector of clubs (lexicons/industry.json)


@serialisable
@dataclass
class EntityInfo:
    id: str
    type: str
    kb_id: Optional[str]
    mentions: List[Mention] = field(default_factory=list)
    first: int = 0  # token index of the first mention
    starts: List[int] = field(default_factory=list)  # sorted mention starts, for recency look-ups
    places: Set[str] = field(default_factory=set)  # learned from appositions
    hints: Set[str] = field(default_factory=set)  # where the article puts it: they support, never contradict
    sectors: Set[str] = field(default_factory=set)


@Language.factory("alias_linker", requires=["doc._.mentions"],
                  assigns=["doc._.mentions", "doc._.entities", "doc.ents", "doc.spans"])
def create_alias_linker(nlp: Language, name: str) -> "AliasLinker":
    return AliasLinker(name)


class AliasLinker(DataComponent):
    data_files = KB_FILES + (TITLES, PRODUCTS, OFFICES)

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.ranker = RuleRanker()  # trained weights replace it in `from_disk`

    def load(self, data_dir: str) -> None:
        self.kb: KnowledgeBase = load_kb(data_dir)
        industry = self.kb.industry
        self.need_place = set(industry["reference_heads_need_place"])
        self.feminine = tuple(industry["feminine"])
        self.neuter = tuple(industry["neuter"])
        self.weak = tuple(industry["weak"])
        self.argument_references = frozenset(industry["argument_references"])
        self.name_words: Dict[str, str] = {word: sector for sector, words in industry["name_words"].items()
                                           for word in words}
        self.titles = TitleLexicon(data_dir)
        self.products: Dict[str, str] = load_lexicon(data_dir, "products.json")["products"]
        self.office_holders = _office_holders(read_offices(Path(data_dir) / OFFICES))
        self.nicknames: Dict[str, Set[str]] = {}  # folded nickname -> kb ids ("geißböcke" -> 1. FC Köln)
        for company in self.kb.companies.values():
            for nickname in company.aliases:
                self.nicknames.setdefault(nickname.casefold(), set()).add(company.id)

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        found = mentions(doc)
        aliases = self._find_references(doc, found) + self._family_references(doc, found)
        # a family or title reference keeps its name part: "AUA" in "die AUA-Mutter", "FPÖ" in
        # "der FPÖ-Chef" are still mentions of AUA and FPÖ
        covered = {i for alias in aliases for i in range(alias.start, alias.end)
                   if not (alias.family or alias.prefix) or i in (alias.start, alias.end - 1)}
        names = [m for m in found if not (set(range(m.start, m.end)) & covered)]
        entities = _cluster(doc, names, self.kb)
        for entity in entities:
            if entity.type in ORG_TYPES and not entity.kb_id:
                entity.sectors |= {self.name_words[t.text] for m in entity.mentions for t in m.span(doc)
                                   if t.text in self.name_words}  # "SuS Vinkrath": a club
                entity.places |= self._places_in_names(doc, entity)
        self._place_hints(doc, names, entities)
        self._mark_credits(doc, entities)
        by_start = {m.start: m for m in names}
        doc.user_data["entity_index"] = {e.id: e for e in entities}
        doc.user_data["sentence_starts"] = [sent.start for sent in doc.sents]
        for alias in sorted(aliases, key=lambda m: m.start):
            target = self._resolve(doc, alias, entities, by_start)
            if target is not None:
                alias.entity = target.id
                target.mentions.append(alias)
                insort(target.starts, alias.start)
        doc._.mentions = sorted(names + [a for a in aliases if a.entity], key=lambda m: m.start)
        doc._.entities = [_entity_json(doc, e, self.kb) for e in entities]
        doc.user_data[GENERIC_REFERENCES] = _generic_references(doc, doc._.mentions, entities, self.argument_references)
        set_spans(doc)
        return doc

    def _mark_credits(self, doc: Doc, entities: List[EntityInfo]) -> None:
        """Flag the mentions that credit a source ("Berlin (dpa) -"): the sector decides
        whether a name in parentheses is a medium."""
        for entity in entities:
            company = self.kb.get(entity.kb_id) if entity.kb_id else None
            media = "media" in entity.sectors or (company is not None and "media" in self.kb.company_sectors(company))
            for m in entity.mentions:
                m.credit = m.is_credit(doc, media)

    # --- finding descriptive references --------------------------------------------
    def _find_references(self, doc: Doc, found: List[Mention]) -> List[Mention]:
        # trusted names block a reference; NER spans do not ("den Bayern" tagged as a place)
        name_tokens = {i for m in found if m.source != "ner" for i in range(m.start, m.end)}
        org_tokens = {i for m in found if m.type in ORG_TYPES for i in range(m.start, m.end)}
        refs: List[Mention] = []
        taken: Set[int] = set()
        for token in doc:
            if token.i in taken or token.i in name_tokens or not (token.text[:1].isupper() or token.text in self.products):
                continue
            ref = (self._nickname(doc, token) or self._demonym(doc, token) or self._descriptive(doc, token, org_tokens)
                   or self._person_reference(doc, token, org_tokens))
            if ref is not None and not (set(range(ref.start, ref.end)) & taken):
                refs.append(ref)
                taken.update(range(ref.start, ref.end))
        return refs

    def _nickname(self, doc: Doc, token: Token) -> Optional[Mention]:
        """ "die Geißböcke", "der Kranich-Airline", "die Währungshüter": a nickname the knowledge
        base gives one or more organisations, after a definite determiner; the hyphen chain
        ending at `token`, inflected or not ("den Geißböcken")."""
        if not self.nicknames or token.i + 1 < len(doc) and (doc[token.i + 1].text == "-" or doc[token.i + 1].is_title):
            return None  # "die Adler Modemärkte": the word begins a name, it is no nickname
        start = hyphen_chain_start(doc, token.i)
        for first in (start, start - 1):  # "Kranich-Airline", "Alte Dame"
            if first < 1 or doc[first - 1].lower_ not in DETERMINERS:
                continue
            known = self._nickname_ids(doc[first:token.i + 1].text.casefold())
            if known:
                return Mention(first - 1, token.i + 1, "COMPANY", kind=ALIAS, source="alias", known_as=frozenset(known))
        return None

    def _nickname_ids(self, text: str) -> Set[str]:
        return next((self.nicknames[base] for _, base in without_endings(text, ("", "n", "en", "s", "es"))
                     if base in self.nicknames), set())

    def _demonym(self, doc: Doc, token: Token) -> Optional[Mention]:
        """ "die Bayern", "den Bayern", "der Schweden", "Die Amerikaner" (plural, with article)."""
        place = self.kb.demonym_place(token.text)
        if place is None or token.i == 0:
            return None
        det = doc[token.i - 1]
        if det.lower_ not in {"die", "den", "der"}:
            return None
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
        adjective_like = token.text.endswith("er") or self.kb.adjective_place(token.text) is not None
        if adjective_like and nxt is not None and nxt.text[:1].isupper() and nxt.is_alpha and not nxt.is_sent_start:
            return None  # "die Münchner Zentrale", "der Deutschen Bank": an adjective, not the people
        if token.i >= 2 and doc[token.i - 2].lower_ in NOT_AFTER and det.lower_ == "der":
            return None
        return Mention(det.i, token.i + 1, "COMPANY", kind=ALIAS, source="alias", places=self.kb.place_keys(place))

    def _descriptive(self, doc: Doc, token: Token, org_tokens: Set[int]) -> Optional[Mention]:
        """ "der US-Autokonzern", "der bayerische Hersteller", "den US-Autogiganten"."""
        if token.i >= 2 and doc[token.i - 1].text == "-" and not doc[token.i - 2].whitespace_:
            return None  # the second part of a compound: its first part decides ("Berger-Gruppe", "US-Autokonzern")
        head_i, places = token.i, set()
        start = token.i
        qualified = False  # a prefix such as "Online-" qualifies a bare generic head
        owner = None
        # prefix compound: US - Autokonzern
        if token.i + 2 < len(doc) and doc[token.i + 1].text == "-" and not token.whitespace_:
            owner = self.products.get(token.text)  # "der iPhone-Konzern": Apple's product
            place = self.kb.prefix_place(token.text)
            if place is not None:
                places |= self.kb.place_keys(place)
            elif not token.is_alpha or token.is_upper or token.i in org_tokens:
                return None  # "die BMW-Tochter": a name compound, not a description
            qualified = True
            head_i = token.i + 2  # "der US-Autokonzern", "der Online-Riese", "der Android-Hersteller"
        head = doc[head_i]
        base, plural_form = self._head_base(head.text)
        family_head = base is None and head.lower_ in FAMILY_HEADS  # "die Münchener Tochter"
        if family_head:
            base, plural_form = head.text, False
        if base is None:
            return None
        sector, known = self.kb.noun_sectors(base)
        if not (known or family_head):
            return None
        if sector == SPORT and head_i in org_tokens and head_i + 1 in org_tokens:
            return None  # "der Boxclub Strausberg": a club is named by its kind and its town
        # modifiers to the left: adjectives (place adjectives count), then a determiner
        i = start - 1
        determiner: Optional[Token] = None
        while i >= 0 and start - i <= 4:
            left = doc[i]
            if left.lower_ in INDEFINITE:
                return None
            if left.lower_ in DETERMINERS or left.lower_ in PLURAL_QUANTIFIERS:
                determiner = left
                break
            genitive = self._genitive_place(left)
            if genitive:  # "Deutschlands größte Fluggesellschaft": the genitive determines and places
                determiner = left
                places |= genitive
                break
            place = self.kb.adjective_place(left.text)
            # "US-amerikanische": the first part of a hyphenated adjective belongs to the reference
            hyphenated = left.is_alpha and not left.whitespace_ and i + 1 < start and doc[i + 1].text == "-" \
                and not doc[i + 1].whitespace_
            if place is not None:
                places |= self.kb.place_keys(place)
            elif not hyphenated and (not (left.is_lower and left.is_alpha and left.text[-1] in "enrsm")
                                     and not (left.like_num or left.text in {"-"}) or left.lower_ in FUSED):
                break
            i -= 1
        first = determiner.i if determiner is not None else i + 1
        # adjectives between determiner and start
        for left in doc[first:start]:
            place = self.kb.adjective_place(left.text)
            if place is not None:
                places |= self.kb.place_keys(place)
        end = head_i + 1
        origin = self._origin(doc, end)  # "der Konzern aus Ohio", "die Spieleschmiede aus Kyoto"
        if origin:
            places |= origin
            end += 2
        elif end < len(doc) and (genitive := self._genitive_place(doc[end])):  # "der größte Chemiekonzern Chinas"
            places |= genitive
            end += 1
        if base.casefold() in self.need_place and not places and not qualified or family_head and not places:
            return None
        if self._is_plural(determiner, doc[first:start], base, plural_form):
            return None
        if determiner is None and (not places or _genitive_plural(doc, first, start)):
            return None
        return Mention(first, end, "COMPANY", kind=ALIAS, source="alias",
                       places=frozenset(places), sector=sector, owner=owner)

    def _origin(self, doc: Doc, i: int) -> Set[str]:
        """Place keys of "aus <place>" right after a reference's head; "aus" names a place, so a
        town of the gazetteer counts ("das Systemhaus aus Borken")."""
        if i + 1 >= len(doc) or doc[i].lower_ != "aus":
            return set()
        keys: Set[str] = set()
        for place in self.kb.places_called(doc[i + 1].text):
            keys |= self.kb.place_keys(place)
        return keys

    def _genitive_place(self, token: Token) -> Set[str]:
        """Place keys of a curated place's genitive ("Deutschlands", "Chinas", "Bayerns"): it places
        a reference as an adjective does."""
        text = token.text
        if len(text) < 4 or not text.endswith("s") or not text[:1].isupper():
            return set()
        return {key for place in self.kb.places_named(text[:-1]) for key in self.kb.place_keys(place)}

    def _places_in_names(self, doc: Doc, entity: EntityInfo) -> Set[str]:
        """ "Austria Wien", "SG Flensburg-Handewitt", "Mannheimer Adler": a place (or its adjective)
        in the name is where it is; a club is named after its town, so any town of the gazetteer
        counts there ("SuS Holzhausen")."""
        keys: Set[str] = set()
        named = self.kb.places_called if SPORT in entity.sectors else self.kb.places_named
        for mention in entity.mentions:
            for token in mention.span(doc):
                adjective = self.kb.adjective_place(token.text)
                for place in named(token.text) + ([adjective] if adjective else []):
                    if place.kind != "country":  # "Telekom Austria" is no reference to every Austrian
                        keys |= self.kb.place_keys(place)
        return keys

    def _place_hints(self, doc: Doc, names: List[Mention], entities: List[EntityInfo]) -> None:
        """Where the article puts an organisation: "German Pellets in Wismar", "Netgo aus Borken",
        "VNG (Leipzig)", or the dateline of the sentence that names it ("MÜNCHEN (dpa-AFX) - Der
        Spezialmaschinenbauer KraussMaffei"). A plant or a press conference can be elsewhere
        than the seat, so a hint supports a reference but never rules one out."""
        index = {e.id: e for e in entities}
        by_start = {m.start: m for m in names}
        for m in names:
            if m.type in ORG_TYPES and m.entity and m.end + 1 < len(doc) and doc[m.end].lower_ in {"in", "aus", "("}:
                index[m.entity].hints |= self._place_at(doc, by_start.get(m.end + 1))
            elif m.type == "LOCATION" and doc[m.start].is_sent_start:
                company = self._after_dateline(doc, m, by_start)
                if company is not None:
                    index[company.entity].hints |= self._place_at(doc, m)

    def _place_at(self, doc: Doc, mention: Optional[Mention]) -> Set[str]:
        if mention is None or mention.type != "LOCATION":
            return set()
        return set(self.kb.within(k for place in self.kb.places_called(mention.text(doc))
                                  for k in self.kb.place_keys(place)))

    @staticmethod
    def _after_dateline(doc: Doc, place: Mention, by_start: Dict[int, Mention]) -> Optional[Mention]:
        """The first company named after a dateline ("Hamburg (dpa) -", "Wismar –"), within
        its sentence; none when the place starts an ordinary sentence."""
        i = place.end
        if i < len(doc) and doc[i].text == "(":
            while i < len(doc) and i - place.end < 8 and doc[i].text != ")":
                i += 1
            i += 1
        if i >= len(doc) or doc[i].text not in {"-", "–", "—"}:
            return None
        for j in range(i + 1, min(len(doc), i + 12)):
            if doc[j].is_sent_start:
                break
            m = by_start.get(j)
            if m is not None and m.type == "COMPANY" and m.entity:
                return m
        return None

    def _family_references(self, doc: Doc, found: List[Mention]) -> List[Mention]:
        """ "die AUA-Mutter", "der Zielpunkt-Eigentümer", "die VW-Tochter", "der hundertprozentigen
        Commerzbank-Tochtergesellschaft", a headline's "Unicredit-Tochter: ...": a company named by
        its relation to a company of the knowledge base."""
        refs = []
        for m in found:
            company = self.kb.get(m.kb_id)
            i = m.end
            if company is None or i + 1 >= len(doc) or doc[i].text != "-" or doc[i].whitespace_:
                continue
            relation = FAMILY_HEADS.get(doc[i + 1].lower_)
            start = self._family_start(doc, m.start)
            if relation is None or start is None:
                continue
            refs.append(Mention(start, i + 2, "COMPANY", kind=ALIAS, source="alias",
                                family=f"{relation}:{company.id}"))
        return refs

    @staticmethod
    def _family_start(doc: Doc, name_start: int) -> Optional[int]:
        """Where a family reference begins: at its definite determiner, adjectives between
        ("der hundertprozentigen"), or at the name where a headline or sentence starts with it."""
        if doc[name_start].is_sent_start:
            return name_start
        i = name_start - 1
        while i >= 0 and name_start - i <= 3:
            left = doc[i]
            if left.lower_ in DETERMINERS:
                return i
            if not (left.is_lower and left.is_alpha and left.text[-1] in "enrsm") or left.lower_ in FUSED \
                    or left.lower_ in INDEFINITE:
                return None
            i -= 1
        return None

    def _relative(self, alias: Mention, entities: List[EntityInfo]) -> Optional[EntityInfo]:
        """The one entity of the article that is the named company's parent (or child, for
        "Tochter"), by the knowledge base."""
        relation, kb_id = alias.family.split(":", 1)
        named = self.kb.get(kb_id)
        if relation == "parent":
            fits = [e for e in entities if named.parent and e.kb_id == named.parent]
        else:
            fits = [e for e in entities if e.kb_id and (self.kb.get(e.kb_id).parent == kb_id)]
        return fits[0] if len(fits) == 1 else None

    def _person_reference(self, doc: Doc, token: Token, org_tokens: Set[int]) -> Optional[Mention]:
        """A person named by what they are, standing alone: a title ("der Wirtschaftskammerpräsident",
        "der saarländische Innenminister", "der US-Präsident"), an occupation ("den Schauspieler"),
        an age ("der 52-Jährige", "der 50-jährige Konzernchef") or a nationality ("die Russin")."""
        low = token.lower_
        age_noun = low in AGE_NOUNS and _after_number(doc, token.i)
        titled = self.titles.is_title(token) or low in self.titles.person_nouns
        nationality = not titled and not age_noun and self._nationality(token)
        if not (titled or age_noun or nationality):
            return None
        start = token.i
        if age_noun:
            start -= 2
        while start - 2 >= 0 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_ \
                and doc[start - 2].is_alpha:
            start -= 2  # "US-Präsident", "SPD-Chef", "Börsen-Chef"
        start, aged = self._person_modifiers(doc, start)
        if start is None:
            return None
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if nxt is not None and (nxt.text[:1].isupper() or nxt.text in {"-", "("}
                                or nxt.lower_ in {"von", "vom", "der", "des", "bei", "beim"}):
            return None  # "der Chef Tim Cook", "der Chef von Apple": not standing alone
        by_recency = age_noun or aged or bool(nationality)
        # "der SPD-Chef": the title of a named organisation ("der US-Präsident" names a place)
        prefix = doc[token.i - 2].lower_ if titled and token.i - 2 in org_tokens and doc[token.i - 1].text == "-" \
            else None
        return Mention(start, token.i + 1, "PERSON", kind=ALIAS, source="alias",
                       title=low if titled else None, recent=by_recency, prefix=prefix)

    def _person_modifiers(self, doc: Doc, start: int) -> Tuple[Optional[int], bool]:
        """Start of the reference at its determiner (None: no definite determiner) and whether an
        age adjective ("50-jährige") qualifies it; adjectives ("saarländische", "heutige") are skipped."""
        i, aged = start - 1, False
        while i >= 0 and start - i <= 6:
            left = doc[i]
            if left.lower_ in DETERMINERS:
                return i, aged
            if left.lower_.startswith("jährig") and _after_number(doc, i):
                aged, i = True, i - 3
                continue
            if not (left.is_lower and left.is_alpha and left.text[-1] in "enrsm"):
                return None, False
            i -= 1
        return None, False

    def _nationality(self, token: Token) -> bool:
        """A singular person by nationality: "die Russin", "der Portugiese", "des Portugiesen"."""
        det = token.doc[token.i - 1].lower_ if token.i else ""
        text = token.text
        if text.endswith("in") and det in {"die", "der"}:
            stems = (text[:-2] + "en", text[:-2] + "e", text[:-2], text[:-2] + "er")
        elif text.endswith("e") and det == "der":
            stems = (text + "n",)
        elif text.endswith("en") and det in {"des", "dem", "den"}:
            stems = (text,)
        else:
            return False
        return any((place := self.kb.demonym_place(stem)) is not None and place.kind == "country" for stem in stems)

    def _head_base(self, word: str) -> Tuple[Optional[str], bool]:
        """Uninflected form of an industry noun and whether the form is plural-only."""
        for ending, base in without_endings(word, HEAD_ENDINGS):
            plural = HEAD_ENDINGS[ending]
            if len(base) < 3:
                continue
            sector, known = self.kb.noun_sectors(base)
            if known:
                low = base.casefold()
                if ending == "en":
                    plural = not low.endswith(self.weak)
                if ending == "n" and low.endswith(self.weak):
                    plural = False
                if ending in ("s", "es") and low.endswith(self.feminine):
                    plural = True  # "Airlines", "Banks" (rare) read as plural
                return base, bool(plural)
        return None, False

    def _is_plural(self, determiner: Optional[Token], adjectives, base: str, plural_form: bool) -> bool:
        if plural_form:
            return True
        if determiner is None:
            return False
        det = determiner.lower_
        if det in PLURAL_QUANTIFIERS:
            return True
        low = base.casefold()
        masculine = not low.endswith(self.feminine) and not low.endswith(self.neuter)
        if masculine and det == "die":
            return True
        return False

    # --- resolution -------------------------------------------------------------------
    def _resolve(self, doc: Doc, alias: Mention, entities: List[EntityInfo],
                 by_start: Dict[int, Mention]) -> Optional[EntityInfo]:
        index = doc.user_data["entity_index"]
        follower = by_start.get(alias.end)
        if follower is not None and follower.entity:
            entity = index[follower.entity]
            if follower.type == "PERSON" and alias.sector and not entity.kb_id:
                # "die Digitalagentur Conrad Caine": a company noun in apposition makes the name a company
                entity.type = "COMPANY"
                for mention in entity.mentions:
                    mention.type = "COMPANY"
            if entity.type in ORG_TYPES:  # apposition: "der bayerische Hersteller BMW"
                entity.places |= self.kb.within(alias.places)
                if alias.sector:
                    entity.sectors.add(alias.sector)
                return entity
        if alias.type == "PERSON":
            titled = _titled_person(doc, alias, entities) or self._office_holder(doc, alias, entities) \
                if alias.title else None
            return titled or (_recent_person(doc, alias, entities) if alias.recent else None)
        if alias.known_as:
            named = [e for e in entities if e.kb_id in alias.known_as]
            return named[0] if len(named) == 1 else None
        if alias.family is not None:  # the knowledge base's relative, else the article's company that fits
            return self._relative(alias, entities) or \
                self.ranker.choose(doc, alias, self._org_candidates(doc, alias, entities))
        return self.ranker.choose(doc, alias, self._org_candidates(doc, alias, entities))

    def _office_holder(self, doc: Doc, alias: Mention, entities: List[EntityInfo]) -> Optional[EntityInfo]:
        """ "die Kanzlerin" in an article naming Merkel: the one person of the article known to
        have held the office the reference names (extractor/data/lexicons/offices.json)."""
        holders = self.office_holders.get(_written_title(doc, alias), set())
        found = [e for e in entities if e.type == "PERSON" and e.first < alias.start and
                 {fold(m.text(doc)).split()[-1] for m in e.mentions if m.kind == NAME} & holders]
        return found[0] if len(found) == 1 else None

    def _org_candidates(self, doc: Doc, alias: Mention, entities: List[EntityInfo]) -> List[Candidate]:
        """The organisations named before the reference, most recent first, with their evidence."""
        before = []
        for entity in entities:
            # an organisation other than a company only by a place in its name ("die Wiener": Austria Wien)
            named_place = entity.type == "ORG" and bool(alias.places & self._demonym_places(entity)) \
                and alias.sector is None
            # or by its sector: "der Bundesligist" is a club
            in_sector = entity.type == "ORG" and alias.sector is not None and alias.sector in self._sectors(entity)
            if (entity.type != "COMPANY" and not named_place and not in_sector) or entity.first >= alias.start:
                continue
            last = _last_before(entity, alias.start)
            if last is not None:
                before.append((last, entity))
        before.sort(key=lambda x: -x[0])
        sent_starts = doc.user_data["sentence_starts"]
        here = bisect_right(sent_starts, alias.start)
        by_count = sorted(before, key=lambda x: (-bisect_left(x[1].starts, alias.start), x[1].first))
        salience = {id(e): rank for rank, (_, e) in enumerate(by_count, 1)}
        by_first = {id(e): rank for rank, (_, e) in enumerate(sorted(before, key=lambda x: x[1].first), 1)}
        reference = self._reference_shape(doc, alias)
        cands = []
        for recency, (last, entity) in enumerate(before, 1):
            evidence = self._evidence(alias, entity)
            features = candidate_features(evidence, entity.type, bool(entity.kb_id), reference, recency,
                                          here - bisect_right(sent_starts, last), salience[id(entity)],
                                          by_first[id(entity)], len(before))
            cands.append(Candidate(entity, last, evidence, features))
        return cands

    def _reference_shape(self, doc: Doc, alias: Mention) -> str:
        """What kind of words the reference is: a demonym ("die Bayern"), a bare head ("der
        Hersteller": the guideline leaves it out), or a qualified one ("der Batteriehersteller",
        "der bayerische Hersteller", "der Online-Riese")."""
        if alias.sector is None and not alias.owner and alias.places:
            return "demonym" if alias.end - alias.start == 2 else "placed"
        words = doc[alias.start + 1:alias.end]
        head = max(words, key=len).text
        qualified = len(words) > 1 or "-" in head or self.kb.noun_sectors(head)[0] is not None
        return ("qualified" if qualified else "bare") + (":placed" if alias.places else "")

    def _demonym_places(self, entity: EntityInfo) -> Set[str]:
        """Where the people a demonym names make up an organisation other than a company: the
        place in its name ("Austria Wien"), or a club's town by the knowledge base ("die Wiener"
        for FK Austria Wien; a ministry in Berlin is no "die Berliner")."""
        company = self.kb.get(entity.kb_id)
        if company is None or SPORT not in self._sectors(entity):
            return entity.places
        return entity.places | self.kb.company_places(company)

    def _sectors(self, entity: EntityInfo) -> Set[str]:
        """The sectors the article or the knowledge base gives an organisation."""
        company = self.kb.get(entity.kb_id)
        return entity.sectors | (self.kb.company_sectors(company) if company else frozenset())

    def _evidence(self, alias: Mention, entity: EntityInfo) -> Dict[str, str]:
        """What speaks for or against `entity` as the referent: per cue, whether the article
        ("learned"), the knowledge base ("kb") fits, contradicts ("conflict") or is silent."""
        company = self.kb.get(entity.kb_id)
        kb_places = self.kb.company_places(company) if company else frozenset()
        kb_sectors = self.kb.company_sectors(company) if company else frozenset()
        evidence = {}
        if alias.owner:
            owner = self.kb.get(alias.owner)
            family = {alias.owner, owner.parent if owner else None}
            mine = entity.kb_id in family or (company is not None and company.parent == alias.owner)
            evidence["owner"] = "match" if mine else CONFLICT  # another company's product
        if "media" in (kb_sectors | entity.sectors) and alias.sector != "media":
            evidence["media"] = CONFLICT  # the agency or paper that reports is not what "die Bank" means
        if alias.family:
            evidence["family"] = self._family_cue(alias.family, entity.kb_id)
        if alias.places:
            evidence["place"] = _cue(alias.places & entity.places, alias.places & kb_places,
                                     _contradicts(self.kb.within(alias.places), entity.places | kb_places))
            if evidence["place"] == "unknown" and alias.places & entity.hints:
                evidence["place"] = "learned"
        if alias.sector:
            evidence["sector"] = _cue(alias.sector in entity.sectors, alias.sector in kb_sectors,
                                      bool(entity.sectors or kb_sectors))
        return evidence

    def _family_cue(self, family: str, kb_id: Optional[str]) -> str:
        """Whether the knowledge base makes `kb_id` the relative a family reference names: the
        named company itself or a company with another parent is ruled out."""
        relation, named_id = family.split(":", 1)
        company, named = self.kb.get(kb_id), self.kb.get(named_id)
        if kb_id == named_id:
            return CONFLICT
        if relation == "child":  # the candidate's parent must be the named company
            known, wanted = (company.parent if company else None), named_id
        else:  # the named company's parent must be the candidate
            known, wanted = named.parent, kb_id
        if not known:
            return "unknown"
        return "kb" if known == wanted else CONFLICT

    # --- serialisation: the data files (DataComponent) and the ranker's weights ----
    def to_disk(self, path, *, exclude=()) -> None:
        super().to_disk(path, exclude=exclude)
        if isinstance(self.ranker, TrainedRanker):
            self.ranker.to_disk(Path(path) / "ranker")

    def from_disk(self, path, *, exclude=()) -> "AliasLinker":
        super().from_disk(path, exclude=exclude)
        if (Path(path) / "ranker" / "cfg").exists():
            self.ranker = TrainedRanker().from_disk(Path(path) / "ranker")
        return self


def _cue(learned, known, informed: bool) -> str:
    """A cue's verdict: the article said so, the knowledge base says so, something else is
    known (a contradiction), or nothing is known."""
    if learned:
        return "learned"
    if known:
        return "kb"
    return CONFLICT if informed else "unknown"


def _contradicts(wanted: Set[str], known: Set[str]) -> bool:
    """Known places contradict a reference (with the places around it) only at a level both
    know: a Hamburg office says nothing against "das norwegische Unternehmen", a US company
    is no "Paderborner Konzern"."""
    for kind in {key.partition(":")[0] for key in wanted} & {key.partition(":")[0] for key in known}:
        if not {k for k in wanted if k.startswith(kind + ":")} & known:
            return True
    return False


def _cluster(doc: Doc, names: List[Mention], kb: KnowledgeBase) -> List[EntityInfo]:
    """Group name mentions into entities: KB id, folded name, person surnames, genitive -s,
    short and full organisation names ("ADVA" and "ADVA Optical")."""
    keys: Dict[str, EntityInfo] = {}
    entities: List[EntityInfo] = []
    persons_full: Dict[str, EntityInfo] = {}

    def new(mention: Mention) -> EntityInfo:
        entity = EntityInfo(id=f"E{len(entities) + 1}", type=mention.type, kb_id=mention.kb_id)
        entities.append(entity)
        return entity

    ordered = sorted(names, key=lambda m: (m.start))
    abbreviations: Dict[str, str] = {}  # initials of multi-word names -> their key
    ends = {m.end: m for m in ordered}
    # one sense per article: a name linked to the knowledge base once is that company everywhere
    linked = {fold(m.text(doc)): m for m in ordered if m.kb_id}
    for mention in ordered:
        twin = linked.get(fold(mention.text(doc))) if not mention.kb_id and mention.source != STOCK_INDEX else None
        if twin is not None:
            mention.kb_id, mention.type = twin.kb_id, twin.type
    # full person names first, so that "Reithofer" before "Norbert Reithofer" still joins it
    surnames = {mention.text(doc).split()[-1].casefold() for mention in ordered if mention.type == "PERSON"}
    for mention in ordered:
        text = mention.text(doc)
        if mention.type == "PERSON" and " " in text:
            text = _genitive_base(text, surnames)  # "Donald Trumps Sieg ... Trump"
            key = "PERSON:" + fold(text)
            entity = keys.get(key) or new(mention)
            keys[key] = entity
            persons_full.setdefault(text.split()[-1].casefold(), entity)
    full_names = _full_org_names(doc, ordered, kb)
    for mention in ordered:
        text = mention.text(doc)
        full = full_names.get(_name_words(text)) if mention.type in ORG_TYPES else None
        if full is not None:
            mention.kb_id, mention.type = full.kb_id, full.type
        if mention.kb_id:
            key = "KB:" + mention.kb_id
        elif " " not in text and text.casefold() in persons_full and mention.type != "LOCATION":
            mention.type = "PERSON"  # "Stacy Smith ... Smith sagte": the surname, whatever the NER thought
            key = "PERSON:" + fold(text)
            keys[key] = persons_full[text.casefold()]
        elif mention.type == "PERSON":
            key = "PERSON:" + fold(_genitive_base(text, surnames))
            base = _genitive_base(text, set(persons_full)).casefold()
            if " " not in text and base in persons_full:
                keys[key] = persons_full[base]  # "Gabriels Streit ... Sigmar Gabriel"
        else:
            folded = " ".join(_name_words(full.text(doc) if full is not None else text))
            if folded.endswith("s") and (mention.type + ":" + folded[:-1]) in keys:
                folded = folded[:-1]
            key = abbreviations.get(text) or mention.type + ":" + folded
            if key not in keys and key + "s" in keys:
                keys[key] = keys[key + "s"]  # "des Bundesinnenministeriums ... das Bundesinnenministerium"
            if mention.type in ORG_TYPES and (" " in text or "-" in text):
                abbreviations.setdefault(_initials(text), key)  # "Hasso-Plattner-Institut" -> "HPI"
            before = ends.get(mention.start - 1)
            if before is not None and before.key and doc[mention.start - 1].text == "(" and _abbreviation_like(text) \
                    and before.type in ORG_TYPES and mention.type in ORG_TYPES:
                keys[key] = keys[before.key]  # "Kreditanstalt für Wiederaufbau (KfW)"
        mention.key = key
        entity = keys.get(key)
        if entity is None:
            entity = new(mention)
            keys[key] = entity
        mention.entity = entity.id
        entity.mentions.append(mention)
    # renumber in order of first mention
    live = [e for e in entities if e.mentions]
    live.sort(key=lambda e: min(m.start for m in e.mentions))
    for n, entity in enumerate(live, 1):
        entity.id = f"E{n}"
        entity.starts = sorted(m.start for m in entity.mentions)
        entity.first = entity.starts[0]
        for mention in entity.mentions:
            mention.entity = entity.id
    return live


def _generic_references(doc: Doc, found: List[Mention], entities: List[EntityInfo],
                        nouns: frozenset) -> List[Mention]:
    """ "der Konzern", "das Unternehmen", "die Bank" standing for a company named just before:
    the first company of the nearest sentence (this one or up to two before) that names one,
    the subject as a rule; an earlier reference counts for its company. The guideline does
    not count them as aliases, so they are no output mentions; the relation rules take them
    as arguments: "Siemens ... Der Konzern übernimmt Mentor", "Chef des Unternehmens, Joe Kaeser"."""
    types = {e.id: e.type for e in entities}
    taken = {i for m in found for i in range(m.start, m.end)}
    named = sorted((m.start, m.entity) for m in found if m.entity and types.get(m.entity) == "COMPANY" and not m.credit)
    sentence_starts = doc.user_data["sentence_starts"]
    refs: List[Mention] = []
    for token in doc[1:]:
        if token.lower_ not in nouns or token.i in taken or doc[token.i - 1].lower_ not in DEFINITE:
            continue
        if token.i + 1 in taken:
            continue  # "der Konzern Siemens": an apposition, the name itself follows
        k = bisect_right(sentence_starts, token.i) - 1
        for j in range(k, max(-1, k - 3), -1):
            end = token.i - 1 if j == k else sentence_starts[j + 1]
            first = bisect_left(named, (sentence_starts[j], ""))
            if first < len(named) and named[first][0] < end:
                refs.append(Mention(token.i - 1, token.i + 1, "COMPANY", kind=PRONOUN, source="generic",
                                    entity=named[first][1]))
                insort(named, (token.i - 1, named[first][1]))
                break
    return refs


class OfficeFile(BaseModel):
    """lexicons/offices.json: person name -> the offices news names them by."""

    model_config = ConfigDict(extra="forbid")

    doc: str = Field("", alias="_doc")
    holders: Dict[str, List[str]]


def read_offices(path: Path) -> Dict[str, List[str]]:
    """The office holders, checked: a misspelt key or a wrong type fails with file and key."""
    try:
        return OfficeFile.model_validate(load_json(path)).holders
    except ValidationError as error:
        raise ValueError(f"{path}: {validation_problems(error)}") from None


def _office_holders(holders: Dict[str, List[str]]) -> Dict[str, Set[str]]:
    """Office ("us-präsident") -> surnames of those who held it ("obama", "trump", "biden")."""
    out: Dict[str, Set[str]] = {}
    for name, offices in holders.items():
        for office in offices:
            out.setdefault(office, set()).add(fold(name).split()[-1])
    return out


def _written_title(doc: Doc, alias: Mention) -> str:
    """The title of a person reference as written, hyphen prefixes included: "us-präsident"."""
    i = alias.end - 1
    while i - 2 >= alias.start and doc[i - 1].text == "-" and not doc[i - 2].whitespace_:
        i -= 2
    return doc[i:alias.end].text.lower()


def _genitive_base(text: str, known_last_words: Set[str]) -> str:
    """ "Donald Trumps" -> "Donald Trump" when the article names "Trump" too: a genitive -s
    comes off only where the bare form is known (a "Hans" or "Thomas" keeps its s)."""
    last = text.split()[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss") and last[:-1].casefold() in known_last_words:
        return text[:-1]
    return text


def _name_words(text: str) -> Tuple[str, ...]:
    """A name as folded words, hyphens as spaces: "Rite-Aid" and "Rite Aid" are one name."""
    return tuple(fold(text.replace("-", " ")).split())  # "Steilmann-Gruppe" is "Steilmann"


def _full_org_names(doc: Doc, ordered: List[Mention], kb: KnowledgeBase) -> Dict[Tuple[str, ...], Mention]:
    """Short organisation name -> the one longer name of the article it begins: "Coeit" ->
    "Coeit Consulting", "Youzu" -> "Youzu Interactive"; or, failing that, the one longer name
    a distinctive word ends: "Hüttinger" -> "Trumpf Hüttinger". Not when two names share the
    start ("DB International", "DB Projektbau"), when the rest is a place ("Oracle
    Deutschland" is the subsidiary), when the short name is a different KB company or is itself
    a full name with its legal form folded away ("Moovel Group GmbH", "Moovel North America LLC")."""
    names: Dict[Tuple[str, ...], Mention] = {}
    complete: Set[Tuple[str, ...]] = set()  # a full name itself once its legal form is folded away
    for m in ordered:
        if m.type in ORG_TYPES:
            words = _name_words(m.text(doc))
            names.setdefault(words, m)
            if len(words) < len(m.text(doc).replace("-", " ").split()):
                complete.add(words)  # "Moovel Group GmbH" folds to "moovel": no short form of another name
    by_first: Dict[str, List[Tuple[str, ...]]] = {}
    for words in names:
        if words:
            by_first.setdefault(words[0], []).append(words)
    out = {}
    for head, short in names.items():
        if not head or len("".join(head)) < 3 or head in complete:
            continue
        fulls = [words for words in by_first[head[0]] if len(words) > len(head) and words[:len(head)] == head
                 and not any(kb.places_named(w.title()) for w in words[len(head):])
                 and (short.kb_id is None or short.kb_id == names[words].kb_id)]
        if len(fulls) == 1:
            out[head] = names[fulls[0]]
        elif not fulls and len(head) == 1 and short.kb_id is None and not kb.places_named(head[0].title()) \
                and not kb.noun_sectors(head[0].title())[1]:
            # the distinctive last word alone: "Hüttinger" for "Trumpf Hüttinger"
            ends = [words for words in names if len(words) > 1 and words[-1] == head[0]]
            if len(ends) == 1:
                out[head] = names[ends[0]]
    return out


def _titled_person(doc: Doc, alias: Mention, entities: List[EntityInfo]) -> Optional[EntityInfo]:
    """The person the article introduced with the same title before the reference
    ("Wirtschaftskammerpräsident Christoph Leitl", "Christoph Leitl, der Wirtschaftskammerpräsident"),
    or, for a title of a named organisation ("der SPD-Chef"), the person introduced with that
    organisation ("SPD-Vorsitzender Sigmar Gabriel", "Sigmar Gabriel (SPD)"); none, or two
    different ones, leave it unlinked."""
    found = set()
    for entity in entities:
        if entity.type != "PERSON":
            continue
        for m in entity.mentions:
            if m.start >= alias.start:
                continue
            near = [doc[i].lower_ for i in range(max(0, m.start - 3), m.start)]
            near += [doc[i].lower_ for i in range(m.end, min(len(doc), m.end + 3))]
            if alias.prefix is not None and alias.prefix in near or \
                    alias.prefix is None and any(_same_title(alias.title, word) for word in near):
                found.add(entity.id)
    if len(found) != 1:
        return None
    return next(e for e in entities if e.id in found)


def _same_title(title: str, word: str) -> bool:
    """ "innenminister" for "Bundesinnenminister", "präsident" for "US-Präsident"."""
    if len(word) < 4:
        return False
    return word == title or word.endswith(title) or title.endswith(word)


def _last_before(entity: EntityInfo, i: int) -> Optional[int]:
    """Token index of the entity's last mention that starts before token `i`."""
    position = bisect_left(entity.starts, i)
    return entity.starts[position - 1] if position else None


def _genitive_plural(doc: Doc, first: int, start: int) -> bool:
    """ "der Verkauf bulgarischer Staatsunternehmen": a strong "-er" adjective right after a noun
    opens an indefinite genitive plural, no reference to one company."""
    before = doc[first - 1] if first > 0 else None
    return first < start and doc[first].is_lower and doc[first].text.endswith("er") and before is not None \
        and not before.is_sent_start and before.is_alpha and before.text[:1].isupper() and before.text[1:].islower()


def _after_number(doc: Doc, i: int) -> bool:
    """Token `i` is the second part of "52-Jährige" / "50-jährige"."""
    return i >= 2 and doc[i - 1].text == "-" and doc[i - 2].like_num


def _recent_person(doc: Doc, alias: Mention, entities: List[EntityInfo]) -> Optional[EntityInfo]:
    """The person last mentioned before the reference, within the three sentences before it:
    "sagte der 52-Jährige" is whoever spoke last."""
    starts = doc.user_data["sentence_starts"]
    window_start = starts[max(0, bisect_right(starts, alias.start) - 1 - 3)]
    best: Tuple[int, Optional[EntityInfo]] = (-1, None)
    for entity in entities:
        if entity.type != "PERSON":
            continue
        last = _last_before(entity, alias.start)
        if last is not None and last >= window_start and last > best[0]:
            best = (last, entity)
    return best[1]


def _abbreviation_like(text: str) -> bool:
    return 2 <= len(text) <= 6 and text.isalpha() and sum(c.isupper() for c in text) >= 2


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.replace("-", " ").split() if part[:1].isupper())


def _entity_json(doc: Doc, entity: EntityInfo, kb: KnowledgeBase) -> dict:
    company = kb.get(entity.kb_id)
    names = [m for m in entity.mentions if m.kind == NAME] or [m for m in entity.mentions if m.kind == COMPOUND]
    if company is not None:
        name = company.name
    else:
        texts = [m.text(doc) for m in names]
        name = max(texts, key=len) if texts else entity.mentions[0].text(doc)
        if entity.type in ("PERSON", *ORG_TYPES):
            name = _genitive_base(name, {t.split()[-1].casefold() for t in texts if t != name})
    entity.type = company.type if company is not None else entity.mentions[0].type
    out = {"id": entity.id, "type": entity.type, "name": name, "kb_id": entity.kb_id}
    if company is not None and company.ids:  # the contract: the key is absent when nothing is known
        out["ids"] = dict(company.ids)
    out["mentions"] = [m.to_json(doc) for m in sorted(entity.mentions, key=lambda m: m.start)]
    return out
