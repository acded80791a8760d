"""bytes -> str: BOMs, BOM-less UTF-16/32, UTF-8 with stray cp1252 bytes, legacy encodings.

Also refuses binaries, both by magic number and by a share of control bytes no text has, so a
photo or an archive is reported as such rather than decoded into garbage.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from analyser.errors import BinaryInputError, EmptyInputError, EncodingError

from .binary import sniff_binary
from .notes import plural

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


def decode(data: bytes, label: str) -> tuple[str, str, list[str]]:
    """bytes -> (text, encoding name, notes). Raises BinaryInputError / EncodingError."""
    kind = sniff_binary(data)
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
        notes.append(f"nul: {plural(nuls, 'stray NUL byte')}")
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
        notes.append(f"encoding: {plural(bad, 'invalid UTF-8 sequence')} read as cp1252")
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
    return text, enc_name, [f"encoding: {plural(bad, 'invalid sequence')} replaced"]


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
