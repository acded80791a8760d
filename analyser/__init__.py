"""Spoiler-aware review analyser: sections, spoilers and sentiment of film/book reviews.

>>> from analyser import Analyser
>>> result = Analyser().analyse(open("data/examples/plain_paragraphs.txt").read())
>>> result.to_frame()  # one row per sentence
>>> from analyser import score_folder
>>> reviews, sentences = score_folder("data/examples")  # two DataFrames
"""

from .errors import (
    AnalyserError,
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputError,
    InputTooLargeError,
    ModelError,
    ModelIntegrityError,
    NotEnglishError,
)

__version__ = "0.1.0"

__all__ = [
    "Analyser",
    "AnalyserError",
    "BinaryInputError",
    "EmptyInputError",
    "EncodingError",
    "InputError",
    "InputTooLargeError",
    "ModelError",
    "ModelIntegrityError",
    "NotEnglishError",
    "ReviewAnalysis",
    "score_folder",
]


def __getattr__(name: str):
    # Lazy: importing the package (e.g. for the CLI's --help) should not load spaCy + models.
    if name == "Analyser":
        from .api import Analyser

        return Analyser
    if name == "ReviewAnalysis":
        from .results import ReviewAnalysis

        return ReviewAnalysis
    if name == "score_folder":
        from .batch import score_folder

        return score_folder
    raise AttributeError(name)
