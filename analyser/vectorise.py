"""Feature matrices straight from spaCy's token ids: the fast twin of :mod:`analyser.features`.

:mod:`analyser.features` defines every model's features as lists of strings; training uses
it as written. At run time building those strings (and hashing each one into a vocabulary)
cost more than spaCy's tokenizer, so the components use this module instead. It computes
*exactly the same* matrix (``tests/test_vectorise.py`` checks it column for column on varied
text) with numpy over whole batches:

* one process-wide :class:`FeatureSpace` interns every word and word pair any loaded model
  knows; each distinct token (spaCy ``ORTH`` id) is normalised once and mapped to its word id
  (0 for words no model knows), each adjacent pair to its pair id, once per batch of docs
  for all models together (:class:`TokenBatch` is shared by the components);
* a model's unigram, ``neg_``/``but_`` (negation and contrast scope) and bigram columns are
  then plain array lookups by id; word pairs/triples and character n-grams are packed integer
  codes looked up in a hash table (:class:`CodeTable`, pandas' C hash index);
* negation and contrast scopes are running maxima of "last opener / last closer" positions
  rather than a Python loop over tokens.

The vocabulary tables come from the model file, compiled at training time
(:func:`compile_vocabulary`), and are interned into the shared space once per process.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from spacy.attrs import IDX, IS_SPACE, ORTH, SPACY
from spacy.tokens import Doc

from .extensions import doc_text
from .features import (
    _SCOPE_END,
    CONTRAST,
    NEGATORS,
    PLOT_EDGES,
    cue_tokens,
    cues_of_mask,
    normalise_token,
    token_cue_info,
)
from .linear import pack_strings, unpack_strings

# Above this many cached token spellings the cache starts again (memory stays flat over
# millions of reviews; re-normalising a word is cheap).
_ORTH_CACHE_MAX = 100_000
_FINAL = frozenset(".;!?")  # tokens that also end a contrast scope
# Doc.user_data key of the (TokenBatch, position in it) a doc belongs to during a run
_BATCH_KEY = "analyser_token_batch"


_WORD_BITS = {2: 32, 3: 21}  # bits per word id in the code of a word pair / triple
_CHAR_BITS = 12  # bits per character symbol in the code of a character n-gram (n <= 5)


def word_code(ids):
    """The packed code of a word n-gram (n = 2 or 3) from its words' ids: ints at load
    time, arrays (one per position) for a whole batch."""
    bits = _WORD_BITS[len(ids)]
    code = ids[0]
    for i in ids[1:]:
        code = (code << bits) | i
    return code


def char_code(symbols: list[np.ndarray]) -> np.ndarray:
    """The packed code of character n-grams from their symbols (one array per position);
    the length n sits in the top bits, so grams of different lengths never share a code."""
    code = np.full(len(symbols[0]), len(symbols), dtype=np.uint64) if symbols else None
    for s in symbols:
        code = (code << np.uint64(_CHAR_BITS)) | s.astype(np.uint64)
    return code


class CodeTable:
    """Packed integer codes -> values, looked up in bulk through a hash table.

    pandas' index engine (a C hash table, built once on first use) finds millions of codes
    several times faster than ``searchsorted`` on a sorted array (no binary search with a
    cache miss per step). Without `values`, a code's value is its position: an interning
    table (:meth:`interned`)."""

    def __init__(self, codes=(), values=None, dtype=np.int64) -> None:
        self.codes = np.asarray(codes, dtype=dtype)
        self.index = pd.Index(self.codes)
        self.values = (np.arange(len(self.codes)) if values is None
                       else np.asarray(values, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.values)

    def find(self, codes: np.ndarray) -> np.ndarray:
        """The value of every code, -1 for codes not in the table."""
        if not len(self.values):
            return np.full(len(codes), -1, dtype=np.int64)
        pos = self.index.get_indexer(codes)
        return np.where(pos >= 0, self.values[pos], -1)

    def interned(self, codes: np.ndarray) -> tuple[CodeTable, np.ndarray]:
        """This interning table with the `codes` it lacks appended, and each code's id."""
        codes = np.asarray(codes, dtype=self.codes.dtype)
        new = codes[self.find(codes) < 0]
        table = CodeTable(np.concatenate([self.codes, pd.unique(new)]), dtype=self.codes.dtype)
        return table, table.find(codes)


