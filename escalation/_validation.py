"""Input checks shared by the public functions.

Every public entry point that takes text runs its input through these helpers, so
bad input fails early with an error that names the item, instead of deep inside
scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from escalation.errors import InputTypeError

__all__ = ["check_text", "check_texts"]


def _describe(value: object) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "float NaN (a missing value?)"
    if value is None:
        return "None (a missing value?)"
    if isinstance(value, (bytes, bytearray)):
        return f"{type(value).__name__} (decode it to str first)"
    return type(value).__name__


def check_text(text: object, *, name: str = "text") -> str:
    """Return ``text`` if it is a str, else raise :class:`InputTypeError`."""
    if not isinstance(text, str):
        raise InputTypeError(f"{name} must be str, got {_describe(text)}")
    return text


def check_texts(texts: object, *, name: str = "X") -> list[str]:
    """Return ``texts`` as a list of str.

    Accepts any iterable of str (list, tuple, numpy array, pandas Series), but not a
    bare string, which would otherwise be read as a list of characters.

    Raises
    ------
    InputTypeError
        If ``texts`` is a str or bytes, is not iterable, or holds a non-str item
        (the message names the first such index and its type).
    """
    if isinstance(texts, (str, bytes, bytearray)):
        raise InputTypeError(
            f"{name} must be a list of str, got a bare {type(texts).__name__}; wrap one text as [text]"
        )
    if not isinstance(texts, Iterable):
        raise InputTypeError(f"{name} must be a list of str, got {_describe(texts)}")
    ndim = getattr(texts, "ndim", 1)
    if ndim != 1:
        raise InputTypeError(f"{name} must be one-dimensional, got an array with {ndim} dimensions")
    items = list(texts)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise InputTypeError(f"{name}[{index}] must be str, got {_describe(item)}")
    return items
