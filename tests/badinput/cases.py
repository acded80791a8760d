"""A generator of bad (and awkward-but-fine) review inputs, written into a temporary folder.

Nothing binary is committed: every file is built here from text, ``gzip``/``zipfile`` and a
seeded RNG. Each :class:`Case` says what should happen to it:

* ``expect="ok"``: the input is analysable (optionally the analysed text must contain, or must
  not contain, a given string);
* ``expect="<ErrorClass>"``: reading must raise that :mod:`analyser.errors` class with
  ``message`` in its text (case-insensitive).

Non-English reviews expect ``NotEnglishError``, which ``analyser.api`` raises once the
language check (:func:`analyser.language.not_english_reason`) is wired in; those cases carry
``pending=True`` until then.
"""

from __future__ import annotations

import codecs
import gzip
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import analyser.errors as errors
from analyser.reading import MAX_BYTES

__all__ = [
    "CASES",
    "ENGLISH_TRICKY",
    "GOOD_REVIEWS",
    "NON_ENGLISH",
    "Case",
    "write_all",
]

Writer = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One input file and its expected outcome."""

    id: str  # test id (ASCII)
    filename: str  # file name inside the case folder (may hold spaces / non-ASCII)
    content: bytes | Writer  # the bytes, or a function writing the file at the given path
    expect: str = "ok"  # "ok" or the name of an analyser.errors class
    message: str = ""  # for errors: a substring of the message (case-insensitive)
    contains: tuple[str, ...] = ()  # for "ok": strings the analysed text must contain
    absent: tuple[str, ...] = ()  # for "ok": strings the analysed text must not contain
    pending: bool = False  # depends on the NotEnglishError wiring in analyser.api

    @property
    def ok(self) -> bool:
        return self.expect == "ok"

    @property
    def error_class(self) -> type[errors.InputError]:
        """The expected error class; InputError while a pending class does not exist yet."""
        cls = getattr(errors, self.expect, None)
        if cls is None:
            if not self.pending:
                raise AttributeError(f"analyser.errors has no {self.expect}")
            return errors.InputError
        return cls

    def write(self, folder: Path) -> Path:
        """Create the file in `folder` and return its path."""
        path = folder / self.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(self.content, bytes):
            path.write_bytes(self.content)
        else:
            self.content(path)
        return path


# --------------------------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------------------------

REVIEW = (
    "The Plot:\n"
    "A retired lighthouse keeper finds a stranger washed up on the rocks below his tower. "
    "Over one stormy winter the two men learn to trust each other.\n\n"
    "My opinion:\n"
    "It is slow, but the photography is beautiful and the ending stayed with me for days. "
    "I loved the quiet score and the café scenes in the village.\n"
)

#: Two plainly good reviews for batch runs.
GOOD_REVIEWS: dict[str, str] = {
    "good one.txt": REVIEW,
    "good-two.md": (
        "# Verdict\n\nA **brilliant** heist film with a twist I never saw coming. The cast is "
        "having a great time and so was I.\n\n## The Plot\n\nA crew of retired thieves plans "
        "one last job at a casino, and in the end the youngest of them betrays everyone.\n"
    ),
}

#: Realistic non-English reviews (written for these tests), 2-5 sentences each.
NON_ENGLISH: dict[str, str] = {
    "Spanish": (
        "La película empieza muy bien, con una fotografía preciosa y un reparto que está a la "
        "altura. Sin embargo, a mitad de la historia el guion se pierde y los personajes dejan "
        "de tener sentido. El final es previsible y demasiado largo. No la recomendaría a nadie "
        "que busque algo más que efectos especiales."
    ),
    "French": (
        "J'ai vu ce film hier soir avec des amis et nous avons été très déçus. L'histoire est "
        "confuse, les dialogues sont plats et les acteurs ne semblent pas y croire. Seule la "
        "musique sauve un peu l'ensemble. Je ne le conseille pas, sauf si vous aimez vous "
        "ennuyer pendant deux heures."
    ),
    "German": (
        "Der Film beginnt langsam, aber nach einer halben Stunde wird es richtig spannend. Die "
        "Schauspieler sind großartig, besonders die Hauptdarstellerin überzeugt in jeder Szene. "
        "Leider ist das Ende etwas vorhersehbar und die Musik ist oft zu laut. Trotzdem kann "
        "ich ihn jedem empfehlen, der gute Thriller mag."
    ),
    "Italian": (
        "Il libro racconta la storia di una famiglia siciliana durante la guerra. La scrittura "
        "è semplice ma molto intensa, e i personaggi sono descritti con grande cura. Purtroppo "
        "la seconda parte è troppo lunga e a volte noiosa. Nel complesso è un romanzo che vale "
        "la pena leggere."
    ),
    "Portuguese": (
        "O filme conta a história de um pescador que perde tudo numa tempestade. A fotografia "
        "é linda e a trilha sonora combina muito bem com as cenas no mar. Mas o roteiro é "
        "fraco e os diálogos parecem artificiais. Não é um filme ruim, mas esperava muito mais "
        "do diretor."
    ),
    "Dutch": (
        "Ik had hoge verwachtingen van deze film, maar ik werd eerlijk gezegd een beetje "
        "teleurgesteld. Het verhaal is te voorspelbaar en de personages blijven oppervlakkig. "
        "De beelden zijn wel prachtig en de muziek past goed bij de sfeer. Voor een "
        "regenachtige zondagmiddag is het prima, maar meer ook niet."
    ),
    "Polish": (
        "Ten film bardzo mi się podobał, chociaż początek był trochę nudny. Aktorzy grają "
        "świetnie, a muzyka idealnie pasuje do klimatu opowieści. Zakończenie jest zaskakujące "
        "i długo o nim myślałem po wyjściu z kina. Polecam każdemu, kto lubi dobre kino."
    ),
    "Turkish": (
        "Bu filmi dün akşam sinemada izledim ve gerçekten çok beğendim. Oyuncuların "
        "performansı harika, özellikle başrol oyuncusu çok etkileyiciydi. Hikaye biraz yavaş "
        "ilerliyor ama sonu çok sürpriz. Herkese tavsiye ederim."
    ),
    "Russian": (
        "Фильм оказался намного лучше, чем я ожидал. Актёры играют убедительно, а музыка "
        "прекрасно передаёт атмосферу маленького северного города. Единственный минус — "
        "слишком затянутая середина. В целом рекомендую всем любителям драмы."
    ),
    "Japanese": (
        "この映画は本当に素晴らしかったです。主人公の演技がとても自然で、最後のシーンでは"
        "思わず泣いてしまいました。音楽も美しく、映像もきれいでした。ただ、途中の展開が少し"
        "遅いと感じました。"
    ),
    "Chinese": (
        "这部电影的故事非常感人，演员的表演也很自然。导演把小城市的生活拍得很真实，每个镜头"
        "都很美。可惜结尾有点仓促，很多问题没有交代清楚。总的来说，还是值得一看的。"
    ),
    "Arabic": (
        "شاهدت هذا الفيلم مع عائلتي واستمتعنا به كثيرا. القصة مؤثرة والممثلون أدوا أدوارهم "
        "بشكل رائع. لكن النهاية كانت متوقعة بعض الشيء. أنصح الجميع بمشاهدته."
    ),
    "Hebrew": (
        "ראיתי את הסרט אתמול בקולנוע ונהניתי מאוד. השחקנים משחקים בצורה משכנעת והמוזיקה "
        "מתאימה מאוד לאווירה. הסוף קצת צפוי, אבל בסך הכול זה סרט טוב. אני ממליץ עליו לכולם."
    ),
    # Not on any function-word list: refused on the missing English alone.
    "Vietnamese": (
        "Bộ phim này thật sự rất hay. Diễn viên chính diễn xuất rất tự nhiên và cảm động. Âm "
        "nhạc cũng rất đẹp, nhưng phần kết hơi vội vàng. Tôi nghĩ mọi người nên đi xem."
    ),
    "Korean": (
        "이 영화는 정말 재미있었어요. 배우들의 연기가 자연스럽고 음악도 아름다웠습니다. 다만 "
        "결말이 조금 급하게 끝나서 아쉬웠어요. 그래도 많은 사람들에게 추천하고 싶습니다."
    ),
}

#: English that must NOT be refused: informal, foreign names and titles, emoji, terse.
ENGLISH_TRICKY: dict[str, str] = {
    "reddit": (
        "ngl this movie was kinda mid. like the first hour slaps but then it just drags?? idk "
        "why everyone's hyping it up tbh. the twist w/ the brother was obvious from ep 1 lmao"
    ),
    "reddit_caps": (
        "WAIT. Did nobody else notice the mirror in S2E4?!?! Pretty sure that's the same guy "
        "from the pilot, they literally show his face for like two frames"
    ),
    "french_title": (
        "I finally watched Amélie (Le Fabuleux Destin d'Amélie Poulain) and Jean-Pierre "
        "Jeunet's Paris is gorgeous. Audrey Tautou is perfect as the shy waitress at the Café "
        "des 2 Moulins."
    ),
    "spanish_title": (
        "Y Tu Mamá También is a road movie about two teens and an older woman, and Cuarón "
        "shoots it like a documentary. The narrator keeps cutting in with what happens to the "
        "people they pass."
    ),
    "la_la_land": "La La Land de Chazelle: sublime music, gorgeous colours, perfect leads.",
    "japanese_title": (
        "Spirited Away (千と千尋の神隠し) is still the best Ghibli film. Miyazaki's world is "
        "full of strange spirits and the bathhouse scenes are pure magic 🍜✨"
    ),
    "russian_names": (
        "Tarkovsky's Stalker (Сталкер, 1979) is slow, but I was hooked from the first shot. "
        "Aleksandr Kaidanovsky's face says more than any of the dialogue."
    ),
    "german_quote": (
        "The Lives of Others (Das Leben der Anderen) follows a Stasi officer who listens to a "
        "playwright's flat day and night, and slowly starts to care about the people he spies "
        "on. Ulrich Mühe is extraordinary."
    ),
    "emoji": (
        "OMG 😭😭😭 this film destroyed me!!! 🎬🍿 The ending 💔 I can't even. 10/10 would cry "
        "again 😂 go see it"
    ),
    "terse": "Stunning visuals, brilliant score, superb acting, unforgettable finale!",
    "cast_list": (
        "Starring Gérard Depardieu, Juliette Binoche, Daniel Auteuil, Emmanuelle Béart, "
        "Jean Reno and Isabelle Huppert as the countess; directed by Claude Berri."
    ),
    "short_foreign": "Très bien!",
    "fancy_unicode": "𝐓𝐡𝐞 𝐞𝐧𝐝𝐢𝐧𝐠 of this film is the best thing I have seen all year, trust me.",
}


# --------------------------------------------------------------------------------------------
# Builders for generated files
# --------------------------------------------------------------------------------------------


def _huge(size: int) -> Writer:
    """A single review of `size` bytes, written by repetition (no big string in memory)."""

    def write(path: Path) -> None:
        block = (REVIEW.replace("\n", " ") * 64).encode("utf-8")
        written = 0
        with open(path, "wb") as fh:
            while written < size:
                piece = block[: size - written]
                fh.write(piece)
                written += len(piece)

    return write


def _random_bytes(n: int, seed: int = 1234) -> bytes:
    return random.Random(seed).randbytes(n)


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _random_bytes(2048, seed=7)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("review.txt", REVIEW)
    return buf.getvalue()


def _html_hostile() -> bytes:
    return (
        b"<!DOCTYPE html><html><head><title>Site title</title>"
        b"<script>document.write('INJECTED-SCRIPT')</script>"
        b"<style>body{background:url(javascript:alert(1))}</style></head><body>"
        b"<iframe src='https://evil.example/'>INJECTED-IFRAME</iframe>"
        b"<form action='/steal'><input name=x value='INJECTED-FORM'><button>Send</button></form>"
        b"<article><h2>The Plot</h2><p>A chef opens a small caf&eacute; in Lyon &amp; "
        b"fights the bank &#8212; and her own brother &mdash; to keep it.<p>In the end she "
        b"sells it to him."
        b"<h2>Verdict</h2><p>Warm, funny and <b>beautifully <i>shot</b></i>. I loved "
        b"it&nbsp;&hellip; &lt;truly&gt;."
        b"<div onclick=\"alert('INJECTED-HANDLER')\">Go and see it this weekend.</div>"
        b"<img src=x onerror=alert(1)><a href=\"javascript:alert('x')\">link</a>"
        b"</body></html>"
    )


def _html_data_uri(path: Path) -> None:
    """A review with a 3 MB inline image and a data URI pasted into the text."""
    payload = codecs.encode(_random_bytes(2_250_000, seed=3), "base64").replace(b"\n", b"")
    with open(path, "wb") as fh:
        fh.write(b"<html><body><article><h1>Night Train</h1><p>")
        fh.write(REVIEW.replace("\n", " ").encode("utf-8"))
        fh.write(b'</p><img alt="poster" src="data:image/png;base64,')
        fh.write(payload)
        fh.write(b'"><p>Still from the film: data:image/png;base64,')
        fh.write(payload[:50_000])
        fh.write(b" and that is all I have to say about the lovely camera work.</p>")
        fh.write(b"</article></body></html>")


def _html_deep() -> bytes:
    """50,000 nested <div>s around a review (tree builders go quadratic on this)."""
    n = 50_000
    return ("<html><body>" + "<div>" * n + REVIEW + "</div>" * n + "</body></html>").encode()


_MARKDOWN = """---
title: Night Train
rating: 4
---

