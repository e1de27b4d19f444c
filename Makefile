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

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[models]'
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[models,test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/veille analyze examples/

test: $(VENV)/.test-installed
	$(BIN)/ruff check veille tests bench scripts
	$(BIN)/pytest

bench: $(VENV)/.installed
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
