# Two commands on a fresh machine with Python 3.12+, make and git:
#   make run    install, migrate (as the database owner), grant the app's runtime database
#               role, load demo data, serve on http://127.0.0.1:8000 (as the runtime role)
#   make test   install and run the whole suite
PYTHON ?= python3
UV = $(PYTHON) -m uv
RUN = $(UV) run --frozen
export LIBERATED_ENV ?= development
export UV_PYTHON_DOWNLOADS ?= never

.PHONY: install run test lint audit bench assets clean demo-code

.venv/.installed: uv.lock pyproject.toml
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --quiet
	@touch $@

install: .venv/.installed

run: install
	$(RUN) python manage.py setup_dev
	$(RUN) python manage.py runserver 127.0.0.1:8000

test: install lint
	$(RUN) pytest $(PYTEST_ARGS)

lint: install
	$(RUN) ruff check .

# Known vulnerabilities in every locked package (needs PyPI's vulnerability data), then bandit
# over the apps (settings and skips in pyproject.toml). --strict fails the audit when a package
# could not be checked, so an unreachable PyPI never passes as "no known vulnerabilities".
PIP_AUDIT_ARGS ?= --strict
audit: install
	@mkdir -p var
	$(UV) export --frozen --format requirements-txt --quiet --output-file var/audit-requirements.txt
	$(RUN) pip-audit --requirement var/audit-requirements.txt --require-hashes --disable-pip \
		--progress-spinner off $(PIP_AUDIT_ARGS)
	$(RUN) bandit --configfile pyproject.toml --quiet --recursive \
		accounts caseload purchases issues debriefs learning privacy config manage.py

demo-code: install
	@$(RUN) python manage.py demo_code

bench: install
	$(RUN) python -m benchmarks $(BENCH_ARGS)

# Rebuild the vendored GOV.UK Frontend / MOJ Frontend assets (output is committed).
assets: install
	$(RUN) python assets/build.py

clean:
	rm -rf .venv var/staticfiles
