"""``veille eval ner`` (veille.ner_eval): corpus readers and span scoring on tiny hand-made files."""

from __future__ import annotations

import json

import pytest

from veille.errors import InputError
from veille.ner_eval import Span, evaluate_ner, read_conll, read_hipe, score_spans

CONLL = """-DOCSTART-\tO

0\tVladimir\tB-PER
1\tPutin\tI-PER
2\tmet\tO
3\tKim\tB-PER
4\tJong\tI-PER
5\tUn\tI-PER
6\tin\tO
7\tPyongyang\tB-LOC
8\t.\tO

0\tThe\tO
1\tUnited\tB-ORG
2\tNations\tI-ORG
3\tcondemned\tO
4\tthe\tO
5\tRussian\tB-MISC
6\tveto\tO
7\t.\tO
"""

HIPE = """TOKEN\tNE-COARSE-LIT\tNE-COARSE-METO\tNE-FINE-LIT\tNE-FINE-METO\tNE-FINE-COMP\tNE-NESTED\tNEL-LIT\tNEL-METO\tMISC
# hipe2022:document_id = doc-1
# hipe2022:language = fr
M.\tB-pers\tO\t_\t_\t_\t_\tQ7747\t_\t_
Poutine\tI-pers\tO\t_\t_\t_\t_\tQ7747\t_\t_
arrive\tO\tO\t_\t_\t_\t_\t_\t_\t_
à\tO\tO\t_\t_\t_\t_\t_\t_\t_
Pyongyang\tB-loc\tO\t_\t_\t_\t_\tQ18808\t_\tNoSpaceAfter
.\tO\tO\t_\t_\t_\t_\t_\t_\tEndOfSentence
"""


def test_conll_documents_are_rebuilt_with_their_spans(tmp_path):
    path = tmp_path / "tiny-en-dev.conllu"
    path.write_text(CONLL, encoding="utf-8")
    (doc,) = read_conll(path, "en")
    assert doc.text.startswith("Vladimir Putin met Kim Jong Un in Pyongyang .\n\nThe United Nations")
    assert [(doc.text[s.start:s.end], s.type) for s in doc.spans] == [
        ("Vladimir Putin", "PER"), ("Kim Jong Un", "PER"), ("Pyongyang", "LOC"), ("United Nations", "ORG")]


def test_hipe_documents_keep_spacing_types_and_links(tmp_path):
    path = tmp_path / "tiny.tsv"
    path.write_text(HIPE, encoding="utf-8")
    (doc,) = read_hipe(path)
    assert doc.language == "fr" and doc.id == "doc-1"
    assert doc.text == "M. Poutine arrive à Pyongyang."
    assert [(doc.text[s.start:s.end], s.type, s.qid) for s in doc.spans] == [
        ("M. Poutine", "PER", "Q7747"), ("Pyongyang", "LOC", "Q18808")]
    with pytest.raises(InputError, match="TOKEN"):
        (tmp_path / "bad.tsv").write_text("a\tb\n", encoding="utf-8")
        read_hipe(tmp_path / "bad.tsv")


def test_span_scores_perfect_empty_and_half_right():
    gold = [Span(0, 14, "PER"), Span(19, 30, "PER"), Span(34, 43, "LOC"), Span(50, 64, "ORG")]
    strict, partial = score_spans(gold, gold)
    assert (strict.tp, strict.fp, strict.fn) == (4, 0, 0) and strict.f1 == 1.0 and partial.f1 == 1.0
    strict, partial = score_spans([], gold)
    assert (strict.tp, strict.fn) == (0, 4) and strict.recall == 0.0 and partial.recall == 0.0
    # two right; one span too short (partial only); one of the wrong type (neither); one invented
    half = [Span(0, 14, "PER"), Span(34, 43, "LOC"), Span(19, 23, "PER"), Span(50, 64, "LOC"), Span(70, 75, "ORG")]
    strict, partial = score_spans(half, gold)
    assert (strict.tp, strict.fp, strict.fn) == (2, 3, 2)
    assert (partial.tp, partial.fp, partial.fn) == (3, 2, 1)


def test_evaluate_ner_runs_veille_and_bare_spacy(tmp_path):
    (tmp_path / "tiny-en-dev.conllu").write_text(CONLL, encoding="utf-8")
    (tmp_path / "tiny.tsv").write_text(HIPE, encoding="utf-8")
    result = evaluate_ner(tmp_path, known_qids={"Q7747", "Q18808"})
    data = json.loads(result.to_json())
    assert data["task"] == "ner" and data["n"] == 2 and "fpr" not in data["veille"]
    assert data["veille"]["recall"] >= 0.5  # Putin, Kim Jong Un, Pyongyang, the UN: the actor table knows them
    assert data["veille"]["linking_accuracy"] is not None and data["veille"]["links_scored"] == 2
    assert data["baseline"]["linking_accuracy"] == 0.0  # bare spaCy links nothing
    assert {"tiny-en-dev", "tiny-en-dev PER", "tiny-en-dev partial", "tiny"} <= set(data["groups"])
    with pytest.raises(InputError):
        evaluate_ner(tmp_path / "missing")
