# Two commands on a fresh machine with Python 3.12+, make and git:
#   make run    install, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test   install and run the whole suite
PYTHON ?= python3
UV = $(PYTHON) -m uv
RUN = $(UV) run --frozen
export LIBERATED_ENV ?= development
export UV_PYTHON_DOWNLOADS ?= never

.PHONY: install run test lint bench assets clean demo-code

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

demo-code: install
	@$(RUN) python manage.py demo_code

bench: install
	$(RUN) python -m benchmarks $(BENCH_ARGS)

# Rebuild the vendored GOV.UK Frontend / MOJ Frontend assets (output is committed).
assets: install
	$(RUN) python assets/build.py

clean:
	rm -rf .venv var/staticfiles