class FeatureSpace:
    """Words and word pairs/triples known to any loaded model, interned as small integers.

    One per process (:data:`SPACE`): the components share it, so a batch's tokens are mapped
    to ids once for all models. It only grows when a model is loaded.
    """

    def __init__(self) -> None:
        self.terms: dict[str, int] = {"": 0}
        self.pair_table = CodeTable()  # word_code([a, b]) -> pair id
        self.triple_table = CodeTable()  # word_code([a, b, c]) -> triple id
        # character n-grams: code point -> symbol (1.., 0 = in no known n-gram), and
        # char_code(...) -> n-gram id
        self.char_symbols = np.zeros(1, np.uint64)
        self.char_table = CodeTable(dtype=np.uint64)
        self.generation = 0
        self._orth_info: dict[int, int] = {}
        self._lock = threading.Lock()
        self._flags()

    def term(self, word: str) -> int:
        t = self.terms.get(word)
        if t is None:
            t = self.terms[word] = len(self.terms)
        return t

    def add(self, words: Sequence[str], pairs: np.ndarray, triples: np.ndarray,
            grams: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Intern a model's `words`, its word `pairs` / `triples` given as rows of positions
        in `words` (shape (2, n) / (3, n)) and its character n-grams; their ids here."""
        with self._lock, _gc_paused():
            terms = self.terms
            intern = terms.setdefault
            # len(terms) is read before setdefault inserts: a new word gets the next id
            ids = np.fromiter((intern(w, len(terms)) for w in words), np.int64, len(words))
            for w in NEGATORS | _SCOPE_END | CONTRAST | _FINAL:
                self.term(w)
            if pairs.shape[1]:
                self.pair_table, pair_ids = self.pair_table.interned(word_code(list(ids[pairs])))
            else:
                pair_ids = np.zeros(0, np.int64)
            if triples.shape[1]:
                if len(terms) > 1 << _WORD_BITS[3]:
                    raise ValueError("too many words to pack word trigrams")
                self.triple_table, triple_ids = self.triple_table.interned(
                    word_code(list(ids[triples])))
            else:
                triple_ids = np.zeros(0, np.int64)
            gram_ids = self._add_grams(grams)
            self._flags()
            self._orth_info = {}  # words unknown before may be known now
            self.generation += 1
        return ids, pair_ids, triple_ids, gram_ids

    def _add_grams(self, grams: Sequence[str]) -> np.ndarray:
        lengths = np.fromiter(map(len, grams), np.int64, len(grams))
        cps = np.frombuffer("".join(grams).encode("utf-32-le"), np.uint32).astype(np.int64)
        new = np.setdiff1d(cps, np.flatnonzero(self.char_symbols))
        if len(new):
            n_known = int(np.count_nonzero(self.char_symbols))
            if n_known + len(new) >= 1 << _CHAR_BITS:
                raise ValueError("too many distinct characters to pack character n-grams")
            size = max(len(self.char_symbols), int(new.max()) + 2)
            symbols = np.zeros(size, np.uint64)
            symbols[: len(self.char_symbols)] = self.char_symbols
            symbols[new] = np.arange(n_known + 1, n_known + 1 + len(new))
            self.char_symbols = symbols
        sym = self.char_symbols[cps]
        ends = np.cumsum(lengths)
        codes = np.zeros(len(grams), np.uint64)
        for n in np.unique(lengths).tolist():
            if n * _CHAR_BITS > 60:
                raise ValueError(f"character {n}-grams are too long to pack")
            m = np.flatnonzero(lengths == n)
            cols = sym[(ends[m] - n)[:, None] + np.arange(n)]
            codes[m] = char_code([cols[:, k] for k in range(n)])
        self.char_table, ids = self.char_table.interned(codes)
        return ids

    def char_gram_ids(self, batch: TokenBatch, padded: list[str], key: str, n: int
                      ) -> tuple[np.ndarray, np.ndarray]:
        """(row, n-gram id) of every known character `n`-gram of each text in `padded`
        (one per batch sentence); cached on the batch under `key` (which text it is)."""
        ck = ("chars", key, n, self.generation)
        if ck in batch.cache:
            return batch.cache[ck]
        sym, row, ends = self._symbols(batch, padded, key)
        m = len(sym) - n + 1
        if m <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        row = row[:m]
        ok = np.arange(m) + n <= ends[row]  # the n-gram lies inside its own text
        codes = char_code([sym[k : k + m][ok] for k in range(n)])
        ids = self.char_table.find(codes)
        known = ids >= 0
        out = batch.cache[ck] = (row[ok][known], ids[known])
        return out

    def _symbols(self, batch: TokenBatch, padded: list[str], key: str):
        """(symbol per character, text number per character, end of each text) of the
        concatenated `padded` texts: computed once per batch and text, for every n."""
        ck = ("symbols", key, self.generation)
        if ck not in batch.cache:
            lengths = np.fromiter(map(len, padded), np.int64, len(padded))
            cps = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
            top = len(self.char_symbols) - 1  # always 0: stands for every code point above it
            batch.cache[ck] = (self.char_symbols[np.minimum(cps, top)],
                               np.repeat(np.arange(len(padded)), lengths), np.cumsum(lengths))
        return batch.cache[ck]

    def padded_texts(self, batch: TokenBatch, kind: str, raw: Sequence[str] | None
                     ) -> list[str]:
        """Each sentence as its character n-grams are read: ``"raw"`` is the lower-cased
        text with whitespace runs collapsed (:func:`analyser.features.char_ngrams`),
        ``"tokens"`` the normalised tokens joined by spaces
        (:func:`analyser.features.token_char_ngrams`); padded with a space each side."""
        key = ("padded", kind)
        if key in batch.cache:
            return batch.cache[key]
        if kind == "raw":
            if raw is None:
                raise ValueError("raw character n-grams need the sentence texts")
            out = [" " + " ".join(t.lower().split()) + " " for t in raw]
        else:
            inverse, uniq = batch.distinct()
            strings = batch.strings
            norm = [normalise_token(strings[o]) for o in uniq.tolist()]
            toks = np.asarray(norm, dtype=object)[inverse].tolist() if norm else []
            bounds = np.searchsorted(batch.sent, np.arange(batch.n_sents + 1)).tolist()
            out = [" " + " ".join(toks[bounds[k] : bounds[k + 1]]) + " "
                   for k in range(batch.n_sents)]
        batch.cache[key] = out
        return out

    def _flags(self) -> None:
        words = list(self.terms)
        n = len(words)
        self.is_negator = np.fromiter((w in NEGATORS for w in words), bool, n)
        self.is_scope_end = np.fromiter((w in _SCOPE_END for w in words), bool, n)
        self.is_opener = np.fromiter((w in _SCOPE_END and w in CONTRAST for w in words), bool, n)
        self.is_final = np.fromiter((w in _FINAL for w in words), bool, n)

    # -- per batch ---------------------------------------------------------------------
    def _gram_ids(self, batch: TokenBatch, n: int) -> np.ndarray:
        """Id of the word n-gram (n = 2 pairs, 3 triples) starting at every token, inside one
        doc and made of known words (-1 otherwise); cached on the batch."""
        key = ("grams", n, self.generation)
        if key in batch.cache:
            return batch.cache[key]
        table = self.pair_table if n == 2 else self.triple_table
        t = self.term_ids(batch)
        m = max(len(t) - n + 1, 0)
        out = np.full(m, -1, dtype=np.int64)
        if m and len(table):
            parts = [t[k : k + m] for k in range(n)]
            ok = batch.doc[:m] == batch.doc[n - 1 :]
            for part in parts:
                ok &= part > 0
            out[ok] = table.find(word_code([part[ok] for part in parts]))
        batch.cache[key] = out
        return out

    def _token_info(self, batch: TokenBatch) -> np.ndarray:
        """Per token: word id * 2 + capitalised-word bit, one dict lookup per distinct token."""
        key = ("info", self.generation)
        if key in batch.cache:
            return batch.cache[key]
        if not len(batch.orth):
            info = np.zeros(0, np.int64)
        else:
            if len(self._orth_info) > _ORTH_CACHE_MAX:
                self._orth_info = {}
            terms = self.terms

            def word_info(w: str) -> int:
                return terms.get(normalise_token(w), 0) * 2 + (w[:1].isupper() and w[1:].islower())

            info = batch.per_token(self._orth_info, word_info)
        batch.cache[key] = info
        return info

    def term_ids(self, batch: TokenBatch) -> np.ndarray:
        """Word id of every token (0 for words no model mentions)."""
        return self._token_info(batch) >> 1

    def title_flags(self, batch: TokenBatch) -> np.ndarray:
        """Capitalised-word flag per token (``w[:1].isupper() and w[1:].islower()``)."""
        return (self._token_info(batch) & 1).astype(bool)


SPACE = FeatureSpace()


@dataclass
class TokenBatch:
    """The body-sentence tokens of a batch of docs, flattened (whitespace tokens dropped).

    Built once per batch and shared by the model components through the docs themselves
    (:meth:`shared`, :meth:`release`), which also share the ids computed from it through
    `cache`. It keeps the sentence tables it was built from but not the docs, so attaching
    it to them makes no reference cycle."""

    orth: np.ndarray  # uint64 spaCy ORTH id per token
    sent: np.ndarray  # int64 sentence number (across the batch) per token
    doc: np.ndarray  # int64 doc number per token
    n_sents: int
    n_docs: int
    strings: object  # the StringStore that resolves ORTH ids
    tables: list = field(default_factory=list, repr=False)
    cache: dict = field(default_factory=dict, repr=False)
    # per token: followed by whitespace in the text (spaCy's SPACY attribute)
    space_after: np.ndarray = field(default_factory=lambda: np.zeros(0, bool), repr=False)

    def per_token(self, cache: dict[int, int], compute) -> np.ndarray:
        """`compute(spelling)` (an int) for every token, computed once per distinct spelling
        and remembered in `cache` (keyed by ORTH id) across batches. The batch's distinct
        tokens are found once, hash-based (``pandas.factorize``), for every caller."""
        inverse, uniq = self.distinct()
        keys = uniq.tolist()
        values = list(map(cache.get, keys))  # warm cache: one C-level pass
        if None in values:
            strings = self.strings
            for i, v in enumerate(values):
                if v is None:
                    values[i] = cache[keys[i]] = compute(strings[keys[i]])
        return np.asarray(values, dtype=np.int64)[inverse]

    def texts(self, docs: Sequence[Doc]) -> list[str]:
        """:func:`sentence_texts` of `docs` (the docs this batch was built from), computed
        once for every component that reads them."""
        if "texts" not in self.cache:
            self.cache["texts"] = sentence_texts(docs)
        return self.cache["texts"]

    def cues(self, docs: Sequence[Doc]) -> list[list[str]]:
        """The cue tokens of every sentence (:func:`cue_lists`), once per batch."""
        if "cues" not in self.cache:
            self.cache["cues"] = cue_lists(self, self.texts(docs))
        return self.cache["cues"]

    def distinct(self) -> tuple[np.ndarray, np.ndarray]:
        """(index into the distinct ORTH ids per token, the distinct ORTH ids): hash-based
        (``pandas.factorize``), once per batch for every caller."""
        if "distinct" not in self.cache:
            self.cache["distinct"] = pd.factorize(self.orth)
        return self.cache["distinct"]

    @classmethod
    def attached(cls, docs: Sequence[Doc]) -> TokenBatch | None:
        """The batch attached to exactly these docs (in this order, with the very sentence
        tables it was built from), or None."""
        entry = docs[0].user_data.get(_BATCH_KEY) if docs else None
        if entry is None or entry[0].n_docs != len(docs):
            return None
        batch = entry[0]
        for k, (doc, table) in enumerate(zip(docs, batch.tables, strict=True)):
            entry = doc.user_data.get(_BATCH_KEY)
            if entry is None or entry[0] is not batch or entry[1] != k or (
                    doc._.sentence_table is not table):
                return None
        return batch

    @classmethod
    def shared(cls, docs: Sequence[Doc]) -> TokenBatch:
        """The batch attached to these docs; built and attached to them if there is none, so
        the next component given the same docs finds it."""
        batch = cls.attached(docs)
        if batch is None:
            batch = cls.from_docs(docs)
            for k, doc in enumerate(docs):
                doc.user_data[_BATCH_KEY] = (batch, k)
        return batch

    @staticmethod
    def release(docs: Sequence[Doc]) -> None:
        """Detach any batch from these docs (their user data must stay serialisable)."""
        for doc in docs:
            doc.user_data.pop(_BATCH_KEY, None)

    @classmethod
    def from_docs(cls, docs: Sequence[Doc]) -> TokenBatch:
        """Docs laid end to end (doc k's characters shifted past its predecessors'), so one
        ``searchsorted`` finds every sentence's tokens in the whole batch."""
        docs = list(docs)
        tables = [d._.sentence_table for d in docs]
        strings = docs[0].vocab.strings if docs else None
        n_per_doc = [len(t["start"]) if t and len(d) else 0 for d, t in zip(docs, tables,
                                                                             strict=True)]
        starts = [s for t, n in zip(tables, n_per_doc, strict=True) if n for s in t["start"]]
        ends = [e for t, n in zip(tables, n_per_doc, strict=True) if n for e in t["end"]]
        n_docs = len(docs)
        n_sents = len(starts)
        if not n_sents:
            return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                       0, n_docs, strings, tables)
        laid = EndToEnd(docs, [ORTH, IDX, IS_SPACE, SPACY], skip=[n == 0 for n in n_per_doc])
        arr, shift = laid.rows, laid.char_offset
        keep = arr[:, 2] == 0  # whitespace tokens belong to no sentence's features
        idx = laid.positions(arr[:, 1])[keep]
        sent_doc = np.repeat(np.arange(n_docs), n_per_doc)
        a = np.searchsorted(idx, np.asarray(starts, dtype=np.int64) + shift[sent_doc], "left")
        b = np.searchsorted(idx, np.asarray(ends, dtype=np.int64) + shift[sent_doc], "left")
        counts = b - a
        # token positions a_k .. b_k-1 of every sentence k, without a Python loop
        first = a - np.concatenate([[0], np.cumsum(counts)[:-1]])
        positions = np.arange(int(counts.sum())) + np.repeat(first, counts)
        sent = np.repeat(np.arange(n_sents), counts)
        return cls(arr[keep, 0][positions].astype(np.uint64), sent, sent_doc[sent], n_sents,
                   n_docs, strings, tables, space_after=arr[keep, 3][positions].astype(bool))