# Night Train (2024)

| Field    | Value          |
|----------|----------------|
| Director | Ana Lídia Souza |
| Runtime  | 112 min        |

## The Plot

A night porter on the *last* train to Lisbon finds a suitcase full of letters, and reads
them one by one. [Trailer](https://example.com/trailer).

```python
print("CODE-BLOCK-CONTENT")
```

## Verdict

> Quiet, tender and **very** well acted.

- great score
- slow middle

I loved it.
"""


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------

_LATIN = "A charming café comedy, naïve but über-sweet, and the crème brûlée scene is great fun."
_CP1252 = "\u201cA charming caf\u00e9 comedy\u201d \u2014 it cost me \u20ac12 and was worth it."

CASES: list[Case] = [
    # --- empty and tiny
    Case("empty", "empty.txt", b"", "EmptyInputError", "empty"),
    Case("whitespace", "whitespace.txt", b" \n\t \r\n \x0c\n", "EmptyInputError", "no text"),
    Case("only_nul", "nul only.txt", b"\x00" * 5, "EmptyInputError", "no text"),
    Case("one_word", "one word.txt", b"Masterpiece.", contains=("Masterpiece",)),
    Case("emoji_only", "emoji only.txt", "🍿🍿🍿 😱 !!!".encode(), contains=("🍿",)),
    # --- size cap: stat() refuses it before reading
    Case("huge_50mb", "huge.txt", _huge(50_000_000), "InputTooLargeError", "cap"),
    Case("just_over_cap", "over cap.md", _huge(MAX_BYTES + 1), "InputTooLargeError", "cap"),
    # --- binaries
    Case("png", "poster.txt", _png(), "BinaryInputError", "PNG"),
    Case("gzip", "review.txt.gz.txt", gzip.compress(REVIEW.encode() * 20, mtime=0),
         "BinaryInputError", "gzip"),
    Case("zip", "archive.md", _zip(), "BinaryInputError", "ZIP"),
    Case("pdf", "review.html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
         "BinaryInputError", "PDF"),
    Case("random", "random.txt", _random_bytes(4096), "BinaryInputError", "binary"),
    Case("elf", "a.out.txt", b"\x7fELF\x02\x01\x01" + bytes(200), "BinaryInputError", "ELF"),
    # --- NULs and control characters inside text
    Case("nul_inside", "nul inside.txt", REVIEW.encode().replace(b"lighthouse", b"light\x00house"),
         contains=("lighthouse keeper",), absent=("\x00",)),
    Case("ansi_escapes", "ansi.txt", ("\x1b[31mRED\x1b[0m " + REVIEW).encode(),
         contains=("lighthouse",), absent=("\x1b",)),
    # --- encodings
    Case("latin1", "latin1.txt", (_LATIN + " " + REVIEW).encode("latin-1"),
         contains=("café", "naïve", "über", "crème brûlée")),
    Case("cp1252", "cp1252.txt", (_CP1252 + "\n\n" + REVIEW).encode("cp1252"),
         contains=("\u201cA charming café comedy\u201d", "\u20ac12")),
    Case("utf8_bom", "utf8 bom.txt", codecs.BOM_UTF8 + REVIEW.encode(),
         contains=("The Plot",), absent=("\ufeff",)),
    Case("utf16_bom", "utf16 bom.txt", REVIEW.encode("utf-16"), contains=("café",)),
    Case("utf16le_no_bom", "utf16le.txt", REVIEW.encode("utf-16-le"), contains=("café",)),
    Case("utf16be_no_bom", "utf16be.md", REVIEW.encode("utf-16-be"), contains=("café",)),
    Case("utf32_bom", "utf32.txt", REVIEW.encode("utf-32"), contains=("café",)),
    Case("mixed_utf8_cp1252", "mixed.txt",
         REVIEW.encode() + b"\n\nMy friend said \x93it is the film of the year\x94 \x96 true.\n",
         contains=("café", "\u201cit is the film of the year\u201d \u2013 true")),
    Case("invalid_utf8", "invalid utf8.txt",
         REVIEW.encode() + b"\nBad bytes: \xc3\x28 \xa0\xa1 \xe2\x28\xa1 \xf0\x28\x8c\xbc end.\n",
         contains=("lighthouse", "Bad bytes")),
    # Nothing but invalid UTF-8 (overlong encodings of "/"): these happen to be valid cp1251,
    # so they decode to Cyrillic-looking gibberish, which the language check then refuses.
    Case("overlong_utf8", "overlong.txt", b"\xc0\xaf\xe0\x80\xaf" * 400, "NotEnglishError",
         "non-Latin script", pending=True),
    Case("emoji", "emoji review.txt",
         ("🎬 " + ENGLISH_TRICKY["emoji"] + "\n\n" + REVIEW).encode(), contains=("🍿", "💔")),
    # --- right-to-left and other non-English reviews
    *[
        Case(f"not_english_{lang.lower()}", f"{lang.lower()} review.txt", text.encode("utf-8"),
             "NotEnglishError", "not English", pending=True)
        for lang, text in NON_ENGLISH.items()
    ],
    Case("not_english_cp1251", "russian cp1251.txt", NON_ENGLISH["Russian"].encode("cp1251"),
         "NotEnglishError", "not English", pending=True),
    Case("rtl_marks_in_english", "rtl marks.txt",
         ("\u202eevil\u202c " + REVIEW + "\n\u05e9\u05dc\u05d5\u05dd means hello.").encode(),
         contains=("lighthouse",)),
    # --- HTML
    Case("html_hostile", "hostile page.html", _html_hostile(),
         contains=("café in Lyon & fights the bank", "I loved it", "<truly>"),
         absent=("INJECTED", "alert", "Site title", "javascript")),
    Case("html_data_uri", "data uri.html", _html_data_uri,
         contains=("lighthouse keeper", "lovely camera work"), absent=("base64,",)),
    Case("html_deep", "deep.html", _html_deep(), contains=("lighthouse keeper",)),
    Case("html_only_scripts", "scripts only.html",
         b"<html><head><script>var a=1;</script><style>p{}</style></head><body>"
         b"<script>alert(2)</script><iframe src=x></iframe></body></html>",
         "EmptyInputError", "no text"),
    # --- Markdown
    Case("markdown_table_code", "night train.md", _MARKDOWN.encode(),
         contains=("Night Train (2024)", "Director; Ana Lídia Souza", "I loved it."),
         absent=("CODE-BLOCK-CONTENT", "|---", "title: Night Train", "**")),
    Case("markdown_only_code", "code only.md", b"```\nprint('hi')\n```\n", "EmptyInputError",
         "no text"),
    # --- names
    Case("name_non_ascii", "Amélie – critique 評論 ü.txt", REVIEW.encode(),
         contains=("lighthouse",)),
    Case("name_spaces", "  two  spaces  .md", REVIEW.encode(), contains=("lighthouse",)),
]


def write_all(folder: Path, cases: list[Case] | None = None) -> dict[str, Path]:
    """Write every case into `folder`; returns case id -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    return {case.id: case.write(folder) for case in (cases or CASES)}
