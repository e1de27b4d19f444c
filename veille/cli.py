"""``veille``: the command line, a thin shell over ``veille.Pipeline`` and ``veille.store``.

Library errors (``VeilleError``) become one clean line on stderr and exit
status 1; a document that fails in a batch is reported and the batch goes on.

Output: records, reports, tables and JSON go to stdout; failures (one line
each, never wrapped, so they can be grepped), summaries and progress go to
stderr. Exit status: ``analyze`` exits 1 when any document failed (its
output is then incomplete); ``ingest`` exits 0 when every document was either
stored or recorded as a failure (see ``veille list --failures``), and 1 only
when the run itself could not go on (database, model, option errors).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .document import Failure
from .errors import VeilleError

if TYPE_CHECKING:  # the pipeline imports spaCy: loaded only by the commands that analyse
    from .pipeline import Pipeline, Record

__all__ = ["cli", "main"]

out = Console(highlight=False, soft_wrap=True)
# soft_wrap: a failure line is never cut in two, whatever the terminal width
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _pipeline(batch_size: int, max_bytes: int, db: str | None = None) -> Pipeline:
    """The pipeline, linking and screening against the knowledge base of the database ``db``
    (or the default one) when that database exists, else against the bundled starter."""
    from .pipeline import Pipeline, PipelineConfig
    from .store import default_db_path

    path = db or os.environ.get("VEILLE_DB") or str(default_db_path())
    kb = path if Path(path).expanduser().exists() else None
    return Pipeline(PipelineConfig(batch_size=batch_size, max_bytes=max_bytes, kb=kb))


def _inputs(paths: tuple[str, ...]) -> list[Path]:
    return [Path(p) for p in paths]


def _store(ctx: click.Context):
    from .store import open_store  # the store is not needed by `analyze`

    return open_store(ctx.obj.get("db"))


def _failure_line(f: Failure) -> str:
    return f"[red]✗[/] {escape(f.reason)}"


class _Group(click.Group):
    """A click group that turns Veille's errors into clean one-line CLI errors."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VeilleError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", metavar="PATH", envvar="VEILLE_DB",
              help="SQLite database file (default: veille.db in your user data directory; env VEILLE_DB).")
@click.version_option(package_name="veille")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Veille turns news articles into evidence-linked records: the clean article, its actors
    (one canonical identity across languages), and who said what.

    \b
    Quick start:
      veille analyze examples/            readable report of every article
      veille analyze article.txt --json   the record of SPEC.md, one JSON line per article
      veille ingest examples/             store records (idempotent)
      veille search "Corée du Nord"       full-text search of stored articles
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


batch_option = click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1),
                            help="Articles per spaCy batch.")
max_bytes_option = click.option("--max-bytes", default=20_000_000, show_default=True, type=click.IntRange(1),
                                help="Refuse inputs larger than this many bytes.")


@cli.command(short_help="Analyse articles and print a report or their JSON records.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--json", "as_json", is_flag=True, help="Print the record of each article as one JSON line.")
@batch_option
@max_bytes_option
@click.pass_context
def analyze(ctx: click.Context, paths: tuple[str, ...], as_json: bool, batch_size: int, max_bytes: int) -> None:
    """Analyse articles and print the result.

    PATH is a text or HTML file, a JSON Lines file (one article per line with
    "text" or "html"), a directory of them, or - for standard input. Documents
    that cannot be read are reported on stderr; the others are still analysed
    (exit status 1 if any failed). Actors are linked to the knowledge base and
    screened against the sanctions lists of the database (--db, VEILLE_DB or the
    default one) when it exists; else to the bundled starter knowledge base.
    """
    pipeline = _pipeline(batch_size, max_bytes, ctx.obj.get("db"))
    failed = 0
    for result in pipeline.analyze_many(_inputs(paths)):
        if isinstance(result, Failure):
            failed += 1
            err.print(_failure_line(result))
        elif as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            _report(result)
    if failed:
        sys.exit(1)


