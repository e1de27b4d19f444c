"""The ``veille`` command line, run in-process with click's CliRunner on real files and databases."""

from __future__ import annotations

import json
import re
import shutil

import click
import pytest
from click.testing import CliRunner

from veille.cli import cli

COMMANDS = ("analyze", "ingest", "list", "show", "search")
SPEC_FIELDS = {"id", "source", "language", "title", "authors", "published", "text", "captions", "removed",
               "warnings", "entities", "quotes", "events"}
SHORT_FR = ("Le président français Emmanuel Macron a reçu mardi à Paris le chancelier allemand Olaf Scholz "
            "pour parler de la guerre en Ukraine. « Nous resterons aux côtés de Kiev », a déclaré Emmanuel Macron.\n")
SHORT_EN = ("Joe Biden met Rishi Sunak in London on Tuesday to discuss military support for Ukraine. "
            "\"We will stand with Kyiv for as long as it takes,\" Biden told reporters after the meeting.\n")


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- help -------------------------------------------------------------------------------------


def test_help_lists_every_command_with_a_one_line_description(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    commands = result.stdout.split("Commands:", 1)[1]
    for name in COMMANDS:
        line = next((ln for ln in commands.splitlines() if ln.split()[:1] == [name]), None)
        assert line is not None, f"{name} missing from:\n{result.stdout}"
        description = line.split(None, 1)[1] if len(line.split()) > 1 else ""
        assert len(description) > 10, line
        assert not description.endswith("..."), f"description cut short: {line!r}"


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_help_explains_its_arguments_and_options(runner, name):
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ") and f" {name} [OPTIONS]" in result.stdout.splitlines()[0]
    command = cli.commands[name]
    body = command.help or ""
    for param in command.params:
        if isinstance(param, click.Argument):
            metavar = param.metavar.rstrip(".")
            assert metavar in result.stdout.split("Options:")[0].split("\n", 1)[1], (
                f"{name}: argument {metavar} is not explained in its help")
        elif isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[0]} has no help text"
            assert param.opts[0] in result.stdout
    assert len(body.split()) >= 5


# --- analyze ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def summit_json(summit, invoke_cli, tmp_path_factory):
    """``veille analyze pyongyang-summit-fr.txt --json``, run once for the module."""
    result = invoke_cli(CliRunner(), tmp_path_factory.mktemp("a") / "v.db",
                        "analyze", summit, "--json")
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def summit_record(summit_json):
    return json.loads(summit_json.stdout)


