"""Bad input, through the Python API (``Pipeline.analyze_many``/``analyze``) and the CLI.

Every bad document becomes a ``Failure`` with a ``VeilleError.code`` and a reason
that names it; in a batch the good documents still come out, in order, and
nothing else is lost. Files are real, in tmp_path; the pipeline is the session's.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from veille.document import Failure
from veille.errors import (
    BinaryInput,
    EmptyInput,
    InputTooLarge,
    MalformedRecord,
    SourceNotFound,
    UndecodableInput,
    VeilleError,
)

LATIN1_ARTICLE = (
    "Le ministre français des Affaires étrangères Jean-Noël Barrot a reçu jeudi à Paris son homologue "
    "allemande Annalena Baerbock. « Nous sommes déterminés à défendre l'Europe », a déclaré Jean-Noël Barrot "
    "après la réunion, selon le Quai d'Orsay.\n\n"
    "Les deux ministres ont évoqué la guerre en Ukraine et la sécurité énergétique du continent européen, "
    "un dossier où Paris et Berlin ont souvent été en désaccord ces dernières années.\n"
)
MALFORMED_HTML = (
    "<html><head><title>Sommet à Berlin</title></head><body><div class='menu'><p>Menu <div><span>x</div>"
    "</div></div></span><article><h1>Sommet à Berlin</h1>"
    "<p>Le chancelier allemand Olaf Scholz a reçu mardi à Berlin le président ukrainien Volodymyr Zelensky "
    "pour discuter de l'aide militaire et de la reconstruction du pays.<p>« Nous continuerons à soutenir "
    "l'Ukraine aussi longtemps qu'il le faudra », a déclaré Olaf Scholz devant la presse.</article></div>"
    "<p>unclosed <b>bold <i>and italic"
)
JSONL_FIRST = ("Le président Emmanuel Macron a rencontré Olaf Scholz à Berlin mardi pour parler de "
               "l'Ukraine et de la défense européenne.")
JSONL_LAST = "Joe Biden met Rishi Sunak in London on Tuesday to discuss military support for Ukraine."
GOOD_EN = ("Japanese Prime Minister Fumio Kishida met South Korean President Yoon Suk Yeol in Seoul on Sunday. "
           "\"We must work together,\" Kishida told reporters.\n")
BOILERPLATE = "Accept all cookies\nShare on Facebook\nLeave a comment\n"

# name -> (file name, content writer, code, exception class, words the reason must hold besides the file)
BAD: dict[str, tuple[str, Callable[[Path], None], str, type[VeilleError], tuple[str, ...]]] = {}


def _bad(name: str, filename: str, code: str, exc: type[VeilleError], *words: str):
    def register(write: Callable[[Path], None]) -> Callable[[Path], None]:
        BAD[name] = (filename, write, code, exc, words)
        return write
    return register


@_bad("empty", "empty.txt", "empty", EmptyInput, "empty")
def _empty(path: Path) -> None:
    path.write_bytes(b"")


@_bad("whitespace", "blank.txt", "empty", EmptyInput, "whitespace")
def _whitespace(path: Path) -> None:
    path.write_bytes(b"  \n\t\n \r\n\xc2\xa0\n")


@_bad("binary", "image.txt", "binary", BinaryInput, "PNG")
def _binary(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4096))


@_bad("undecodable", "utf16.txt", "encoding", UndecodableInput, "UTF-16", "UTF-8")
def _undecodable(path: Path) -> None:
    path.write_bytes(b"\xff\xfe" + "Bonjour".encode("utf-16-le") + b"!")  # odd length: truncated UTF-16


@_bad("too_large", "huge.txt", "too_large", InputTooLarge, "50.0 MB", "--max-bytes")
def _too_large(path: Path) -> None:
    with path.open("wb") as f:  # sparse: 50 MB on paper, nothing written
        f.seek(50_000_000)
        f.write(b"x")


@_bad("broken_jsonl_line", "one-bad-line.jsonl", "malformed", MalformedRecord, "line 1", "JSON")
def _broken_jsonl(path: Path) -> None:
    path.write_text('{"text": "Un article sans fin\n', encoding="utf-8")


@_bad("boilerplate", "boilerplate.txt", "empty", EmptyInput, "cleaning")
def _boilerplate(path: Path) -> None:
    path.write_text(BOILERPLATE, encoding="utf-8")


@_bad("not_found", "missing.txt", "not_found", SourceNotFound, "no such file")
def _missing(path: Path) -> None:
    pass


def _make(tmp_path: Path, name: str) -> Path:
    filename, write, *_ = BAD[name]
    path = tmp_path / filename
    write(path)
    return path


def _write_good(folder: Path) -> dict[str, Path]:
    paths = {
        "latin1": folder / "latin1.txt",
        "html": folder / "malformed.html",
        "jsonl": folder / "three-lines.jsonl",
        "en": folder / "seoul.txt",
    }
    paths["latin1"].write_bytes(LATIN1_ARTICLE.encode("latin-1"))
    paths["html"].write_text(MALFORMED_HTML, encoding="utf-8")
    paths["jsonl"].write_text(
        json.dumps({"text": JSONL_FIRST}, ensure_ascii=False) + "\n"
        + '{"text": "a broken line, "title": }\n'
        + json.dumps({"text": JSONL_LAST, "title": "London talks"}) + "\n",
        encoding="utf-8")
    paths["en"].write_text(GOOD_EN, encoding="utf-8")
    return paths


# --- one bad input at a time --------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_becomes_a_failure_with_its_code_and_a_reason_naming_the_file(pipeline, tmp_path, name):
    path = _make(tmp_path, name)
    _, _, code, _, words = BAD[name]

    start = time.perf_counter()
    (result,) = list(pipeline.analyze_many([path]))
    elapsed = time.perf_counter() - start

    assert isinstance(result, Failure), result
    assert result.code == code
    assert str(path) in result.reason
    assert result.source.uri.startswith(str(path))
    for word in words:
        assert word in result.reason, (word, result.reason)
    assert "\n" not in result.reason
    assert "Traceback" not in result.reason and "internal error" not in result.reason
    assert elapsed < 2.0, f"{name} took {elapsed:.1f}s to be refused"


def test_analyze_raises_the_specific_error_class_naming_the_file(pipeline, tmp_path):
    """``Pipeline.analyze`` raises the subclass of VeilleError whose ``code`` the Failure would carry."""
    wrong = []
    for name, (_, _, code, exc_class, _) in BAD.items():
        path = _make(tmp_path, name)
        with pytest.raises(VeilleError) as info:
            pipeline.analyze(path)
        if type(info.value) is not exc_class or info.value.code != code:
            wrong.append(f"{name}: expected {exc_class.__name__} ({code}), got "
                         f"{type(info.value).__name__} ({info.value.code})")
        assert str(path) in str(info.value)
    assert not wrong, "\n".join(wrong)


def test_analyze_of_a_bad_string_raises_empty_input(pipeline):
    with pytest.raises(EmptyInput):
        pipeline.analyze("   \n\t ")
    with pytest.raises(EmptyInput):
        pipeline.analyze(BOILERPLATE)


def test_too_large_file_is_refused_without_being_read(pipeline, tmp_path):
    path = _make(tmp_path, "too_large")
    start = time.perf_counter()
    (failure,) = list(pipeline.analyze_many([path]))
    assert time.perf_counter() - start < 0.5
    assert failure.code == "too_large"
    assert "20.0 MB" in failure.reason  # the limit, next to the size
    assert "--max-bytes 51000000" in failure.reason  # a limit that would do


def test_latin1_article_keeps_its_accents(pipeline, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(LATIN1_ARTICLE.encode("latin-1"))

    record = pipeline.analyze(path)

    text = record["text"]
    assert record["language"] == "fr"
    for paragraph in LATIN1_ARTICLE.strip().split("\n\n"):
        assert paragraph in text
    assert "\ufffd" not in text and "Ã" not in text
    mentions = [m["text"] for e in record["entities"] for m in e["mentions"]]
    assert "Jean-Noël Barrot" in mentions
    for e in record["entities"]:
        for m in e["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
    assert any(q["text"] == "Nous sommes déterminés à défendre l'Europe" for q in record["quotes"])


def test_malformed_html_yields_its_article(pipeline, tmp_path):
    path = tmp_path / "malformed.html"
    path.write_text(MALFORMED_HTML, encoding="utf-8")

    record = pipeline.analyze(path)

    assert record["source"] == {"uri": str(path), "format": "html"}
    assert record["title"] == "Sommet à Berlin"
    assert "Volodymyr Zelensky pour discuter de l'aide militaire" in record["text"]
    assert "aussi longtemps qu'il le faudra" in record["text"]
    assert "<" not in record["text"] and "Menu" not in record["text"]
    assert {"Olaf Scholz", "Volodymyr Zelensky"} <= {m["text"] for e in record["entities"] for m in e["mentions"]}


def test_jsonl_with_a_broken_middle_line_analyses_the_other_two(pipeline, tmp_path):
    path = _write_good(tmp_path)["jsonl"]

    first, broken, last = pipeline.analyze_many([path])

    assert first["text"] == JSONL_FIRST and first["source"] == {"uri": f"{path}#L1", "format": "jsonl"}
    assert first["language"] == "fr"
    assert isinstance(broken, Failure)
    assert broken.code == "malformed"
    assert broken.source.uri == f"{path}#L2"
    assert broken.reason.startswith(f"{path}#L2") and "line 2" in broken.reason
    assert last["text"] == JSONL_LAST and last["title"] == "London talks" and last["language"] == "en"


def test_boilerplate_only_page_is_an_empty_input_failure(pipeline, tmp_path):
    html = tmp_path / "cookies.html"
    html.write_text("<html><body><p>Accept all cookies</p><p>Share on Facebook</p>"
                    "<p>Leave a comment</p></body></html>", encoding="utf-8")
    text = _make(tmp_path, "boilerplate")

    for path in (text, html):
        (failure,) = list(pipeline.analyze_many([path]))
        assert isinstance(failure, Failure)
        assert failure.code == "empty"
        assert failure.reason.startswith(str(path))
        assert "cookie" in failure.reason and "share" in failure.reason


# --- a batch of good and bad --------------------------------------------------------------------


def test_batch_keeps_every_good_document_in_order(pipeline, tmp_path):
    good = _write_good(tmp_path)
    bad = {name: _make(tmp_path, name) for name in BAD}
    sources = [good["latin1"], bad["empty"], bad["binary"], good["html"], bad["whitespace"], bad["too_large"],
               good["jsonl"], bad["boilerplate"], bad["not_found"], bad["undecodable"], bad["broken_jsonl_line"],
               good["en"]]

    results = list(pipeline.analyze_many(sources, batch_size=3))

    uris = [r.source.uri if isinstance(r, Failure) else r["source"]["uri"] for r in results]
    assert uris == [
        str(good["latin1"]), str(bad["empty"]), str(bad["binary"]), str(good["html"]), str(bad["whitespace"]),
        str(bad["too_large"]), f"{good['jsonl']}#L1", f"{good['jsonl']}#L2", f"{good['jsonl']}#L3",
        str(bad["boilerplate"]), str(bad["not_found"]), str(bad["undecodable"]),
        f"{bad['broken_jsonl_line']}#L1", str(good["en"]),
    ]
    records = [r for r in results if not isinstance(r, Failure)]
    assert [r["language"] for r in records] == ["fr", "fr", "fr", "en", "en"]
    assert all(r["entities"] for r in records)
    codes = [r.code for r in results if isinstance(r, Failure)]
    assert codes == ["empty", "binary", "empty", "too_large", "malformed", "empty", "not_found", "encoding",
                     "malformed"]
    # each good record is the one it would be alone
    assert records[-1]["id"] == pipeline.analyze(good["en"])["id"]


# --- the same through the CLI -------------------------------------------------------------------


@pytest.fixture
def mixed_folder(tmp_path: Path) -> tuple[Path, dict[str, Path], dict[str, Path]]:
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = _write_good(folder)
    bad = {name: _make(folder, name) for name in BAD if name != "not_found"}
    return folder, good, bad


def test_cli_analyze_mixed_folder_prints_good_records_and_one_stderr_line_per_failure(veille, mixed_folder):
    folder, good, bad = mixed_folder

    result = veille("analyze", folder, "--json")

    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["source"]["uri"] for r in records) == sorted(
        [str(good["latin1"]), str(good["html"]), f"{good['jsonl']}#L1", f"{good['jsonl']}#L3", str(good["en"])])
    errors = result.stderr.splitlines()
    failed = [str(bad[n]) for n in bad] + [f"{good['jsonl']}#L2"]
    assert len(errors) == len(failed), result.stderr
    for uri in failed:
        assert sum(uri in line for line in errors) == 1, (uri, errors)
    assert "Traceback" not in result.output
    latin1 = next(r for r in records if r["source"]["uri"] == str(good["latin1"]))
    assert "Jean-Noël Barrot" in latin1["text"]


def test_cli_ingest_mixed_folder_stores_good_and_failures_with_codes(veille, mixed_folder):
    folder, good, bad = mixed_folder

    result = veille("ingest", folder)

    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1] == "5 new, 0 already stored, 8 failed"
    assert len(veille("list", "--json").stdout.splitlines()) == 5
    failures = [json.loads(line) for line in veille("list", "--failures", "--json").stdout.splitlines()]
    by_uri = {f["uri"]: f for f in failures}
    expected = {str(bad[name]) if name != "broken_jsonl_line" else f"{bad[name]}#L1": BAD[name][2] for name in bad}
    expected[f"{good['jsonl']}#L2"] = "malformed"
    assert {uri: f["code"] for uri, f in by_uri.items()} == expected
    for uri, failure in by_uri.items():
        assert failure["reason"].startswith(uri)


def test_cli_refuses_a_50_mb_file_fast_naming_size_and_option(veille, tmp_path):
    path = _make(tmp_path, "too_large")
    start = time.perf_counter()
    result = veille("analyze", path)
    assert time.perf_counter() - start < 5
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert str(path) in line and "50.0 MB" in line and "--max-bytes" in line


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b" \n\n\t  \n", "whitespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "PNG"),
    (BOILERPLATE.encode(), "cleaning"),
])
def test_cli_bad_standard_input_is_a_clean_error(veille, data, words):
    result = veille("analyze", "-", "--json", input=data)
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "<stdin>" in line and words in line
    assert "Traceback" not in result.output
