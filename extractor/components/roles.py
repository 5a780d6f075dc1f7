"""Person - title - organisation: "BMW-Vorstandschef Norbert Reithofer",
"Stephen Girsky, Vize-Verwaltungsratschef von GM", "Chef der Allianz, Oliver Bäte",
"Oliver Bäte wird ab Frühjahr Chef des Allianz-Konzerns" (status incoming).

Titles come from extractor/data/lexicons/titles.json; a hyphen chain ending in a title is one
title ("Vize-Verwaltungsratschef").
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .titles import TitleLexicon
from .mention import ALIAS, ARTICLES, COMPOUND, CREDIT_WORDS, GENERIC_REFERENCES, NAME, ORG_TYPES, Mention
from .relation import add_relation, entity_type, main_entity, sentence_mentions, with_references
from .resources import TITLES, DataComponent

OF = {"von", "der", "des", "bei", "beim", "vom", "im"}
DESCRIPTOR_SPAN = 6  # tokens between "des" and the name: "des kanadischen Kaufhof-Eigners Hudson's Bay"
# a department or unit before the head of a title: "Marketing-Leiter", "Divisions-Leiter", "Pressesprecher"
FUNCTIONS = ("marketing", "vertriebs", "personal", "technik", "entwicklungs", "produktions", "kommunikations",
             "presse", "divisions", "sparten", "geschäftsbereichs", "bereichs", "abteilungs", "werks", "betriebs",
             "filial", "projekt", "länder", "deutschland", "europa")
FUNCTION_HEADS = ("leiter", "leiterin", "chef", "chefin", "sprecher", "sprecherin", "vorstand")
CLAUSE_WORDS = {"und", "oder", "sowie", "aber", "sagte", "sagt", "ist", "war", "hat", "wird", "wurde",
                # a second preposition starts a new phrase: "Kengeter im Interview mit hr-iNFO"
                "mit", "gegen", "über", "nach", "vor", "zu", "zum", "zur", "auf", "an", "am"}
# and the relative possessives: "die Firma X, deren Sprecher Y sagte"
POSSESSIVES = {"sein", "seine", "seinen", "seinem", "seines", "seiner", "ihr", "ihre", "ihren", "ihrem", "ihres", "ihrer",
               "deren", "dessen"}
# after a name "der" is the dative of the person spoken to: "sagte Sprecher X der Nachrichtenagentur AFP"
DATIVE = {"der", "dem"}
PREDECESSOR = {"nachfolger", "nachfolgerin", "erbe"}  # "Nachfolger von X", "das Erbe von X"
COPULAS = {"wird": "incoming", "werden": "incoming", "soll": "incoming", "sollen": "incoming", "übernimmt": "incoming",
           "ist": "current", "bleibt": "current", "war": "former", "wurde": "current"}


@Language.factory("roles", requires=["doc._.mentions", "doc._.entities", "token.is_sent_start"],
                  assigns=["doc._.relations"])
def create_roles(nlp: Language, name: str) -> "Roles":
    return Roles(name)


class Roles(DataComponent):
    data_files = (TITLES,)

    def load(self, data_dir: str) -> None:
        self.lexicon = TitleLexicon(data_dir)

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        if doc._.relations is None:
            doc._.relations = []
        linked = [m for m in doc._.mentions or [] if m.entity and not m.credit] + doc.user_data.get(GENERIC_REFERENCES, [])
        starts = {m.start: m for m in linked}  # "Chef des Konzerns, X": the reference stands for the company
        ends = {m.end: m for m in linked}
        # once per Doc: it counts every mention; a club or union where the article names no company
        main = main_entity(doc, ("COMPANY",)) or main_entity(doc, ORG_TYPES)
        by_name = _orgs_by_name(doc, linked)
        covering = {i: m for m in reversed(linked) for i in range(m.start, m.end)}  # token -> a mention over it
        pending: List[Tuple[str, str, Span, dict]] = []
        previous: List[Tuple[str, str, Span, dict]] = []  # roles at the organisation of the sentence before
        last = None
        for sent in doc.sents:
            for start, end in self.lexicon.chains(sent):
                self._role(doc, sent, start, end, starts, ends, main, pending, by_name)
                if last is not None:
                    previous.extend(self._role_at_previous_org(doc, sent, last, start, end, starts, ends))
            self._untitled(doc, sent, starts, ends)
            self._led_by(doc, sent, starts, ends)
            self._founded_by(doc, sent, covering)
            last = sent
        pending.extend(self._titled_references(doc, linked))
        for person, org, sent, attributes in previous + pending:  # a role named anywhere in the article wins
            if not _already_related(doc, person):
                add_relation(doc, "role", person, org, sent, attributes, 0.7)
        return doc

    def _untitled(self, doc: Doc, sent: Span, starts: dict, ends: dict) -> None:
        """A person placed at an organisation without a title: "Jason Paradise von Ubisoft",
        "Roger Dietsche (Wälli AG)", "Thomas Schwendener und Toni Burch (A. Buschor AG)" (a company
        in parentheses after one person or a list; a party there, "Gabriel (SPD)", is membership,
        not a position)."""
        for person in sentence_mentions(doc, sent, ("PERSON",)):
            after = person.end
            if after + 2 < sent.end and doc[after].text == "(" and (org := starts.get(after + 1)) is not None \
                    and entity_type(doc, org.entity) == "COMPANY" and doc[org.end].text == ")" \
                    and not _credit(doc, sent, person):
                for listed in _joined_before(doc, sent, person, ends) + [person]:
                    add_relation(doc, "role", listed.entity, org.entity, sent, {"status": "current"}, 0.75)
            if after + 1 < sent.end and doc[after].is_space:
                after += 1  # "Manuel Pfeiffer  von der Feuerwehr": a double space
            if after < sent.end and doc[after].lower_ in {"von", "vom"} and not doc[person.start - 1].lower_ in OF:
                org = self._org_right(doc, sent, after, starts)
                if org is not None and not _already_related(doc, person.entity):
                    add_relation(doc, "role", person.entity, org.entity, sent, {"status": "current"}, 0.75)

    def _led_by(self, doc: Doc, sent: Span, starts: dict, ends: dict) -> None:
        """ "die Xolaris GmbH unter Führung des Geschäftsführers Dr. Rudolf Döring", "die Musikschule
        unter der Leitung von Schulleiterin Jana Rohloff", "die Deutsche Bank unter John Cryan":
        the person after "unter" heads the organisation named just before it."""
        for i in range(sent.start + 1, sent.end - 1):
            org = ends.get(i)
            if doc[i].lower_ != "unter" or org is None or not _is_org(doc, org):
                continue
            j = i + 1
            if doc[j].lower_ in ARTICLES:
                j += 1
            if j + 1 < sent.end and doc[j].lower_ in self.lexicon.led_by:
                if doc[j + 1].lower_ not in OF:
                    continue
                j += 2
            title = None
            for _ in range(3):  # "des Geschäftsführers Dr.", "von Schulleiterin"
                if j >= sent.end or j in starts or not doc[j].text[:1].isupper():
                    break
                title = title or (doc[j].text if self.lexicon.is_title(doc[j]) else None)
                j += 1
            person = starts.get(j)
            if person is not None and _is_person(doc, person):
                add_relation(doc, "role", person.entity, org.entity, sent, {"title": title, "status": "current"}, 0.8)

    def _founded_by(self, doc: Doc, sent: Span, covering: dict) -> None:
        """ "Walgreens Co. wurde 1901 von Charles Walgreen gegründet" (the passive: the organisation
        named before it, with a form of "werden/sein" between), "Die von Luis Piquer geführte Firma"
        (the participle before the organisation or its reference)."""
        for person in sentence_mentions(doc, sent, ("PERSON",)):
            at = person.end
            if person.start - 1 < sent.start or doc[person.start - 1].lower_ not in {"von", "vom"} or at >= sent.end:
                continue
            word = doc[at].lower_
            stem = next((p for p in self.lexicon.founded_by if word.startswith(p) and len(word) - len(p) <= 2), None)
            if stem is None:
                continue
            org = None
            if word != stem:  # "die von X gegründete Firma": past an adjective to the noun
                org = next((covering[j] for j in range(at + 1, min(at + 3, sent.end)) if j in covering), None)
            else:
                for j in range(person.start - 2, sent.start - 1, -1):
                    if doc[j].text in {",", ";", ":"}:
                        break  # the organisation of the same clause
                    found = covering.get(j)
                    if found is not None and found.entity != person.entity:
                        passive = {t.lower_ for t in doc[found.end:person.start]} & {"wurde", "wird", "ist", "war", "worden"}
                        org = found if passive else None
                        break
            if org is not None and _is_org(doc, org):
                title = self.lexicon.founded_by[stem]
                add_relation(doc, "role", person.entity, org.entity, sent, {"title": title, "status": "current"}, 0.8)

    def _titled_references(self, doc: Doc, linked: List[Mention]) -> List[Tuple[str, str, Span, dict]]:
        """ "Der FPÖ-Chef kramt einen alten Vorschlag aus": a person reference by a title whose
        prefix is an organisation the article names holds that title there. Kept for the end of
        the article, like the main company's titles."""
        found = []
        for m in doc._.mentions or []:
            if m.kind != ALIAS or m.prefix is None or not m.entity or not _is_person(doc, m):
                continue
            org = next((o for o in linked if _is_org(doc, o) and doc[o.start:o.end].text.lower() == m.prefix), None)
            if org is None:
                continue
            status = next((self.lexicon.status[t.lower_] for t in doc[m.start:m.end]
                           if t.lower_ in self.lexicon.status and t.lower_ not in COPULAS), "current")
            title = doc[m.end - 3:m.end].text  # the prefix, its hyphen and the title: "FPÖ-Chef"
            found.append((m.entity, org.entity, doc[m.start].sent, {"title": title, "status": status}))
        return found

    def _appositive_holder(self, doc: Doc, sent: Span, start: int, ends: dict) -> Optional[Mention]:
        """The person before ", TITLE": "Ralph Brand, Vorstandsvorsitzender Zurich Gruppe"."""
        first = start
        while first > sent.start and (doc[first - 1].lower_ in self.lexicon.qualifiers or doc[first - 1].is_space):
            first -= 1
        if first - 1 <= sent.start or doc[first - 1].text != ",":
            return None
        person = ends.get(_before_age(doc, sent, first - 1))
        return person if person is not None and _is_person(doc, person) else None

    def _org_in_title(self, doc: Doc, start: int, end: int, ends: dict, by_name: dict) -> Optional[Mention]:
        """ "Bahnchef Rüdiger Grube", "Wirtschaftskammerpräsident", "EU-Kommissionschef": a title
        whose first part, less a linking s or n, is an organisation the article names (in full or
        by the last word of its name: "Bahn" for "Deutsche Bahn")."""
        compound = ends.get(start - 1)
        left = compound.start if compound is not None and doc[start - 1].text == "-" else start
        low = doc[left:end].text.lower()
        head = next((h for h in self.lexicon.heads if low.endswith(h)), None)
        if head is None or len(low) - len(head) < 3:
            return None
        prefix = low[: -len(head)].rstrip("-")
        for name in (prefix, prefix[:-1] if prefix.endswith(("s", "n")) else None):
            if name and name in by_name:
                return by_name[name]
        return _ministry(prefix, head, by_name)

    def _role(self, doc: Doc, sent: Span, start: int, end: int, starts: dict, ends: dict,
              main: Optional[str], pending: list, by_name: dict) -> None:
        title = self._written_title(doc, sent, start, end, starts)
        org = self._org_left(doc, start, ends)
        lead = org.start if org is not None else start  # where a plural title's list begins: "Die Magazino-Gründer"
        if org is None or org.kind == COMPOUND:  # "EU-Kommissionschef": the EU-Kommission, not the EU
            titled = self._org_in_title(doc, start, end, ends, by_name)
            org = titled if titled is not None else org
        after_org = end
        named = starts.get(end)  # "Analyst Craig Erlam vom Broker Oanda": title, person, organisation
        if org is None and named is not None and _is_person(doc, named) and \
                not (named.end < sent.end and doc[named.end].lower_ in DATIVE):
            org = self._org_right(doc, sent, named.end, starts)
            if org is not None:
                status = self._status(doc, sent, start, org) or "current"
                for person in _listed_persons(doc, start, named, starts):
                    add_relation(doc, "role", person.entity, org.entity, sent, {"title": title, "status": status}, 0.85)
                return
        if org is None and named is not None and _is_org(doc, named) and named.kind != COMPOUND:
            holder = self._appositive_holder(doc, sent, start, ends)  # "X, CEO Hansen Gruppe": no "von"
            if holder is not None:
                status = self._status(doc, sent, start, named) or "current"
                add_relation(doc, "role", holder.entity, named.entity, sent, {"title": title, "status": status}, 0.8)
                return
        if org is None:
            org = self._org_right(doc, sent, end, starts)
            after_org = org.end if org else end
            if org is not None:
                after_org = _past_name(doc, sent, org, starts)
        if org is None:
            org = self._org_before(doc, sent, start, starts)  # "Bei der Deutschen Bank übernimmt X den Vorsitz"
        if org is None:
            org = self._org_of_possessive(doc, sent, start, end, starts, ends)
        if org is None and self._role_of_coordinated(doc, sent, start, end, title, starts, ends):
            return
        if org is None:
            pending.extend(self._role_at_main_company(doc, sent, start, end, title, starts, ends, main))
            return
        left = org.start if org.end in (start, start - 1) else start  # "Norbert Reithofer, BMW-Chef, ..."
        person, status = self._person(doc, sent, left, end, after_org, starts, ends)
        if person is None:
            return
        status = self._status(doc, sent, start, org) or status or self._leaving(doc, sent, person) or "current"
        for listed in _listed_persons(doc, min(lead, org.start), person, starts):
            add_relation(doc, "role", listed.entity, org.entity, sent, {"title": title, "status": status}, 0.9)

    def _role_of_coordinated(self, doc: Doc, sent: Span, start: int, end: int, title: str, starts: dict,
                             ends: dict) -> bool:
        """ "Bahnchef Rüdiger Grube und Vorstand Volker Kefer": a post at a company
        (`_own_company_title`) joined to a person whose role the sentence names is held at the
        same organisation."""
        before = start - 1
        person = starts.get(end)
        if before <= sent.start or doc[before].lower_ not in {"und", "sowie", ","} or person is None \
                or not _is_person(doc, person) or not self._own_company_title(doc[start:end].text):
            return False
        first = ends.get(before)
        role = next((r for r in doc._.relations if r["type"] == "role" and first is not None
                     and r["subject"] == first.entity and r["evidence"]["start"] == sent.start_char), None)
        if role is None:
            return False
        status = self._status(doc, sent, start, person) or "current"
        add_relation(doc, "role", person.entity, role["object"], sent, {"title": title, "status": status}, 0.8)
        return True

    def _role_at_main_company(self, doc: Doc, sent: Span, start: int, end: int, title: str, starts: dict,
                              ends: dict, main: Optional[str]) -> List[Tuple[str, str, Span, dict]]:
        """ "Konzernchef Tim Cook" in an article about Apple: a title next to a person, one company
        the article is plainly about (`main`), and no other organisation in the sentence (nor `main`
        after the title: "sagte Vorstandschef X im Interview mit dem Sender Y"). Kept
        for the end of the article: a role it names for the person elsewhere comes first."""
        if main is None or not self._own_company_title(doc[start:end].text) or \
                any(m.start > start if m.entity == main else not self._cited(doc, sent, m)
                    for m in sentence_mentions(doc, sent)):
            return []
        person = _titled_person(doc, sent, start, end, starts, ends)
        if person is None:
            return []
        status = self._status(doc, sent, start, person) or self._leaving(doc, sent, person) or "current"
        # "die beiden Geschäftsführer Knut Eichholz und Jens Pieper": each listed person
        return [(listed.entity, main, sent, {"title": title, "status": status})
                for listed in _listed_persons(doc, start, person, starts)]

    def _role_at_previous_org(self, doc: Doc, sent: Span, before: Span, start: int, end: int, starts: dict,
                              ends: dict) -> List[Tuple[str, str, Span, dict]]:
        """ "Die Deutsche Messe AG ist verärgert. Die Kunden seien unglücklich, sagte Sprecher X.":
        a post at the company the article is about (`_own_company_title`) and its holder, in a
        sentence that names no organisation, is held at the one organisation of the sentence
        before; two there compete, and none is taken. Kept for the end of the article, before
        the main company's titles: a role it names for the person elsewhere comes first."""
        if not self._own_company_title(doc[start:end].text) or with_references(doc, sent, sentence_mentions(doc, sent)):
            return []
        person = _titled_person(doc, sent, start, end, starts, ends)
        orgs = {m.entity for m in with_references(doc, before, sentence_mentions(doc, before))
                if not self._cited(doc, before, m)}
        if person is None or len(orgs) != 1:
            return []
        status = self._status(doc, sent, start, person) or self._leaving(doc, sent, person) or "current"
        org = orgs.pop()
        title = self._written_title(doc, sent, start, end, starts)
        return [(listed.entity, org, sent, {"title": title, "status": status})
                for listed in _listed_persons(doc, start, person, starts)]

    def _written_title(self, doc: Doc, sent: Span, start: int, end: int, starts: dict) -> str:
        """The title as written: with its qualifiers ("Erster Vorsitzender", "kaufmännischer
        Geschäftsführer"), a head it shares ("Marken- und Vorstandschef") and its field ("Leiterin
        Marketing bei ...", "Head of Investment bei ...")."""
        first = start
        if first - 2 >= sent.start and doc[first - 1].lower_ in {"und", "oder"} and len(doc[first - 2].text) > 2 \
                and doc[first - 2].text.endswith("-") and doc[first - 2].text[0].isupper():
            first -= 2
        while first > sent.start and doc[first - 1].lower_ in self.lexicon.qualifiers:
            first -= 1
        return doc[first:_past_field(doc, sent, end, starts, self.lexicon.boards)].text

    def _own_company_title(self, title: str) -> bool:
        """ "Konzernchef", "Geschäftsführer", "Marketing-Leiter": a post whose name says it is held
        at the company the article is about."""
        low = title.lower()
        return low in self.lexicon.own_titles or low.startswith(self.lexicon.own_prefixes) or \
            low.endswith(FUNCTION_HEADS) and low.replace("-", "").startswith(FUNCTIONS)

    def _cited(self, doc: Doc, sent: Span, mention: Mention) -> bool:
        """ "sagte Konzernchef X im Interview mit der Neuen Luzerner Zeitung", "berichtete das Wall
        Street Journal", "der FAZ zufolge", "wie die Neue Presse berichtet" (the verb after the name
        too): a medium cited as the source employs nobody the sentence names."""
        before = {t.lower_ for t in doc[max(sent.start, mention.start - 5):mention.start]}
        after = doc[mention.end].lower_ if mention.end < sent.end else ""
        return bool(before & self.lexicon.source_before) or after in self.lexicon.source_after or \
            "wie" in before and after in self.lexicon.source_before

    def _org_left(self, doc: Doc, start: int, ends: dict) -> Optional[Mention]:
        """ "BMW-Vorstandschef …" (compound) or "STARFACE Produktmanager …" (name, then title)."""
        org = ends.get(start - 1)
        if org and org.kind == COMPOUND and doc[start - 1].text == "-" and _is_org(doc, org):
            return org
        if start > 0 and doc[start - 1].is_space:
            start -= 1  # "RWE\xa0Chef Terium": a no-break space is a token of its own
        org = ends.get(start)
        if org and org.kind != COMPOUND and _is_org(doc, org) and (doc[start - 1].whitespace_ or doc[start].is_space):
            return org
        return None

    def _org_right(self, doc: Doc, sent: Span, end: int, starts: dict) -> Optional[Mention]:
        """The organisation after "von/des/bei", past a short descriptor: "Chef des Allianz-Konzerns",
        "Gründer des japanischen Technologie-Konzerns Kyocera", "Analyst Craig Erlam vom Broker Oanda"."""
        end = _past_field(doc, sent, end, starts, self.lexicon.boards)
        if end >= sent.end or doc[end].lower_ not in OF:
            return None
        i = end
        while i < min(sent.end, end + DESCRIPTOR_SPAN):
            found = starts.get(i)
            if found is not None and _describes(doc, found, starts):
                i = found.end  # "des kanadischen Kaufhof-Eigners Hudson's Bay": the name is further right
                continue
            if found is not None:
                return found if _is_org(doc, found) else _abbreviation(doc, found, starts)
            token = doc[i]
            if i > end and (token.is_punct and token.text != "-" or token.lower_ in CLAUSE_WORDS):
                return None
            i += 1
        return None

    def _org_before(self, doc: Doc, sent: Span, start: int, starts: dict) -> Optional[Mention]:
        for i in range(sent.start, start - 1):
            if doc[i].lower_ in {"bei", "beim"}:
                j = i + 2 if doc[i + 1].lower_ in ARTICLES else i + 1
                org = starts.get(j)
                if org and _is_org(doc, org):
                    return org
        return None

    def _org_of_possessive(self, doc: Doc, sent: Span, start: int, end: int, starts: dict,
                           ends: dict) -> Optional[Mention]:
        """ "Hannover 96 stellt seinen neuen Trainer Thomas Schaaf vor": the possessive before a
        title and its holder points back to the organisation named before it in the clause, with
        no person between that it could mean instead."""
        first = start
        while first > sent.start and doc[first - 1].is_lower and doc[first - 1].lower_ not in POSSESSIVES:
            first -= 1
        holder = starts.get(end)
        if first == sent.start or doc[first - 1].lower_ not in POSSESSIVES or holder is None \
                or not _is_person(doc, holder):
            return None
        for i in range(first - 2, sent.start - 1, -1):
            if doc[i].text in {";", ":"}:
                return None
            found = ends.get(i + 1)
            if found is not None:
                return found if _is_org(doc, found) else None
        return None

    def _person(self, doc: Doc, sent: Span, start: int, end: int, after_org: int, starts: dict,
                ends: dict) -> Tuple[Optional[Mention], Optional[str]]:
        for i in (after_org, after_org + 1):  # "Chef der Allianz, Oliver Bäte" / "BMW-Chef Reithofer"
            person = starts.get(i)
            if person and _is_person(doc, person) and (i == after_org or doc[after_org].text == ","):
                return person, None
        first = start
        while True:
            while first > sent.start and (doc[first - 1].lower_ in ARTICLES or doc[first - 1].is_lower
                                          or doc[first - 1].lower_ in self.lexicon.qualifiers or doc[first - 1].is_space):
                first -= 1
            other = self._coordinated_title(doc, sent, first)
            if other is None:
                break
            first = other
        person = starts.get(after_org + 1)
        if first == sent.start and after_org < sent.end and doc[after_org].lower_ in COPULAS and \
                person and _is_person(doc, person):  # "Vorstandsvorsitzender der Hays AG ist Klaus Breitschopf"
            return person, COPULAS[doc[after_org].lower_]
        if first > sent.start and doc[first - 1].text == ",":  # "Stephen Girsky, Vize-... von GM"
            person = ends.get(_before_age(doc, sent, first - 1))  # "Johannes Anschott (46), derzeit Leiter"
            if person and _is_person(doc, person):
                return person, None
        person = ends.get(first)
        if person and _is_person(doc, person):  # "Ab April wird Christian Sewing Vorstandschef der ..."
            copulas = [COPULAS[t.lower_] for t in doc[sent.start:person.start] if t.lower_ in COPULAS]
            if copulas:
                return person, copulas[-1]
        for m in sorted((starts[i] for i in range(max(sent.start, start - 12), start) if i in starts), key=lambda m: -m.start):
            if not _is_person(doc, m) or start - m.end > 8:
                continue
            between = [t.lower_ for t in doc[m.end:start]]
            for word in between:
                if word in COPULAS:  # "Oliver Bäte wird ab Frühjahr Chef des ..."
                    return m, COPULAS[word]
            break
        return None, None

    def _coordinated_title(self, doc: Doc, sent: Span, first: int) -> Optional[int]:
        """Where the title joined by "und" before `first` begins: "Hendrik Schütte,
        Geschäftsbereichsleiter Kooperationen und Leiter Marketing der Synaxon AG" (with its field)."""
        if doc[first].lower_ not in {"und", "sowie"}:
            return None
        i = first - 1
        if i > sent.start and not self.lexicon.is_title(doc[i]) and doc[i].is_title and doc[i].is_alpha:
            i -= 1  # the field: "Kooperationen"
        return i if i > sent.start and self.lexicon.is_title(doc[i]) else None

    @staticmethod
    def _leaving(doc: Doc, sent: Span, person: Mention) -> Optional[str]:
        """ "X tritt ab", "X verlässt den Konzern", "X scheidet aus", "X zieht sich zurück": the role
        is ending."""
        words = {t.lower_ for t in doc[person.end:sent.end]}
        if words & {"verlässt", "verließ", "abgelöst", "räumt"} or ({"tritt", "trat"} & words and "ab" in words) \
                or ({"tritt", "trat", "zieht", "zog"} & words and "zurück" in words) \
                or ({"scheidet", "schied"} & words and "aus" in words):
            return "outgoing"
        return None

    def _status(self, doc: Doc, sent: Span, start: int, org: Mention) -> Optional[str]:
        left = min(start, org.start)
        window = doc[max(sent.start, left - 3):left]
        for token in reversed(list(window)):
            if token.lower_ == "von" and token.i > sent.start and doc[token.i - 1].lower_ in PREDECESSOR:
                return "outgoing"  # "als Nachfolger von Vorstandschef X": X is leaving
            status = self.lexicon.status.get(token.lower_)
            if status and token.lower_ not in COPULAS and token.lower_ not in {"ab", "noch", "tritt", "geht"}:
                return status
        return None


