"""Whether the knowledge base's search modules run compiled, and never a stale build of them.

``setup.py`` compiles ``veille.kb.packed``, ``names`` and ``search`` with mypyc (C extensions
built from their typed source: a quarter fewer instructions per name screened) and writes a
stamp, ``_native.json``, with the hash of each source it compiled (``hashes``). This module
imports nothing but the standard library: ``setup.py`` runs it before Veille's dependencies
are installed. Python imports an extension
before a source file of the same name, so a module edited since its build would go on running
the old code, silently. ``use_current`` (run by ``veille.kb`` before it imports them) loads
all of them from their source instead, with a warning, when any source differs from its stamp;
also when ``VEILLE_PURE_PYTHON=1`` asks for the source. All of them, not only the edited one:
compiled modules call each other's compiled functions directly.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

#: the modules ``setup.py`` compiles, in the order they import each other
COMPILED = ("names", "packed", "search")
#: the C source of ``veille.kb._kernels``, the search's inner loops that ``setup.py`` builds too
#: (``veille.kb.search`` calls them, and runs its NumPy code instead when they are not built)
KERNELS = "_kernels.c"
#: the sources the stamp records
SOURCES = (*(f"{name}.py" for name in COMPILED), KERNELS)
HERE = Path(__file__).resolve().parent
STAMP = HERE / "_native.json"


def hashes(folder: Path = HERE) -> dict[str, str]:
    """The stamp of the sources (of ``folder``) as they are now: ``setup.py`` writes it when it
    compiles them."""
    return {source: hashlib.sha256((folder / source).read_bytes()).hexdigest() for source in SOURCES}


def _stamp(folder: Path = HERE) -> dict[str, str]:
    try:
        return json.loads((folder / STAMP.name).read_text())
    except (OSError, ValueError):
        return {}


def built(folder: Path = HERE) -> bool:
    """Whether ``setup.py`` compiled the modules (of ``folder``): its stamp is there."""
    return bool(_stamp(folder))


def stale(folder: Path = HERE) -> list[str]:
    """The compiled modules (of ``folder``) whose source changed since they were built ([]
    when none did, or nothing was compiled): "names", "_kernels"..."""
    stamp = _stamp(folder)
    if not stamp:
        return []
    now = hashes(folder)
    return [source.rsplit(".", 1)[0] for source in SOURCES if source in stamp and stamp[source] != now[source]]


def kernels() -> Any:
    """The module ``veille.kb._kernels`` when it was built from the C source as it is now, else
    None: not built, stale, or the Python source asked for (``VEILLE_PURE_PYTHON``)."""
    if os.environ.get("VEILLE_PURE_PYTHON") or not built() or stale():
        return None
    try:
        return importlib.import_module(f"{__package__}._kernels")
    except ImportError:
        return None


def compiled() -> bool:
    """Whether the search modules imported are the compiled ones."""
    module = sys.modules.get(f"{__package__}.names")
    return module is not None and not str(getattr(module, "__file__", "")).endswith(".py")


def use_current() -> None:
    """Import the compiled modules from their source when the build is stale or
    ``VEILLE_PURE_PYTHON`` is set (before anything imports them)."""
    changed = stale()
    asked = bool(os.environ.get("VEILLE_PURE_PYTHON"))
    if not changed and not asked:
        return  # (nothing compiled: Python imports the source anyway)
    if changed and not asked:  # (asked for the source: it runs, whatever the build)
        warnings.warn(f"the compiled veille.kb modules are older than their source ({', '.join(changed)} "
                      "changed): running the source, slower. `pip install -e .` (or `make`) compiles them again",
                      RuntimeWarning, stacklevel=2)
    for name in COMPILED:
        full = f"{__package__}.{name}"
        if full in sys.modules:
            continue
        loader = importlib.machinery.SourceFileLoader(full, str(HERE / f"{name}.py"))
        spec = importlib.util.spec_from_file_location(full, HERE / f"{name}.py", loader=loader)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        setattr(sys.modules[__package__], name, module)
        try:
            loader.exec_module(module)
        except BaseException:
            del sys.modules[full]
            raise
