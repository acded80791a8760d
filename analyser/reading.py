"""Turn raw input (a path, bytes or a str) into clean review text plus structure hints.

Everything downstream indexes characters of ``ReadResult.text``, so this module is the one place
that decides what the text *is*: it refuses binaries, guesses encodings, normalises newlines and
Unicode, and reduces HTML and Markdown to plain paragraphs while recording exact heading spans.
Failures a user can cause are raised as the typed errors of :mod:`analyser.errors`, never as raw
``OSError``/``UnicodeDecodeError``.
"""

from __future__ import annotations

import codecs
import html
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from analyser.errors import (
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputError,
    InputTooLargeError,
)

__all__ = [
    "MAX_BYTES",
    "ReadResult",
    "detect_format",
    "read_bytes",
    "read_path",
    "read_text",
]

#: Documented input cap. Reviews are a few KB; 20 MB leaves room for whole saved web pages while
#: keeping a hostile input from exhausting memory.
MAX_BYTES = 20_000_000

FORMATS = ("text", "markdown", "html")
_FORMAT_ALIASES = {
    "text": "text",
    "txt": "text",
    "plain": "text",
    "markdown": "markdown",
    "md": "markdown",
    "html": "html",
    "htm": "html",
    "xhtml": "html",
}
_EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}


