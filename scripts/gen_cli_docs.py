"""Write docs/cli.md from the CLI's own --help texts (tests/test_docs.py checks it is current).

usage: python scripts/gen_cli_docs.py
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from veille.cli import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def render() -> str:
    runner = CliRunner()
    parts = ["# Command line reference\n",
             "Generated from `veille --help` by `scripts/gen_cli_docs.py`; do not edit by hand.\n"]
    for name in [None, *sorted(cli.commands)]:
        args = ([name] if name else []) + ["--help"]
        out = runner.invoke(cli, args, prog_name="veille", terminal_width=100).output
        parts.append(f"## `veille{' ' + name if name else ''}`\n\n```\n{out.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