@cli.command(short_help="Analyse articles and store their records (idempotent).")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@batch_option
@max_bytes_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], batch_size: int, max_bytes: int) -> None:
    """Analyse articles and store their records.

    PATH is read as by `veille analyze`. Idempotent: an article already
    stored (same cleaned text, same id, whatever its path) is left as it is.
    A document that fails is reported on stderr and stored as a failure with
    its reason (see `veille list --failures`); the batch goes on. Ends with a
    summary line on stderr: "N new, M already stored, K failed". Exit status
    0 even when documents failed (they are recorded); 1 when the run itself
    cannot go on (e.g. the database cannot be opened). Actors are linked and
    screened against the database's knowledge base (see `veille kb load`).
    """
    with _store(ctx):  # creates and migrates the database first, so its knowledge base is used
        pass
    pipeline = _pipeline(batch_size, max_bytes, ctx.obj.get("db"))
    counts: Counter[str] = Counter()
    with _store(ctx) as store, _progress() as progress:
        task = progress.add_task("ingesting", total=None)
        for result in pipeline.analyze_many(_inputs(paths)):
            if isinstance(result, Failure):
                store.put_failure(result.to_dict())
                counts["failed"] += 1
                progress.console.print(_failure_line(result))
            else:
                counts["new" if store.put(result) else "unchanged"] += 1
            progress.advance(task)
    err.print(f"{counts['new']} new, {counts['unchanged']} already stored, {counts['failed']} failed")


def _progress() -> Progress:
    # only on a terminal: piped or logged, a progress bar is noise
    return Progress(SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=False,
                    disable=not err.is_terminal)


@cli.command(name="list", short_help="List stored articles, or failed documents with --failures.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1), help="Show at most this many rows.")
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many articles first (paging).")
@click.option("--language", metavar="CODE", help="Only articles in this language (ISO 639-1, e.g. fr).")
@click.option("--failures", is_flag=True, help="List documents that failed, with their reasons.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per row.")
@click.pass_context
def list_(ctx: click.Context, limit: int, offset: int, language: str | None, failures: bool, as_json: bool) -> None:
    """List stored articles, newest first (or failed documents with --failures).

    Ids are shown in full: give one (or a prefix of 6 characters or more) to
    `veille show`.
    """
    if failures and (language or offset):
        raise click.UsageError("--language and --offset apply to articles, not to --failures.")
    with _store(ctx) as store:
        rows = store.failures(limit=limit) if failures else store.list(limit=limit, offset=offset, language=language)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if failures:
        _table(rows, ["at", "uri", "code", "reason"])
    else:
        _table(rows, ["id", "language", "published", "title", "entities", "quotes", "events"])


@cli.command(short_help="Show one stored article, by id or id prefix.")
@click.argument("article_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON.")
@click.pass_context
def show(ctx: click.Context, article_id: str, as_json: bool) -> None:
    """Show one stored article: its report with the full text, or its record with --json.

    ID is the article's id, as `veille list` shows it, or a unique prefix of
    at least 6 characters.
    """
    with _store(ctx) as store:
        record = store.get(article_id)
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=1))
    else:
        _report(record, full_text=True)


