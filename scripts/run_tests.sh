#!/usr/bin/env bash
# Run every test tier and print one summary line per tier, then the total:
#
#   engine: 57 passed, 0 failed
#   odoo: 31 passed, 0 failed
#   88 passed, 0 failed
#
# engine: plain pytest on tests/engine (no Odoo, no database).
# odoo:   a database with the add-on's dependencies (sale, account) and demo
#         data, copied from a cached template (click-odoo-initdb, made on
#         the first run); then Odoo installs the add-on with --test-enable
#         and runs its at_install and post_install tests (TEST_TAGS); the log
#         is checked by checklog-odoo (scripts/checklog-odoo.cfg): any
#         WARNING/ERROR/CRITICAL record fails. Then a short pytest-odoo run
#         of one test module (PYTEST_ODOO_SMOKE) on the same database.
#         Odoo comes from $ODOO_PYTHON, else is set up in .local/
#         (scripts/odoo_env.sh). When there is no Odoo, the tier is skipped
#         with the reason, or fails under CI=true.
# Exit status: non-zero when anything failed.
#
# Variables: see the Makefile header.
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/odoo_env.sh
source "$RR_ROOT/scripts/odoo_env.sh"
cd "$RR_ROOT" || exit 2

TEST_TAGS="${TEST_TAGS:-/$RR_MODULE}"
PYTEST_ODOO_SMOKE="${PYTEST_ODOO_SMOKE:-test_holds.py}"
TEMPLATE_CACHE="${TEMPLATE_CACHE:-1}"
mkdir -p "$RR_LOCAL/logs"

total_passed=0
total_failed=0
summaries=()

# Show the interesting part of the Odoo log as it comes: warnings and errors
# with their tracebacks, the tests, and the milestones (the full log is kept).
rr_odoo_log_filter() {
    awk '
        /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
            show = ($4 != "INFO" && $4 != "DEBUG") \
                || $6 ~ /^odoo\.tests/ || $6 ~ /\.tests\./ \
                || /modules loaded in|Modules loaded|post-tests in|Starting post tests|odoo: Odoo version|odoo: database:/
        }
        show { print; fflush() }
    '
}

# ------------------------------------------------------ Odoo and test tools
# First, so that the engine tier can take pytest from .local/venv.
rr_say "=== Odoo 18.0 and the test tools ==="
odoo_ready=1
rr_odoo_setup test || odoo_ready=0
[ "$odoo_ready" = 1 ] && rr_say "Odoo: $ODOO_PYTHON"

# ---------------------------------------------------------------- engine tier
rr_say "=== engine tests (pytest tests/engine) ==="
engine_python="$PYTHON"
if ! "$PYTHON" -c 'import pytest, hypothesis' >/dev/null 2>&1 \
    && "$RR_VENV/bin/python" -c 'import pytest, hypothesis' >/dev/null 2>&1; then
    engine_python="$RR_VENV/bin/python"
else
    rr_pip_ensure "$PYTHON" "$RR_ROOT/requirements-test.txt" "pytest, hypothesis"
fi
engine_log="$RR_LOCAL/logs/engine-$$.log"
engine_passed=0
engine_failed=0
engine_skipped=0
if [ -d tests/engine ]; then
    # only tests/engine: tests/__init__.py is Odoo's test package
    # -p no:odoo: pytest-odoo, if that Python has it, stays out of it
    "$engine_python" -m pytest tests/engine -q -p no:cacheprovider -p no:odoo -rfE 2>&1 \
        | tee "$engine_log"
    rc=${PIPESTATUS[0]}
    # pytest's closing line: "3 failed, 54 passed, 1 skipped in 1.20s"
    last=$(grep -E '^=* ?[0-9a-z ,]+ in [0-9.]+s( \([0-9:.]+\))?( =*)?$' "$engine_log" | tail -n 1)
    count() { printf '%s' "$last" | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+' || echo 0; }
    engine_passed=$(count passed)
    engine_failed=$(($(count failed) + $(count errors?)))
    engine_skipped=$(count skipped)
    rm -f "$engine_log"
    case $rc in
        0) ;;
        5) rr_say "(no engine test collected)" ;;
        *) [ "$engine_failed" -gt 0 ] || engine_failed=1 ;;
    esac
