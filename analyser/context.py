"""Sentence features that come from the review around a sentence, shared by training and
scoring so the two can never drift apart.

A sentence alone cannot say whether "he dies" is the premise or the ending, or whether
"I cried" is about the film or the writer's evening. The second-stage models therefore see,
beside a sentence's own first-stage scores, where it sits (in the review, in its paragraph,
in its run of plot sentences: reveals cluster late in a retelling), what its neighbours
scored, and what the writer said before it (a spoiler warning, a no-spoiler promise).

Everything here works on a whole batch of reviews at once: rows are sentences of several
reviews laid end to end, `review` gives each row's review number (non-decreasing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .features import CUE_NAMES

SECTION_LABELS = ("summary", "plot", "opinion", "info")
SPOILER_LABELS = ("none", "hint", "explicit")
SENTIMENT_LABELS = ("neg", "neu", "pos")
VERDICT_LABELS = ("positive", "negative", "mixed", "neutral")
HEADS = {"section": SECTION_LABELS, "spoiler": SPOILER_LABELS, "sentiment": SENTIMENT_LABELS}
# first-stage columns, in the order of the in-domain model's outputs
STAGE1_COLUMNS = tuple(f"{h}:{lab}" for h, labs in HEADS.items() for lab in labs)
# the earlier sentence models' outputs (plot probability, spoiler probability, sentiment score)
PRIOR_COLUMNS = ("prior:plot", "prior:spoiler", "prior:sentiment")


def log_softmax_groups(z: np.ndarray) -> np.ndarray:
    """Per-head log-probabilities of first-stage logits (columns as :data:`STAGE1_COLUMNS`)."""
    out = np.empty_like(z, dtype=np.float64)
    i = 0
    for labels in HEADS.values():
        block = z[:, i : i + len(labels)].astype(np.float64)
        block = block - block.max(axis=1, keepdims=True)
        out[:, i : i + len(labels)] = block - np.log(np.exp(block).sum(axis=1, keepdims=True))
        i += len(labels)
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sentence_rows(docs, batch=None) -> tuple[list[dict], list[int], list[str]] | None:
    """A batch's sentence tables, sentences per doc and sentence texts (None: no sentences),
    what every final-decision component starts from (`batch`: the docs' shared
    TokenBatch, whose texts the earlier components already read)."""
    from .vectorise import sentence_texts

    tables = [doc._.sentence_table for doc in docs]
    counts = [len(t["start"]) for t in tables]
    if not sum(counts):
        return None
    return tables, counts, sentence_texts(docs) if batch is None else batch.texts(docs)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _starts(review: np.ndarray) -> np.ndarray:
    """Row index of the first sentence of each row's review."""
    n = len(review)
    first = np.r_[True, review[1:] != review[:-1]] if n else np.zeros(0, bool)
    return np.maximum.accumulate(np.where(first, np.arange(n), 0))


