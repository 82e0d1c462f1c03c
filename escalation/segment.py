"""Sentence splitting with character spans.

:func:`split_sentences` cuts news text and official statements into sentences and
keeps, for each one, where it stands in the source: ``source[s.start:s.end] == s.text``.

The rules, in the order they are applied:

- A line break always ends a sentence.
- Inside a line, a run of ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or
  brackets right after it) ends a sentence when whitespace follows and the next
  word starts with an upper-case letter, a digit or an opening quote.
- A closing quote stays with its sentence, and a lower-case continuation never
  starts a new one, so ``“We will respond,” he said.`` and ``“Why?” she asked.``
  stay whole.
- No split after titles (``Gen.``, ``Dr.``, ``Mr.``), after ``No.``/``Art.`` or a
  month abbreviation followed by a number, or after ``e.g.``/``i.e.``. After other
  abbreviations and initials (``U.S.``, ``U.N.``, ``p.m.``, ``W.``) a sentence ends
  only when the next word is a common sentence opener (``The``, ``We``, ...).
- Segments without a letter or digit are dropped.

The splitter scans each line once with regular expressions that cannot backtrack
(every pattern is a single character class run), so its cost is linear in the
length of the text.

>>> [s.text for s in split_sentences("Gen. Smith arrived at 9 a.m. on Jan. 5. He spoke.")]
['Gen. Smith arrived at 9 a.m. on Jan. 5.', 'He spoke.']
>>> split_sentences("")
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from escalation._validation import check_text

__all__ = ["Sentence", "split_sentences"]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence and its place in the source text.

    Attributes
    ----------
    text : str
        The sentence, equal to ``source[start:end]``, without surrounding whitespace.
    start : int
        Offset of the first character in the source.
    end : int
        Offset one past the last character in the source.
    """

    text: str
    start: int
    end: int


# Line separators: the characters str.splitlines() breaks on.
_LINE = re.compile("[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
# A run of terminators followed by any closing quotes or brackets. Both parts are
# plain character-class runs, so a match is found in one pass with no backtracking.
_CANDIDATE = re.compile("[.!?\u2026]+[\"'\u201d\u2019\u00bb)\\]}]*")
_NONSPACE = re.compile(r"\S")
_WORD = re.compile(r"[^\W\d_]+")

_OPENING_PUNCT = "\"'\u201c\u2018\u00ab([{"
_SENTENCE_START_PUNCT = _OPENING_PUNCT + "\u2014\u2013-*\u2022#"

# Titles are followed by a name: never a sentence end.
_TITLES = frozenset(
    """mr mrs ms messrs mme dr prof gen gens lt col maj capt cpt sgt cpl pvt adm cmdr
    brig gov sen sens rep reps amb pres rev hon fr st mt ft supt insp det""".split()
)
# Never sentence-final in practice.
_NEVER_FINAL = frozenset("e.g i.e cf vs viz approx ca".split())
# Followed by a number they are part of the sentence ("No. 5", "Jan. 5").
_BEFORE_NUMBERS = frozenset(
    """no nos art arts para paras vol vols p pp fig figs sec ch op
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# Other abbreviations: a sentence may end on them, but only if a typical opener follows.
_ABBREVIATIONS = frozenset(
    """inc ltd co corp plc jr sr etc dept govt intl univ est bros mfg assn
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun""".split()
)
_OPENERS = frozenset(
    """the a an this that these those there then he she it we they i you his her its our their my
    but and so yet or however meanwhile still also in on at for from with as after before during
    if when while although though because since once what why how who where which no not
    mr mrs ms dr president minister officials some many most all several both each""".split()
)


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences with character spans.

    Parameters
    ----------
    text : str
        Any text: an article, a statement, a transcript.

    Returns
    -------
    list of Sentence
        The sentences in order; their spans do not overlap. Empty when the text has
        no letter or digit.

    Raises
    ------
    InputTypeError
        If ``text`` is not a ``str`` (bytes must be decoded first).

    Examples
    --------
    >>> s = split_sentences("“If they attack, we will answer,” he said. Talks resume Monday.")
    >>> [(x.start, x.end) for x in s]
    [(0, 42), (43, 63)]
    """
    check_text(text, name="text")
    sentences: list[Sentence] = []
    for line in _LINE.finditer(text):
        _split_line(text, line.start(), line.end(), sentences)
    return sentences


def _split_line(text: str, start: int, end: int, out: list[Sentence]) -> None:
    """Append the sentences of ``text[start:end]`` (one line) to ``out``."""
    segment_start = start
    for match in _CANDIDATE.finditer(text, start, end):
        stop = match.end()
        if stop >= end or not text[stop].isspace():
            continue
        following = _NONSPACE.search(text, stop, end)
        if following is None:
            continue
        if _is_boundary(text, start, match, following.start(), end):
            _emit(text, segment_start, stop, out)
            segment_start = following.start()
    _emit(text, segment_start, end, out)


def _is_boundary(text: str, line_start: int, match: re.Match[str], nxt: int, line_end: int) -> bool:
    """Decide whether the terminator run ``match`` ends a sentence before ``text[nxt]``."""
    first = text[nxt]
    if not (first.isupper() or first.isdigit() or first in _SENTENCE_START_PUNCT):
        return False  # lower case or a comma-like mark: the sentence goes on
    punct = match.group()
    if punct != ".":
        return True  # "!", "?", an ellipsis, or a period inside closing quotes

    token = _token_before(text, line_start, match.start()).lstrip(_OPENING_PUNCT)
    word = token.lower()
    if word in _TITLES or word in _NEVER_FINAL:
        return False
    if word in _BEFORE_NUMBERS and first.isdigit():
        return False
    is_initial = len(token) == 1 and token.isalpha()
    is_dotted = "." in token and all(0 < len(part) <= 3 and part.isalpha() for part in token.split("."))
    if is_initial or is_dotted or word in _ABBREVIATIONS:
        opener = _WORD.match(text, nxt, min(line_end, nxt + 24))
        return opener is not None and opener.group().lower() in _OPENERS
    return True


def _token_before(text: str, line_start: int, position: int) -> str:
    """Return the run of non-space characters that ends at ``position``."""
    i = position
    while i > line_start and not text[i - 1].isspace():
        i -= 1
    return text[i:position]


def _emit(text: str, start: int, end: int, out: list[Sentence]) -> None:
    """Append ``text[start:end]`` trimmed, if it holds a letter or a digit."""
    raw = text[start:end]
    stripped = raw.strip()
    if not any(ch.isalnum() for ch in stripped):
        return
    first = start + (len(raw) - len(raw.lstrip()))
    out.append(Sentence(stripped, first, first + len(stripped)))