@dataclass(frozen=True)
class ReadResult:
    """Decoded text plus what the reader learned from the markup and what it threw away."""

    text: str
    format: str
    encoding: str
    headings: tuple[tuple[int, int, int], ...] = ()
    dropped: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (headings carry their text so reports need not slice)."""
        return {
            "text": self.text,
            "format": self.format,
            "encoding": self.encoding,
            "headings": [
                {"start": s, "end": e, "level": lvl, "text": self.text[s:e]}
                for s, e, lvl in self.headings
            ],
            "dropped": list(self.dropped),
        }


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def read_path(
    path: str | os.PathLike[str], *, fmt: str | None = None, max_bytes: int = MAX_BYTES
) -> ReadResult:
    """Read a file, checking existence, type and size *before* loading it into memory."""
    label = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except NotADirectoryError:
        raise InputError(f"{label}: no such file (a parent is not a directory)") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{label}: cannot read ({_reason(exc)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{label}: is a directory, not a file")
    if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
        raise InputTooLargeError(_too_large(label, st.st_size, max_bytes))
    try:
        with open(path, "rb") as fh:
            # +1 so a file that grew (or a pipe/device with no size) still hits the cap.
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{label}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read ({_reason(exc)})") from None
    if len(data) > max_bytes:
        raise InputTooLargeError(f"{label} is more than {max_bytes:,} bytes (cap: {max_bytes:,})")
    return read_bytes(data, name=label, fmt=fmt, max_bytes=max_bytes)


def read_bytes(
    data: bytes,
    *,
    name: str | None = None,
    fmt: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> ReadResult:
    """Decode bytes (refusing binaries) and extract the text of the detected format."""
    label = name or "input"
    if len(data) > max_bytes:
        raise InputTooLargeError(_too_large(label, len(data), max_bytes))
    if not data:
        raise EmptyInputError(f"{label} is empty")
    text, encoding, notes = _decode(bytes(data), label)
    return _finish(text, encoding, notes, fmt=fmt, name=name, label=label)


def read_text(
    text: str, *, fmt: str | None = None, name: str | None = None, max_bytes: int = MAX_BYTES
) -> ReadResult:
    """Same pipeline as :func:`read_bytes` for text that is already decoded.

    The size cap applies here too (measured in UTF-8 bytes): a string handed to the API or a
    table cell in batch mode must not bypass what a file is held to.
    """
    label = name or "input"
    if not text:
        raise EmptyInputError(f"{label} is empty")
    if len(text) > max_bytes // 4:  # a character is at most 4 UTF-8 bytes: cheap test first
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise InputTooLargeError(_too_large(label, size, max_bytes))
    return _finish(text, "str", [], fmt=fmt, name=name, label=label)


def detect_format(text: str, name: str | None = None) -> str:
    """Guess "html", "markdown" or "text": the file extension wins, else sniff the content."""
    if name:
        ext = os.path.splitext(name.lower())[1]
        if ext in _EXTENSIONS:
            return _EXTENSIONS[ext]
    head = text[:20_000]
    # Each sniffer needs some character pair that plain prose rarely has; checking for it
    # first (a C-speed substring search) skips regexes that dominated reading plain text.
    tags = "<" in head
    if tags and _HTML_START_RE.match(head):
        return "html"
    md_headings = len(_MD_ATX_SNIFF_RE.findall(head)) if "#" in head else 0
    html_tags = len(_HTML_TAG_SNIFF_RE.findall(head)) if tags else 0
    if html_tags >= 3 and (md_headings == 0 or html_tags >= 10):
        return "html"
    if (
        md_headings
        or (("```" in head or "~~~" in head) and _MD_FENCE_SNIFF_RE.search(head))
        or ("](" in head and _MD_LINK_SNIFF_RE.search(head))
        or (("==" in head or "--" in head) and _has_setext(head))
        or (("**" in head or "__" in head) and len(_MD_BOLD_SNIFF_RE.findall(head)) >= 2)
    ):
        return "markdown"
    return "text"


def _has_setext(text: str) -> bool:
    """A setext heading: a line with a word, then a line of === or ---."""
    for m in _MD_SETEXT_UNDERLINE_RE.finditer(text):
        end = m.start() - 1
        if end <= 0:
            continue
        prev = text[text.rfind("\n", 0, end) + 1 : end]
        if any(c.isalnum() for c in prev):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Shared finishing steps
# --------------------------------------------------------------------------------------------


def _finish(
    text: str, encoding: str, notes: list[str], *, fmt: str | None, name: str | None, label: str
) -> ReadResult:
    text, clean_notes = _clean_text(text)
    notes = notes + clean_notes
    if not text.strip():
        raise EmptyInputError(f"{label} has no text (only whitespace)")
    form = _normalise_fmt(fmt) if fmt else detect_format(text, name)
    headings: list[tuple[int, int, int]] = []
    if form == "html":
        text, headings, extra = _html_to_text(text)
        notes += extra
    elif form == "markdown":
        text, headings, extra = _markdown_to_text(text)
        notes += extra
    if not text.strip():
        what = "HTML markup" if form == "html" else "Markdown markup"
        raise EmptyInputError(f"{label} has no text (nothing left after removing {what})")
    if form != "text":
        text, headings = _nfc_with_spans(text, headings)
    return ReadResult(
        text=text,
        format=form,
        encoding=encoding,
        headings=tuple(headings),
        dropped=tuple(notes),
    )


def _normalise_fmt(fmt: str) -> str:
    form = _FORMAT_ALIASES.get(fmt.strip().lower())
    if form is None:
        raise InputError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return form


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _too_large(label: str, size: int, cap: int) -> str:
    return f"{label} is {size:,} bytes, over the {cap:,}-byte cap"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# Newline-ish characters other than \n: normalised so offsets agree with str.splitlines() users.
_NEWLINE_RE = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# C0 controls except \t and \n, DEL and C1 controls (NEL is handled as a newline above).
_CONTROL_RE = re.compile(r"[\x01-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# Printable ASCII, tab and newline: ASCII text made only of these needs no cleaning at all.
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"


def _clean_text(text: str) -> tuple[str, list[str]]:
    """Strip NULs/controls, unify newlines and NFC-normalise: every later offset depends on it."""
    if text.isascii() and not text.encode("ascii").translate(None, _PLAIN_ASCII):
        return text, []  # the common case: nothing below could change it
    notes: list[str] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
        notes.append(f"nul: {_plural(nuls, 'NUL character')}")
    text = _NEWLINE_RE.sub("\n", text)
    text, n_ctrl = _CONTROL_RE.subn("", text)
    if n_ctrl:
        notes.append(f"control: {_plural(n_ctrl, 'control character')}")
    text = _SURROGATE_RE.sub("\ufffd", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text, notes


def _nfc_with_spans(
    text: str, spans: list[tuple[int, int, int]]
) -> tuple[str, list[tuple[int, int, int]]]:
    """NFC-normalise extracted text piecewise so heading offsets stay exact."""
    if unicodedata.is_normalized("NFC", text):
        return text, spans
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    new_pos: dict[int, int] = {0: 0}
    parts: list[str] = []
    total = 0
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = unicodedata.normalize("NFC", text[a:b])
        parts.append(piece)
        total += len(piece)
        new_pos[b] = total
    return "".join(parts), [(new_pos[s], new_pos[e], lvl) for s, e, lvl in spans]


# --------------------------------------------------------------------------------------------
# Binary detection and decoding
# --------------------------------------------------------------------------------------------

# (offset, magic, description). Checked before any decoding so a photo is never "decoded".
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (0, b"\x00\x00\x01\x00", "an ICO icon"),
    (0, b"%PDF-", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive (or a .docx/.odt/.epub document)"),
    (0, b"PK\x05\x06", "a ZIP archive"),
    (0, b"PK\x07\x08", "a ZIP archive"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"\xfd7zXZ\x00", "an XZ archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"\x28\xb5\x2f\xfd", "a Zstandard archive"),
    (0, b"\x04\x22\x4d\x18", "an LZ4 archive"),
    (257, b"ustar", "a tar archive"),
    (0, b"\x7fELF", "an ELF executable"),
    (0, b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (0, b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (0, b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (0, b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (0, b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class file"),
    (0, b"\x00asm", "a WebAssembly module"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc/.xls)"),
    (0, b"OggS", "an Ogg audio/video file"),
    (0, b"fLaC", "a FLAC audio file"),
    (0, b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (0, b"wOFF", "a web font"),
    (0, b"wOF2", "a web font"),
    (0, b"\x00\x01\x00\x00\x00", "a TrueType font"),
    (4, b"ftyp", "an MP4/QuickTime/HEIC media file"),
)
_RIFF_KINDS = {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}


def _sniff_binary(data: bytes) -> str | None:
    """Name the binary file type from its magic number, or None if it is not a known binary."""
    for offset, magic, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return kind
    if data.startswith(b"RIFF") and len(data) >= 12:
        return _RIFF_KINDS.get(data[8:12], "a RIFF media file")
    # Short magics that real text could start with need a second confirming feature.
    bz_blocks = (b"1AY&SY", b"\x17rE8P\x90")
    if data.startswith(b"BZh") and data[3:4].isdigit() and data[4:10] in bz_blocks:
        return "a bzip2 archive"
    if data.startswith(b"MZ") and b"\x00" in data[2:64]:
        return "a Windows/DOS executable"
    if data.startswith(b"ID3") and len(data) > 4 and data[3] < 0x10:
        return "an MP3 audio file"
    if data.startswith(b"BM") and len(data) > 26 and data[6:10] == b"\x00\x00\x00\x00":
        return "a BMP image"
    return None


_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its LE BOM begins with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
# Bytes that do not occur in text in any ASCII-compatible encoding (tab, LF, VT, FF, CR, ESC
# are allowed).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
_HIGH_BYTES = bytes(range(0x80, 0x100))
_BINARY_CONTROL_SHARE = 0.05
_BINARY_CONTROL_MIN = 8
_GARBAGE_SHARE = 0.10
_FALLBACK_HANDLER = "analyser-cp1252-fallback"
_META_CHARSET_RE = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
# A U+FFFD (an invalid UTF-8 byte) with ASCII, or nothing, on both sides.
_ISOLATED_BAD_RE = re.compile("(?<![^\x00-\x7f])\ufffd(?![^\x00-\x7f])")
# A non-letter symbol squeezed between letters: how cp1250/cp1251/... bytes look through cp1252.
_CP1252_MIDWORD_RE = re.compile(
    "[A-Za-z\u00c0-\u00ff][\u00a1-\u00a9\u00ab-\u00b4\u00b6\u00b8-\u00b9\u00bb-\u00bf"
    "\u00d7\u00f7\u201a\u201e\u2020\u2021\u02c6\u2030\u2039\u203a\u2022\u02dc\u2122]"
    "[A-Za-z\u00c0-\u00ff]"
)


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read bytes that are invalid UTF-8 as cp1252 (the usual culprit)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    chunk = err.object[err.start : err.end]
    return bytes(chunk).decode("cp1252", "replace"), err.end


codecs.register_error(_FALLBACK_HANDLER, _cp1252_fallback)


def _decode(data: bytes, label: str) -> tuple[str, str, list[str]]:
    """bytes -> (text, encoding name, notes). Raises BinaryInputError / EncodingError."""
    kind = _sniff_binary(data)
    if kind:
        raise BinaryInputError(f"{label} looks like {kind}, not text")
    for bom, codec, enc_name in _BOMS:
        if data.startswith(bom):
            return _decode_wide(data[len(bom) :], codec, enc_name, label)
    notes: list[str] = []
    if b"\x00" in data:
        wide = _wide_codec_by_zeros(data)
        if wide:
            return _decode_wide(data, wide, wide, label)
    n_ctrl = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if n_ctrl >= _BINARY_CONTROL_MIN and n_ctrl > _BINARY_CONTROL_SHARE * len(data):
        share = 100 * n_ctrl / len(data)
        raise BinaryInputError(
            f"{label} looks like binary data ({share:.0f}% NUL/control bytes), not text"
        )
    nuls = data.count(0)
    if nuls:
        data = data.replace(b"\x00", b"")
        notes.append(f"nul: {_plural(nuls, 'stray NUL byte')}")
        if not data.strip():
            raise EmptyInputError(f"{label} has no text (only NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few bytes from another encoding (typically cp1252 pasted in).
    replaced = data.decode("utf-8", "replace")
    bad = replaced.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good_non_ascii = sum(1 for ch in replaced if ord(ch) > 0x7F) - bad - data.count(b"\xef\xbf\xbd")
    # Valid multi-byte sequences are evidence of UTF-8, so a few invalid bytes are read as
    # cp1252 rather than switching codecs. But double-byte legacy text (Shift-JIS, EUC-JP/KR,
    # GBK...) forms valid pairs by accident; its invalid bytes then sit in runs of high bytes,
    # whereas pasted cp1252 bytes (curly quotes, an accented letter) sit between ASCII. So
    # unless UTF-8 clearly dominates, most invalid bytes must be isolated.
    # Nearly-all-ASCII input gives a statistical detector nothing to go on: same treatment.
    non_ascii = len(data) - len(data.translate(None, _HIGH_BYTES))
    utf8_like = (
        good_non_ascii
        and bad <= 10 * good_non_ascii
        and (bad <= 2 * good_non_ascii or len(_ISOLATED_BAD_RE.findall(replaced)) * 2 >= bad)
    )
    if utf8_like or non_ascii <= 0.02 * len(data):
        text = data.decode("utf-8", _FALLBACK_HANDLER)
        notes.append(f"encoding: {_plural(bad, 'invalid UTF-8 sequence')} read as cp1252")
        return text, "utf-8", notes
    legacy = _decode_legacy(data)
    if legacy is None:
        raise EncodingError(
            f"{label}: cannot detect the text encoding (not UTF-8, UTF-16 or a known legacy "
            "encoding)"
        )
    return legacy[0], legacy[1], notes


def _decode_wide(data: bytes, codec: str, enc_name: str, label: str) -> tuple[str, str, list[str]]:
    """Decode UTF-8/16/32 found by BOM or zero pattern; tolerate a tiny share of bad units."""
    try:
        return data.decode(codec), enc_name, []
    except UnicodeDecodeError:
        text = data.decode(codec, "replace")
    bad = text.count("\ufffd")
    if bad > max(2, 0.01 * len(text)):
        raise EncodingError(f"{label}: invalid {enc_name} data")
    return text, enc_name, [f"encoding: {_plural(bad, 'invalid sequence')} replaced"]


def _wide_codec_by_zeros(data: bytes) -> str | None:
    """Spot BOM-less UTF-32/UTF-16 from where the zero bytes sit (ASCII-heavy text has many)."""
    sample = data[:8192]
    n4 = len(sample) // 4
    if n4 >= 2:
        z = [sample[i : n4 * 4 : 4].count(0) / n4 for i in range(4)]
        if z[2] > 0.95 and z[3] > 0.95 and z[0] < 0.05:
            return "utf-32-le"
        if z[0] > 0.95 and z[1] > 0.95 and z[3] < 0.05:
            return "utf-32-be"
    n2 = len(sample) // 2
    if n2 < 2:
        return None
    even = sample[0 : n2 * 2 : 2].count(0) / n2
    odd = sample[1 : n2 * 2 : 2].count(0) / n2
    if odd >= 0.25 and even <= 0.02:
        return "utf-16-le"
    if even >= 0.25 and odd <= 0.02:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes) -> tuple[str, str] | None:
    """Non-UTF-8 bytes: declared HTML charset, then cp1252 if plausible, then charset-normalizer.

    cp1252 is tried before the statistical detector because for short Western text the detector
    often prefers exotic code pages (e.g. cp1125 for "café — naïve").
    """
    declared = _META_CHARSET_RE.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            codec = ""
        if codec and not codec.startswith("utf"):
            if codec in ("latin-1", "iso8859-1"):
                codec = "cp1252"  # what browsers do for "iso-8859-1"
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                pass
            else:
                if _garbage_share(text) <= _GARBAGE_SHARE:
                    return text, codec
    text = _cp1252_if_plausible(data)
    if text is not None:
        return text, "cp1252"
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared dependency
        return None
    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    if not text.strip() or _garbage_share(text) > _GARBAGE_SHARE:
        return None
    return text, best.encoding


def _cp1252_if_plausible(data: bytes) -> str | None:
    """cp1252 text if it reads like Western prose: few accented letters, no symbols mid-word."""
    if len(data) != len(data.translate(None, _CP1252_UNDEFINED)):
        return None
    text = data.decode("cp1252")
    letters = 0
    accented = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if ord(ch) > 0x7F:
                accented += 1
    if letters == 0 or accented > 0.3 * letters:
        return None
    if _CP1252_MIDWORD_RE.search(text):
        return None
    return text


def _garbage_share(text: str) -> float:
    """Share of characters no real text contains (controls, unassigned, private use, U+FFFD)."""
    sample = text[:50_000]
    if not sample:
        return 0.0
    bad = 0
    for ch in sample:
        if ch == "\ufffd" or (
            ch not in "\t\n\r\x0b\x0c" and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")
        ):
            bad += 1
    return bad / len(sample)


# --------------------------------------------------------------------------------------------
# Format sniffing
# --------------------------------------------------------------------------------------------

_HTML_START_RE = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.I | re.S,
)
_HTML_TAG_SNIFF_RE = re.compile(
    r"<(?:p|div|br|h[1-6]|article|section|main|ul|ol|li|table|tr|td|blockquote|em|strong|"
    r"span|img|a|meta|link|script|style|body|head|title|header|footer|nav)\b[^>]*>",
    re.I,
)
_MD_ATX_SNIFF_RE = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M)
# An underline row of = or -; the line above must hold a word (checked in _has_setext). The
# obvious one-regex version backtracks over every line and dominated reading time.
_MD_SETEXT_UNDERLINE_RE = re.compile(r"^ {0,3}(?:={2,}|-{2,})[ \t]*$", re.M)
_MD_FENCE_SNIFF_RE = re.compile(r"^ {0,3}(?:```|~~~)", re.M)
_MD_LINK_SNIFF_RE = re.compile(r"\[[^\]\n]+\]\((?:https?://|/|#|mailto:)[^)\s]*\)")
_MD_BOLD_SNIFF_RE = re.compile(r"(\*\*|__)(?=\S)[^\n]+?(?<=\S)\1")


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

# Nesting deeper than this is flattened before parsing: lexbor's tree builder is quadratic in
# depth (50,000 nested <div>s take seconds) and no real page nests anywhere near this deep.
_MAX_HTML_DEPTH = 256
_TAG_SCAN_RE = re.compile(
    r"<(?:script|style|textarea|template)\b.*?</(?:script|style|textarea|template)\s*>"
    r"|<!--.*?-->"
    r"|<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?:\s[^>]*?)?(?P<self>/?)>",
    re.I | re.S,
)
# Void elements and elements whose end tag is optional do not add nesting depth reliably.
_NO_DEPTH = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rb rt rp".split()
)

_DROP_TAGS = frozenset(
    "script style noscript template iframe object embed svg math canvas form button select "
    "input textarea nav footer aside head title meta link audio video map dialog".split()
)
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_CHROME_TOKENS = frozenset(
    "sidebar widget share sharing social sharedaddy comments comment commentlist respond menu "
    "navbar nav navigation breadcrumb breadcrumbs related relatedposts cookie newsletter "
    "subscribe footer advert ads pagination".split()
)
# Tokens of sections that never wrap the review (used when choosing the root element).
_SECTION_TOKENS = frozenset(
    "comments comment commentlist respond related relatedposts sharedaddy share sharing "
    "social".split()
)
_TOKEN_SPLIT_RE = re.compile(r"[\s_-]+")
_CONTENT_SELECTOR = (
    "article:not([class*=comment]), main, h1, [itemprop=articleBody], .entry-content, .post-content"
)
_ROOT_SELECTOR = "article, main, [role=main], [itemprop=articleBody], .entry-content, .post-content"
_PARA_TAGS = frozenset(
    "p div section article main header blockquote pre ul ol dl table thead tbody tfoot figure "
    "figcaption address details summary fieldset hr html body center hgroup menu legend "
    "h1 h2 h3 h4 h5 h6".split()
)
_LINE_TAGS = frozenset("li tr dt dd option caption".split())
_CELL_TAGS = frozenset({"td", "th"})
_HEADING_LEVEL = {f"h{i}": i for i in range(1, 7)}
_WS_RE = re.compile(r"\s+")
_DATA_URI_RE = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w.+=-]+)*,[A-Za-z0-9+/=%_.-]{16,}")

# Token kinds of the intermediate stream the DOM walk produces.
_T, _PRE, _PARA, _LINE, _BR, _CELL, _HSTART, _HEND = range(8)
_IN_CONTENT, _IN_PRE = 1, 2


def _flatten_deep_html(src: str) -> tuple[str, int]:
    """Remove tags nested beyond _MAX_HTML_DEPTH (text is kept) so parsing stays linear."""
    if src.count("<") <= _MAX_HTML_DEPTH:
        return src, 0
    depth = skipped = removed = 0
    pieces: list[str] = []
    last = 0
    for m in _TAG_SCAN_RE.finditer(src):
        name = m.group("name")
        if name is None or m.group("self") or name.lower() in _NO_DEPTH:
            continue
        drop = False
        if m.group("close"):
            if skipped:
                skipped -= 1
                drop = True
            elif depth:
                depth -= 1
        elif depth >= _MAX_HTML_DEPTH:
            skipped += 1
            drop = True
        else:
            depth += 1
        if drop:
            if m.start() != last or not pieces:  # one space per run of removed tags
                pieces.append(src[last : m.start()])
                pieces.append(" ")
            last = m.end()
            removed += 1
    if not removed:
        return src, 0
    pieces.append(src[last:])
    return "".join(pieces), removed


def _chrome_token(value: str, tokens: frozenset[str] = _CHROME_TOKENS) -> str | None:
    """The first class/id token naming page chrome (taxonomy classes like tag-x are ignored)."""
    for cls in value.split():
        low = cls.lower()
        if low.startswith(("tag-", "category-", "post-", "postid-", "tags-")):
            continue
        for tok in _TOKEN_SPLIT_RE.split(low):
            if tok in tokens:
                return tok
    return None


def _holds_content(node: Any, root_len: int, by_size: bool = True) -> bool:
    """Whether a would-be-dropped element wraps the review (layout wrapper, ASP.NET <form>)."""
    if node.css_first(_CONTENT_SELECTOR) is not None:
        return True
    if not by_size or not root_len:
        return False
    return len(node.text(deep=True, separator=" ")) > 0.5 * root_len


def _in_chrome(node: Any) -> bool:
    """True if a root candidate is (inside) comments, related posts, a sidebar... (no recursion).

    Layout wrappers such as <div class="content-with-sidebar"> are not counted: only tags,
    roles and class tokens that never wrap the main content are.
    """
    cur = node
    while cur is not None and cur.tag not in (None, "-document", "html"):
        attrs = cur.attributes
        if cur is not node and cur.tag in ("nav", "aside", "footer"):
            return True
        if (attrs.get("role") or "").lower() in _DROP_ROLES:
            return True
        for attr in ("id", "class"):
            if _chrome_token(attrs.get(attr) or "", _SECTION_TOKENS):
                return True
        cur = cur.parent
    return False


def _choose_root(tree: Any) -> tuple[Any, bool]:
    """Pick the article-like element holding the review; fall back to <body>."""
    cands = [n for n in tree.css(_ROOT_SELECTOR) if not _in_chrome(n)]
    if cands:
        sized = [(len(n.text(deep=True, separator=" ")), i, n) for i, n in enumerate(cands)]
        best = max(size for size, _, _ in sized)
        if best > 0:
            # Prefer article-level elements over <main> (which also wraps comments/related).
            sized.sort(
                key=lambda t: (t[2].tag == "main" or t[2].attributes.get("role") == "main", t[1])
            )
            for size, _, node in sized:
                if size >= 0.5 * best:
                    return node, True
    body = tree.body
    return (body if body is not None else tree.root), False


def _drop_key(node: Any, tag: str, ctx: int, root_len: int) -> str | None:
    """Why this element is page chrome (a note key), or None to keep it."""
    if tag in _DROP_TAGS:
        if tag == "form" and _holds_content(node, root_len):
            return None
        return f"<{tag}>"
    if tag == "header" and not ctx & _IN_CONTENT:
        return "<header> (site banner)"
    attrs = node.attributes
    if not attrs:
        return None
    role = (attrs.get("role") or "").strip().lower()
    if role in _DROP_ROLES:
        return f"<{tag} role={role}>"
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return f"hidden <{tag}>"
    for attr in ("id", "class"):
        tok = _chrome_token(attrs.get(attr) or "")
        if tok is None:
            continue
        # A wrapper such as <div class="has-sidebar"> may hold the review itself: keep it.
        # Comment/related/share sections can be long, so their size proves nothing.
        if _holds_content(node, root_len, by_size=tok not in _SECTION_TOKENS):
            return None
        return f"<{tag} {attr}={tok}>"
    return None


def _walk(root: Any, in_content: bool) -> tuple[list[tuple[int, Any]], Counter[str]]:
    """Iterative DOM walk emitting a flat token stream (explicit stack: no recursion limit)."""
    tokens: list[tuple[int, Any]] = []
    drops: Counter[str] = Counter()
    root_len = len(root.text(deep=True, separator=" "))
    root_id = root.mem_id
    # Stack entries: (node, ctx, exit_tag). A None node marks leaving element exit_tag.
    stack: list[tuple[Any, int, str]] = [(root, _IN_CONTENT if in_content else 0, "")]
    while stack:
        node, ctx, exit_tag = stack.pop()
        if node is None:
            if exit_tag in _HEADING_LEVEL:
                tokens.append((_HEND, None))
            elif exit_tag in _PARA_TAGS:
                tokens.append((_PARA, None))
            elif exit_tag in _LINE_TAGS:
                tokens.append((_LINE, None))
            continue
        tag = node.tag
        if tag == "-text":
            content = node.text_content
            if content:
                tokens.append((_PRE if ctx & _IN_PRE else _T, content))
            continue
        if tag is None or tag.startswith("-"):
            continue  # comments, doctype, processing instructions
        if node.mem_id != root_id:
            key = _drop_key(node, tag, ctx, root_len)
            if key is not None:
                drops[key] += 1
                continue
        if tag == "br":
            tokens.append((_BR, None))
            continue
        if tag in ("article", "main"):
            ctx |= _IN_CONTENT
        elif tag == "pre":
            ctx |= _IN_PRE
        if tag in _HEADING_LEVEL:
            tokens.append((_HSTART, _HEADING_LEVEL[tag]))
        elif tag in _PARA_TAGS:
            tokens.append((_PARA, None))
        elif tag in _LINE_TAGS:
            tokens.append((_LINE, None))
        elif tag in _CELL_TAGS:
            tokens.append((_CELL, None))
        stack.append((None, ctx, tag))
        children = []
        child = node.first_child
        while child is not None:
            children.append(child)
            child = child.next
        for child in reversed(children):
            stack.append((child, ctx, ""))
    return tokens, drops


def _assemble(tokens: Iterable[tuple[int, Any]]) -> tuple[str, list[tuple[int, int, int]]]:
    """Token stream -> text with collapsed whitespace, blank-line paragraphs, heading spans."""
    out: list[str] = []
    pos = 0
    pending_break = 0  # 0 none, 1 "\n", 2 "\n\n"
    pending_space = False
    cell_pending = False
    line_has_text = False
    heading_depth = 0
    h_start: int | None = None
    h_level = 0
    headings: list[tuple[int, int, int]] = []

    def emit(word: str) -> None:
        nonlocal pos, pending_break, pending_space, cell_pending, line_has_text, h_start
        if out:
            if pending_break:
                sep = "\n\n" if pending_break == 2 else "\n"
            elif cell_pending:
                sep = "; "
            elif pending_space:
                sep = " "
            else:
                sep = ""
            if sep:
                out.append(sep)
                pos += len(sep)
        pending_break = 0
        pending_space = cell_pending = False
        if heading_depth and h_start is None:
            h_start = pos
        out.append(word)
        pos += len(word)
        line_has_text = True

    def brk(level: int) -> None:
        nonlocal pending_break, line_has_text, cell_pending, pending_space
        if heading_depth:  # keep every heading on one line: breaks inside become spaces
            pending_space = True
            return
        pending_break = max(pending_break, level)
        line_has_text = cell_pending = False

    for kind, value in tokens:
        if kind in (_T, _PRE):
            text = _DATA_URI_RE.sub(" ", _CONTROL_RE.sub("", value.replace("\x00", "")))
            lines = text.split("\n") if kind == _PRE else [text]
            for i, line in enumerate(lines):
                if i:
                    brk(1)
                line = _WS_RE.sub(" ", line)
                if not line:
                    continue
                if line[0] == " ":
                    pending_space = True
                core = line.strip(" ")
                if core:
                    emit(core)
                    if line[-1] == " ":
                        pending_space = True
        elif kind == _PARA:
            brk(2)
        elif kind == _LINE:
            brk(1)
        elif kind == _BR:
            # <br><br> is how many pages write a paragraph break.
            if out:
                brk(2 if pending_break else 1)
        elif kind == _CELL:
            if not pending_break and line_has_text:
                cell_pending = True
        elif kind == _HSTART:
            brk(2)
            heading_depth += 1
            if heading_depth == 1:
                h_start, h_level = None, value
        elif kind == _HEND:
            heading_depth = max(0, heading_depth - 1)
            if heading_depth == 0:
                if h_start is not None:
                    headings.append((h_start, pos, h_level))
                h_start = None
                brk(2)
    return "".join(out), headings


def _html_to_text(src: str) -> tuple[str, list[tuple[int, int, int]], list[str]]:
    """Extract the review body of an HTML page as paragraphs, dropping page chrome."""
    from selectolax.lexbor import LexborHTMLParser

    notes: list[str] = []
    src, flattened = _flatten_deep_html(src)
    if flattened:
        notes.append(f"html: {flattened} tags nested deeper than {_MAX_HTML_DEPTH} levels")
    tree = LexborHTMLParser(src)
    root, in_content = _choose_root(tree)
    if root is None:
        return "", [], notes
    if in_content:
        notes.append(f"html: everything outside the <{root.tag}> holding the review")
    tokens, drops = _walk(root, in_content)
    for key, count in drops.items():
        notes.append(f"html: {count} {key}" if count > 1 else f"html: {key}")
    text, headings = _assemble(tokens)
    return text, headings, notes


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------

_MD_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MD_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT_RE = re.compile(r"^ {0,3}(={2,}|-{2,})[ \t]*$")
_MD_HR_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_QUOTE_RE = re.compile(r"^ {0,3}>[ \t]?")
_MD_LIST_RE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_MD_REFDEF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+.*$")
_MD_TABLE_SEP_RE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_MD_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_MD_CODE_RE = re.compile(r"(`+)(.+?)\1")
_MD_IMAGE_RE = re.compile(r"[ \t]*!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_MD_LINK_RE = re.compile(r"\[([^\]\n]+)\]\([^)\s]*(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?\)")
_MD_REFLINK_RE = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_MD_FOOTNOTE_RE = re.compile(r"\[\^[^\]\s]+\]")
_MD_AUTOLINK_RE = re.compile(r"<((?:https?|ftp)://[^>\s]+|mailto:[^>\s]+)>")
_MD_INLINE_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>")
_MD_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])")
_MD_ITALIC_RE = re.compile(
    r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w_\\])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])"
)
_MD_STRIKE_RE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_ENTITY_RE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_MD_PROTECT_RE = re.compile("\ue000(\\d+)\ue001")
_MD_SPECIAL_RE = re.compile(r"[*_`\[\]!<&\\~]")
_MULTISPACE_RE = re.compile(r"[ \t]{2,}")


def _md_entity(m: re.Match[str]) -> str:
    """Decode one entity; whitespace/control results must not smuggle in line breaks."""
    ch = html.unescape(m.group(0))
    return " " if ch.isspace() else _CONTROL_RE.sub("", ch)


def _md_inline(line: str, counts: Counter[str]) -> str:
    """Strip inline Markdown: emphasis, code, links and images, keeping the words."""
    if not _MD_SPECIAL_RE.search(line):
        return _MULTISPACE_RE.sub(" ", line).strip()
    protected: list[str] = []

    def protect(s: str) -> str:
        protected.append(s)
        return f"\ue000{len(protected) - 1}\ue001"

    line = _MD_ESCAPE_RE.sub(lambda m: protect(m.group(1)), line)
    line = _MD_CODE_RE.sub(lambda m: protect(m.group(2).strip()), line)
    line, n_img = _MD_IMAGE_RE.subn("", line)
    if n_img:
        counts["image"] += n_img
    line = _MD_LINK_RE.sub(r"\1", line)
    line = _MD_REFLINK_RE.sub(r"\1", line)
    line = _MD_FOOTNOTE_RE.sub("", line)
    line = _MD_AUTOLINK_RE.sub(lambda m: protect(m.group(1).removeprefix("mailto:")), line)
    line = _MD_INLINE_TAG_RE.sub(" ", line)
    for _ in range(3):  # nested emphasis such as ***both*** or **bold _and italic_**
        new = _MD_BOLD_RE.sub(lambda m: m.group(1) or m.group(2), line)
        new = _MD_ITALIC_RE.sub(lambda m: m.group(1) or m.group(2), new)
        new = _MD_STRIKE_RE.sub(r"\1", new)
        if new == line:
            break
        line = new
    line = _MD_ENTITY_RE.sub(_md_entity, line)
    while "\ue000" in line:
        new = _MD_PROTECT_RE.sub(lambda m: protected[int(m.group(1))], line)
        if new == line:
            break
        line = new
    return _MULTISPACE_RE.sub(" ", line).strip()


def _md_table_rows(lines: list[str]) -> tuple[set[int], set[int]]:
    """Indices of table separator rows and of table body/header rows."""
    seps: set[int] = set()
    rows: set[int] = set()
    for i in range(1, len(lines)):
        line = lines[i]
        if "|" in line and "-" in line and _MD_TABLE_SEP_RE.match(line) and "|" in lines[i - 1]:
            seps.add(i)
            rows.add(i - 1)
            j = i + 1
            while j < len(lines) and lines[j].strip() and "|" in lines[j]:
                rows.add(j)
                j += 1
    return seps, rows - seps


def _markdown_to_text(src: str) -> tuple[str, list[tuple[int, int, int]], list[str]]:
    """Markdown -> plain lines; headings become their own paragraph with exact offsets."""
    counts: Counter[str] = Counter()
    src, n_comments = _MD_HTML_COMMENT_RE.subn("", src)
    if n_comments:
        counts["HTML comment"] += n_comments
    lines = src.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":  # YAML front matter
        for j in range(1, min(len(lines), 200)):
            if lines[j].strip() in ("---", "..."):
                if any(":" in ln for ln in lines[1:j]):
                    start = j + 1
                    counts["front matter"] += 1
                break
    seps, table_rows = _md_table_rows(lines)
    # Output lines: [text, heading level (0 = none), is paragraph text]
    out: list[list[Any]] = []
    fence: str | None = None
    prev_para_start = False  # previous output line is a one-line paragraph (setext candidate)

    def blank() -> None:
        if out and out[-1][0] != "":
            out.append(["", 0, False])

    i = start
    while i < len(lines):
        raw = lines[i]
        i += 1
        if fence is not None:
            if raw.strip().startswith(fence) and set(raw.strip()) <= set(fence[0]):
                fence = None
            continue
        m = _MD_FENCE_RE.match(raw)
        if m:
            marker = m.group(1)
            closing = next(
                (
                    j
                    for j in range(i, len(lines))
                    if lines[j].strip().startswith(marker) and set(lines[j].strip()) <= {marker[0]}
                ),
                None,
            )
            if closing is None:
                counts["unclosed code fence marker"] += 1
                continue  # keep the rest: an unclosed fence must not swallow the review
            fence = marker
            counts["code block"] += 1
            blank()
            prev_para_start = False
            continue
        if not raw.strip():
            blank()
            prev_para_start = False
            continue
        if _MD_REFDEF_RE.match(raw):
            counts["link definition"] += 1
            continue
        line = raw
        quoted = False
        while True:
            q = _MD_QUOTE_RE.match(line)
            if not q:
                break
            line = line[q.end() :]
            quoted = True
        if quoted and not line.strip():
            blank()
            prev_para_start = False
            continue
        h = _MD_ATX_RE.match(line)
        if h:
            text = _md_inline(h.group(2) or "", counts)
            if text:
                blank()
                out.append([text, len(h.group(1)), False])
                blank()
            prev_para_start = False
            continue
        s = _MD_SETEXT_RE.match(line)
        if s and prev_para_start and out and out[-1][2]:
            out[-1][1] = 1 if s.group(1)[0] == "=" else 2
            out[-1][2] = False
            blank()
            prev_para_start = False
            continue
        if _MD_HR_RE.match(line) or s:
            blank()
            prev_para_start = False
            continue
        if (i - 1) in seps:
            continue
        if (i - 1) in table_rows:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            text = "; ".join(t for t in (_md_inline(c, counts) for c in cells) if t)
            if text:
                out.append([text, 0, False])
            prev_para_start = False
            continue
        lm = _MD_LIST_RE.match(line)
        is_list = lm is not None
        if lm:
            line = line[lm.end() :]
        text = _md_inline(line.rstrip().rstrip("\\"), counts)
        if not text:
            continue
        starts_para = not out or out[-1][0] == ""
        out.append([text, 0, not is_list and not quoted])
        prev_para_start = starts_para and not is_list and not quoted
    while out and out[-1][0] == "":
        out.pop()
    parts: list[str] = []
    headings: list[tuple[int, int, int]] = []
    pos = 0
    for idx, (text, level, _) in enumerate(out):
        if idx:
            parts.append("\n")
            pos += 1
        if level:
            headings.append((pos, pos + len(text), level))
        parts.append(text)
        pos += len(text)
    notes = [
        f"markdown: {count} {what}s" if count > 1 else f"markdown: {what}"
        for what, count in counts.items()
    ]
    return "".join(parts), headings, notes
