"""Feature extraction shared by training and inference.

Every model sees a sentence (or review) as a list of string features: lower-cased word
n-grams plus a few named cue tokens (``__cue_death__``...). Training tokenises its corpora
with the same spaCy tokenizer the pipeline uses, so a model never sees features at run time
that were built differently from the ones it was trained on. Cue tokens live in the same
vocabulary as words, so a linear model weighs them like any other feature and the
`reasons` shown to users can name them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# PTB-style tokens found in the tokenised corpora (SST, MR) mapped to what spaCy produces.
_PTB = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "``": '"', "''": '"', "`": "'"}
_DIGITS = re.compile(r"\d")

NEGATORS = frozenset(
    "not n't no never nothing nobody none nor neither cannot without hardly barely "
    "scarcely isnt dont doesnt didnt wasnt werent cant couldnt wont wouldnt shouldnt".split()
)
# Tokens that end a negation scope: clause punctuation and contrast words.
_SCOPE_END = frozenset(". , ; : ! ? -- ( ) but however although though yet whereas".split())
CONTRAST = frozenset("but however although though yet nevertheless nonetheless".split())


def normalise_token(text: str) -> str:
    """Lower-case, map PTB brackets/quotes, fold digits: one spelling per word."""
    if text.isalpha():  # the common case, kept cheap: this runs for every token
        return text.lower()
    t = text.lower()
    t = _PTB.get(t, t)
    if any(c.isdigit() for c in t):
        t = _DIGITS.sub("0", t)
    return t


def tokens_of(words: Iterable[str]) -> list[str]:
    """Normalised, whitespace-free tokens of a sentence (spaCy token texts in, strings out)."""
    out = []
    for w in words:
        if w.isspace() or not w:
            continue
        out.append(normalise_token(w))
    return out


def ngrams(tokens: Sequence[str], n_max: int = 2) -> list[str]:
    """Unigrams and bigrams (joined by a space), the workhorse of every model."""
    feats = list(tokens)
    if n_max >= 2:
        feats.extend(map(" ".join, zip(tokens, tokens[1:], strict=False)))
    return feats


def negation_marked(tokens: Sequence[str]) -> list[str]:
    """Prefix tokens inside a negation scope with ``neg_`` (Das & Chen 2001 / Pang et al.).

    "not the worst film" -> ["not", "neg_the", "neg_worst", "neg_film"], so "worst" under
    negation gets its own weight instead of pulling the sentence negative.
    Contrast words ("but", "however") also open a marked scope (``but_``) because the clause
    after them usually carries the writer's actual verdict.
    """
    out: list[str] = []
    neg = False
    contrast = False
    for t in tokens:
        if t in _SCOPE_END:
            neg = False
            if t in CONTRAST:
                contrast = True
                out.append(t)
                continue
            if t in ".;!?":
                contrast = False
            out.append(t)
            continue
        if t in NEGATORS:
            neg = True
            out.append(t)
            continue
        if neg:
            out.append("neg_" + t)
        elif contrast:
            out.append(t)
            out.append("but_" + t)
        else:
            out.append(t)
    return out


def sentiment_features(tokens: Sequence[str], grams: Sequence[str] | None = None) -> list[str]:
    """Negation-aware unigrams + bigrams (`grams`: this sentence's :func:`ngrams`, if known)."""
    marked = negation_marked(tokens)
    if grams is not None:
        return marked + list(grams[len(tokens):])
    # bigrams over the unmarked tokens keep "not bad" / "no good" as phrases.
    return marked + list(map(" ".join, zip(tokens, tokens[1:], strict=False)))


def review_features(tokens: Sequence[str]) -> list[str]:
    """Whole-review features: :func:`sentiment_features` plus word trigrams ("not my kind",
    "one of the"), which long reviews have enough of to weigh (Wang & Manning 2012)."""
    return sentiment_features(tokens) + list(
        map(" ".join, zip(tokens, tokens[1:], tokens[2:], strict=False)))


# --- spoiler cues -----------------------------------------------------------------------
# Each cue is a regex over the lower-cased sentence. They are features, not rules: the
# trained weights decide how much each one matters.
_CUES: dict[str, re.Pattern[str]] = {
    "death": re.compile(
        r"\b(dies|died|dying|death of|killed|kills|murders?|murdered|suicide|"
        r"sacrifices? (him|her|them)sel(f|ves)|is dead|was dead|are dead|shot dead|"
        r"passes away|passed away|does not survive|doesn't survive|bodies of)\b"
    ),
    "reveal": re.compile(
        r"\b(turns out|turned out|is revealed|was revealed|reveals? that|revealing that|"
        r"it is revealed|real identity|true identity|secretly|all along|is actually|"
        r"was actually|is really|was really|the killer is|the culprit|is the one who|"
        r"discovers that|learns that|finds out that|the truth (is|about)|plot twist|twist is)\b"
    ),
    "ending": re.compile(
        r"\b(the end|in the end|at the end|ending|ends with|ends up|finale|final scene|"
        r"last scene|final battle|climax|eventually|finally|by the end|last episode|"
        r"final episode|epilogue)\b"
    ),
    "hint": re.compile(
        r"(something (terrible|awful|horrible|shocking|unexpected|tragic|big|bad|dreadful|"
        r"unthinkable|devastating)( \w+)? (happens|occurs|takes place)|"
        r"everything (changes|changed)|turns everything|changes everything|"
        r"nothing is (what|as) it seems|won't see (it|this) coming|didn't see (it|that) coming|"
        r"never saw (it|that) coming|shocking twist|huge twist|big twist|twist ending|"
        r"(a|the) twist\b|not what (it|they|he|she) seems?|things take a (dark|tragic|turn)|"
        r"takes a (dark|tragic|shocking) turn|heartbreaking (turn|ending)|"
        r"will (shock|surprise|devastate) you|wait until|tragedy strikes|all is not)"
    ),
    "identity": re.compile(
        r"\b(is (his|her|their) (father|mother|son|daughter|brother|sister|twin)|"
        r"(father|mother|brother|sister) all along|was behind|is behind|mastermind|"
        r"the traitor|betrays|betrayed|double agent|imposter|impostor|in disguise)\b"
    ),
    "no_spoil": re.compile(
        r"(won't spoil|will not spoil|not going to spoil|don't want to spoil|without spoiling|"
        r"no spoilers|spoiler[- ]free|won't give (it|anything) away|won't reveal|"
        r"not give (anything|too much) away|i won't say (more|much))"
    ),
    "warning": re.compile(r"(spoiler alert|spoilers ahead|spoiler warning|\bspoilers?\b:?)"),
    "first_person": re.compile(r"\b(i|i'm|i've|i'd|me|my|myself)\b"),
    "opinion_words": re.compile(
        r"\b(recommend|enjoyed|loved|liked|hated|disliked|boring|brilliant|masterpiece|"
        r"overrated|underrated|worth|waste|favorite|favourite|stars?|rating|"
        r"beautifully|well done|poorly|performances?|acting|cinematography|soundtrack|"
        r"pacing|writing|prose)\b"
    ),
}
CUE_NAMES = tuple(_CUES)

# Words at least one of which occurs in every match of the cue's regex. Checking a set of the
# sentence's words first skips most regex scans (the cues were a fifth of inference time);
# tests/test_features.py checks the shortcut never changes a result.
_TRIGGERS: dict[str, frozenset[str]] = {
    name: frozenset(words.split())
    for name, words in {
        "death": "dies died dying death killed kills murder murders murdered suicide sacrifice "
                 "sacrifices dead passes passed survive bodies",
        "reveal": "turns turned revealed reveals reveal revealing identity secretly along "
                  "actually really killer culprit one discovers learns finds truth twist",
        "ending": "end ending ends finale final last climax eventually finally epilogue",
        "hint": "something everything nothing coming twist twists turns changes changed seems seem "
                "take takes heartbreaking shock surprise devastate wait tragedy all",
        "identity": "father mother son daughter brother sister twin behind mastermind traitor "
                    "betrays betrayed agent imposter impostor disguise",
        "no_spoil": "spoil spoiling spoiler spoilers away reveal say",
        "warning": "spoiler spoilers",
        "first_person": "i me my myself",
        "opinion_words": "recommend enjoyed loved liked hated disliked boring brilliant "
                         "masterpiece overrated underrated worth waste favorite favourite star "
                         "stars rating beautifully well poorly performance performances acting "
                         "cinematography soundtrack pacing writing prose",
    }.items()
}
_WORD = re.compile(r"[a-z]+")
_ALL_TRIGGERS = frozenset().union(*_TRIGGERS.values())
_CUES_OF = {w: frozenset(n for n, ws in _TRIGGERS.items() if w in ws) for w in _ALL_TRIGGERS}
_CUE_TOKEN = {name: f"__cue_{name}__" for name in _CUES}


CUE_BITS = {name: 1 << i for i, name in enumerate(_CUES)}
# Proper prefixes of trigger words: a token ending in one of these, glued to the next token
# ("can" + "not"), may be half of a trigger word that only the whole text shows.
_TRIGGER_PREFIXES = frozenset(w[:i] for w in _ALL_TRIGGERS for i in range(1, len(w)))
_TAIL = re.compile(r"[a-z]+$")


def cue_mask(words: Iterable[str]) -> int:
    """Bit set (:data:`CUE_BITS`) of the cues whose trigger words are among `words`."""
    mask = 0
    for w in _ALL_TRIGGERS.intersection(words):
        for name in _CUES_OF[w]:
            mask |= CUE_BITS[name]
    return mask


def token_cue_info(token_text: str) -> tuple[int, bool, bool]:
    """What the token-level cue prefilter needs to know about one token: the cue bits of its
    letter runs, whether it ends in a trigger prefix, whether it starts with a letter."""
    lower = token_text.lower()
    tail = _TAIL.search(lower)
    return (cue_mask(_WORD.findall(lower)), bool(tail) and tail.group() in _TRIGGER_PREFIXES,
            "a" <= lower[:1] <= "z")


def cues_of_mask(text_lower: str, mask: int) -> list[str]:
    """The cue tokens among the candidate cues in `mask` whose regex matches."""
    if not mask:
        return []
    return [_CUE_TOKEN[name] for name, rx in _CUES.items()
            if mask & CUE_BITS[name] and rx.search(text_lower)]


def cue_tokens(text_lower: str, *, prefilter: bool = True) -> list[str]:
    """Named cue tokens (``__cue_death__``...) that fire on this sentence.

    With `prefilter`, a cue's regex only runs when one of its trigger words is among the
    sentence's letter runs (``[a-z]+``); tests check this never changes the result."""
    if not prefilter:
        return [_CUE_TOKEN[name] for name, rx in _CUES.items() if rx.search(text_lower)]
    return cues_of_mask(text_lower, cue_mask(_WORD.findall(text_lower)))


def shape_tokens(words: Sequence[str]) -> list[str]:
    """Bucketed shape cues: mid-sentence capitalised words (character names), length."""
    caps = sum(1 for w in words[1:] if w[:1].isupper() and w[1:].islower())
    n = len(words)
    length = "short" if n < 6 else ("medium" if n < 20 else "long")
    return [f"__caps_{min(caps, 3)}__", f"__len_{length}__"]


def bucket_token(name: str, value: float, edges: Sequence[float]) -> str:
    """A probability turned into one of a few bucket tokens (keeps models linear and readable)."""
    i = 0
    while i < len(edges) and value >= edges[i]:
        i += 1
    return f"__{name}_{i}__"


PLOT_EDGES = (0.2, 0.4, 0.6, 0.8)
# the spoiler model's character n-grams: lengths, and the text they are read from ("raw":
# char_ngrams of the lower-cased sentence; "tokens": token_char_ngrams). Grouped CV ROC-AUC:
# raw 4-grams 0.7570, raw 3+4-grams 0.7635 (dev 0.7608 against 0.7594), token-text 3+4-grams
# 0.7398. 3+4-grams are not shipped: ~45% more matrix entries per sentence for a dev gain
# within noise, and more opinion sentences ("the middle section sags ...") over the threshold.
SPOILER_CHAR_NS = (4,)
SPOILER_CHAR_TEXT = "raw"


def char_ngrams(text_lower: str, n: int = 4) -> list[str]:
    """Character n-grams (prefixed ``#``) across word boundaries: robust to names, typos and
    morphology ("revealed"/"reveals"), which short sentences give word n-grams little of."""
    s = " " + " ".join(text_lower.split()) + " "
    return ["#" + s[i : i + n] for i in range(len(s) - n + 1)]


def spoiler_features(words: Sequence[str], text: str, plot_prob: float, *,
                     grams: Sequence[str] | None = None, cues: list[str] | None = None,
                     char_ns: Sequence[int] = SPOILER_CHAR_NS,
                     char_text: str = SPOILER_CHAR_TEXT) -> list[str]:
    """Word n-grams, character n-grams, narrative-event cues, shape cues and the section
    model's plot belief. `grams` (:func:`ngrams` of the normalised tokens) and `cues` may
    be passed when already computed."""
    lower = text.lower()
    tokens = tokens_of(words)
    feats = ngrams(tokens) if grams is None else list(grams)
    if char_text == "raw":
        feats.extend(g for n in char_ns for g in char_ngrams(lower, n))
    else:
        feats.extend(token_char_ngrams(tokens, char_ns))
    feats.extend(cue_tokens(lower) if cues is None else cues)
    feats.extend(shape_tokens([w for w in words if not w.isspace()]))
    feats.append(bucket_token("plot", plot_prob, PLOT_EDGES))
    return feats


TOKEN_CHAR_NS = (3, 4, 5)  # default lengths of token-text character n-grams
# Token character n-grams in the sections and sentence sentiment models: off. They add about
# one point of grouped-CV accuracy to each but multiply the matrix entries per sentence by ~8,
# which the analyser's speed target cannot afford (see training.train.SECTIONS_PARAMS).
SECTION_CHAR_NS: tuple[int, ...] = ()
SENTIMENT_CHAR_NS: tuple[int, ...] = ()


def token_char_ngrams(tokens: Sequence[str], ns: Sequence[int] = TOKEN_CHAR_NS) -> list[str]:
    """Character n-grams (prefixed ``#``) of the normalised tokens joined by single spaces.

    Built from tokens rather than the raw text because the sentence corpora are released
    tokenised ("it 's not bad ."): the same spelling at training and at run time. They catch
    morphology and rare words ("unwatchable", "masterful") that word n-grams miss."""
    s = " " + " ".join(tokens) + " "
    return ["#" + s[i : i + n] for n in ns for i in range(len(s) - n + 1)]


def section_features(words: Sequence[str], char_ns: Sequence[int] = SECTION_CHAR_NS
                     ) -> list[str]:
    """Plot-vs-opinion features: word n-grams (lower-cased, as in the training corpus) and
    token character n-grams of the `char_ns` lengths."""
    tokens = tokens_of(words)
    feats = ngrams(tokens)
    return feats + token_char_ngrams(tokens, char_ns) if char_ns else feats


def sentence_sentiment_features(tokens: Sequence[str],
                                char_ns: Sequence[int] = SENTIMENT_CHAR_NS) -> list[str]:
    """The sentence sentiment model's features: :func:`sentiment_features` plus token
    character n-grams of the `char_ns` lengths."""
    feats = sentiment_features(tokens)
    return feats + token_char_ngrams(tokens, char_ns) if char_ns else feats


def identity(x):
    """Analyzer for vectorisers whose input is already a list of features (picklable)."""
    return x