def _past_field(doc: Doc, sent: Span, end: int, starts: dict, boards: frozenset) -> int:
    """The end of a title's field before "der/bei ...": "Leiter Marketing der Synaxon AG", "Head of
    Investment bei BNPPRE", "Vorsitzende der Geschäftsführung von DB International" (a board of
    `boards`); `end` where there is none."""
    if end + 2 < sent.end and doc[end].lower_ in {"des", "der"} and doc[end + 1].lower_ in boards \
            and doc[end + 2].lower_ in OF:
        return end + 2
    if end + 1 < sent.end and doc[end].is_title and doc[end].is_alpha and end not in starts \
            and doc[end + 1].lower_ in OF:
        return end + 1
    if end + 2 < sent.end and doc[end].lower_ == "of" and doc[end + 1].is_title and end + 1 not in starts \
            and doc[end + 2].lower_ in OF:
        return end + 2
    return end


def _abbreviation(doc: Doc, mention: Mention, starts: dict) -> Optional[Mention]:
    """The organisation abbreviated in parentheses after a name tagged otherwise: "des
    Branchennetzwerkes Erneuerbare Energien Hamburg (EEHH)"."""
    after = mention.end
    short = starts.get(after + 1) if after + 2 < len(doc) and doc[after].text == "(" else None
    return short if short is not None and _is_org(doc, short) and doc[short.end].text == ")" else None


