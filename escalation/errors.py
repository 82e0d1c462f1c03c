"""Exceptions and warnings raised by escalation.

Every error the library raises on purpose is an :class:`EscalationError`. Where a
built-in category fits, the class also derives from it (``TypeError``,
``ValueError``, ``FileExistsError``), so callers can catch either the precise class
or the familiar built-in one.
"""

from __future__ import annotations

__all__ = [
    "EscalationError",
    "EscalationWarning",
    "InputTypeError",
    "InputValueError",
    "DataValidationError",
    "ModelFileError",
    "ModelIntegrityError",
    "UntrustedModelError",
    "ModelVersionError",
    "OutputExistsError",
    "ReferenceHydrationError",
]


class EscalationError(Exception):
    """Base class of every error raised on purpose by escalation."""


class EscalationWarning(UserWarning):
    """Base class of the warnings escalation emits (the test suite turns them into errors)."""


class InputTypeError(EscalationError, TypeError):
    """An input is not of the type a function accepts (e.g. ``None`` where text is expected)."""


class InputValueError(EscalationError, ValueError):
    """An input has the right type but a value the function cannot use."""


class DataValidationError(EscalationError, ValueError):
    """Labelled data failed validation.

    Parameters
    ----------
    message : str
        A one-line summary.
    problems : list of str, optional
        One entry per offending item, each naming its file and line where known.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        detail = "".join(f"\n  {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(message + detail + more)


class ModelFileError(EscalationError, ValueError):
    """A model file cannot be used: missing, unreadable, or not an escalation model."""


class ModelIntegrityError(ModelFileError):
    """A model file does not match the sha256 recorded in its card, or its card is missing."""


class UntrustedModelError(ModelFileError):
    """Refused to unpickle a model file that the package does not pin as its own.

    Unpickling runs code. Pass ``trusted=True`` only for files whose origin you trust,
    or share models in the skops format, which loads without running code.
    """


class ModelVersionError(ModelFileError):
    """The model was saved with a scikit-learn version this environment does not have."""


class OutputExistsError(EscalationError, FileExistsError):
    """Refused to overwrite an existing file (pass ``overwrite=True`` or ``--force``)."""


class ReferenceHydrationError(EscalationError, ValueError):
    """Real-text references could not be hydrated from the corpora directory.

    Parameters
    ----------
    message : str
        A one-line summary.
    ids : list of str
        The reference ids that failed (missing document, sentence or hash mismatch).
    """

    def __init__(self, message: str, ids: list[str] | None = None) -> None:
        self.ids = list(ids or [])
        shown = ", ".join(self.ids[:20]) + (f", ... ({len(self.ids)} in all)" if len(self.ids) > 20 else "")
        super().__init__(f"{message}: {shown}" if self.ids else message)

