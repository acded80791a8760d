"""Turn raw input (a path, bytes or a str) into clean review text plus structure hints.

Everything downstream indexes characters of ``ReadResult.text``, so this package is the one place
that decides what the text *is*: it refuses binaries, guesses encodings, normalises newlines and
Unicode, and reduces HTML and Markdown to plain paragraphs while recording exact heading spans.
Failures a user can cause are raised as the typed errors of :mod:`analyser.errors`, never as raw
``OSError``/``UnicodeDecodeError``.

One concern a module: :mod:`.binary` (magic numbers), :mod:`.decoding` (bytes -> str),
:mod:`.normalising` (controls, newlines, NFC), :mod:`.formats` (which format), :mod:`.html`
with :mod:`.html_chrome` and :mod:`.html_layout`, :mod:`.markdown` with
:mod:`.markdown_inline`, and :mod:`.notes` (wording of ``dropped``). The entry points live here
rather than in a submodule so that ``analyser.reading`` is the namespace they resolve names
such as ``open`` in.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Any

from analyser.errors import EmptyInputError, InputError, InputTooLargeError

from .decoding import decode
from .formats import FORMATS, detect_format, normalise_fmt
from .html import html_to_text
from .markdown import markdown_to_text
from .normalising import clean_text, nfc_with_spans

__all__ = [
    "FORMATS",
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
    text, encoding, notes = decode(bytes(data), label)
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


def _finish(
    text: str, encoding: str, notes: list[str], *, fmt: str | None, name: str | None, label: str
) -> ReadResult:
    """The steps every input shares once it is a str: clean, pick the format, extract."""
    text, clean_notes = clean_text(text)
    notes = notes + clean_notes
    if not text.strip():
        raise EmptyInputError(f"{label} has no text (only whitespace)")
    form = normalise_fmt(fmt) if fmt else detect_format(text, name)
    headings: list[tuple[int, int, int]] = []
    if form == "html":
        text, headings, extra = html_to_text(text)
        notes += extra
    elif form == "markdown":
        text, headings, extra = markdown_to_text(text)
        notes += extra
    if not text.strip():
        what = "HTML markup" if form == "html" else "Markdown markup"
        raise EmptyInputError(f"{label} has no text (nothing left after removing {what})")
    if form != "text":
        text, headings = nfc_with_spans(text, headings)
    return ReadResult(
        text=text,
        format=form,
        encoding=encoding,
        headings=tuple(headings),
        dropped=tuple(notes),
    )


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _too_large(label: str, size: int, cap: int) -> str:
    return f"{label} is {size:,} bytes, over the {cap:,}-byte cap"
