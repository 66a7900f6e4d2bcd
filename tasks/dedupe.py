"""Duplicate articles: the same URL, the same text, or the same wire story on another site.

Three keys, tried in this order by `DuplicateIndex.find`:

1. `canonical_url`: the URL as a comparison key (courlan's normalisation, tracking parameters and
   fragments dropped, host lower-case without `www.`, `http` read as `https`).
2. `text_fingerprint`: a hash of the text with case, punctuation and spacing normalised away.
3. `minhash`: a MinHash of the text's word shingles; MinHashLSH finds candidates without pairwise
   comparisons, and a candidate counts when its estimated Jaccard similarity reaches
   `NEAR_DUPLICATE_THRESHOLD`.

The threshold is measured by `bench/eval_extraction.py --dedupe` on the AEB bodies: distinct
articles stay far below it, and copies that lost their last paragraphs, gained an editor's note or
a dateline, or had words changed stay above it (figures in that script's docstring).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import courlan
import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash, MinHashLSH

__all__ = [
    "NEAR_DUPLICATE_THRESHOLD",
    "NUM_PERM",
    "SHINGLE_WORDS",
    "SIGNATURE_VERSION",
    "DuplicateIndex",
    "canonical_url",
    "minhash",
    "minhash_from_bytes",
    "minhash_to_bytes",
    "text_fingerprint",
]

# Estimated Jaccard similarity (of SHINGLE_WORDS-word shingles) from which two texts are one story.
NEAR_DUPLICATE_THRESHOLD = 0.5
NUM_PERM = 128
SHINGLE_WORDS = 5
# datasketch's permutation scheme (its default since 2.0): stored signatures are comparable only
# with signatures of the same scheme, permutations and shingle size, which this names.
_SCHEME = "affine32"
SIGNATURE_VERSION = f"{_SCHEME}-{NUM_PERM}-w{SHINGLE_WORDS}"
# Texts shorter than this many words are matched only by URL or exact text: a few words in common
# ("Read more", a one-line brief) say nothing about two articles being the same story.
_MIN_WORDS_FOR_MINHASH = 30

# Tracking parameters courlan keeps (it already drops utm_*, fbclid, gclid, mc_*, ref, ...):
# campaign codes of news sites and mailers that never change what page is served.
_TRACKING_PARAMS = frozenset(
    """
    cmp cmpid ocid smid spm guccounter icid ito mkt_tok s_cid sr_share taid xtor _hsenc _hsmi
    ns_mchannel ns_source ns_campaign ns_linkname ns_fee at_medium at_campaign at_custom1
    at_custom2 at_custom3 at_custom4 at_ptr at_link_id at_link_origin share_id __twitter_impression
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
_WORD = re.compile(r"\w+")


# URL ------------------------------------------------------------------------------------------


def canonical_url(url: str) -> str:
    """A comparison key for a URL: two URLs of one page give the same key.

    Not a URL to fetch: `www.` is dropped and `http` becomes `https`, which almost every news site
    serves identically but a few do not.
    """
    url = " ".join(url.split())
    try:
        normalised = courlan.normalize_url(url)
    except (ValueError, TypeError):  # courlan rejects some malformed URLs; keep them as written
        normalised = url
    parts = urlsplit(normalised)
    host = parts.netloc.lower().removeprefix("www.")
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    )
    path = parts.path.rstrip("/") or "/"
    # "#!" marks a client-side route (old AJAX sites): part of the page's identity, unlike "#top".
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit((scheme, host, path, query, fragment))


def _tracking(key: str) -> bool:
    key = key.lower()
    return key in _TRACKING_PARAMS or key.startswith(("utm_", "at_custom"))


# Text -----------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def text_fingerprint(text: str) -> str:
    """sha256 of the text's words, case-folded: spacing, punctuation and quotes style ignored."""
    return hashlib.sha256(" ".join(_words(text)).encode("utf-8")).hexdigest()


def minhash(text: str) -> MinHash:
    """MinHash (NUM_PERM permutations) of the text's SHINGLE_WORDS-word shingles."""
    words = _words(text)
    span = min(SHINGLE_WORDS, len(words)) or 1
    shingles = {" ".join(words[i : i + span]).encode("utf-8") for i in range(len(words) - span + 1)}
    from datasketch import MinHash  # noqa: PLC0415 - see DuplicateIndex.__init__

    signature = MinHash(num_perm=NUM_PERM, scheme=_SCHEME)
    signature.update_batch(list(shingles))
    return signature


def minhash_to_bytes(signature: MinHash) -> bytes:
    """The signature as NUM_PERM little-endian uint32 (512 bytes): a `minhash BLOB` value."""
    return signature.hashvalues.astype("<u4").tobytes()