class EndToEnd:
    """Token attributes (``Doc.to_array`` rows) of many docs laid end to end, so one numpy
    call covers a whole batch: doc k's characters are shifted by ``char_offset[k]`` (the
    lengths of the docs before it, plus one each), so ranges of different docs never
    overlap. Docs marked in `skip` contribute no tokens but keep their place."""

    def __init__(self, docs: Sequence[Doc], attrs: list, skip: Sequence[bool] | None = None
                 ) -> None:
        parts, offsets, pos = [], [], 0
        for k, doc in enumerate(docs):
            if len(doc) and not (skip and skip[k]):
                parts.append(doc.to_array(attrs))
            else:
                parts.append(np.zeros((0, len(attrs)), dtype=np.uint64))
            offsets.append(pos)
            pos += len(doc_text(doc)) + 1
        self.rows = np.concatenate(parts) if parts else np.zeros((0, len(attrs)), np.uint64)
        self.counts = np.fromiter((len(p) for p in parts), np.int64, len(parts))
        self.char_offset = np.asarray(offsets, dtype=np.int64)

    def positions(self, idx_column: np.ndarray) -> np.ndarray:
        """An ``IDX`` column shifted to batch-wide character positions."""
        return idx_column.astype(np.int64) + np.repeat(self.char_offset, self.counts)