def _titled_person(doc: Doc, sent: Span, start: int, end: int, starts: dict, ends: dict) -> Optional[Mention]:
    """The person a title names: "Konzernchef Tim Cook", "Tim Cook, Konzernchef, ..."."""
    person = starts.get(end)
    if person is None and start >= sent.start + 2 and doc[start - 1].text == ",":
        person = ends.get(start - 1)
    return person if person is not None and _is_person(doc, person) else None


PLURAL_MARKERS = {"die", "beiden", "beide", "zwei", "drei", "vier", "alle"}


def _listed_persons(doc: Doc, start: int, person: Mention, starts: dict) -> List[Mention]:
    """`person`, and with a plural title the persons listed after it: "die beiden Geschäftsführer
    Knut Eichholz und Jens Pieper", "Die Magazino-Gründer A, B und C". "BMW-Chef Harald Krüger
    und Angela Merkel" (a singular title) is one role."""
    listed = [person]
    before = doc[start - 1].lower_ if start > 0 else ""
    if before not in PLURAL_MARKERS or person.start < start or doc[person.start - 1].lower_.endswith("in"):
        return listed  # "die Geschäftsführerin X und Y": feminine singular
    i = person.end
    while i + 1 < len(doc) and doc[i].lower_ in {",", "und", "sowie"}:
        nxt = starts.get(i + 1)
        if nxt is None or not _is_person(doc, nxt):
            break
        listed.append(nxt)
        i = nxt.end
    return listed


