"""Character-level clean-up of decoded text: controls, newlines and Unicode normal form.

Every later offset (heading spans, sentence spans downstream) indexes the text this produces,
so the extractors reuse :data:`CONTROL_RE` rather than keeping their own idea of a control.
"""

from __future__ import annotations

import re
import unicodedata

from .notes import plural

# Newline-ish characters other than \n: normalised so offsets agree with str.splitlines() users.
_NEWLINE_RE = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
#: C0 controls except \t and \n, DEL and C1 controls (NEL is handled as a newline).
CONTROL_RE = re.compile(r"[\x01-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# Printable ASCII, tab and newline: ASCII text made only of these needs no cleaning at all.
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"


def clean_text(text: str) -> tuple[str, list[str]]:
    """Strip NULs/controls, unify newlines and NFC-normalise: every later offset depends on it."""
    if text.isascii() and not text.encode("ascii").translate(None, _PLAIN_ASCII):
        return text, []  # the common case: nothing below could change it
    notes: list[str] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
        notes.append(f"nul: {plural(nuls, 'NUL character')}")
    text = _NEWLINE_RE.sub("\n", text)
    text, n_ctrl = CONTROL_RE.subn("", text)
    if n_ctrl:
        notes.append(f"control: {plural(n_ctrl, 'control character')}")
    text = _SURROGATE_RE.sub("\ufffd", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text, notes


def nfc_with_spans(
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