def minhash_from_bytes(data: bytes) -> MinHash:
    from datasketch import MinHash  # noqa: PLC0415 - see DuplicateIndex.__init__

    values = np.frombuffer(data, dtype="<u4").astype(np.uint32)
    return MinHash(num_perm=NUM_PERM, hashvalues=values, scheme=_SCHEME)


# Index ----------------------------------------------------------------------------------------


class DuplicateIndex:
    """Articles seen so far, by URL key, text fingerprint and MinHash; `find` names the first copy.

    Seed it from the warehouse with `from_rows` (texts) or `from_signatures` (stored keys), giving
    first copies in the order they were stored, then `add` each new first copy as it is met.
    """

    def __init__(self, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> None:
        self.threshold = threshold
        self._by_url: dict[str, str] = {}
        self._by_fingerprint: dict[str, str] = {}
        self._signatures: dict[str, MinHash] = {}
        self._order: dict[str, int] = {}
        # Imported here: datasketch imports scipy (half a second of the ingest process's start),
        # which a run with nothing new or with dedupe off never needs.
        from datasketch import MinHashLSH  # noqa: PLC0415

        self._lsh: MinHashLSH = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)

    def __len__(self) -> int:
        return len(self._order)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[str, str | None, str]],
        *,
        threshold: float = NEAR_DUPLICATE_THRESHOLD,
    ) -> DuplicateIndex:
        """From (article_id, url, text) of stored first copies (dup_of IS NULL), oldest first."""
        index = cls(threshold)
        for article_id, url, text in rows:
            index.add(article_id, url, text)
        return index

    @classmethod
    def from_signatures(
        cls,
        rows: Iterable[tuple[str, str | None, str | None, bytes | None]],
        *,
        threshold: float = NEAR_DUPLICATE_THRESHOLD,
    ) -> DuplicateIndex:
        """From (article_id, url, text_fingerprint, minhash bytes or None) rows, oldest first."""
        index = cls(threshold)
        for article_id, url, fingerprint, signature in rows:
            decoded = minhash_from_bytes(signature) if signature else None
            index._add_keys(article_id, url, fingerprint, decoded)
        return index

    def add(
        self, article_id: str, url: str | None, text: str, *, aliases: Iterable[str] = ()
    ) -> None:
        """Remember a first copy. Adding a known id again only adds its URLs and text as aliases."""
        long_enough = len(_words(text)) >= _MIN_WORDS_FOR_MINHASH
        needed = long_enough and article_id not in self._signatures
        self._add_keys(article_id, url, text_fingerprint(text), minhash(text) if needed else None)
        for alias in aliases:
            self._by_url.setdefault(canonical_url(alias), article_id)

    def find(self, url: str | None, text: str, *, aliases: Iterable[str] = ()) -> str | None:
        """The article_id of the first copy of this article, or None when it is new.

        `aliases` are further URLs of the same page (the URL it was fetched from, beside its
        canonical one), checked after `url`.
        """
        for candidate in (url, *aliases):
            if candidate and (found := self._by_url.get(canonical_url(candidate))):
                return found
        if found := self._by_fingerprint.get(text_fingerprint(text)):
            return found
        if len(_words(text)) < _MIN_WORDS_FOR_MINHASH or not self._signatures:
            return None
        return self._nearest(minhash(text))

    def signature_bytes(self, article_id: str) -> bytes | None:
        """The stored MinHash of a first copy (None for short texts), for the warehouse."""
        signature = self._signatures.get(article_id)
        return minhash_to_bytes(signature) if signature is not None else None

    def _nearest(self, signature: MinHash) -> str | None:
        # LSH candidates are probable matches; the estimated Jaccard decides, the oldest wins ties.
        best: tuple[float, int, str] | None = None
        for candidate in self._lsh.query(signature):
            similarity = signature.jaccard(self._signatures[candidate])
            if similarity < self.threshold:
                continue
            key = (-similarity, self._order[candidate], candidate)
            best = key if best is None or key < best else best
        return best[2] if best else None

    def _add_keys(
        self, article_id: str, url: str | None, fingerprint: str | None, signature: MinHash | None
    ) -> None:
        self._order.setdefault(article_id, len(self._order))
        if url:
            self._by_url.setdefault(canonical_url(url), article_id)
        if fingerprint:  # rows stored before fingerprints were kept have none
            self._by_fingerprint.setdefault(fingerprint, article_id)
        if signature is not None and article_id not in self._signatures:
            self._signatures[article_id] = signature
            self._lsh.insert(article_id, signature)
