"""Typed errors. Every failure a user can cause maps to one of these, so the CLI can print
one clear line (never a traceback) and batch mode can record the reason and move on."""

from __future__ import annotations


class AnalyserError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(AnalyserError, ValueError):
    """The input cannot be analysed as a review (empty, binary, undecodable, too large...)."""


class EmptyInputError(InputError):
    """The input holds no text (empty, whitespace only, or nothing left after extraction)."""


class BinaryInputError(InputError):
    """The input is a binary file (image, archive, executable...), not text."""


class EncodingError(InputError):
    """The bytes could not be decoded as text in any known encoding."""


class InputTooLargeError(InputError):
    """The input exceeds the documented size cap."""


class NotEnglishError(InputError):
    """The review is not in English: the models are English-only, so we say so, not guess."""


class ModelError(AnalyserError):
    """A model file is missing, unreadable or incompatible."""


class ModelIntegrityError(ModelError):
    """A model file's SHA-256 does not match the shipped manifest: it is refused unloaded."""
