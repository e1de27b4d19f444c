"""Build Veille, compiling the knowledge base's search modules with mypyc, and its C kernels.

Everything else about the package is in ``pyproject.toml``. ``veille.kb.names``,
``veille.kb.search`` and ``veille.kb.packed`` (screening: reading, blocking and scoring
names) are compiled to C extensions by mypyc, from their own typed Python source: the same
code screens a name with a quarter fewer instructions (see ``veille/kb/native.py`` and the
README's screening bench). ``veille/kb/_kernels.c``, the inner loops of the search's candidate
step, is built beside them as ``veille.kb._kernels``. The source stays the reference: with
``VEILLE_PURE_PYTHON=1`` set at build time nothing is compiled, and at run time (or when a
compiled module is older than its source) Veille runs the source, the kernels' NumPy
equivalents included.

A stamp, ``veille/kb/_native.json``, records the hash of each source compiled, so that a
stale build is noticed rather than run.
"""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path

from setuptools import Extension, setup

KB = Path(__file__).resolve().parent / "veille" / "kb"
# (run by path, not imported: Veille's dependencies are not installed yet when this runs)
native = runpy.run_path(str(KB / "native.py"))


def _ext_modules() -> list:
    if os.environ.get("VEILLE_PURE_PYTHON"):
        native["STAMP"].unlink(missing_ok=True)
        return []
    from mypyc.build import mypycify

    # a stamp no source matches until mypyc has checked and translated them all: a build that
    # fails there (a type error) leaves the extensions of the last build, which would otherwise
    # pass for current and run the old code
    native["STAMP"].write_text(json.dumps(dict.fromkeys(native["SOURCES"], "not built"), indent=1) + "\n")
    sources = [f"veille/kb/{name}.py" for name in native["COMPILED"]]
    kernels = Extension("veille.kb._kernels", [f"veille/kb/{native['KERNELS']}"], extra_compile_args=["-O3"])
    modules = mypycify(["--follow-imports=silent", "--ignore-missing-imports", *sources],
                       group_name="veille.kb._native", opt_level="3")
    native["STAMP"].write_text(json.dumps(native["hashes"](KB), indent=1) + "\n")
    return [*modules, kernels]


setup(ext_modules=_ext_modules())