_ORTH_CUES: dict[int, int] = {}


def cue_lists(batch: TokenBatch, texts: list[str]) -> list[list[str]]:
    """``[cue_tokens(t.lower()) for t in texts]`` for the batch's sentences (`texts`), with
    the trigger-word prefilter read off the tokens (cached per distinct token) instead of a
    regex over every sentence.

    A sentence's letter runs are its tokens' letter runs, except where two tokens touch with
    letters on both sides ("can" + "not"): a sentence with such a junction after a trigger
    prefix takes the string path, so the result is always exactly ``cue_tokens``'s."""
    n = batch.n_sents
    out: list[list[str]] = [[] for _ in range(n)]
    if not len(batch.orth):
        return [cue_tokens(t.lower()) for t in texts]
    global _ORTH_CUES
    if len(_ORTH_CUES) > _ORTH_CACHE_MAX:
        _ORTH_CUES = {}

    def cue_info(w: str) -> int:  # cue bits << 2 | ends in a trigger prefix << 1 | letter
        mask, prefix_end, letter = token_cue_info(w)
        return mask << 2 | prefix_end << 1 | letter

    per_token = batch.per_token(_ORTH_CUES, cue_info)
    masks = per_token >> 2
    prefix_end = (per_token & 2).astype(bool)
    letter_start = (per_token & 1).astype(bool)
    sent = batch.sent
    counts = np.bincount(sent, minlength=n)
    filled = np.flatnonzero(counts)
    sent_mask = np.zeros(n, np.int64)
    sent_mask[filled] = np.bitwise_or.reduceat(masks, (np.cumsum(counts) - counts)[filled])
    glued = (prefix_end[:-1] & ~batch.space_after[:-1] & letter_start[1:]
             & (sent[:-1] == sent[1:]))
    by_string = np.zeros(n, bool)
    by_string[sent[:-1][glued]] = True
    for i in np.flatnonzero(by_string | (sent_mask != 0)).tolist():
        lower = texts[i].lower()
        out[i] = cue_tokens(lower) if by_string[i] else cues_of_mask(lower, int(sent_mask[i]))
    return out


