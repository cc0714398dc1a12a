# Set-up and everyday commands. `make run` opens the program, `make test` runs the whole suite;
# both create .venv and install the project into it first when needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
RUN_STAMP := $(VENV)/.runtime-stamp

.PHONY: run test check format bench templates screenshots dist dist-smoke clean

# `make run` installs what the program needs; the test tools come with `make test`/`check`.
$(RUN_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/python main.py $(ARGS)

# Headless: GUI tests use the offscreen platform; `pytest -m "not gui"` runs the core alone.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks on large generated databases; they are measurements, not tests. Each figure is
# printed beside its floor and the ratio, on each size in CASES, then one summary of every target
# and how it grows with the size. The databases live in DISCLOSURE_DESK_BENCH_DATA (default
# /tmp) and are built there when missing, which takes long; DISCLOSURE_DESK_BENCH_PG (a
# PostgreSQL URL with demo cases) adds the PostgreSQL list and search figures.
CASES ?= 300000 1000000
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen CASES="$(CASES)" $(BIN)/python bench/run_all.py

# Pictures of the real window on demo data, for README (docs/screenshots/*.png).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/screenshots.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/screenshots_part2.py

# The one-folder build (PyInstaller, packaging/disclosure_desk.spec) in dist/disclosure-desk/;
# PyInstaller is a build tool, installed here and never by `make run`.
BUILD_STAMP := $(VENV)/.build-stamp
$(BUILD_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[build]'
	@touch $(BUILD_STAMP)

dist: $(BUILD_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/disclosure_desk.spec

# Starts the frozen program (not the checkout) offscreen and runs its commands.
dist-smoke: dist
	bash packaging/smoke.sh dist/disclosure-desk

templates: $(STAMP)
	$(BIN)/python -m templates_docx.build_templates

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