@cli.command(short_help="Full-text search of stored articles.")
@click.argument("query", metavar="QUERY")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="Show at most this many hits.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per hit.")
@click.pass_context
def search(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over stored titles, bodies, actor names and quotes.

    QUERY is one or more words, all of which must match. Accents and case are ignored ("coree" finds "Corée"); put a phrase in
    double quotes to match it as a whole.
    """
    with _store(ctx) as store:
        rows = store.search(query, limit=limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        err.print(f"no article matches {escape(query)!r}")
        return
    _table(rows, ["id", "language", "title", "snippet"])


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    table = Table(show_lines=False)
    for c in columns:
        # an id is never cut ("bb73dd7d5c…" could not be given to `veille show`): other columns wrap instead
        table.add_column(c, no_wrap=c == "id", min_width=20 if c == "id" else None)
    for row in rows:
        table.add_row(*(escape(str(row.get(c) if row.get(c) is not None else "")) for c in columns))
    out.print(table)


def _report(rec: Record, full_text: bool = False) -> None:
    """The human-readable view of one record."""
    from .events import event_line  # imports spaCy

    title = rec.get("title") or "(no title)"
    out.rule()
    out.print(f"[bold]{escape(title)}")  # not in the rule, which cuts a long title to the width
    meta = [rec["id"], rec.get("language") or "?", ", ".join(rec.get("authors") or []) or "no byline",
            rec.get("published") or "no date", rec["source"]["uri"]]
    out.print(" · ".join(escape(str(m)) for m in meta))
    removed = Counter(r["kind"] for r in rec.get("removed", []))
    if removed:
        out.print("removed: " + ", ".join(f"{n} {k}" for k, n in sorted(removed.items())))
    for cap in rec.get("captions", []):
        out.print(f"caption: [italic]{escape(cap)}")
    for w in rec.get("warnings", []):
        out.print(f"[yellow]warning[/] {w['kind']}: {escape(w['text'])}")
    if full_text:
        out.print()
        out.print(escape(rec["text"]))
    entities = rec.get("entities", [])
    out.print(f"\n[bold]Actors[/] ({len(entities)})")
    for e in sorted(entities, key=lambda e: -len(e["mentions"])):
        forms = sorted({m["text"] for m in e["mentions"]} - {e["name"]})
        extra = f"  ({', '.join(forms[:4])})" if forms else ""
        kb = f" {e['kb_id']}" if e.get("kb_id") else ""
        out.print(f"  {escape(e['name'])} [dim]{e['type']} ×{len(e['mentions'])}{kb}{escape(extra)}[/]")
    names = {e["id"]: e["name"] for e in entities}
    quotes = rec.get("quotes", [])
    out.print(f"\n[bold]Quotes[/] ({len(quotes)})")
    for q in quotes:
        who = names.get(q.get("speaker")) or q.get("speaker_text") or "unknown speaker"
        text = q["text"] if len(q["text"]) <= 160 else q["text"][:157] + "..."
        mark = "«»" if q["kind"] == "direct" else "~"
        cue = f" ({q['cue']})" if q.get("cue") else ""
        out.print(f"  {mark} [bold]{escape(who)}[/]{escape(cue)}: {escape(text)}")
    events = rec.get("events", [])
    out.print(f"\n[bold]Events[/] ({len(events)})")
    for ev in events:
        out.print(f"  {escape(event_line(ev, names))}")
    out.print()


# --- veille kb, veille screen: the knowledge base of FollowTheMoney entities (veille.kb) ------
# These commands never import spaCy (tests/test_kb.py checks): veille.kb is imported inside them.

_SCHEMA_CHOICE = click.Choice(["person", "organization"], case_sensitive=False)
_LOAD_HINT = "load one with `veille kb load FILE` (see `veille kb load --help` for where to download lists)"
_SHOWN_PROBLEMS = 5


@cli.group(cls=_Group, short_help="Knowledge base of entities: load lists, search names.")
def kb() -> None:
    """The knowledge base: FollowTheMoney entities (people, organisations, countries...) with
    their names in every script, that actors are linked to and screened against.

    \b
    Quick start:
      veille kb load entities.ftm.json       OpenSanctions data (FollowTheMoney JSON lines)
      veille kb load consolidated.xml        the UN Security Council sanctions list
      veille kb search "Sergei Lavrov"       who in the knowledge base has this name
      veille screen "Kim Jong Un"            who on a sanctions list has this name
    """


@kb.command(name="load", short_help="Load FollowTheMoney entities or the UN sanctions list (idempotent).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False), metavar="FILE...")
@click.option("--dataset", metavar="NAME",
              help="Add this dataset name to every entity (entities of a file without any get the file's name).")
@click.option("--format", "fmt", type=click.Choice(["auto", "ftm", "un-xml"]), default="auto", show_default=True,
              help="The file format; auto: read from the file's first bytes.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts of each file as one JSON line.")
@click.pass_context
def kb_load(ctx: click.Context, paths: tuple[str, ...], dataset: str | None, fmt: str, as_json: bool) -> None:
    """Load entities into the knowledge base: FollowTheMoney JSON lines (one entity per line,
    gzip-compressed or not), as OpenSanctions publishes them, or the UN Security Council
    consolidated sanctions list in the UN's XML format.

    Idempotent: loading a file again changes nothing; an entity already loaded from another
    dataset is merged (its names, datasets and topics are united). Entities that are not
    actors (sanctions, addresses, ownerships...) are skipped. An invalid line is reported
    with its line number and skipped; the load goes on. Prints, per file: new, updated,
    unchanged, invalid and skipped entities, and the first invalid lines. Each load ends by
    packing the name index for searching (about 15 s for a million entities).

    \b
    Where to get lists (with internet access; Veille itself never downloads):
      OpenSanctions, sanctions lists of the world (consolidated, FollowTheMoney):
        curl -o sanctions.ftm.json https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json
      OpenSanctions, politically exposed persons:
        curl -o peps.ftm.json https://data.opensanctions.org/datasets/latest/peps/entities.ftm.json
      OpenSanctions, everything (sanctions, PEPs, crime, debarment...; several GB):
        curl -o default.ftm.json https://data.opensanctions.org/datasets/latest/default/entities.ftm.json
      UN Security Council consolidated list (XML):
        curl -O https://scsanctions.un.org/resources/xml/en/consolidated.xml
    OpenSanctions data is free for non-commercial use (CC BY-NC 4.0); check its licence.
    """
    with _store(ctx) as store:
        knowledge = store.knowledge_base()
        for path in paths:
            with _progress() as progress:
                task = progress.add_task(f"loading {Path(path).name}", total=None)
                stats = knowledge.load_file(path, format=fmt, dataset=dataset,
                                            progress=lambda n, task=task, progress=progress: progress.advance(task, n))
            err.print(f"{escape(path)}: {escape(str(stats))}")
            for problem in stats.problems[:_SHOWN_PROBLEMS]:
                err.print(f"  [red]✗[/] {escape(problem)}")
            if stats.invalid > _SHOWN_PROBLEMS:
                err.print(f"  ... and {stats.invalid - _SHOWN_PROBLEMS:,} more invalid")
            if as_json:
                click.echo(json.dumps({"file": path, **stats.to_dict()}, ensure_ascii=False))
        counts = knowledge.counts()
    err.print(f"knowledge base: {counts['entities']:,} entities, {counts['sanctioned']:,} on sanctions lists, "
              f"{counts['datasets']:,} datasets ({escape(store.location)})")


_NAMES_FILE = click.option(
    "--file", "names_file", type=click.File("r", encoding="utf-8"),
    help="Also the names of this file, one per line (- for standard input); blank lines are skipped.")
_WORKERS = click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1),
    help="Processes sharing a long list of names: this one and the others it starts (each with its own "
         "connection to the database; about one per core).")


def _names(names: tuple[str, ...], names_file: Any) -> list[str]:
    out = list(names)
    if names_file is not None:
        out += [line.strip() for line in names_file if line.strip()]
    if not out:
        raise click.UsageError("give at least one NAME, or --file")
    return out


def _each_batch(names: list[str], look_up: Callable[[list[str]], list[Any]],
                workers: int = 1) -> Iterator[tuple[str, Any]]:
    """Look names up by batches (one SQL statement per step for a batch; several batches at
    a time with workers), with a progress bar on a terminal for long lists."""
    from .kb import collector
    from .kb.search import BATCH

    size = BATCH * (4 * workers if workers > 1 else 1)
    # the garbage collector paused throughout, not only while a batch is searched: between
    # batches, while their results are printed, it would visit the search caches again and
    # again (a million objects, which make no reference cycles), at a sixth of the time taken
    with _progress() as progress, collector.paused():
        task = progress.add_task("searching", total=len(names), visible=len(names) > size)
        for start in range(0, len(names), size):
            batch = names[start:start + size]
            yield from zip(batch, look_up(batch), strict=True)
            progress.advance(task, len(batch))


@kb.command(name="search", short_help="Find knowledge-base entities by name, in any script or spelling.")
@click.argument("names", nargs=-1, metavar="NAME...")
@_NAMES_FILE
@_WORKERS
@click.option("--schema", type=_SCHEMA_CHOICE, help="Only people, or only organisations (companies, public bodies...).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1), help="At most this many per name.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Lowest score shown (default: the linking threshold).")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON line per name: {"query", "candidates": [{"id", "name", "schema", "score", ...}]}.')
@click.pass_context
def kb_search(ctx: click.Context, names: tuple[str, ...], names_file: Any, workers: int, schema: str | None,
              limit: int, threshold: float | None, as_json: bool) -> None:
    """Find the entities whose names match each NAME, best first: transliterations ("Сергей
    Лавров"), other spellings, name order, a missing middle name and typos are matched.
    Only candidates at or above the linking threshold are shown.
    """
    from .kb.names import LINK_THRESHOLD

    with _store(ctx) as store:
        knowledge = store.knowledge_base()
        if not knowledge.counts()["entities"]:
            err.print(f"the knowledge base in {escape(store.location)} is empty: {_LOAD_HINT}")
        _warn_stale(knowledge)
        cutoff = LINK_THRESHOLD if threshold is None else threshold
        for name, found in _each_batch(_names(names, names_file), lambda batch: knowledge.search_many(
                batch, schema=schema, limit=limit, threshold=cutoff, workers=workers), workers):
            _candidates(name, found, as_json, screening=False)


@kb.command(name="show", short_help="Show one knowledge-base entity, by id.")
@click.argument("entity_id", metavar="ID")
@click.pass_context
def kb_show(ctx: click.Context, entity_id: str) -> None:
    """Print one entity of the knowledge base as JSON: its FollowTheMoney properties, names,
    datasets, topics and countries. ID is the entity's id, as `veille kb search` shows it."""
    with _store(ctx) as store:
        entity = store.knowledge_base().get(entity_id)
    if entity is None:
        raise click.ClickException(f"no entity {entity_id!r} in the knowledge base; `veille kb search NAME` finds ids")
    click.echo(json.dumps(entity, ensure_ascii=False, indent=1))


@kb.command(name="info", short_help="Count the entities of the knowledge base, per dataset.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@click.pass_context
def kb_info(ctx: click.Context, as_json: bool) -> None:
    """Count the entities, names and index keys of the knowledge base, and the entities of each dataset."""
    with _store(ctx) as store:
        knowledge = store.knowledge_base()
        counts, datasets = knowledge.counts(), knowledge.datasets()
    if as_json:
        click.echo(json.dumps({**counts, "per_dataset": datasets}, ensure_ascii=False))
        return
    out.print(", ".join(f"{n:,} {what}" for what, n in counts.items()))
    _table([{"dataset": name, "entities": n} for name, n in datasets.items()], ["dataset", "entities"])


@kb.command(name="reindex", short_help="Rebuild the name index (after upgrading Veille's name matching).")
@click.pass_context
def kb_reindex(ctx: click.Context) -> None:
    """Rebuild the name index of the knowledge base from its stored names. Needed when
    `veille kb search` warns that the index is out of date (built by another version of
    Veille, or a load stopped before its end)."""
    with _store(ctx) as store, _progress() as progress:
        task = progress.add_task("reindexing", total=None)
        done = store.knowledge_base().reindex(progress=lambda n: progress.advance(task, n))
    err.print(f"{done:,} entities reindexed")


@cli.command(short_help="Screen names against the sanctions lists of the knowledge base.")
@click.argument("names", nargs=-1, metavar="NAME...")
@_NAMES_FILE
@_WORKERS
@click.option("--type", "kind", type=_SCHEMA_CHOICE, help="Only people, or only organisations.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1), help="At most this many per name.")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON line per name: {"query", "candidates": [{"id", "name", "schema", "score", '
                   '"list", "topics", "why", ...}]}.')
@click.pass_context
def screen(ctx: click.Context, names: tuple[str, ...], names_file: Any, workers: int, kind: str | None,
           limit: int, as_json: bool) -> None:
    """Screen each NAME against the entities of the knowledge base that are on a sanctions
    list (OpenSanctions topics sanction, sanction.linked, debarment, export control...), at
    the screening threshold: a hit is a lead for a human to check (same name is not same
    person), with the lists it comes from and why the names matched.

    Load lists first with `veille kb load`. A list of names to screen: `--file names.txt`.
    """
    with _store(ctx) as store:
        knowledge = store.knowledge_base()
        if not knowledge.has_sanctions():
            raise click.ClickException(f"no sanctions list in {store.location} yet: {_LOAD_HINT}")
        _warn_stale(knowledge)
        for name, found in _each_batch(_names(names, names_file), lambda batch: knowledge.screen_many(
                batch, schema=kind, limit=limit, workers=workers), workers):
            _candidates(name, found, as_json, screening=True)


def _warn_stale(knowledge: Any) -> None:
    if not knowledge.index_is_current():
        err.print("[yellow]warning[/] the name index is out of date (built by another version of Veille's name "
                  "matching, or a load is running or stopped before its end): "
                  "results may miss names until you run `veille kb reindex`")


def _candidates(query: str, found: list[Any], as_json: bool, screening: bool) -> None:
    """Print the candidates of one query: a JSON line, or a table (a line on stderr when none)."""
    if as_json:
        rows = []
        for c in found:
            row = c.to_dict()
            if screening:
                row["list"] = row["datasets"]
            rows.append(row)
        click.echo(json.dumps({"query": query, "candidates": rows}, ensure_ascii=False))
        return
    if not found:
        err.print(f"{escape(query)}: no {'sanctioned ' if screening else ''}match")
        return
    table = Table(title=query, title_justify="left", show_lines=False)
    columns = ["score", "name", "schema", "id", "matched name", "why", "lists" if screening else "datasets"]
    if screening:
        columns.append("topics")
    for column in columns:
        table.add_column(column, no_wrap=column in ("id", "score"))
    for c in found:
        cells = [f"{c.score:.2f}", c.name, c.schema, c.id, c.matched_name, c.why, ", ".join(c.datasets)]
        if screening:
            cells.append(", ".join(c.topics))
        table.add_row(*(escape(cell) for cell in cells))
    out.print(table)


# --- veille eval: accuracy against labelled data (helpers in veille.evaluate) ------------------

@cli.group(name="eval", short_help="Measure accuracy against labelled data.")
def eval_() -> None:
    """Measure accuracy against labelled data: precision, recall and F1 of Veille and of a
    simple baseline, overall and per group of cases.

    Without a PATH, each task reads its development set from the shared evaluation data:
    $VEILLE_EVAL_DATA, else ../shared/eval-data next to the repository.
    """


@eval_.command(name="names", short_help="Name matching on labelled name pairs (CSV).")
@click.argument("path", required=False, type=click.Path(dir_okay=False), metavar="[PATH.csv]")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
def eval_names(path: str | None, as_json: bool) -> None:
    """Score each labelled pair with `match(name1, [name2], schema)` at the linking threshold,
    and with a baseline: the plain Levenshtein ratio of the lower-cased names (rapidfuzz
    fuzz.ratio) at 0.85, a fixed near-duplicate cut-off. Prints precision, recall, F1 and the
    false-positive rate (FPR) overall and per case_group, and names/s.

    PATH is a CSV file with the columns case_group, schema, name1, name2, is_match (true or
    false); by default name-pairs/dev.csv of the evaluation data.
    """
    result = _eval_names(path)
    if as_json:
        click.echo(result.to_json())


def _eval_names(path: str | None) -> Any:
    from .evaluate import eval_data_dir, evaluate_names, read_name_pairs

    if path is None:
        default = eval_data_dir() / "name-pairs" / "dev.csv"
        if not default.is_file():
            raise click.ClickException(f"no {default}: give the CSV file of name pairs to evaluate")
        path = str(default)
    result = evaluate_names(read_name_pairs(path))
    _evaluation_table(result, f"{path}: {result.n} name pairs")
    veille, baseline = result.details["veille"], result.details["baseline"]
    click.echo(f"veille: match(name1, [name2], schema) >= {veille['threshold']:.2f} (LINK_THRESHOLD), "
               f"{veille['names_per_s']:,.0f} names/s\nbaseline: Levenshtein ratio of the lower-cased names "
               f">= {baseline['threshold']:.2f} (fixed, not tuned), {baseline['names_per_s']:,.0f} names/s")
    return result


@eval_.command(name="extraction", short_help="Article bodies from HTML pages and from page text.")
@click.argument("path", required=False, type=click.Path(file_okay=False), metavar="[FOLDER]")
@click.option("--limit", type=click.IntRange(1), help="Only the first N documents (a quick run).")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
def eval_extraction(path: str | None, limit: int | None, as_json: bool) -> None:
    """Score the body Veille gives each page against the gold article body (ground-truth.json),
    as word precision, recall and F1 summed over the pages: from the HTML page (html/<id>.html.gz)
    beside trafilatura alone with its defaults, and from the page's whole visible text
    (page-text.json) beside that text left as it is. FOLDER: by default extraction/ of the
    evaluation data (the article-extraction benchmark).
    """
    result = _eval_extraction(path, limit)
    if as_json:
        click.echo(result.to_json())


def _eval_extraction(path: str | None, limit: int | None) -> Any:
    from .evaluate import eval_data_dir, evaluate_extraction

    folder = Path(path) if path is not None else eval_data_dir() / "extraction"
    result = evaluate_extraction(folder, limit=limit)
    _evaluation_table(result, f"{folder}: {result.n} documents; P, R, F1 of words (all = html)")
    for system in result.systems:
        details = result.details[system]
        means = ", ".join(f"{group} {details[f'mean_f1_{group}']:.3f}" for group in ("html", "text")
                          if f"mean_f1_{group}" in details)
        click.echo(f"{system}: {details['method']}; mean F1 per document: {means}")
    return result


@eval_.command(name="ner", short_help="Named entities (CoNLL-2003, HIPE-2020, WikiNEuRal) and their links.")
@click.argument("path", required=False, type=click.Path(file_okay=False), metavar="[FOLDER]")
@click.option("--limit", type=click.IntRange(1), help="Only the first N documents of each corpus (a quick run).")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
def eval_ner(path: str | None, limit: int | None, as_json: bool) -> None:
    """Entity spans and types of Veille's actors stage against each corpus of FOLDER (CoNLL-style
    *.conllu files, HIPE *.tsv files), beside the bare spaCy NER of the same model. Types are
    PER, ORG and LOC (GPE, LOC and FAC); MISC and the like are left out on both sides. Strict
    F1 (same span and type) overall, per corpus and per type; partial F1 (overlapping spans
    of one type); HIPE's Wikidata links where Veille knows the entity. FOLDER: by default
    ner/ of the evaluation data.
    """
    result = _eval_ner(path, limit)
    if as_json:
        click.echo(result.to_json())


def _eval_ner(path: str | None, limit: int | None) -> Any:
    from .evaluate import eval_data_dir
    from .ner_eval import evaluate_ner

    folder = Path(path) if path is not None else eval_data_dir() / "ner"
    result = evaluate_ner(folder, limit=limit)
    _evaluation_table(result, f"{folder}: {result.n} documents; strict P, R, F1 of PER/ORG/LOC mentions")
    for system in result.systems:
        details = result.details[system]
        linking = details["linking_accuracy"]
        click.echo(f"{system}: {details['method']}; partial F1 {details['partial_f1']:.3f}; Wikidata links "
                   + (f"{linking:.3f} of {details['links_scored']}" if linking is not None else "not scored"))
    return result


@eval_.command(name="quotes", short_help="Quotations and their speakers (PolNeAR).")
@click.argument("path", required=False, type=click.Path(file_okay=False), metavar="[FOLDER]")
@click.option("--limit", type=click.IntRange(1), help="Only the first N articles (a quick run).")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
def eval_quotes(path: str | None, limit: int | None, as_json: bool) -> None:
    """Quotation contents Veille finds in PolNeAR's articles (FOLDER with text/ and
    attributions/; by default quotes/polnear/dev of the evaluation data) against the gold
    attributions: a quote matches a gold content overlapping it by half of the longer of the
    two. Precision, recall and F1 of contents, per publisher, and the share of matched quotes
    whose speaker is the gold source. Baseline: text between quotation marks, with the nearest
    PERSON or ORG of bare spaCy in the paragraph as speaker.
    """
    result = _eval_quotes(path, limit)
    if as_json:
        click.echo(result.to_json())


def _eval_quotes(path: str | None, limit: int | None) -> Any:
    from .evaluate import eval_data_dir
    from .quotes_eval import evaluate_quotes

    folder = Path(path) if path is not None else eval_data_dir() / "quotes" / "polnear" / "dev"
    result = evaluate_quotes(folder, limit=limit)
    _evaluation_table(result, f"{folder}: {result.n} articles; P, R, F1 of quotation contents")
    for system in result.systems:
        details = result.details[system]
        accuracy = details["speaker_accuracy"]
        click.echo(f"{system}: {details['method']}; speakers right: "
                   + (f"{accuracy:.3f} of {details['speakers_scored']}" if accuracy is not None else "none scored"))
    return result


@eval_.command(name="events", short_help="Event types, sources and targets (PLOVER records, Spanish set).")
@click.argument("paths", nargs=-1, type=click.Path(exists=True), metavar="[PATH...]")
@click.option("--limit", type=click.IntRange(1), help="Only the first N sentences of each set (a quick run).")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
def eval_events(paths: tuple[str, ...], limit: int | None, as_json: bool) -> None:
    """Events Veille codes in gold sentences against their gold events: PLOVER 0.5 records
    (dev.json: old types mapped to today's) and UniversalPetrarch validation records (*.xml),
    by default plover-gsr/ and events/ of the evaluation data. Type accuracy (a gold event whose
    type Veille codes), source and target accuracy (the coded event's actor mentions overlap
    the gold actor's text), share of sentences with no event; precision and recall per set.
    Baseline: the set's most frequent type, first and second bare-spaCy entities as actors.
    Spanish has no spaCy model here: Veille runs degraded and codes no event.
    """
    result = _eval_events(paths, limit)
    if as_json:
        click.echo(result.to_json())


def _eval_events(paths: tuple[str, ...], limit: int | None) -> Any:
    from .evaluate import eval_data_dir
    from .events_eval import evaluate_events, read_event_sets

    if not paths:
        root = eval_data_dir()
        paths = (str(root / "plover-gsr"), str(root / "events"))
    sentences = [s for path in paths for s in read_event_sets(path, limit)]
    result = evaluate_events(sentences)
    _evaluation_table(result, f"{', '.join(paths)}: {result.n} sentences; P, R, F1 of event types")
    for system in result.systems:
        d = result.details[system]
        click.echo(f"{system}: {d['method']}")
        for name, f in {"all": d, **d["per_set"]}.items():
            click.echo(f"  {name}: type accuracy {f['type_accuracy']:.3f}, source {_rate_text(f['source_accuracy'])}, "
                       f"target {_rate_text(f['target_accuracy'])}, no event in {f['no_event_share']:.1%} of sentences")
    return result


def _rate_text(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "-"


@eval_.command(name="screening", short_help="Sanctions screening: a list, listed and unlisted names.")
@click.argument("path", required=False, type=click.Path(file_okay=False), metavar="[FOLDER]")
@click.option("--limit", type=click.IntRange(1), help="Only the first N names of each file (a quick run).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1),
              help="Processes screening (the names/s figure is for all of them).")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
def eval_screening(path: str | None, limit: int | None, workers: int, as_json: bool) -> None:
    """Load FOLDER's sanctions list (the UN Security Council XML, or FtM JSON lines) into a
    knowledge base in memory, screen as persons the names of its positives*untreated*.csv
    (listed persons), positives*_treated*.csv (the same with typos and reordered names) and
    negatives*.csv (nobody listed), and count a name with a hit as flagged. Baseline: a
    Levenshtein ratio of 0.85 or more to a listed person's name or alias (fixed, not tuned).

    Prints recall per set of positives (and on the untreated ones whose name the list has
    as it is: newer listings are missing from an old list), false hits per 1,000 negatives,
    and names/s. FOLDER: by default screening/ of the evaluation data.
    """
    result = _eval_screening(path, limit, workers)
    if as_json:
        click.echo(result.to_json())


def _eval_screening(path: str | None, limit: int | None, workers: int) -> Any:
    from .evaluate import eval_data_dir, evaluate_screening

    folder = Path(path) if path is not None else eval_data_dir() / "screening"
    result = evaluate_screening(folder, limit=limit, workers=workers)
    _evaluation_table(result, f"{folder}: {result.extra['list']} ({result.extra['entities']:,} entities, "
                              f"loaded in {result.extra['load_s']} s), {result.n:,} names")
    for system in result.systems:
        details = result.details[system]
        recalls = ", ".join(f"{key.removeprefix('recall_')} {value:.3f}" for key, value in details.items()
                            if key.startswith("recall_"))
        click.echo(f"{system}: recall {recalls}; {details.get('hits_per_1000_negatives', 0):.1f} hits per 1,000 "
                   f"negatives; {details['names_per_s']:,.0f} names/s")
    return result


@eval_.command(name="all", short_help="Every task, and the report docs/accuracy.md.")
@click.option("--limit", type=click.IntRange(1),
              help="Only the first N items of each screening and extraction file (a quick run; not for the report).")
@click.option("--output", type=click.Path(dir_okay=False), default=str(Path(__file__).resolve().parent.parent / "docs" / "accuracy.md"),
              show_default="docs/accuracy.md", help="Where the report goes.")
def eval_all(limit: int | None, output: str) -> None:
    """Run every `veille eval` task on its development set from the shared evaluation data,
    print each one's table, and write a Markdown report with a table per task, the date and
    the commit (`--output`). The JSON figures of each task follow its table."""
    import datetime
    import subprocess

    from .evaluate import accuracy_report

    results = []
    for task, run in (("names", lambda: _eval_names(None)), ("extraction", lambda: _eval_extraction(None, limit)),
                      ("ner", lambda: _eval_ner(None, limit)), ("quotes", lambda: _eval_quotes(None, limit)),
                      ("events", lambda: _eval_events((), limit)),
                      ("screening", lambda: _eval_screening(None, limit, 1))):
        click.echo(f"\n== veille eval {task}")
        result = run().to_dict()
        click.echo(json.dumps(result, ensure_ascii=False))
        results.append(result)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(output).resolve().parent, capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    date = datetime.date.today().isoformat()
    Path(output).write_text(accuracy_report(results, date, commit), encoding="utf-8")
    err.print(f"wrote {escape(output)}")


def _evaluation_table(result: Any, title: str) -> None:
    """Precision, recall, F1 and false-positive rate of each system of an ``Evaluation``,
    overall then per group, as a plain fixed-width table (the same on a terminal, in a pipe
    and in a log). "-": undefined (no claim, or nothing to find, or no negative)."""
    rows = [("all", result.overall)] + sorted(result.groups.items())
    width = max(len(group) for group, _ in rows)
    label = max(6, *(len(s) for s in result.systems))
    fpr = result.negatives
    head = f"{'group':<{width}}  {'n':>6}" + "".join(f"  | {s:<{label}}    P      R     F1" + ("    FPR" if fpr else "")
                                                     for s in result.systems)

    def cell(value: float, defined: bool) -> str:
        return f"{value:>5.3f}" if defined else f"{'-':>5}"

    click.echo(title)
    click.echo(head)
    for i, (group, counts) in enumerate(rows):
        cells = ""
        for c in (counts[s] for s in result.systems):
            found = c.tp + c.fn > 0
            cells += (f"  | {'':<{label}}{cell(c.precision, c.tp + c.fp > 0)}  {cell(c.recall, found)}  "
                      f"{cell(c.f1, found)}" + (f"  {cell(c.fpr, c.fp + c.tn > 0)}" if fpr else ""))
        click.echo(f"{group:<{width}}  {counts[result.systems[0]].n:>6}{cells}")
        if i == 0:
            click.echo("-" * len(head))


def main() -> None:
    """Entry point of the ``veille`` command."""
    import atexit
    import gc

    # when the command ends, the objects it made are left for the system to free rather than
    # visited by one last collection: after a long search its caches hold millions, which make
    # no reference cycles, and that collection took more than a second (10,000 names screened)
    atexit.register(gc.freeze)
    cli(prog_name="veille")


if __name__ == "__main__":
    main()
