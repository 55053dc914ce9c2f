# driftaudit developer commands. Every target creates the virtualenv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SEED   := sample_projects/seed_example

# Interpreters for the Django version matrix (pyenv provides them on the dev machines).
# `command -v` alone is not enough: a pyenv shim exists for every installed version but fails
# unless that version is selected, so ask each candidate for its real executable.
find_python = $(shell for p in $(1) $$HOME/.pyenv/versions/$(2)*/bin/python; do \
	$$p -c 'import sys; print(sys.executable)' 2>/dev/null && break; done)
PY311 ?= $(call find_python,python3.11,3.11)
PY312 ?= $(call find_python,python3.12,3.12)

.PHONY: demo test test-matrix samples bench clean fuzz goldens catalogs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e ".[test,realapps]"
	touch $(STAMP)

## make demo: build the seed sample project (if needed) and audit it
demo: $(STAMP)
	@test -f $(SEED)/.built || $(BIN)/python $(SEED)/build.py
	@echo
	@echo "$$ cd $(SEED) && driftaudit report"
	@cd $(SEED) && ../../$(BIN)/driftaudit report; test $$? -le 1

## make test: the whole suite on the installed Django
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist worksteal

## make test-matrix: the suite under Django 4.2, 5.2 (Python 3.11) and 6.1 (Python 3.12)
test-matrix:
	$(MAKE) _matrix NAME=dj42 PY=$(PY311) DJANGO="django>=4.2,<4.3"
	$(MAKE) _matrix NAME=dj52 PY=$(PY311) DJANGO="django>=5.2,<5.3"
	$(MAKE) _matrix NAME=dj61 PY=$(PY312) DJANGO="django>=6.1,<6.2"

_matrix:
	test -x .venv-$(NAME)/bin/python || $(PY) -m venv .venv-$(NAME)
	.venv-$(NAME)/bin/python -m pip install -q -e ".[test]" "$(DJANGO)"
	.venv-$(NAME)/bin/python -m pytest -q -n auto --dist worksteal

## make goldens: rewrite the DDL goldens (tests/schema/golden) of every Django venv there is
goldens: $(STAMP)
	$(BIN)/python tests/schema/golden/regen.py
	for v in dj42 dj61; do if test -x .venv-$$v/bin/python; then .venv-$$v/bin/python tests/schema/golden/regen.py || exit 1; fi; done

## make catalogs: rewrite rules/compiled.json after editing a rules/*.yaml catalog (a run reads
## a catalog from that copy, without PyYAML, while the copy matches the YAML's text)
catalogs: $(STAMP)
	$(BIN)/python -m driftaudit.config.rules

## make samples: (re)build every sample project in place
samples: $(STAMP)
	for build in sample_projects/*/build.py; do $(BIN)/python $$build --quiet || exit 1; done

## make bench: driftaudit vs makemigrations --check / bare SQLite; writes benchmarks/RESULTS.md.
## Its own venv (benchmarks/.venv) holds the real third-party apps measured (pyproject's realapps
## extra: Wagtail, allauth, guardian, ...): never a dependency. Parts and sizes: BENCH_ARGS, e.g.
## make bench BENCH_ARGS="--only many,data --data-scales 1,10" (benchmarks/run.py --help).
BENCH := benchmarks/.venv
BENCH_ARGS ?=
$(BENCH)/.installed-stamp: pyproject.toml Makefile
	test -x $(BENCH)/bin/python || $(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install -q -e ".[realapps]" "django>=5.2,<5.3" pyinstrument
	touch $@

bench: $(BENCH)/.installed-stamp
	$(BENCH)/bin/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .venv-dj* .pytest_cache
	for d in sample_projects/*/; do rm -f $$d/db.sqlite3* $$d/.built; done

## make fuzz SEED=N CASES=K [JOBS=J] [KEEP=DIR]: generated projects and histories checked against
## the invariants (tests/generator); a failure prints its seed and a one-command replay.
SEED  ?= 1
CASES ?= 100
JOBS  ?= 2
fuzz: $(STAMP)
	$(BIN)/python tests/generator/fuzz.py --seed $(SEED) --cases $(CASES) --jobs $(JOBS) $(if $(KEEP),--keep $(KEEP))
