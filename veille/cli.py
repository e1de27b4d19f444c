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
import sys
from collections import Counter
from pathlib import Path
from typing import Any

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
from .events import event_line
from .pipeline import Pipeline, PipelineConfig, Record

__all__ = ["cli", "main"]

out = Console(highlight=False, soft_wrap=True)
# soft_wrap: a failure line is never cut in two, whatever the terminal width
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _pipeline(batch_size: int, max_bytes: int) -> Pipeline:
    return Pipeline(PipelineConfig(batch_size=batch_size, max_bytes=max_bytes))


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
def analyze(paths: tuple[str, ...], as_json: bool, batch_size: int, max_bytes: int) -> None:
    """Analyse articles and print the result.

    PATH is a text or HTML file, a JSON Lines file (one article per line with
    "text" or "html"), a directory of them, or - for standard input. Documents
    that cannot be read are reported on stderr; the others are still analysed
    (exit status 1 if any failed).
    """
    pipeline = _pipeline(batch_size, max_bytes)
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
    cannot go on (e.g. the database cannot be opened).
    """
    pipeline = _pipeline(batch_size, max_bytes)
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


def main() -> None:
    """Entry point of the ``veille`` command."""
    cli(prog_name="veille")


if __name__ == "__main__":
    main()
