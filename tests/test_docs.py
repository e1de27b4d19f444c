"""Docs that cannot drift: the CLI reference is the CLI's own help, and the README names every command."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from veille.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == _generator().render(), (
        "docs/cli.md is stale: run `python scripts/gen_cli_docs.py`")


def test_readme_names_every_command_and_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"veille {name}" in readme, name
    assert "make demo" in readme and "make test" in readme


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