def _shift(x: np.ndarray, review: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """`x` of the sentence `k` places later (k > 0) or earlier (k < 0) in the same review,
    zero where there is none, and a 0/1 column saying whether there is one."""
    n = len(x)
    idx = np.arange(n) + k
    ok = (idx >= 0) & (idx < n)
    ok[ok] = review[idx[ok]] == review[np.arange(n)[ok]]
    out = np.zeros_like(x)
    out[ok] = x[idx[ok]]
    return out, ok.astype(np.float64)


def _before(flag: np.ndarray, review: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """1 where `flag` held for an earlier sentence of the same review."""
    c = np.cumsum(flag.astype(np.int64)) - flag
    base = c[starts] if len(c) else c
    return ((c - base) > 0).astype(np.float64)


# Groups (reviews, paragraphs, plot runs) are runs of equal keys: rows of one review are
# consecutive, so run numbers come from one comparison of neighbours (no sort).
def _runs(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start row of each run of equal keys, run number per row, run length per row)."""
    if not len(key):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    first = np.r_[True, key[1:] != key[:-1]]
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    return starts, group, np.diff(np.r_[starts, len(key)])[group]


def _group_mean(x: np.ndarray, key: np.ndarray) -> np.ndarray:
    _, group, length = _runs(key)
    return np.bincount(group, weights=x)[group] / length if len(x) else np.zeros(0)


def _group_max(x: np.ndarray, key: np.ndarray) -> np.ndarray:
    starts, group, _ = _runs(key)
    return np.maximum.reduceat(x, starts)[group] if len(x) else np.zeros(0)


def context_columns() -> list[str]:
    """Names of :func:`context_matrix`'s columns, in order."""
    own = list(STAGE1_COLUMNS) + list(PRIOR_COLUMNS) + [f"cue:{c}" for c in CUE_NAMES] + [
        f"flag:{f}" for f in FLAG_NAMES]
    near = [f"{side}:{c}" for side in ("prev", "next") for c in _NEIGHBOUR + ("exists",)]
    near += [f"window:{c}" for c in _NEIGHBOUR]
    review = [f"review_mean:{c}" for c in _NEIGHBOUR] + ["review_max:spoiler",
                                                         "review_max:prior:spoiler"]
    where = ["pos:rel", "pos:rel2", "pos:first", "pos:last", "pos:log_n", "pos:par_rel",
             "pos:in_par_rel", "pos:par_first", "plot_run:rel", "plot_run:log_len",
             "plot_before_share", "plot_after_share", "warned_before", "promised_before",
             "spoiler_x_rel", "spoiler_x_run", "heading:any"] + [
        f"heading:{lab}" for lab in SECTION_LABELS]
    return own + near + review + where


# what a sentence's neighbours contribute: the first-stage beliefs that travel
_NEIGHBOUR = ("spoiler", "section:plot", "section:opinion", "sentiment:pos", "sentiment:neg",
              "prior:spoiler", "cue:warning", "cue:ending")


def context_matrix(review: np.ndarray, stage1: np.ndarray, prior: np.ndarray,
                   cues: np.ndarray, flags: np.ndarray, paragraph: np.ndarray,
                   heading: Sequence[str | None]) -> np.ndarray:
    """Dense second-stage inputs, one row per sentence (columns: :func:`context_columns`).
    Long because it is one list of feature families, each a few vectorised lines; split
    up, the column order would live in several places.

    `stage1`: first-stage logits (n, len(STAGE1_COLUMNS)); `prior`: the earlier models'
    plot probability, spoiler probability and sentiment score (n, 3); `cues`: 0/1 per
    :data:`analyser.features.CUE_NAMES` (n, k); `paragraph`: paragraph number within the
    review; `heading`: the section label a heading gives the sentence, or None.
    """
    n = len(review)
    review = np.asarray(review, dtype=np.int64)
    lp = log_softmax_groups(np.asarray(stage1, dtype=np.float64).reshape(n, -1))
    prior = np.asarray(prior, dtype=np.float64).reshape(n, 3)
    prior_t = np.column_stack([_logit(prior[:, 0]), _logit(prior[:, 1]), prior[:, 2]])
    cues = np.asarray(cues, dtype=np.float64).reshape(n, len(CUE_NAMES))
    flags = np.asarray(flags, dtype=np.float64).reshape(n, len(FLAG_NAMES))
    own = np.column_stack([lp, prior_t, cues, flags])
    col = {c: i for i, c in enumerate(list(STAGE1_COLUMNS) + list(PRIOR_COLUMNS)
                                      + [f"cue:{c}" for c in CUE_NAMES])}
    p_spoil = 1 - np.exp(lp[:, col["spoiler:none"]])
    named = {"spoiler": _logit(p_spoil)}
    for c in _NEIGHBOUR[1:]:
        named[c] = own[:, col[c]]
    nb = np.column_stack([named[c] for c in _NEIGHBOUR]) if n else np.zeros((0, len(_NEIGHBOUR)))

    starts = _starts(review)
    idx = np.arange(n)
    counts = _runs(review)[2]
    pos = idx - starts
    rel = pos / np.maximum(counts - 1, 1)
    near = []
    for k in (-1, 1):
        shifted, ok = _shift(nb, review, k)
        near.append(np.column_stack([shifted, ok]))
    window = sum(_shift(nb, review, k)[0] for k in (-2, -1, 1, 2)) / 4.0
    review_mean = np.column_stack([_group_mean(nb[:, j], review) for j in range(nb.shape[1])]) \
        if n else np.zeros((0, len(_NEIGHBOUR)))

    paragraph = np.asarray(paragraph, dtype=np.int64)
    par_key = review * 100_000 + paragraph
    par_start = _starts(par_key)
    par_counts = _runs(par_key)[2]
    n_pars = _group_max(paragraph.astype(np.float64), review) - paragraph[starts] + 1 \
        if n else np.zeros(0)
    par_rel = (paragraph - paragraph[starts]) / np.maximum(n_pars - 1, 1) if n else np.zeros(0)
    in_par = (idx - par_start) / np.maximum(par_counts - 1, 1)

    plotty = np.exp(lp[:, col["section:plot"]]) + np.exp(lp[:, col["section:summary"]]) > 0.5
    run_key = np.cumsum(np.r_[True, (plotty[1:] != plotty[:-1]) | (review[1:] != review[:-1])]
                        ) if n else np.zeros(0, np.int64)
    run_start = _starts(run_key)
    run_len = _runs(run_key)[2]
    run_rel = np.where(plotty, (idx - run_start) / np.maximum(run_len - 1, 1), 0.0)
    run_log = np.where(plotty, np.log1p(run_len), 0.0)
    n_plot = _group_mean(plotty.astype(np.float64), review) * counts if n else np.zeros(0)
    plot_cum = np.cumsum(plotty) - plotty
    plot_before = plot_cum - plot_cum[starts] if n else np.zeros(0)
    before_share = plot_before / np.maximum(n_plot, 1)
    after_share = (n_plot - plot_before - plotty) / np.maximum(n_plot, 1)

    warned = _before(cues[:, CUE_NAMES.index("warning")], review, starts)
    promised = _before(cues[:, CUE_NAMES.index("no_spoil")], review, starts)
    heads = np.zeros((n, len(SECTION_LABELS) + 1))
    for i, h in enumerate(heading):
        if h is not None:
            heads[i, 0] = 1
            if h in SECTION_LABELS:
                heads[i, 1 + SECTION_LABELS.index(h)] = 1
    where = np.column_stack([
        rel, rel * rel, (pos == 0), np.r_[review[1:] != review[:-1], True], np.log1p(counts),
        par_rel, in_par, (idx == par_start), run_rel, run_log, before_share, after_share,
        warned, promised, named["spoiler"] * rel, named["spoiler"] * run_rel, heads,
    ]) if n else np.zeros((0, 17 + len(SECTION_LABELS)))
    review_max = np.column_stack([_group_max(named["spoiler"], review),
                                  _group_max(named["prior:spoiler"], review)]) if n \
        else np.zeros((0, 2))
    out = np.column_stack([own, *near, window, review_mean, review_max, where])
    return out.astype(np.float64)


# a year, "\b(19|20)\d\d\b" with its leading \b checked by hand on the hits: a pattern that
# starts with a literal digit lets the regex engine skip ahead to candidate digits instead of
# trying a word boundary at every position
_YEAR_DIGITS = re.compile(r"(19|20)\d\d\b")


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"

_INFO = re.compile(
    r"\b(directed|director|written|writer|screenplay|produced|producer|starring|cast|"
    r"runtime|running time|rated|budget|box office|release[sd]?|premiered?|studio|"
    r"distributed|minutes|dvd|blu-?ray|imdb|oscars?|nominated|won|award)\b")
FLAG_NAMES = ("intro", "info_words", "year", "question", "exclaim", "log_len", "credits_line")


def sentence_flags(texts: Sequence[str]) -> np.ndarray:
    """Cheap surface facts of each sentence that tell summary and info from plot and
    opinion, one row per text (columns: :data:`FLAG_NAMES`).

    The regexes run once over all texts joined by newlines (none of them can match across
    one), lower-cased so no pattern needs case folding: per-sentence calls cost more in call
    overhead and case-insensitive matching than the matching itself."""
    from .components.sections import _INTRO
    from .headings import is_info_line

    lows = [t.lower() for t in texts]
    out = np.zeros((len(lows), len(FLAG_NAMES)))
    if not lows:
        return out
    bounds = np.cumsum([len(t) + 1 for t in lows])
    joined = "\n".join(lows)
    intro = re.compile(_INTRO.pattern)
    for col, rx in ((0, intro), (1, _INFO), (2, _YEAR_DIGITS)):
        hits = [m.start() for m in rx.finditer(joined)]
        if rx is _YEAR_DIGITS:  # the leading \b
            hits = [h for h in hits if not h or not _is_word(joined[h - 1])]
        rows = np.searchsorted(bounds, hits, side="right")
        if col == 1:
            np.add.at(out[:, 1], rows, 1.0)
        else:
            out[rows, col] = 1.0
    out[:, 3] = ["?" in t for t in lows]
    out[:, 4] = ["!" in t for t in lows]
    out[:, 5] = np.log1p([len(t.split()) for t in lows])
    out[:, 6] = [is_info_line(t) for t in texts]
    return out


VERDICT_COLUMNS = (
    "prior_review", "prior_review_atanh",
    *(f"{kind}:{lab}" for lab in SENTIMENT_LABELS
      for kind in ("mean", "opinion_mean", "tail_mean")),
    "share_pos", "share_neg", "share_min", "share_product", "share_gap", "log_n",
    "max_pos", "max_neg", "opinion_share_pos", "opinion_share_neg", "opinion_share_min",
    "opinion_share_gap", "has_rating", "rating")

# a score the writer gives: "7/10", "4 out of 5", "3.5 stars" (out of 5)
_RATING = re.compile(
    r"(?<![\d.,/])(\d{1,2}(?:\.\d)?)\s*(?:/|out\s+of)\s*(10|5)(?![\d.,/]\d)"
    r"|(?<![\d.,/])(\d(?:\.\d)?)\s*stars?\b", re.I)


def check_columns(models: dict, path: str) -> None:
    """Refuse a context model built for other input columns (a file trained by another
    version) with a message that says what to do, not a shape error mid-batch."""
    from .errors import ModelError

    expected = {"section": context_columns(), "verdict": list(VERDICT_COLUMNS)}
    for name, cols in expected.items():
        if [str(f) for f in models[name].features] != cols:
            raise ModelError(f"the context model {path} was built for other input columns "
                             f"than this version's ({name}); retrain it with "
                             "`analyser train context`")


def writer_rating(text: str) -> float | None:
    """The writer's own score in [0, 1], from its last mention in `text`, or None."""
    value = None
    for m in _RATING.finditer(text):
        got, out_of = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), "5")
        v = float(got) / float(out_of)
        if v <= 2.0:  # "12/10" is praise, "47/5" is not a score
            value = min(v, 1.0)
    return value