def _joined_before(doc: Doc, sent: Span, person: Mention, ends: dict) -> List[Mention]:
    """The persons listed just before `person`: "Thomas Schwendener und Toni Burch"."""
    listed: List[Mention] = []
    i = person.start
    while i - 2 >= sent.start and doc[i - 1].lower_ in {",", "und", "sowie"}:
        before = ends.get(i - 1)
        if before is None or not _is_person(doc, before):
            break
        listed.insert(0, before)
        i = before.start
    return listed


def _orgs_by_name(doc: Doc, linked: List[Mention]) -> dict:
    """Lower-cased organisation names, and the last words of names of several words ("bahn" for
    "Deutsche Bahn"), to the mention: the organisation a title's first part can name. A word two
    organisations end in names neither."""
    found: dict = {}
    ambiguous = set()
    for m in linked:
        if m.kind not in (NAME, COMPOUND) or not _is_org(doc, m):  # "Bahn" of "Bahn-Strecke" too
            continue
        text = doc[m.start:m.end].text.lower()
        for key in (text, text.split()[-1] if " " in text else None):
            if key is None:
                continue
            if key in found and found[key].entity != m.entity:
                ambiguous.add(key)
            found.setdefault(key, m)
    return {k: m for k, m in found.items() if k not in ambiguous}


