"""``veille eval quotes`` (veille.quotes_eval): the PolNeAR reader and the quote matching on tiny hand-made files."""

from __future__ import annotations

import json

import pytest

from veille.errors import InputError
from veille.quotes_eval import Attribution, Found, evaluate_quotes, match_quotes, read_polnear

TEXT = ("Senator Jane Miller said the bill would cut taxes for working families.\n\n"
        "“We will not back down on this,” Miller told reporters on Tuesday.\n\n"
        "The weather was mild.")


def _set(folder):
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    (folder / "text" / "paper_2016-01-01_bill.txt").write_text(TEXT, encoding="utf-8")
    content1 = TEXT.index("the bill"), TEXT.index(" families") + len(" families")
    source1 = TEXT.index("Senator"), TEXT.index(" said")
    q2 = TEXT.index("We will"), TEXT.index(",”")
    s2 = TEXT.index("Miller told"), TEXT.index(" told")
    ann = (f"T1\tSource {source1[0]} {source1[1]}\t{TEXT[source1[0]:source1[1]]}\n"
           f"T2\tCue {source1[1] + 1} {source1[1] + 5}\tsaid\n"
           f"T3\tContent {content1[0]} {content1[1]}\t{TEXT[content1[0]:content1[1]]}\n"
           "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n"
           f"T4\tSource {s2[0]} {s2[1]}\tMiller\n"
           f"T5\tContent {q2[0]} {q2[0] + 7};{q2[0] + 8} {q2[1]}\t{TEXT[q2[0]:q2[1]]}\n"
           "E2\tContent:T5 Source:T4\n")
    (folder / "attributions" / "paper_2016-01-01_bill_ab12.ann").write_text(ann, encoding="utf-8")
    (folder / "attributions" / "paper_2016-01-01_bill_zz99.ann").write_text("", encoding="utf-8")  # a 2nd annotator
    return folder


def test_polnear_attributions_are_read_with_their_sources(tmp_path):
    (doc,) = read_polnear(_set(tmp_path / "set"))
    first, second = doc.attributions
    assert doc.text[first.start:first.end] == "the bill would cut taxes for working families"
    assert doc.text[first.source[0]:first.source[1]] == "Senator Jane Miller"
    assert doc.text[second.start:second.end] == "We will not back down on this"  # fragments joined
    with pytest.raises(InputError, match="text/ and attributions/"):
        read_polnear(tmp_path)


def test_quote_matching_perfect_empty_and_half_right():
    gold = [Attribution(0, 100, (200, 210)), Attribution(300, 340, (350, 356))]
    text = " " * 400
    perfect = [Found(0, 100, ((200, 210),)), Found(300, 340, ((350, 356),))]
    counts, right, asked = match_quotes(perfect, gold, text)
    assert (counts.tp, counts.fp, counts.fn, right, asked) == (2, 0, 0, 2, 2)
    counts, right, asked = match_quotes([], gold, text)
    assert (counts.tp, counts.fn, asked) == (0, 2, 0)
    # one quote covering 60 of 100 gold characters with the wrong speaker; one too short to match
    half = [Found(40, 100, ((0, 5),), "nobody"), Found(300, 310, ((350, 356),))]
    counts, right, asked = match_quotes(half, gold, text)
    assert (counts.tp, counts.fp, counts.fn, right, asked) == (1, 1, 1, 0, 1)


def test_evaluate_quotes_runs_veille_and_the_baseline(tmp_path):
    result = evaluate_quotes(_set(tmp_path / "set"))
    data = json.loads(result.to_json())
    assert data["task"] == "quotes" and data["n"] == 1 and "fpr" not in data["veille"]
    assert data["veille"]["tp"] >= 1 and data["veille"]["speaker_accuracy"] == 1.0
    assert data["baseline"]["tp"] == 1  # the quoted sentence; the indirect speech has no marks
    assert set(data["groups"]) == {"paper"}
