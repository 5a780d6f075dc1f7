"""The one registry of relation types (CONTRACT.md, "Relation types").

Components, the trained relation classifier, the graph and `extractor eval` all read
symmetry, arity and argument types from here, so a type behaves the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional, Tuple

ORG_TYPES = ("COMPANY", "ORG")


@dataclass(frozen=True)
class RelationType:
    name: str
    subject: Tuple[str, ...]
    object: Optional[Tuple[str, ...]]  # None: unary (the object is null)
    attributes: Tuple[str, ...] = ()
    symmetric: bool = False

    @property
    def unary(self) -> bool:
        return self.object is None

    def allows(self, subject_type: str, object_type: Optional[str]) -> bool:
        if self.unary:
            return subject_type in self.subject and object_type is None
        return subject_type in self.subject and object_type in (self.object or ())


RELATION_TYPES: Dict[str, RelationType] = {t.name: t for t in (
    RelationType("role", ("PERSON",), ORG_TYPES, ("title", "status")),
    RelationType("cooperation_talks", ORG_TYPES, ORG_TYPES, ("topic",), symmetric=True),
    RelationType("cooperation", ORG_TYPES, ORG_TYPES, ("topic",), symmetric=True),
    RelationType("supply_contract", ORG_TYPES, ORG_TYPES, ("product", "status")),
    RelationType("rating", ORG_TYPES, ORG_TYPES, ("rating", "direction")),
    RelationType("acquisition", ORG_TYPES, ORG_TYPES, ("share", "status")),
    RelationType("stake", ORG_TYPES + ("PERSON",), ORG_TYPES, ("share",)),
    RelationType("merger", ORG_TYPES, ORG_TYPES, ("status",), symmetric=True),
    RelationType("subsidiary", ORG_TYPES, ORG_TYPES),
    RelationType("spin_off", ORG_TYPES, ORG_TYPES),
    RelationType("insolvency", ORG_TYPES, None),
    RelationType("layoffs", ORG_TYPES, None, ("count",)),
    # the employer is optional: "Verdi ruft zum Warnstreik auf"
    RelationType("strike", ORG_TYPES, ORG_TYPES),
)}

SYMMETRIC_TYPES: FrozenSet[str] = frozenset(t.name for t in RELATION_TYPES.values() if t.symmetric)
UNARY_TYPES: FrozenSet[str] = frozenset(t.name for t in RELATION_TYPES.values() if t.unary)
BINARY_TYPES: Tuple[str, ...] = tuple(t.name for t in RELATION_TYPES.values() if not t.unary)