def sentence_texts(docs: Sequence[Doc]) -> list[str]:
    """The text of every body sentence of the batch, in order."""
    out: list[str] = []
    for doc in docs:
        table = doc._.sentence_table or {"start": [], "end": []}
        text = doc_text(doc)
        out.extend(text[s:e] for s, e in zip(table["start"], table["end"], strict=True))
    return out


def _segment_starts(seg: np.ndarray) -> np.ndarray:
    """Index of the first token of each token's segment (segments are contiguous runs)."""
    n = len(seg)
    if not n:
        return np.zeros(0, np.int64)
    is_first = np.ones(n, dtype=bool)
    is_first[1:] = seg[1:] != seg[:-1]
    return np.maximum.accumulate(np.where(is_first, np.arange(n), 0))


def _last_before(flag: np.ndarray) -> np.ndarray:
    """For each position, the index of the last earlier position where `flag` holds (-1)."""
    n = len(flag)
    last = np.maximum.accumulate(np.where(flag, np.arange(n), -1)) if n else np.zeros(0, int)
    out = np.full(n, -1, dtype=np.int64)
    out[1:] = last[:-1]
    return out


@contextmanager
def _gc_paused():
    """No cyclic garbage collection inside: building hundreds of thousands of small lists
    that all stay alive would otherwise trigger full collections over the whole heap (they
    tripled model-loading time), and none of them is garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _at(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """table[ids], where ids past the end (interned after the table was built) give -1."""
    return table[np.minimum(ids, len(table) - 1)]


def compile_vocabulary(features: Sequence[str], *, negation: bool = False,
                       char_ns: Sequence[int] = (), char_text: str = "raw") -> dict:
    """A model's feature names (column order) as the integer tables :class:`FeatureIndex`
    loads: done once at training time and stored in the model file, because parsing 300k
    feature strings took a second every time a process started.

    `negation`: unigrams are negation/contrast-marked as in
    :func:`analyser.features.negation_marked`; `char_ns`: lengths of the character n-grams
    (``#`` + n characters) read from the sentence text `char_text` (``"raw"`` or
    ``"tokens"``, see :meth:`FeatureSpace.padded_texts`). Names ``__...__`` are the
    cue/shape/plot tokens. An entry that more than one
    feature family could produce (the token ``"#the"`` and the character 4-gram ``"#the"``)
    maps every family to its column, just as the string features collide on one column.
    """
    words: dict[str, int] = {}
    w = words.setdefault
    uni: list[tuple[int, int]] = []
    neg: list[tuple[int, int]] = []
    but: list[tuple[int, int]] = []
    pairs: list[tuple[int, int, int]] = []
    triples: list[tuple[int, int, int, int]] = []
    chars: dict[str, int] = {}
    named: dict[str, int] = {}
    if char_text not in ("raw", "tokens"):
        raise ValueError(f"unknown character n-gram text {char_text!r}")
    widths = {n + 1 for n in char_ns}
    for col, feat in enumerate(features):
        if feat[:2] == "__" and feat[-2:] == "__":
            named[feat] = col
        if feat[:1] == "#" and len(feat) in widths:
            chars[feat[1:]] = col
        if " " not in feat:
            uni.append((w(feat, len(words)), col))
            if negation and len(feat) > 4:
                if feat[:4] == "neg_":
                    neg.append((w(feat[4:], len(words)), col))
                elif feat[:4] == "but_":
                    but.append((w(feat[4:], len(words)), col))
            continue
        parts = feat.split(" ")
        if len(parts) == 2 and all(parts):
            pairs.append((w(parts[0], len(words)), w(parts[1], len(words)), col))
        elif len(parts) == 3 and all(parts):
            triples.append((w(parts[0], len(words)), w(parts[1], len(words)),
                            w(parts[2], len(words)), col))

    def table(rows: list, k: int) -> np.ndarray:
        return np.asarray(rows, dtype=np.int32).reshape(-1, k).T.copy()

    return {
        "negation": bool(negation), "char_ns": [int(n) for n in char_ns],
        "char_text": char_text, "n_columns": len(features),
        "words": pack_strings(list(words), "word"), "n_words": len(words),
        "unigrams": table(uni, 2), "negated": table(neg, 2), "contrast": table(but, 2),
        "pairs": table(pairs, 3), "triples": table(triples, 4),
        "chars": pack_strings(list(chars), "character n-gram"), "n_chars": len(chars),
        "char_columns": np.fromiter(chars.values(), np.int32, len(chars)), "named": named,
    }


class FeatureIndex:
    """A model's compiled vocabulary (:func:`compile_vocabulary`) as lookup tables over
    :data:`SPACE` ids: token ids in, column numbers out."""

    def __init__(self, compiled: dict, *, space: FeatureSpace | None = None) -> None:
        self.space = space = space or SPACE
        self.negation = bool(compiled["negation"])
        self.char_ns = [int(n) for n in compiled["char_ns"]]
        self.char_text = compiled["char_text"]
        self.n_columns = int(compiled["n_columns"])
        self.named: dict[str, int] = dict(compiled["named"])
        words = unpack_strings(compiled["words"], compiled["n_words"], "words")
        grams = unpack_strings(compiled["chars"], compiled["n_chars"], "character n-grams")
        uni, neg, but = compiled["unigrams"], compiled["negated"], compiled["contrast"]
        pairs, triples = compiled["pairs"], compiled["triples"]
        ids, pair_ids, triple_ids, gram_ids = space.add(words, pairs[:2], triples[:3], grams)
        n_terms = len(space.terms)
        self.uni = self._table(ids[uni[0]], uni[1], n_terms)
        self.neg = self._table(ids[neg[0]], neg[1], n_terms)
        self.but = self._table(ids[but[0]], but[1], n_terms)
        self.pair_cols = self._table(pair_ids, pairs[2], len(space.pair_table))
        self.triple_cols = self._table(triple_ids, triples[3], len(space.triple_table))
        self.char_cols = self._table(gram_ids, compiled["char_columns"], len(space.char_table))
        self.has_trigrams = bool(triples.shape[1])

    @classmethod
    def from_features(cls, features: Sequence[str], *, negation: bool = False,
                      char_ns: Sequence[int] = (), char_text: str = "raw",
                      space: FeatureSpace | None = None) -> FeatureIndex:
        return cls(compile_vocabulary(features, negation=negation, char_ns=char_ns,
                                      char_text=char_text), space=space)

    @staticmethod
    def _table(keys: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        """ids -> column array, with a final -1 slot for ids interned later."""
        out = np.full(n + 1, -1, dtype=np.int64)
        out[keys] = values
        return out

    # -- feature families --------------------------------------------------------------
    def unigrams(self, batch: TokenBatch, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) pairs of the plain or negation-marked unigrams; `seg` gives each
        token's row (its sentence or its doc), which also bounds negation scopes."""
        sp = self.space
        t = sp.term_ids(batch)
        if not self.negation:
            return seg, _at(self.uni, t)
        scope_end = sp.is_scope_end[t]
        negator = sp.is_negator[t]
        starts = _segment_starts(seg)
        last_neg = _last_before(negator)
        last_end = _last_before(scope_end)
        last_open = _last_before(sp.is_opener[t])
        last_final = _last_before(sp.is_final[t])
        plain = ~scope_end & ~negator
        in_neg = plain & (last_neg >= starts) & (last_neg > last_end)
        in_contrast = plain & ~in_neg & (last_open >= starts) & (last_open > last_final)
        cols = np.where(in_neg, _at(self.neg, t), _at(self.uni, t))
        rows = np.concatenate([seg, seg[in_contrast]])
        cols = np.concatenate([cols, _at(self.but, t[in_contrast])])
        return rows, cols

    def bigrams(self, batch: TokenBatch, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) pairs of adjacent-word bigrams inside each segment of `seg`."""
        pairs = self.space._gram_ids(batch, 2)
        if not len(pairs):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ok = (pairs >= 0) & (seg[:-1] == seg[1:])
        return seg[:-1][ok], _at(self.pair_cols, pairs[ok])

    def trigrams(self, batch: TokenBatch, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) pairs of word trigrams inside each segment of `seg`."""
        triples = self.space._gram_ids(batch, 3)
        if not self.has_trigrams or not len(triples):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ok = (triples >= 0) & (seg[:-2] == seg[2:])
        return seg[:-2][ok], _at(self.triple_cols, triples[ok])

    def char_grams(self, batch: TokenBatch, texts: Sequence[str] | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) pairs of the character n-grams of every batch sentence, as
        :func:`analyser.features.char_ngrams` (`texts`: the sentence texts, needed for
        ``"raw"``) or :func:`analyser.features.token_char_ngrams` compute them."""
        if not self.char_ns or not batch.n_sents:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        padded = self.space.padded_texts(batch, self.char_text, texts)
        rows, cols = [], []
        for n in self.char_ns:
            r, ids = self.space.char_gram_ids(batch, padded, self.char_text, n)
            rows.append(r)
            cols.append(_at(self.char_cols, ids))
        return np.concatenate(rows), np.concatenate(cols)

    def named_tokens(self, rows_feats: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = [], []
        named = self.named
        for i, feats in enumerate(rows_feats):
            for f in feats:
                c = named.get(f)
                if c is not None:
                    rows.append(i)
                    cols.append(c)
        return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def count_matrix(n_rows: int, n_cols: int, parts: list[tuple[np.ndarray, np.ndarray]],
                 dtype=np.float32) -> sp.csr_matrix:
    """CSR of feature counts from (row, column) pairs; column -1 means "not in vocabulary".

    Canonical (sorted column indices, duplicates summed), built from one sort of the
    ``row * n_cols + col`` keys: twice as fast as scipy's COO -> CSR conversion, which sorts
    every row's indices separately."""
    rows = np.concatenate([r for r, _ in parts]) if parts else np.zeros(0, np.int64)
    cols = np.concatenate([c for _, c in parts]) if parts else np.zeros(0, np.int64)
    keep = cols >= 0
    keys = np.sort(rows[keep].astype(np.int64) * n_cols + cols[keep])
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(keys)))
    row, col = np.divmod(keys[starts], n_cols)
    indptr = np.searchsorted(row, np.arange(n_rows + 1))
    X = sp.csr_matrix((counts.astype(dtype), col.astype(np.int32), indptr.astype(np.int32)),
                      shape=(n_rows, n_cols))
    X.has_canonical_format = True
    return X


