"""Build Veille, compiling the knowledge base's search modules with mypyc.

Everything else about the package is in ``pyproject.toml``. ``veille.kb.names``,
``veille.kb.search`` and ``veille.kb.packed`` (screening: reading, blocking and scoring
names) are compiled to C extensions by mypyc, from their own typed Python source: the same
code runs about a third faster (see ``veille/kb/native.py`` and the README's screening
bench). The source stays the reference: with ``VEILLE_PURE_PYTHON=1`` set at build time
nothing is compiled, and at run time (or when a compiled module is older than its source)
Veille runs the source.

A stamp, ``veille/kb/_native.json``, records the hash of each source compiled, so that a
stale build is noticed rather than run.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
KB = ROOT / "veille" / "kb"
STAMP = KB / "_native.json"


def _compiled() -> tuple[str, ...]:
    """``veille.kb.native.COMPILED``, read without importing Veille (its dependencies are not
    installed yet when this runs)."""
    for node in ast.parse((KB / "native.py").read_text()).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["COMPILED"]:
            return ast.literal_eval(node.value)
    raise LookupError("veille/kb/native.py has no COMPILED")


def _ext_modules() -> list:
    if os.environ.get("VEILLE_PURE_PYTHON"):
        STAMP.unlink(missing_ok=True)
        return []
    from mypyc.build import mypycify

    compiled = _compiled()
    sources = [f"veille/kb/{name}.py" for name in compiled]
    STAMP.write_text(json.dumps({f"{name}.py": hashlib.sha256((KB / f"{name}.py").read_bytes()).hexdigest()
                                 for name in compiled}, indent=1) + "\n")
    return mypycify(["--follow-imports=silent", "--ignore-missing-imports", *sources], group_name="veille.kb._native", opt_level="3")


setup(ext_modules=_ext_modules())
