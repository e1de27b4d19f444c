"""Shared fixtures: one real pipeline per session, the example articles, the CLI in-process.

The spaCy models are cached per process by ``veille.nlp``, so the pipeline
the CLI builds at each invocation reuses the models this session loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from veille import Pipeline
from veille.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SUMMIT = "pyongyang-summit-fr.txt"

Invoke = Callable[..., Result]


def _invoke(runner: CliRunner, db: Path | None, *args: object, input: str | bytes | None = None,
            env: dict[str, str | None] | None = None) -> Result:
    """``veille [--db DB] ARGS...`` in-process; stdout and stderr apart (``result.stdout``/``.stderr``).

    Exceptions other than SystemExit propagate: a crash fails the test with its traceback
    instead of hiding in ``result.exception``.
    """
    argv = (["--db", str(db)] if db is not None else []) + [str(a) for a in args]
    return runner.invoke(cli, argv, input=input, env=env, catch_exceptions=False)


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    """The default pipeline, built (and its models loaded) once per session."""
    return Pipeline()


@pytest.fixture(scope="session")
def examples() -> Path:
    assert EXAMPLES.is_dir(), EXAMPLES
    return EXAMPLES


@pytest.fixture(scope="session")
def summit(examples: Path) -> Path:
    """The canonical example: French, scraped, with captions, a byline, a comment form and a captcha."""
    return examples / SUMMIT


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CliRunner (click >= 8.2: ``result.stderr`` apart, ``result.output`` both interleaved).

    VEILLE_DB points into tmp_path so that no test can touch the user's default database.
    """
    monkeypatch.setenv("VEILLE_DB", str(tmp_path / "default-from-env.db"))
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "v.db"


@pytest.fixture(scope="session")
def invoke_cli() -> Callable[..., Result]:
    """``invoke_cli(runner, db, *args, input=None, env=None)``: for fixtures wider than a test."""
    return _invoke


@pytest.fixture
def veille(runner: CliRunner, db: Path) -> Invoke:
    """``veille(*args, input=None, env=None)`` runs ``veille --db <tmp>/v.db ARGS...``."""

    def run(*args: object, input: str | bytes | None = None, env: dict[str, str | None] | None = None) -> Result:
        return _invoke(runner, db, *args, input=input, env=env)

    return run
