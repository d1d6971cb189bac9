# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint clean otp backup restore

$(VENV)/installed-run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/installed-test: $(VENV)/installed-run requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "The portal is at http://127.0.0.1:8000/ (admin: /admin/, API docs: /api/docs/)"
	$(PY) manage.py runserver 127.0.0.1:8000

# The demo ministry login's current two-factor code (demo data only).
otp: $(VENV)/installed-run
	@$(PY) manage.py demo_otp

# A timestamped backup of the database and the media files in BACKUP_DIR (default backups/);
# its path is the last line printed.
backup: $(VENV)/installed-run
	@$(PY) manage.py backup

# make restore BACKUP=<path> [NOINPUT=1]: both files are checked before anything changes.
restore: $(VENV)/installed-run
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=<path> [NOINPUT=1]" >&2; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(NOINPUT),--noinput)

test: $(VENV)/installed-test
	sh .ci/browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