def shape_and_plot_tokens(index: FeatureIndex, batch: TokenBatch,
                          plot_probs: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Columns of :func:`analyser.features.shape_tokens` and the plot bucket token."""
    n = batch.n_sents
    seg = batch.sent
    counts = np.bincount(seg, minlength=n)
    first = np.ones(len(seg), dtype=bool)
    first[1:] = seg[1:] != seg[:-1]
    t_title = index.space.title_flags(batch)
    caps = np.bincount(seg, weights=(t_title & ~first).astype(float), minlength=n).astype(int)
    length = np.where(counts < 6, 0, np.where(counts < 20, 1, 2))
    names = [f"__caps_{k}__" for k in range(4)]
    lens = ["__len_short__", "__len_medium__", "__len_long__"]
    plots = [f"__plot_{k}__" for k in range(len(PLOT_EDGES) + 1)]
    named = index.named
    cap_cols = np.array([named.get(x, -1) for x in names])[np.minimum(caps, 3)]
    len_cols = np.array([named.get(x, -1) for x in lens])[length]
    bucket = np.searchsorted(np.asarray(PLOT_EDGES), np.asarray(plot_probs, float), "right")
    plot_cols = np.array([named.get(x, -1) for x in plots])[bucket]
    rows = np.arange(n)
    return np.concatenate([rows, rows, rows]), np.concatenate([cap_cols, len_cols, plot_cols])
