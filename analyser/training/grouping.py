"""Leak-free cross-validation groups for corpora with near-duplicate texts.

The sentiment corpora share snippets (the same Rotten Tomatoes sentence appears in MR and in
SST, re-tokenised), so plain K-fold puts copies of a test sentence into the training folds:
on the MR sentences that inflated CV accuracy from 0.77 to 0.87, and model selection on it
favoured models that memorise. Rows are grouped when they share a rare normalised word
k-gram or the same 60-character normalised key; folds then never split a group.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")


def normalised_words(text: str) -> list[str]:
    """Lower-case alphanumeric words, PTB brackets and apostrophes folded, so that the
    tokenised (SST, MR) and raw (RT) spellings of a snippet agree."""
    t = text.lower().replace("-lrb-", " ").replace("-rrb-", " ").replace("n't", "nt")
    return _NON_ALNUM.sub(" ", t.replace(" '", "'").replace("'", "")).split()


def near_duplicate_groups(texts: Sequence[str], k: int = 6, max_df: int = 5) -> np.ndarray:
    """A group id per text: connected components of "shares a word k-gram that occurs in at
    most `max_df` texts, or the same first 60 normalised characters"."""
    n = len(texts)
    index: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        words = normalised_words(text)
        keys = {"K:" + "".join(words)[:60]}
        keys.update(" ".join(words[j : j + k]) for j in range(len(words) - k + 1))
        for key in keys:
            index[key].append(i)
    rows: list[int] = []
    cols: list[int] = []
    for key, ids in index.items():
        if len(ids) > 1 and (key.startswith("K:") or len(ids) <= max_df):
            rows.extend(ids[:1] * (len(ids) - 1))
            cols.extend(ids[1:])
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def shares_rare_kgram(texts: Sequence[str], references: Sequence[str], k: int = 6,
                      max_df: int = 5) -> np.ndarray:
    """Per text: does it contain a word k-gram of any reference text that occurs in at most
    `max_df` of `texts`? (A quoted snippet, not a stock phrase: used to keep a model trained
    on `texts` from having seen the `references` it will be applied to.)"""
    ref: set[str] = set()
    for text in references:
        w = normalised_words(text)
        ref.update(" ".join(w[j : j + k]) for j in range(len(w) - k + 1))
    hits: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        w = normalised_words(text)
        for gram in {" ".join(w[j : j + k]) for j in range(len(w) - k + 1)} & ref:
            hits[gram].append(i)
    out = np.zeros(len(texts), dtype=bool)
    for ids in hits.values():
        if len(ids) <= max_df:
            out[ids] = True
    return out