def test_analyze_json_prints_exactly_one_line_with_the_spec_fields(summit_json, summit_record, summit):
    lines = summit_json.stdout.splitlines()
    assert len(lines) == 1
    rec = summit_record
    assert SPEC_FIELDS <= rec.keys()
    assert re.fullmatch(r"[0-9a-f]{16,64}", rec["id"])
    assert rec["source"] == {"uri": str(summit), "format": "text"}
    assert rec["language"] == "fr"
    assert rec["title"] == "Le Russe Poutine en Corée du Nord pour renforcer son partenariat avec son ancien allié"
    assert rec["authors"] == ["Milos Schmidt"]
    assert rec["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec["published"])
    assert isinstance(rec["events"], list) and isinstance(rec["warnings"], list)
    assert summit_json.stderr == ""


def test_analyze_json_removes_captions_byline_comment_form_and_captcha(summit_record):
    rec = summit_record
    kinds = {r["kind"] for r in rec["removed"]}
    assert {"caption", "comment_form", "captcha"} <= kinds
    assert any("Vladimir Poutine et le dirigeant nord-coréen" in c for c in rec["captions"])
    for gone in ("Laisser un commentaire", "dix + quinze", "Milos Schmidt", rec["title"]):
        assert gone not in rec["text"]
    assert rec["text"].startswith("Le dirigeant nord-coréen Kim Jong Un a promis")


def test_analyze_json_offsets_slice_the_text(summit_record):
    text = summit_record["text"]
    entities = summit_record["entities"]
    assert entities and summit_record["quotes"]
    for entity in entities:
        assert entity["mentions"] or entity["caption_mentions"], entity
        for m in entity["caption_mentions"]:
            assert summit_record["captions"][m["caption"]][m["start"]:m["end"]] == m["text"]
        for m in entity["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"], (entity["name"], m)
    for q in summit_record["quotes"]:
        assert text[q["start"]:q["end"]] == q["text"], q
    for w in summit_record["warnings"]:
        if w["end"] > w["start"]:
            assert text[w["start"]:w["end"]] == w["text"], w


def test_analyze_json_speakers_refer_to_entities(summit_record):
    ids = [e["id"] for e in summit_record["entities"]]
    assert len(ids) == len(set(ids))
    speakers = [q["speaker"] for q in summit_record["quotes"] if q["speaker"] is not None]
    assert speakers, "no quote of the summit article is attributed to an actor"
    assert set(speakers) <= set(ids)
    names = {e["id"]: e["name"] for e in summit_record["entities"]}
    # Kim's pledge: « plein soutien et la solidarité ... »
    pledge = next(q for q in summit_record["quotes"] if q["text"].startswith("plein soutien"))
    assert names[pledge["speaker"]] == "Kim Jong Un"


def test_analyze_report_shows_title_language_actors_and_quotes(runner, summit):
    result = runner.invoke(cli, ["analyze", str(summit)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = result.stdout
    assert "Le Russe Poutine en Corée du Nord pour renforcer son partenariat avec son ancien allié" in report
    assert re.search(r"(?<!\w)fr(?!\w)", report)
    assert "Milos Schmidt" in report
    assert "Actors" in report and "Quotes" in report
    # the caption "Russian President Vladimir Putin, ..." is in the report too: look in the actors' list
    actors = report.split("Actors", 1)[1].split("Quotes", 1)[0]
    actor_names = [line.split("PER")[0].strip() for line in actors.splitlines() if " PER " in line]
    assert "Kim Jong Un" in actor_names
    assert "Vladimir Putin" in actor_names, f"'Vladimir Poutine' should be shown by its canonical name: {actor_names}"
    assert not report.lstrip().startswith("{")


def test_analyze_directory_gives_one_record_per_article_in_order(veille, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SHORT_FR, encoding="utf-8")
    (folder / "b.jsonl").write_text(
        json.dumps({"text": SHORT_EN, "title": "Biden and Sunak"}) + "\n\n"
        + json.dumps({"text": SHORT_FR.replace("mardi", "jeudi"), "url": "https://example.org/jeudi"}) + "\n",
        encoding="utf-8")
    (folder / "c.md").write_text(SHORT_EN.replace("Tuesday", "Friday"), encoding="utf-8")
    (folder / "skipped.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")  # extension not read in a directory
    (folder / ".hidden.txt").write_text(SHORT_FR, encoding="utf-8")

    result = veille("analyze", folder, "--json")

    assert result.exit_code == 0, result.output
    records = _json_lines(result.stdout)
    assert [r["source"]["uri"] for r in records] == [
        str(folder / "a.txt"), str(folder / "b.jsonl#L1"), "https://example.org/jeudi", str(folder / "c.md")]
    assert [r["language"] for r in records] == ["fr", "en", "fr", "en"]
    assert records[1]["title"] == "Biden and Sunak"
    assert "jeudi" in records[2]["text"] and "Friday" in records[3]["text"]
    assert len({r["id"] for r in records}) == 4
    assert result.stderr == ""


def test_analyze_reads_standard_input(veille):
    result = veille("analyze", "-", "--json", input=SHORT_FR)
    assert result.exit_code == 0, result.output
    (record,) = _json_lines(result.stdout)
    assert record["source"]["uri"] == "<stdin>"
    assert record["language"] == "fr"
    assert record["text"].strip() == SHORT_FR.strip()
    assert "Emmanuel Macron" in {e["name"] for e in record["entities"]}


def test_analyze_reports_a_failure_on_stderr_prints_the_good_record_and_exits_1(veille, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(SHORT_EN, encoding="utf-8")
    missing = tmp_path / "missing.txt"
    image = tmp_path / "photo.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))

    result = veille("analyze", missing, good, image, "--json")

    assert result.exit_code == 1
    (record,) = _json_lines(result.stdout)
    assert record["source"]["uri"] == str(good)
    errors = result.stderr.splitlines()
    assert len(errors) == 2, result.stderr
    assert str(missing) in errors[0] and "no such file" in errors[0]
    assert str(image) in errors[1] and "PNG" in errors[1]
    _no_traceback(result)


def test_analyze_max_bytes_option_is_applied(veille, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(SHORT_EN, encoding="utf-8")
    result = veille("analyze", path, "--max-bytes", 50)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert str(path) in result.stderr and "--max-bytes" in result.stderr


# --- ingest, list, show, search ----------------------------------------------------------------


@pytest.fixture(scope="module")
def stored(summit, invoke_cli, tmp_path_factory):
    """A database where a folder of two articles was ingested twice."""
    base = tmp_path_factory.mktemp("stored")
    folder = base / "articles"
    folder.mkdir()
    shutil.copy(summit, folder / "1-summit.txt")
    (folder / "2-london.txt").write_text(SHORT_EN, encoding="utf-8")
    db = base / "v.db"
    runner = CliRunner()
    first = invoke_cli(runner, db, "ingest", folder)
    second = invoke_cli(runner, db, "ingest", folder)
    rows = _json_lines(invoke_cli(runner, db, "list", "--json").stdout)
    return {"db": db, "runner": runner, "first": first, "second": second, "rows": rows, "folder": folder}


@pytest.fixture
def stored_cli(stored, invoke_cli):
    return lambda *args: invoke_cli(stored["runner"], stored["db"], *args)


def test_ingest_twice_stores_each_article_once(stored):
    first, second = stored["first"], stored["second"]
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert first.stderr.strip().splitlines()[-1] == "2 new, 0 already stored, 0 failed"
    assert second.stderr.strip().splitlines()[-1] == "0 new, 2 already stored, 0 failed"
    assert first.stdout == "" and second.stdout == ""


def test_list_json_has_one_row_per_article(stored, summit_record):
    rows = stored["rows"]
    assert len(rows) == 2
    assert {r["language"] for r in rows} == {"fr", "en"}
    summit_row = next(r for r in rows if r["language"] == "fr")
    assert summit_row["id"] == summit_record["id"]  # same text, same id, whatever the path
    assert summit_row["uri"] == str(stored["folder"] / "1-summit.txt")
    assert summit_row["entities"] == len(summit_record["entities"])


def test_list_table_shows_ids_in_full(stored, stored_cli):
    result = stored_cli("list")
    assert result.exit_code == 0, result.output
    for row in stored["rows"]:
        assert row["id"] in result.stdout


def test_show_by_prefix_and_as_json(stored, stored_cli, summit_record):
    article_id = next(r["id"] for r in stored["rows"] if r["language"] == "fr")
    shown = stored_cli("show", article_id[:8])
    assert shown.exit_code == 0, shown.output
    assert article_id in shown.stdout
    assert "Le Russe Poutine en Corée du Nord" in shown.stdout
    assert "Actors" in shown.stdout and "Quotes" in shown.stdout
    assert "se sont rencontrés mercredi à Pyongyang" in shown.stdout  # show prints the full text

    as_json = stored_cli("show", "--json", article_id)
    assert as_json.exit_code == 0, as_json.output
    record = json.loads(as_json.stdout)
    assert record["id"] == article_id
    assert {k: v for k, v in record.items() if k != "source"} == {
        k: v for k, v in summit_record.items() if k != "source"}


@pytest.mark.parametrize("query", ["Corée", "coree", "COREE du nord"])
def test_search_ignores_accents_and_case(stored, stored_cli, query):
    result = stored_cli("search", query, "--json")
    assert result.exit_code == 0, result.output
    hits = _json_lines(result.stdout)
    assert [h["language"] for h in hits] == ["fr"]
    assert hits[0]["snippet"]


def test_search_double_quoted_phrase_matches_as_a_whole(stored_cli):
    phrase = _json_lines(stored_cli("search", '"Corée du Nord"', "--json").stdout)
    assert [h["language"] for h in phrase] == ["fr"]
    # the same words in another order match as words, not as a phrase
    assert len(_json_lines(stored_cli("search", "Nord du Corée", "--json").stdout)) == 1
    assert _json_lines(stored_cli("search", '"Nord du Corée"', "--json").stdout) == []


def test_search_table_and_no_hit(stored_cli):
    (london,) = _json_lines(stored_cli("search", "London", "--json").stdout)
    assert london["language"] == "en"
    hit = stored_cli("search", "London")
    assert hit.exit_code == 0, hit.output
    assert london["id"] in hit.stdout  # ids are never cut, whatever the width
    none = stored_cli("search", "zanzibar")
    assert none.exit_code == 0
    assert none.stdout == ""
    assert "zanzibar" in none.stderr


@pytest.mark.parametrize("article_id", ["0123456789abcdef", "ffffffffffffffffffff"])
def test_show_unknown_id_is_a_one_line_error(stored_cli, article_id):
    result = stored_cli("show", article_id)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and article_id in lines[0]
    _no_traceback(result)


def test_show_too_short_prefix_says_how_long_it_must_be(stored_cli):
    result = stored_cli("show", "bb7")
    assert result.exit_code == 1
    assert "6 characters" in result.stderr and "'bb7'" in result.stderr


def test_list_failures_refuses_options_it_ignores(stored_cli):
    result = stored_cli("list", "--failures", "--language", "fr")
    assert result.exit_code == 2
    assert "--failures" in result.stderr


def test_ingest_with_bad_files_stores_the_good_ones_and_records_failures(veille, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-good.txt").write_text(SHORT_FR, encoding="utf-8")
    (folder / "b-image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "c-empty.txt").write_bytes(b"")
    (folder / "d-good.txt").write_text(SHORT_EN, encoding="utf-8")

    result = veille("ingest", folder)

    # documents that fail are recorded, not a crash: exit status 0 (see veille.cli)
    assert result.exit_code == 0, result.output
    errors = result.stderr.strip().splitlines()
    assert errors[-1] == "2 new, 0 already stored, 2 failed"
    assert any(str(folder / "b-image.txt") in e and "PNG" in e for e in errors[:-1])
    assert any(str(folder / "c-empty.txt") in e and "empty" in e for e in errors[:-1])

    rows = _json_lines(veille("list", "--json").stdout)
    assert sorted(r["uri"] for r in rows) == [str(folder / "a-good.txt"), str(folder / "d-good.txt")]
    failures = {f["uri"]: f for f in _json_lines(veille("list", "--failures", "--json").stdout)}
    assert failures.keys() == {str(folder / "b-image.txt"), str(folder / "c-empty.txt")}
    assert failures[str(folder / "b-image.txt")]["code"] == "binary"
    assert failures[str(folder / "c-empty.txt")]["code"] == "empty"
    for uri, failure in failures.items():
        assert failure["reason"].startswith(uri)
    table = veille("list", "--failures")
    assert "binary" in table.stdout and "empty" in table.stdout


def test_db_option_and_veille_db_environment_variable(runner, invoke_cli, tmp_path):
    from_env, from_option = tmp_path / "env.db", tmp_path / "option.db"
    article = tmp_path / "a.txt"
    article.write_text(SHORT_EN, encoding="utf-8")
    env = {"VEILLE_DB": str(from_env)}

    assert invoke_cli(runner, None, "ingest", article, env=env).exit_code == 0
    assert from_env.exists() and not from_option.exists()
    assert len(_json_lines(invoke_cli(runner, None, "list", "--json", env=env).stdout)) == 1
    # --db wins over VEILLE_DB
    assert _json_lines(invoke_cli(runner, from_option, "list", "--json", env=env).stdout) == []
    assert from_option.exists()
    assert len(_json_lines(invoke_cli(runner, from_env, "list", "--json").stdout)) == 1


def test_same_article_via_two_paths_is_one_record(veille, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "article.txt").write_text(SHORT_FR, encoding="utf-8")
    (two / "copy.txt").write_text(SHORT_FR + "\n\n", encoding="utf-8")  # trailing blank lines: same cleaned text

    result = veille("ingest", one / "article.txt", two)

    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1] == "1 new, 1 already stored, 0 failed"
    rows = _json_lines(veille("list", "--json").stdout)
    assert len(rows) == 1
    assert rows[0]["uri"] == str(one / "article.txt")


@pytest.mark.parametrize("query", ['"Corée', "AND OR NOT", "*", "NEAR(", "col:x", "^", "-", ""])
def test_search_accepts_any_query(stored_cli, query):
    result = stored_cli("search", query, "--json")
    assert result.exit_code == 0, result.output
    assert all(json.loads(line)["id"] for line in result.stdout.splitlines())


@pytest.mark.parametrize("target", ["directory", "not_a_database", "postgresql://db.example.org/veille"])
def test_unusable_database_is_a_one_line_error(runner, invoke_cli, tmp_path, target):
    if target == "directory":
        db = tmp_path
    elif target == "not_a_database":
        db = tmp_path / "notes.db"
        db.write_text("these are my notes, not a database\n", encoding="utf-8")
    else:
        db = target
    result = invoke_cli(runner, db, "list")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and str(db).split("://")[0] in line
    _no_traceback(result)
    if target == "not_a_database":
        assert db.read_text(encoding="utf-8").startswith("these are my notes")  # left untouched


def test_a_long_list_of_names_is_printed_with_the_garbage_collector_paused():
    # between batches, while their results are printed, the collector would visit the search
    # caches again and again; it comes back on once the list is done
    import gc

    from veille.cli import _each_batch
    from veille.kb.search import BATCH

    names = [f"name {i}" for i in range(3 * BATCH)]
    enabled = [gc.isenabled() for _ in _each_batch(names, lambda batch: [[] for _ in batch])]
    assert len(enabled) == len(names) and not any(enabled)
    assert gc.isenabled()


def test_the_veille_command_leaves_its_objects_to_the_system_at_exit(monkeypatch):
    # after a long search, one last collection of its caches took more than a second
    import atexit
    import gc

    from veille import cli as cli_module

    registered, ran = [], []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(cli_module, "cli", lambda **options: ran.append(options))
    cli_module.main()
    assert registered == [gc.freeze] and ran == [{"prog_name": "veille"}]
