# Veille: two commands do all set-up.
#   make demo   create .venv, install Veille with its spaCy models, analyse the bundled examples
#   make test   the same, plus test tools, then run the whole test suite
# Nothing is fetched at run time: models come from PyPI packages installed here.

VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# (setup.py compiles veille/kb's search modules with mypyc: installing again rebuilds them)
COMPILED = setup.py veille/kb/native.py veille/kb/packed.py veille/kb/names.py veille/kb/search.py veille/kb/_kernels.c

$(VENV)/.installed: pyproject.toml $(COMPILED) | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[models]'
	touch $@

# the test extra's packages only: installing Veille again would compile it again
$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['test'], sep='\n')" > $(VENV)/test-requirements.txt
	$(BIN)/pip install --quiet -r $(VENV)/test-requirements.txt
	touch $@

demo: $(VENV)/.installed
	$(BIN)/veille analyze examples/

test: $(VENV)/.test-installed
	$(BIN)/ruff check veille tests bench scripts setup.py
	$(BIN)/pytest

bench: $(VENV)/.installed
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache veille/kb/*.so veille/kb/_native.json
