"""The knowledge base's search modules compiled by mypyc (``veille.kb.native``, ``setup.py``).

That the compiled modules find what their source finds is checked in ``test_kb.py``
(``test_the_compiled_modules_find_what_their_source_finds``).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import veille.kb.names as names_module
import veille.kb.search as search_module
from veille.kb import native


def _build(folder: Path, sources: bool = True) -> None:
    """A folder as setup.py leaves it: the sources (made up unless ``sources`` is False) and the
    stamp of their hashes."""
    for source in native.SOURCES if sources else ():
        (folder / source).write_text(f"/* {source} */\n")
    (folder / "_native.json").write_text(json.dumps(native.hashes(folder)))


def test_a_source_edited_since_the_build_makes_the_build_stale(tmp_path):
    assert not native.built(tmp_path) and native.stale(tmp_path) == []  # nothing compiled
    _build(tmp_path)
    assert native.built(tmp_path) and native.stale(tmp_path) == []
    (tmp_path / "names.py").write_text("# names, edited\n")
    assert native.stale(tmp_path) == ["names"]
    (tmp_path / "_kernels.c").write_text("/* kernels, edited */\n")
    assert native.stale(tmp_path) == ["names", "_kernels"]


def test_the_installed_build_is_current_and_runs():
    # the tests run what users run: the compiled modules when setup.py compiled them (a stale
    # build would fall back to the source, with a warning)
    assert native.stale() == []
    assert native.compiled() == (native.built() and not os.environ.get("VEILLE_PURE_PYTHON"))
    if native.compiled():
        assert not names_module.__file__.endswith(".py")
    # the search calls its C kernels where they were built, the NumPy code beside them otherwise
    assert (search_module._KERNELS is not None) == native.compiled()


def test_a_stale_build_runs_the_source_with_a_warning(tmp_path):
    # a copy of the package whose names.py changed after its build: all three modules come from
    # the source (compiled modules call each other directly), and Veille says so
    import shutil

    import veille

    copy = tmp_path / "veille"
    shutil.copytree(Path(veille.__file__).parent, copy)
    if not native.built(copy / "kb"):
        _build(copy / "kb", sources=False)
    (copy / "kb" / "names.py").write_text((copy / "kb" / "names.py").read_text() + "\n# edited\n")
    code = ("import warnings; warnings.simplefilter('always')\n"
            "import veille.kb, veille.kb.native as n, veille.kb.names as m, veille.kb.search as s\n"
            "print(n.compiled(), m.__file__.endswith('.py'), s.__file__.endswith('.py'), m.match('Sergei Lavrov', "
            "['Сергей Лавров']).score)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "1.0"]
    assert "older than their source (names changed)" in result.stderr

