"""Write docs/cli.md from the CLI's own --help texts (tests/test_docs.py checks it is current).

usage: python scripts/gen_cli_docs.py
"""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from veille.cli import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def render() -> str:
    runner = CliRunner()
    parts = ["# Command line reference\n",
             "Generated from `veille --help` by `scripts/gen_cli_docs.py`; do not edit by hand.\n"]
    commands: list[list[str]] = [[]]
    for name in sorted(cli.commands):
        commands.append([name])
        group = cli.commands[name]
        if isinstance(group, click.Group):  # `veille kb load`...: each subcommand's own help
            commands += [[name, sub] for sub in sorted(group.commands)]
    for words in commands:
        out = runner.invoke(cli, [*words, "--help"], prog_name="veille", terminal_width=100).output
        parts.append(f"## `{' '.join(['veille', *words])}`\n\n```\n{out.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