else
    rr_say "(no tests/engine folder)"
fi
line="engine: $engine_passed passed, $engine_failed failed"
[ "$engine_skipped" -gt 0 ] && line+=", $engine_skipped skipped"
summaries+=("$line")
total_passed=$((total_passed + engine_passed))
total_failed=$((total_failed + engine_failed))

# ------------------------------------------------------------------ odoo tier
how_to_odoo="give an Odoo 18.0 source (ODOO_SRC=<folder, .tar.gz/.zip or git directory>), network access to download it (scripts/odoo-source.env), or ODOO_PYTHON=<a Python that imports Odoo 18.0>"
if [ "$odoo_ready" = 0 ] && [ "${CI:-}" = true ]; then
    rr_say "CI=true: the Odoo tier must run, and it cannot: $RR_ODOO_WHY."
    rr_say "To provide Odoo: $how_to_odoo."
    summaries+=("odoo: 0 passed, 1 failed (not run: $RR_ODOO_WHY)")
    total_failed=$((total_failed + 1))
elif [ "$odoo_ready" = 0 ]; then
    summaries+=("odoo: skipped ($RR_ODOO_WHY; to run it, $how_to_odoo)")
else
    rr_say "=== Odoo tests ($TEST_TAGS) ==="
    odoo_ok=1
    rr_ensure_pg || odoo_ok=0
    db="${TEST_DB:-rr_test_$$}"
    # one log per database, so that parallel runs in one checkout don't mix;
    # .local/logs/odoo-test.log points to the latest
    odoo_log="$RR_LOCAL/logs/odoo-test-$db.log"
    init_log="$RR_LOCAL/logs/odoo-initdb-$db.log"
    cfg="$RR_LOCAL/odoo-test-$db.cfg"
    rm -f "$odoo_log" "$init_log"
    ln -sfn "$(basename "$odoo_log")" "$RR_LOCAL/logs/odoo-test.log"
    odoo_passed=0 odoo_failed=0 odoo_skipped=0
    if [ "$odoo_ok" = 1 ]; then
        addons_path=$(rr_addons_path)
        # one configuration for Odoo, click-odoo-initdb and pytest-odoo
        {
            echo "[options]"
            echo "addons_path = $addons_path"
            echo "data_dir = $RR_LOCAL/data"
            [ -n "$DB_HOST" ] && echo "db_host = $DB_HOST"
            [ -n "$DB_PORT" ] && echo "db_port = $DB_PORT"
            [ -n "$DB_USER" ] && echo "db_user = $DB_USER"
            [ -n "$DB_PASSWORD" ] && echo "db_password = $DB_PASSWORD"
            echo "max_cron_threads = 0"
        } >"$cfg"
        http_port="${TEST_HTTP_PORT:-$(rr_free_port)}"
        rr_dropdb "$db" || odoo_ok=0
    fi
    if [ "$odoo_ok" = 1 ]; then
        rr_say "database $db, addons path $addons_path, log $odoo_log"
        # The add-on's dependencies with demo data, as Odoo would install them
        # on a fresh database, from a template cached by click-odoo-initdb
        # (named rr18-<date>-<sha1 of those modules' files and the demo flag>;
        # made on the first run, kept 30 days, 3 at most). The add-on itself
        # is always installed anew below, so its at_install tests run.
        depends=$("$ODOO_PYTHON" -c 'import ast, sys
print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))' __manifest__.py)
        # Optional add-ons the add-on integrates with when they are installed
        # (TEST_EXTRA_MODULES=sale_stock: deliveries from stock moves).
        [ -n "${TEST_EXTRA_MODULES:-}" ] && depends="$depends,$TEST_EXTRA_MODULES"
        cache=(--cache-prefix rr18 --cache-max-size 3 --cache-max-age 30)
        [ "$TEMPLATE_CACHE" = 0 ] && cache=(--no-cache)
        t0=$SECONDS
        rr_say "database with $depends and demo data (click-odoo-initdb ${cache[*]}) ..."
        if "$ODOO_PYTHON" -m click_odoo_contrib.initdb -c "$cfg" -n "$db" -m "$depends" "${cache[@]}" \
            --log-level=info --logfile="$init_log"; then
            if grep -q "Found matching database template" "$init_log"; then
                rr_say "... copied from the cached template in $((SECONDS - t0)) s"
            else
                rr_say "... installed in $((SECONDS - t0)) s (template cached for the next runs)"
            fi
        else
            tail -n 30 "$init_log" >&2
            rr_say "click-odoo-initdb failed; log in $init_log"
            odoo_ok=0
        fi
    fi
    if [ "$odoo_ok" = 1 ]; then
        "$ODOO_PYTHON" -m odoo -c "$cfg" -d "$db" \
            -i "$RR_MODULE${EXTRA_MODULES:+,$EXTRA_MODULES}" \
            --test-enable --test-tags="$TEST_TAGS" \
            --stop-after-init \
            --http-port="$http_port" --gevent-port="$(rr_free_port)" \
            --log-level=test --log-handler=odoo.tests.stats:INFO \
            2>&1 | tee "$odoo_log" | rr_odoo_log_filter
        odoo_rc=${PIPESTATUS[0]}
        rr_say "(Odoo exited with status $odoo_rc; full log in $odoo_log)"
        expect=()
        grep -qE '^\s*from \. import' tests/__init__.py 2>/dev/null && expect=(--expect-tests)
        read -r odoo_passed odoo_failed odoo_skipped \
            < <("$ODOO_PYTHON" scripts/odoo_result.py "$odoo_log" "${expect[@]}")
        # every record at WARNING or above fails, but the one ignore of
        # scripts/checklog-odoo.cfg; when tests failed, their own ERROR
        # records are not counted twice
        rr_say "=== checklog-odoo ==="
        checklog_out=$("$ODOO_PYTHON" -m checklog_odoo -c scripts/checklog-odoo.cfg "$odoo_log" 2>&1)
        checklog_rc=$?
        if [ "$checklog_rc" = 0 ]; then
            rr_say "log clean"
        else
            printf '%s\n' "$checklog_out" | head -n 200 >&2
            bad=$(printf '%s\n' "$checklog_out" \
                | grep -oE 'errors that caused failure \([0-9]+\)' | grep -oE '[0-9]+' || echo 1)
            [ "$odoo_failed" -gt 0 ] || odoo_failed=$bad
        fi
        [ "$odoo_rc" != 0 ] && [ "$odoo_failed" = 0 ] && odoo_failed=1
        # The same tests the way many Odoo developers run them: pytest-odoo
        # against the database where the add-on is now installed. One module
        # only, to keep CI short (PYTEST_ODOO_SMOKE=none skips it).
        if [ "$PYTEST_ODOO_SMOKE" != none ] && [ "$odoo_rc" = 0 ]; then
            rr_say "=== pytest-odoo: tests/$PYTEST_ODOO_SMOKE on $db ==="
            # from .local/addons, so that the module is found under its name
            if (cd "$RR_LOCAL/addons" && "$ODOO_PYTHON" -m pytest -q -p no:cacheprovider \
                --odoo-config="$cfg" --odoo-database="$db" \
                "$RR_MODULE/tests/$PYTEST_ODOO_SMOKE"); then
                rr_say "pytest-odoo: ok"
            else
                rr_say "pytest-odoo: the smoke run failed"
                odoo_failed=$((odoo_failed + 1))
            fi
        fi
        if [ -z "${TEST_DB:-}" ]; then
            rr_dropdb "$db" >/dev/null 2>&1 || true
            rm -rf "$RR_LOCAL/data/filestore/$db"
        fi
    fi
    if [ "$odoo_ok" = 0 ]; then
        odoo_passed=0 odoo_failed=1 odoo_skipped=0
        rr_say "Odoo tests could not start (PostgreSQL? click-odoo-initdb?)"
    fi
    rm -f "$cfg"
    line="odoo: $odoo_passed passed, $odoo_failed failed"
    [ "$odoo_skipped" -gt 0 ] && line+=", $odoo_skipped skipped"
    summaries+=("$line")
    total_passed=$((total_passed + odoo_passed))
    total_failed=$((total_failed + odoo_failed))
fi

echo
printf '%s\n' "${summaries[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ]
