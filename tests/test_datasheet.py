"""The datasheet (escalation/corpus/README.md) and the references' README hold up-to-date figures."""

from __future__ import annotations

from pathlib import Path

from escalation.corpus import load_corpus
from escalation.corpus.__main__ import count_tables, style_skeleton

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- stats:begin -->", "<!-- stats:end -->"


def test_datasheet_tables_match_the_corpus():
    text = (ROOT / "escalation" / "corpus" / "README.md").read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "the datasheet lost its generated section"
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert generated == count_tables(load_corpus()).strip(), "run: python -m escalation.corpus stats"


def test_style_skeleton_keeps_form_and_hides_content():
    skeleton = style_skeleton("If Moscow attacks, we will respond!")
    assert skeleton.split()[:5] == ["C", "C", "w", "we", "w"]
    assert "Moscow" not in skeleton and "P!" in skeleton and "P," in skeleton