def verdict_matrix(review: np.ndarray, sentiment: np.ndarray, section: np.ndarray,
                   review_prior: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Review-level inputs of the verdict model, one row per review (columns:
    :data:`VERDICT_COLUMNS`): the earlier review model's score, how the sentence
    sentiment probabilities (n, 3) spread over the review, its opinion sentences (weighted by
    P(opinion) from `section`, (n, 4)) and its last third, where verdicts live, and the score
    the writer gave, when the sentences (`texts`) name one ("7/10")."""
    review = np.asarray(review, dtype=np.int64)
    _, inv, counts = np.unique(review, return_inverse=True, return_counts=True)
    n_rev = len(counts)
    starts = _starts(review)
    pos_in = np.arange(len(review)) - starts
    tail = (pos_in >= (counts[inv] * 2) // 3).astype(np.float64)
    tail[counts[inv] <= 2] = 1.0
    w_op = section[:, SECTION_LABELS.index("opinion")]

    def mean(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
        w = np.ones(len(x)) if w is None else w
        return np.bincount(inv, weights=x * w, minlength=n_rev) / np.maximum(
            np.bincount(inv, weights=w, minlength=n_rev), 1e-6)

    prior = np.asarray(review_prior, dtype=np.float64)
    cols = [prior, np.arctanh(np.clip(prior, -0.999, 0.999))]
    for j in range(len(SENTIMENT_LABELS)):
        cols += [mean(sentiment[:, j]), mean(sentiment[:, j], w_op), mean(sentiment[:, j], tail)]
    lab = sentiment.argmax(axis=1)
    is_pos = (lab == SENTIMENT_LABELS.index("pos")).astype(np.float64)
    is_neg = (lab == SENTIMENT_LABELS.index("neg")).astype(np.float64)
    pos, neg = mean(is_pos), mean(is_neg)
    mx = np.full((n_rev, 2), -np.inf)
    np.maximum.at(mx, inv, sentiment[:, [SENTIMENT_LABELS.index("pos"),
                                         SENTIMENT_LABELS.index("neg")]])
    wpos, wneg = mean(is_pos, w_op), mean(is_neg, w_op)
    cols += [pos, neg, np.minimum(pos, neg), pos * neg, np.abs(pos - neg), np.log1p(counts),
             mx[:, 0], mx[:, 1], wpos, wneg, np.minimum(wpos, wneg), np.abs(wpos - wneg)]
    joined = [[] for _ in range(n_rev)]
    for k, t in zip(inv.tolist(), texts, strict=True):
        joined[k].append(t)
    ratings = [writer_rating(" ".join(ts)) for ts in joined]
    cols += [np.array([r is not None for r in ratings], np.float64),
             np.array([0.0 if r is None else r - 0.5 for r in ratings])]
    return np.column_stack(cols)
