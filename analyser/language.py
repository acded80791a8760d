"""Is this review English? A fast, dependency-free check that refuses rather than guesses.

The models are trained on English only; a Spanish or Russian review would still get sections,
spoiler probabilities and a sentiment score, all of them meaningless. So the reader asks
:func:`not_english_reason` and, when it returns a reason, the caller raises an error saying so.

Two signals, both cheap (one regex pass, one ``Counter`` and a few set intersections):

* **script**: the share of letters outside the Latin script. A review that is mostly Cyrillic,
  Arabic, Hebrew, Greek, CJK... is not English, whatever else it holds;
* **function words**: English prose, however informal, is full of "the", "and", "it", "was",
  "I"... (about 40-50% of tokens; even terse tokenised snippets keep 15% or more). Text in
  another Latin-script language has few of them but many of its own ("de", "la", "und",
  "che", "nie"...). A review is refused when a foreign list beats the English one (the English
  list also holds everyday review words such as "film" and "loved"), or when a text of 20+
  words has almost no English function words at all (languages without a list here).

Short texts (fewer than :data:`MIN_WORDS` words) are accepted: there is too little to tell, and
refusing "Loved it!" would be worse than analysing it. Only the first :data:`MAX_WORDS` words are
looked at, so the cost is bounded whatever the input size.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

__all__ = ["MAX_WORDS", "MIN_WORDS", "not_english_reason"]

#: Below this many words the text is too short to tell; it is accepted.
MIN_WORDS = 8
#: Only this many words (and at most :data:`_MAX_CHARS` characters) are inspected.
MAX_WORDS = 5_000
_MAX_CHARS = 40_000
#: Texts at least this long are refused on a low English share alone (no foreign list needed).
_LONG_WORDS = 20

# Thresholds, tuned on ../shared/data (every English text of >= 8 words passes; see the tests)
# and on the non-English reviews in tests/badinput/cases.py (all refused).
_NON_LATIN_SHARE = 0.5  # more than half the letters outside Latin: not English
_FOREIGN_MIN = 0.12  # a foreign function-word list must cover at least this share,
_FOREIGN_DISTINCT = 3  # with this many different words, and beat the English share
_EN_MIN_LONG = 0.10  # long texts with fewer English function words than this are refused

# Letters: a run of Unicode letters. Apostrophes split "don't" into "don" + "t", which are on
# the English list below, so contractions count for English.
_WORD_RE = re.compile(r"[^\W\d_]+")
# Runs of Latin-script characters (and ASCII): basic Latin, Latin-1, extended A/B, IPA and
# modifier letters, phonetic extensions, Latin extended additional/C/D/E, fullwidth Latin.
_LATIN_RE = re.compile(
    "[\x00-\u02ff\u1d00-\u1dbf\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f\uff21-\uff5a]+"
)
# Scripts written without spaces between words: a character is roughly half a word.
_UNSPACED_RE = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)

_ENGLISH = frozenset(
    """
    a about above after again against all almost also although always am among an and another
    any anyone anything are around as at away back be became because become been before being
    below best better between both but by can cannot could did didn do does doesn doing don
    done down during each either else enough even ever every everything few first for from
    get gets getting go goes going got had hadn has hasn have haven having he her here hers
    herself him himself his how however i if in into is isn it its itself just least less let
    like ll made make makes many may me might mine more most much must my myself never new no
    nobody none nor not nothing now of off often on once one only onto or other others our
    ours out over own quite rather re really s said same say says see seems seen shall she
    should shouldn since so some someone something still such t than that the their theirs
    them themselves then there these they thing things this those though through thus till to
    too toward towards under until up upon us ve very was wasn way we well were weren what
    whatever when where whether which while who whole whom whose why will with within without
    won would wouldn yet you your yours yourself m n couldn aren ain gonna wanna kinda lot lots
    yeah yes oh ok okay lol tbh imo honestly pretty
    film films movie movies book books story stories plot character characters scene scenes
    ending end actor actors actress director read reading watch watched watching series season
    episode show novel author writing written good great bad best worst love loved enjoyed
    time times people life world man woman men women two three part first last year years
    """.split()
)

# Common function words of languages a review might be written in, minus any word that is
# also on the English list ("a", "in", "is", "on", "no", "me"...), so a hit is real evidence.
_FOREIGN_RAW: dict[str, str] = {
    "Spanish": """
        el la los las un una unos unas de del y que en es por para con se su sus lo le les
        pero como muy más mas este esta esto ese esa fue ser era son hay porque cuando también
        tambien sin sobre todo todos ya nos mi al película pelicula libro historia muy bien
        sólo solo donde quien entre hasta desde ni otra otro tiene tienen está esta están
        estaba había habia puede hace""",
    "French": """
        le la les un une des de du et est que qui en dans pour pas ne sur au aux avec ce cette
        ces il elle ils elles nous vous je se sa son ses leur leurs mais ou où comme plus très
        tres été etre être fait tout tous aussi bien sans par y qu c l d j n s m film livre
        histoire était etait sont avait peu donc quand encore même meme cet personnages""",
    "German": """
        der die das den dem des und ist nicht ein eine einen einem einer zu mit sich auf für
        fur von es auch aber wie sie er ich wir ihr hat war wird noch nur wenn schon sehr doch
        dass daß bei aus nach um oder kein keine mehr diese dieser dieses wurde sind waren
        werden kann ganz immer einfach jedoch zum zur im vom buch geschichte""",
    "Italian": """
        il lo la i gli le un una uno di del della dei delle e è che non per con da dal nel
        nella sono si ma come più piu anche questo questa quello quella molto ha ho era
        essere tutto tutti ci mi ti se al alla perché perche quando libro storia film poi
        però pero già gia ancora cui fra tra sua suo suoi loro""",
    "Portuguese": """
        o os a as um uma uns umas de do da dos das e que em no na nos nas por para com não
        nao se seu sua seus suas mas como mais muito muita foi ser é são sao ao aos também
        tambem sem quando ele ela eles elas isso isto esse essa este esta filme livro história
        historia já ja ainda pelo pela tem está estava""",
    "Dutch": """
        de het een en van is dat die niet in op te met voor zijn er maar ook als aan om bij
        dan nog wel geen zo ze hij zij wij ik je jij heeft had was werd wordt worden kan naar
        uit over door deze dit veel meer heel echt erg film boek verhaal hun haar""",
    "Polish": """
        i w z na nie się jest to że do o jak ale co tak za od po tylko już jego jej ich był
        była było być może bardzo ten ta te tego tym przez dla czy gdy też tez który która
        które film książka ksiazka historia jednak oraz kiedy sobie mi mnie go bez pod nad
        jako ma są sa""",
    "Turkish": """
        ve bir bu da de için icin ile çok cok ama ne gibi daha en var yok olan olarak sonra
        kadar her şey sey ben sen o biz siz onlar değil degil mi mı mu mü ki çünkü cunku
        film kitap hikaye oldu olduğu oldugu bence ise hem veya""",
    "Swedish": """
        och att det som en på är av för med till den har de inte om ett han hon var jag men
        sig så från vid kan när eller också bara efter mycket""",
    "Indonesian": """
        yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena ada saya
        bisa atau oleh sudah mereka kami kita sangat film buku cerita""",
}
_FOREIGN: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) - _ENGLISH for lang, words in _FOREIGN_RAW.items()
}

# The lists as UTF-8 bytes: words are compared as bytes (see not_english_reason).
_ENGLISH_BYTES = frozenset(w.encode("utf-8") for w in _ENGLISH)
_FOREIGN_BYTES = {
    lang: frozenset(w.encode("utf-8") for w in words) for lang, words in _FOREIGN.items()
}
_FUNCTION_BYTES = _ENGLISH_BYTES.union(*_FOREIGN_BYTES.values())
# bytes.translate table: A-Z -> a-z; a-z and non-ASCII bytes kept; other ASCII -> space.
_TABLE = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or c > 127 else 32
               for c in range(256))
_NOT_LOWER_AZ = bytes(c for c in range(256) if not 97 <= c <= 122)

# Names for scripts as unicodedata spells their first word.
_SCRIPT_NAMES = {
    "CJK": "Chinese characters",
    "HIRAGANA": "Japanese kana",
    "KATAKANA": "Japanese kana",
    "KATAKANA-HIRAGANA": "Japanese kana",
    "HANGUL": "Korean Hangul",
}


def not_english_reason(text: str) -> str | None:
    """Why `text` is not English, or None if it is English or too short to tell.

    The reason is a short phrase for an error message that starts with "not English", e.g.
    "not English: mostly non-Latin script (Cyrillic, 100% of letters)" or "not English: looks
    like Spanish (50% Spanish function words, 7% English ones)".
    """
    sample = text[:_MAX_CHARS]
    if sample.isascii():
        data = sample.encode("ascii")
    else:
        # Fold fancy Unicode (fullwidth, mathematical bold, ligatures) to plain letters.
        data = unicodedata.normalize("NFKC", sample).lower().encode("utf-8", "surrogatepass")
    # bytes.translate lower-cases ASCII and blanks ASCII non-letters in C: for ASCII text the
    # split gives the words directly (the common case, and 3x faster than a regex).
    tokens = data.translate(_TABLE).split()[:MAX_WORDS]
    if not tokens:
        return None
    words: list[bytes] = tokens
    if not data.isascii():
        # Tokens with non-ASCII bytes may hold other scripts, curly quotes or emoji: only they
        # go through the (slower) Unicode-aware regex.
        wide = b" ".join(t for t in tokens if not t.isascii()).decode("utf-8", "surrogatepass")
        wide_words = _WORD_RE.findall(wide)
        words = [t for t in tokens if t.isascii()] + [w.encode("utf-8") for w in wide_words]
        if not words:
            return None
        letters = "".join(wide_words)
        other = _LATIN_RE.sub("", letters)
        if other:
            ascii_letters = len(data.translate(None, _NOT_LOWER_AZ))  # keeps a-z only
            total = ascii_letters + len(letters) - len(letters.encode("ascii", "ignore"))
            # Count what would be words: half a word per CJK/Thai character, and at least one
            # word per 12 letters (gibberish without spaces is long enough to judge).
            units = max(len(words) + len(_UNSPACED_RE.findall(other)) // 2, len(other) // 12)
            share = len(other) / total
            if share > _NON_LATIN_SHARE and units >= MIN_WORDS:
                script = _script_of(other)
                return f"not English: mostly non-Latin script ({script}, {share:.0%} of letters)"
    n = len(words)
    if n < MIN_WORDS:
        return None
    # only function words count towards any share: count just those
    counts: Counter[bytes] = Counter([w for w in words if w in _FUNCTION_BYTES])
    vocab = set(counts)
    en = sum(counts[w] for w in vocab & _ENGLISH_BYTES) / n
    best_lang, best = "", 0.0
    for lang, fwords in _FOREIGN_BYTES.items():
        hits = vocab & fwords
        share = sum(counts[w] for w in hits) / n
        # Three different words at least: "La La Land de Chazelle" is not Spanish.
        if share > best and len(hits) >= _FOREIGN_DISTINCT:
            best_lang, best = lang, share
    if best >= _FOREIGN_MIN and best > en:
        return (
            f"not English: looks like {best_lang} ({best:.0%} {best_lang} function words, "
            f"{en:.0%} English ones)"
        )
    if n >= _LONG_WORDS and en < _EN_MIN_LONG:
        return (
            "not English: looks like Spanish/French/German or another non-English language "
            f"({en:.0%} English function words)"
        )
    return None


def _script_of(letters: str) -> str:
    """The most common script among non-Latin letters, named for people ("Cyrillic")."""
    names: Counter[str] = Counter()
    for ch in letters[:400]:
        first = unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
        names[_SCRIPT_NAMES.get(first, first.title())] += 1
    if names["Japanese kana"] >= 0.1 * sum(names.values()):
        return "Japanese"
    return names.most_common(1)[0][0]
