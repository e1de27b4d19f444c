"""The scoring helpers of ``veille eval`` (veille.evaluate) on tiny hand-made cases."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from veille.errors import ConfigError, InputError
from veille.evaluate import (
    Counts,
    Evaluation,
    NamePair,
    accuracy_report,
    add_tokens,
    eval_data_dir,
    evaluate_extraction,
    evaluate_names,
    evaluate_screening,
    prf,
    read_name_pairs,
    read_screening_names,
    text_tokens,
)

DATA = Path(__file__).parent / "data"

GOLD = [True, True, False, False]  # two items to find, two to leave


def _counts(predicted: list[bool], gold: list[bool]) -> Counts:
    counts = Counts()
    for p, g in zip(predicted, gold, strict=True):
        counts.add(p, g)
    return counts


def test_perfect_output():
    c = _counts([True, True, False, False], GOLD)
    assert (c.tp, c.fp, c.fn, c.tn) == (2, 0, 0, 2)
    assert (c.precision, c.recall, c.f1) == (1.0, 1.0, 1.0)
    assert c.fpr == 0.0


def test_empty_output_finds_nothing():
    c = _counts([False, False, False, False], GOLD)
    assert (c.tp, c.fp, c.fn, c.tn) == (0, 0, 2, 2)
    assert (c.precision, c.recall, c.f1) == (0.0, 0.0, 0.0)


def test_half_right_output():
    # one of the two found, one false alarm
    c = _counts([True, False, True, False], GOLD)
    assert (c.tp, c.fp, c.fn, c.tn) == (1, 1, 1, 1)
    assert c.precision == pytest.approx(0.5)
    assert c.recall == pytest.approx(0.5)
    assert c.f1 == pytest.approx(0.5)
    assert c.fpr == pytest.approx(0.5)  # one of the two negatives claimed


def test_prf_edge_cases():
    assert prf(0, 0, 0) == (1.0, 1.0, 1.0)  # nothing to find, nothing claimed
    assert prf(0, 3, 0) == (0.0, 0.0, 0.0)  # only false alarms
    p, r, f = prf(3, 1, 0)
    assert (p, r) == (0.75, 1.0) and f == pytest.approx(2 * 0.75 / 1.75)


def test_evaluation_json_shape():
    result = Evaluation("demo")
    for predicted, gold, group in [(True, True, "a"), (False, True, "a"), (True, False, "b"), (False, False, "b")]:
        result.add("veille", predicted, gold, group)
        result.add("baseline", gold, gold, group)
    result.details["veille"]["names_per_s"] = 10.0
    line = result.to_json()
    assert "\n" not in line
    data = json.loads(line)
    assert data["task"] == "demo" and data["n"] == 4
    assert data["veille"]["precision"] == 0.5 and data["veille"]["recall"] == 0.5
    assert data["veille"]["names_per_s"] == 10.0
    assert data["baseline"]["f1"] == 1.0 and data["baseline"]["fpr"] == 0.0
    assert set(data["groups"]) == {"a", "b"}
    assert data["groups"]["a"]["n"] == 2 and data["groups"]["a"]["veille"]["tp"] == 1


def test_evaluate_names_with_a_given_matcher():
    pairs = [NamePair("g", "Person", "A B", "A B", True), NamePair("g", "Person", "A B", "C D", False)]
    result = evaluate_names(pairs, threshold=0.5, matcher=lambda q, names, schema: 1.0 if q == names[0] else 0.0)
    assert result.overall["veille"].f1 == 1.0
    assert result.overall["baseline"].tp == 1  # identical strings: Levenshtein ratio 1.0
    assert result.details["baseline"]["threshold"] == 0.85


def test_read_name_pairs(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text("case_group,schema,name1,name2,is_match,notes\n"
                    "typo,Person,Vladimir Puttin,Vladimir Putin,true,x\n"
                    "org,,ACME Ltd,ACME Limited,FALSE,\n", encoding="utf-8")
    pairs = read_name_pairs(path)
    assert pairs == [NamePair("typo", "Person", "Vladimir Puttin", "Vladimir Putin", True),
                     NamePair("org", None, "ACME Ltd", "ACME Limited", False)]


@pytest.mark.parametrize("text, message", [
    ("group,name1,name2,is_match\nx,a,b,true\n", "missing column"),
    ("case_group,schema,name1,name2,is_match\nx,Person,a,b,maybe\n", "is_match"),
])
def test_read_name_pairs_refuses_bad_files(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_name_pairs(path)
    with pytest.raises(InputError, match="cannot read"):
        read_name_pairs(tmp_path / "missing.csv")


def test_eval_data_dir_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VEILLE_EVAL_DATA", str(tmp_path))
    assert eval_data_dir() == tmp_path
    monkeypatch.setenv("VEILLE_EVAL_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="VEILLE_EVAL_DATA"):
        eval_data_dir()


def _screening_set(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(DATA / "un-consolidated-sample.xml", folder / "list.xml")
    header = "full_name,first_name,middle_name,last_name,gender,date_of_birth,place_of_birth,nationality\n"
    (folder / "positives_untreated.csv").write_text(
        header + "TESTPERSON ALPHA EXAMPLEOV,,,,,,,kp\nNEWLY LISTED PERSON,,,,,,,kp\n", encoding="utf-8")
    (folder / "positives_treated.csv").write_text(
        header + '"EXAMPLEOV, Testperson Alfa",,,,,,,kp\nNEWLY LISTED PERSSON,,,,,,,kp\n', encoding="utf-8")
    (folder / "negatives_global.csv").write_text(
        header + ",Patricia,Lucas,Wheeler,female,2002-07-14,,et\nSample Bravo Fictitious,,,,,,,\n"
                 ",Jean,,Dupont,male,,,fr\n,Maria,,Gonzalez,female,,,es\n", encoding="utf-8")
    return folder


def test_evaluate_screening_counts_hits_per_set(tmp_path):
    # the second negative is a listed person: a false positive by the file's (wrong) label,
    # which is what a scorer must count
    result = evaluate_screening(_screening_set(tmp_path / "set"))
    data = json.loads(result.to_json())
    assert data["task"] == "screening" and data["n"] == 8 and data["entities"] == 3
    veille = data["veille"]
    assert veille["recall_untreated"] == 0.5 and veille["recall_treated"] == 0.5
    assert veille["recall_untreated_in_list"] == 1.0  # the newly listed person is not on the list
    assert veille["hits_per_1000_negatives"] == 250.0
    assert (veille["tp"], veille["fp"], veille["fn"], veille["tn"]) == (2, 1, 2, 3)
    assert data["baseline"]["recall_treated"] == 0.0  # reordered names defeat a plain edit ratio
    assert {"f1", "precision", "recall", "names_per_s"} <= set(data["baseline"])
    limited = evaluate_screening(tmp_path / "set", limit=1)
    assert limited.n == 3


def test_evaluate_screening_refuses_folders_without_a_list(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        evaluate_screening(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no sanctions list"):
        evaluate_screening(tmp_path / "empty")
    assert read_screening_names(_screening_set(tmp_path / "names") / "negatives_global.csv")[:2] == [
        "Patricia Lucas Wheeler", "Sample Bravo Fictitious"]


def test_word_overlap_scores_perfect_empty_and_half_right_bodies():
    result = Evaluation("extraction", negatives=False)
    gold = "The minister met the envoy in Pyongyang today."
    assert add_tokens(result, "veille", gold, gold, "perfect") == 1.0
    assert add_tokens(result, "veille", "", gold, "empty") == 0.0
    # half the words, and as many words that are not in the gold body: P = R = F1 = 0.5
    half = add_tokens(result, "veille", "The minister met the share of this article", gold, "half")
    assert half == pytest.approx(0.5, abs=1e-9)
    counts = result.groups["half"]["veille"]
    assert (counts.tp, counts.fp, counts.fn) == (4, 4, 4)
    # words count as often as both have them: "the" three times here, twice in the gold
    assert add_tokens(result, "veille", "the the the", gold, "repeats") == pytest.approx(2 * (2 / 3 * 2 / 8) / (2 / 3 + 2 / 8))
    assert text_tokens("Kim's KIM kim") == {"kim": 3, "s": 1}


def test_evaluate_extraction_on_a_tiny_set(tmp_path):
    body = ("The foreign minister arrived in Pyongyang on Tuesday for talks with his counterpart.\n\n"
            "Both sides said the talks would cover trade, security and the return of workers.")
    page = f"Home | World | Politics\n{body}\nShare this article\nLeave a comment\nCookie settings"
    (tmp_path / "html").mkdir()
    html = ("<html><head><title>Talks</title></head><body><nav>Home World Politics</nav><article><h1>Talks</h1>"
            + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</article><footer>Share this</footer></body></html>")
    (tmp_path / "html" / "a.html.gz").write_bytes(gzip.compress(html.encode()))
    (tmp_path / "ground-truth.json").write_text(json.dumps({"a": {"articleBody": body, "url": "x"},
                                                           "b": {"articleBody": body, "url": "y"}}))
    (tmp_path / "page-text.json").write_text(json.dumps({"a": {"text": page}, "b": {"text": page}}))
    result = evaluate_extraction(tmp_path)
    data = json.loads(result.to_json())
    assert data["task"] == "extraction" and data["n"] == 1  # one HTML page; "b" has page text only
    assert data["veille"]["recall"] == 1.0 and data["veille"]["f1"] > 0.9 and "fpr" not in data["veille"]
    assert data["baseline"]["f1_text"] < data["veille"]["f1_text"]  # the menu and the footer count against it
    assert data["baseline"]["recall"] > 0.9
    with pytest.raises(InputError, match="ground-truth.json"):
        evaluate_extraction(tmp_path / "html")


def test_the_accuracy_report_has_a_table_per_task_with_date_and_commit():
    names = Evaluation("names")
    names.add("veille", True, True)
    names.add("baseline", False, True)
    names.details["veille"]["names_per_s"] = 1234.5
    report = accuracy_report([names.to_dict()], "2026-11-25", "abc1234")
    assert "2026-11-25" in report and "`abc1234`" in report
    assert "## names" in report and "| veille | 1.000 | 1.000 | 1.000 | 1,234.5 |" in report
    assert "| baseline | 0.000 | 0.000 | 0.000 | - |" in report
    assert "## Not measured yet" not in report  # every task is measured


def test_the_accuracy_report_names_tasks_not_measured(monkeypatch):
    import veille.evaluate as evaluate_module

    monkeypatch.setattr(evaluate_module, "NOT_YET", ("sentiment",))
    report = accuracy_report([], "2026-11-25", None)
    assert "## Not measured yet" in report and "sentiment" in report and "commit" not in report
