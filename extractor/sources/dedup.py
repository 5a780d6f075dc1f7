"""Duplicate and near-duplicate articles in one input stream.

News crawls carry the same agency story many times: verbatim, with another
headline, with a paragraph added or cut. Processing each copy would multiply
relation counts in the graph, so the reader marks later copies with the id of
the first. Near-duplicates are found with MinHash over word 5-shingles and LSH
banding, in plain Python and deterministic across processes (blake2b, never
the salted built-in `hash()` of strings).
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from dataclasses import dataclass
from hashlib import blake2b

_WORD = re.compile(r"\w+")
_PRIME = (1 << 61) - 1  # Mersenne prime for the universal hash family
_MASK32 = 0xFFFFFFFF
MIN_WORDS = 30  # shorter texts (tweets, headlines) only get exact-duplicate detection
MIN_SIZE_RATIO = 0.7  # containment counts only between texts of similar length (paywall stubs!)


def _h64(data: str) -> int:
    return int.from_bytes(blake2b(data.encode("utf8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class Fingerprint:
    """A text as the index sees it: the digest of its words (exact copies), its
    MinHash signature (None for short texts) and its number of distinct shingles."""

    digest: bytes
    signature: array | None
    size: int


@dataclass
class _Entry:
    doc_id: str
    digest: bytes
    signature: array | None  # None for short texts
    size: int  # number of distinct shingles


class NearDuplicateIndex:
    """Remembers the texts seen in a stream (as hashes and MinHash signatures only).

    `check` returns the id of the first earlier text that is an exact duplicate
    (same words after lowercasing, ignoring punctuation and whitespace) or a near
    duplicate: estimated Jaccard similarity of word shingles >= `threshold`, or
    estimated containment of the shorter in the longer >= `threshold` when the
    lengths differ by at most 30% (a copy with an added or dropped
    paragraph). Memory is bounded: past `max_items` texts the oldest are
    forgotten first (FIFO), so a copy further apart than that in the stream is
    not found. Cost is about 2 KB per remembered text (signature of `num_perm`
    32-bit values plus band keys): ~200 MB per 100,000 texts.
    """

    def __init__(
        self, threshold: float = 0.8, num_perm: int = 64, shingle: int = 5, max_items: int = 200_000
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        self.max_items = max_items
        # Few rows per band: candidates also for pairs with Jaccard well under
        # the threshold (containment cases); every candidate is verified.
        self.rows = max(1, round(num_perm ** (1 / 3)))
        self.bands = num_perm // self.rows
        self._perms = [self._seed(i) for i in range(num_perm)]
        self._exact: dict[bytes, int] = {}
        self._buckets: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(self.bands)]
        self._entries: dict[int, _Entry] = {}  # insertion-ordered: oldest first
        self._next = 0

    @staticmethod
    def _seed(i: int) -> tuple[int, int]:
        d = blake2b(f"extractor-minhash-{i}".encode(), digest_size=16).digest()
        a, b = int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little")
        return a % (_PRIME - 1) + 1, b % _PRIME

    def _signature(self, words: list[str]) -> tuple[array, int]:
        n = self.shingle
        hashes = {_h64(" ".join(words[i : i + n])) % _PRIME for i in range(len(words) - n + 1)}
        sig = array("I", (min((a * x + b) % _PRIME for x in hashes) & _MASK32 for a, b in self._perms))
        return sig, len(hashes)

    def _band_keys(self, sig: array) -> list[int]:
        r = self.rows
        return [hash(tuple(sig[i * r : (i + 1) * r])) for i in range(self.bands)]  # ints: not salted

    def _similar(self, sig: array, size: int, other: _Entry) -> bool:
        assert other.signature is not None
        jaccard = sum(x == y for x, y in zip(sig, other.signature)) / self.num_perm
        if jaccard >= self.threshold:
            return True
        small, large = sorted((size, other.size))
        if small < MIN_SIZE_RATIO * large:
            return False
        containment = jaccard * (size + other.size) / ((1 + jaccard) * small)
        return containment >= self.threshold

    def check(self, doc_id: str, text: str) -> str | None:
        """Id of an earlier (near-)duplicate of `text`, else None (and `text` is remembered)."""
        return self.check_fingerprint(doc_id, self.fingerprint(text))

    def fingerprint(self, text: str) -> Fingerprint:
        """What `check` needs of a text, computed apart so that the costly part
        (the MinHash signature) can run where the text is, on a cluster worker,
        and only the fingerprints travel to the one process that checks them in
        input order."""
        words = _WORD.findall(text.lower())
        digest = blake2b(" ".join(words).encode("utf8"), digest_size=16).digest()
        if len(words) < MIN_WORDS:
            return Fingerprint(digest, None, 0)
        sig, size = self._signature(words)
        return Fingerprint(digest, sig, size)

    def check_fingerprint(self, doc_id: str, fp: Fingerprint) -> str | None:
        """`check` for a text's fingerprint."""
        slot = self._exact.get(fp.digest)
        if slot is not None:
            return self._entries[slot].doc_id
        keys: list[int] = []
        if fp.signature is not None:
            keys = self._band_keys(fp.signature)
            seen: set[int] = set()
            for band, key in zip(self._buckets, keys):
                for cand in band.get(key, ()):
                    if cand not in seen:
                        seen.add(cand)
                        if self._similar(fp.signature, fp.size, self._entries[cand]):
                            return self._entries[cand].doc_id
        self._add(_Entry(doc_id, fp.digest, fp.signature, fp.size), keys)
        return None

    def _add(self, entry: _Entry, keys: list[int]) -> None:
        if len(self._entries) >= self.max_items:
            self._evict()
        slot = self._next
        self._next += 1
        self._entries[slot] = entry
        self._exact[entry.digest] = slot
        for band, key in zip(self._buckets, keys):
            band[key].append(slot)

    def _evict(self) -> None:
        slot = next(iter(self._entries))
        entry = self._entries.pop(slot)
        self._exact.pop(entry.digest, None)
        if entry.signature is not None:
            for band, key in zip(self._buckets, self._band_keys(entry.signature)):
                bucket = band.get(key)
                if bucket is not None:
                    bucket.remove(slot)
                    if not bucket:
                        del band[key]

    def __len__(self) -> int:
        return len(self._entries)
