# KopNet: `make run` serves the demo registry, `make test` runs the whole suite,
# `make bench` measures it at national scale (bench/run.py says what it does).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test install translations migrate demo clean bench faults lighthouse

run: $(INSTALLED) translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loadplaces
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	@# A first open data snapshot of the demo, listed at /data/ (production: a daily timer).
	$(PY) manage.py export_open_data
	@echo "KopNet: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@# The mail worker (kopnet/mail.py) runs beside the server and stops with it.
	$(PY) manage.py send_queued_mail --loop & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

# `make test XDIST="-n auto --dist loadgroup"` runs the suite on every core
# (pytest-xdist: each worker has its own test database, tmp_path and browser;
# loadgroup keeps each xdist_group, tests/demo's one seeding, on one worker). Off by
# default until the whole suite has passed that way repeatedly on SQLite and PostgreSQL.
XDIST ?=
test: $(INSTALLED) translations
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

install: $(INSTALLED)

# The virtualenv is rebuilt when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

# Compiles kopnet/locale/*/LC_MESSAGES/django.po with polib: no GNU gettext needed.
translations: $(INSTALLED)
	$(PY) manage.py compiletranslations

# Needs root on Debian (it installs wrk and PostgreSQL when missing). Sizes, wrk's
# durations and gunicorn's workers are overridable, e.g. a quick run:
#   make bench BENCH_COOPERATIVES=3000 BENCH_PARTNERSHIPS=10000 BENCH_DURATION=3s
export BENCH_COOPERATIVES BENCH_PARTNERSHIPS BENCH_DURATION BENCH_WARMUP BENCH_CONNECTIONS \
	BENCH_THREADS BENCH_WORKERS BENCH_WORKER_CLASS BENCH_WORKER_THREADS BENCH_CASES BENCH_SEED BENCH_QUIET_WAIT
bench:
	bench/bench.sh

# KopNet through nginx under a mixed load, through a PostgreSQL crash and with slow
# clients (bench/faults.py): `make faults`.
faults:
	bench/faults.sh

# Lighthouse's best-practices audits on every kind of page (bench/lighthouse.py; needs
# npm and Chromium): `make lighthouse`.
lighthouse: $(INSTALLED) translations
	$(PY) -m bench.lighthouse

clean:
	rm -rf $(VENV) staticfiles build *.egg-info
