#!/usr/bin/env bash
# Run every test tier and print one summary line per tier, then the total:
#
#   engine: 57 passed, 0 failed
#   odoo: 31 passed, 0 failed
#   88 passed, 0 failed
#
# engine: plain pytest on tests/engine (no Odoo, no database).
# odoo:   installs the add-on on a fresh database with --test-enable and runs
#         its at_install and post_install tests (TEST_TAGS), then checks the
#         log (scripts/checklog.py): any WARNING/ERROR/CRITICAL line fails.
#         Skipped, with the reason, when $ODOO_PYTHON cannot import Odoo 18.0.
# Exit status: non-zero when anything failed.
#
# Variables: see the Makefile header.
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RR_ROOT" || exit 2

TEST_TAGS="${TEST_TAGS:-/$RR_MODULE}"
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

# ---------------------------------------------------------------- engine tier
rr_say "=== engine tests (pytest tests/engine) ==="
rr_pip_ensure "$PYTHON" "$RR_ROOT/requirements-test.txt" "pytest, hypothesis"
engine_log="$RR_LOCAL/logs/engine-$$.log"
engine_passed=0
engine_failed=0
engine_skipped=0
if [ -d tests/engine ]; then
    # only tests/engine: tests/__init__.py is Odoo's test package
    "$PYTHON" -m pytest tests/engine -q -p no:cacheprovider -rfE 2>&1 | tee "$engine_log"
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
why=$(rr_odoo_unusable)
if [ -n "$why" ]; then
    summaries+=("odoo: skipped ($why; to run it, install Odoo 18.0 so that \"$ODOO_PYTHON -c 'import odoo'\" works, or set ODOO_PYTHON to a Python that has it)")
else
    rr_say "=== Odoo tests ($TEST_TAGS) ==="
    odoo_ok=1
    rr_ensure_pg || odoo_ok=0
    rr_pip_ensure "$ODOO_PYTHON" "$RR_ROOT/requirements-odoo-test.txt" "websocket"
    db="${TEST_DB:-rr_test_$$}"
    # one log per database, so that parallel runs in one checkout don't mix;
    # .local/logs/odoo-test.log points to the latest
    odoo_log="$RR_LOCAL/logs/odoo-test-$db.log"
    summary_file="$RR_LOCAL/logs/odoo-test-$db.summary"
    rm -f "$odoo_log" "$summary_file"
    ln -sfn "$(basename "$odoo_log")" "$RR_LOCAL/logs/odoo-test.log"
    if [ "$odoo_ok" = 1 ]; then
        addons_path=$(rr_addons_path)
        mapfile -t db_args < <(rr_odoo_db_args)
        http_port="${TEST_HTTP_PORT:-$(rr_free_port)}"
        rr_dropdb "$db" || odoo_ok=0
    fi
    if [ "$odoo_ok" = 1 ]; then
        rr_say "database $db, addons path $addons_path, log $odoo_log"
        # Odoo creates the database, installs base (with demo data, as on a
        # real test database), then the add-on with its dependencies.
        "$ODOO_PYTHON" -m odoo \
            -d "$db" "${db_args[@]}" \
            --addons-path="$addons_path" \
            --data-dir="$RR_LOCAL/data" \
            -i "$RR_MODULE" \
            --test-enable --test-tags="$TEST_TAGS" \
            --stop-after-init --max-cron-threads=0 \
            --http-port="$http_port" --gevent-port="$(rr_free_port)" \
            --log-level=test --log-handler=odoo.tests.stats:INFO \
            2>&1 | tee "$odoo_log" | rr_odoo_log_filter
        odoo_rc=${PIPESTATUS[0]}
        rr_say "(Odoo exited with status $odoo_rc; full log in $odoo_log)"
        expect=()
        grep -qE '^\s*from \. import' tests/__init__.py 2>/dev/null && expect=(--expect-tests)
        "$PYTHON" scripts/checklog.py "$odoo_log" --summary-file "$summary_file" "${expect[@]}"
        if [ "$odoo_rc" != 0 ] && [ -f "$summary_file" ]; then
            read -r p f s <"$summary_file"
            [ "$f" -gt 0 ] || echo "$p 1 $s" >"$summary_file"
        fi
        if [ -z "${TEST_DB:-}" ]; then
            rr_dropdb "$db" >/dev/null 2>&1 || true
            rm -rf "$RR_LOCAL/data/filestore/$db"
        fi
    fi
    if [ -f "$summary_file" ]; then
        read -r odoo_passed odoo_failed odoo_skipped <"$summary_file"
        rm -f "$summary_file"
    else
        odoo_passed=0 odoo_failed=1 odoo_skipped=0
        rr_say "Odoo tests could not start (PostgreSQL?)"
    fi
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
