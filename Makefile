# The two set-up commands of the README. Each creates .venv if needed and installs into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

demo: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/detector score seeds/000_306ce13da61d699f.txt

# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/ruff check detector tests benchmarks scripts
	$(BIN)/python -m pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet ftfy
	$(BIN)/python benchmarks/spinner.py
	$(BIN)/python benchmarks/detection.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