def _ministry(prefix: str, head: str, by_name: dict) -> Optional[Mention]:
    """ "Bundeswirtschaftsminister" and the "Wirtschaftsministerium" the article names: a
    minister heads the one ministry whose name holds the title's field ("wirtschafts")."""
    if head not in {"minister", "ministerin"}:
        return None
    field = prefix.removeprefix("bundes").removeprefix("landes")
    found = {m.entity: m for name, m in by_name.items() if f"{field}ministerium" in name.replace("-", "")}
    return next(iter(found.values())) if len(found) == 1 else None


def _before_age(doc: Doc, sent: Span, end: int) -> int:
    """The end of a name before its age in parentheses: "Johannes Anschott (46)"."""
    if end - 3 >= sent.start and doc[end - 1].text == ")" and doc[end - 2].like_num and doc[end - 3].text == "(":
        return end - 3
    return end


def _credit(doc: Doc, sent: Span, person: Mention) -> bool:
    """ "Foto: Bernd Thissen (dpa)", "Bild © Tina Giotitsa (hr)": a picture credit names the
    agency the picture came from, not the photographer's employer."""
    return any(t.lower_ in CREDIT_WORDS or t.text == "©" for t in doc[max(sent.start, person.start - 3):person.start])


def _past_name(doc: Doc, sent: Span, org: Mention, starts: dict) -> int:
    """The token after the organisation's name and what belongs to it: "des Energiekonzerns
    Eon" (reference and name), "von Hewlett-Packard (HP)" (its abbreviation), "der German
    Pellets GmbH in Wismar" (its seat)."""
    after = org.end
    while after < sent.end:
        nxt = starts.get(after)
        if nxt is not None and nxt.entity == org.entity:
            after = nxt.end
        elif doc[after].text == "(" and after + 2 < sent.end and doc[after + 2].text == ")":
            after += 3
        elif doc[after].lower_ == "in" and (place := starts.get(after + 1)) is not None and \
                entity_type(doc, place.entity) == "LOCATION":
            after = place.end
        else:
            return after
    return after


def _describes(doc: Doc, mention: Mention, starts: dict) -> bool:
    """A mention inside a descriptor before the name: a place adjective ("des Kölner
    TV-Dienstleisters Wige Media") or a compound whose head a name follows ("des
    Kaufhof-Eigners Hudson's Bay")."""
    after = mention.end
    if after >= len(doc):
        return False
    if entity_type(doc, mention.entity) == "LOCATION":
        return not doc[after].is_punct
    if mention.kind == COMPOUND and after + 2 < len(doc) and doc[after].text == "-":
        nxt = starts.get(after + 2)
        return nxt is not None and _is_org(doc, nxt)
    return False


def _already_related(doc: Doc, entity: str) -> bool:
    return any(r["type"] == "role" and r["subject"] == entity for r in doc._.relations or [])


def _is_org(doc: Doc, mention: Mention) -> bool:
    return entity_type(doc, mention.entity) in ORG_TYPES


def _is_person(doc: Doc, mention: Mention) -> bool:
    return entity_type(doc, mention.entity) == "PERSON"
