#!/usr/bin/env bash
# make demo / make demo-init: a database $DEMO_DB with demo data and the
# add-on installed, then (demo) Odoo serving it on http://localhost:$HTTP_PORT.
# An existing $DEMO_DB is reused (the add-on is updated in it).
# Usage: scripts/demo.sh [--init-only]
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/odoo_env.sh
source "$RR_ROOT/scripts/odoo_env.sh"
cd "$RR_ROOT"

DEMO_DB="${DEMO_DB:-rr_demo}"
HTTP_PORT="${HTTP_PORT:-8069}"

# Odoo from $ODOO_PYTHON, else set up in .local/ (scripts/odoo_env.sh)
if ! rr_odoo_setup demo; then
    rr_say "Cannot run Odoo: $RR_ODOO_WHY."
    rr_say "Give an Odoo 18.0 source (ODOO_SRC=<folder, .tar.gz/.zip or git directory>)," \
        "network access to download it, or ODOO_PYTHON=<a Python that imports Odoo 18.0>."
    exit 2
fi
rr_ensure_pg
addons_path=$(rr_addons_path)
mapfile -t db_args < <(rr_odoo_db_args)
mkdir -p "$RR_LOCAL/logs"
common=(-d "$DEMO_DB" "${db_args[@]}" --addons-path="$addons_path"
    --data-dir="$RR_LOCAL/data")

if rr_db_exists "$DEMO_DB"; then
    rr_say "Updating $RR_MODULE in the existing database $DEMO_DB ..."
    install=(-u "$RR_MODULE")
else
    rr_say "Creating database $DEMO_DB with demo data and $RR_MODULE (a few minutes) ..."
    # no --without-demo: Odoo 18.0 loads demo data on a new database by default
    install=(-i "$RR_MODULE")
fi
log="$RR_LOCAL/logs/demo-init.log"
"$ODOO_PYTHON" -m odoo "${common[@]}" "${install[@]}" \
    --stop-after-init --max-cron-threads=0 --http-port="$(rr_free_port)" \
    --gevent-port="$(rr_free_port)" >"$log" 2>&1 &
odoo_pid=$!
# Progress while Odoo installs (a few minutes the first time): the module it
# is loading, every ten seconds. Under `set -euo pipefail` a grep that finds
# nothing yet (a busy machine logs no "loading" line in the first seconds)
# would end this script while Odoo goes on in the background: every command
# of the loop tolerates an empty log.
started=$SECONDS
last=""
while kill -0 "$odoo_pid" 2>/dev/null; do
    sleep 10
    module=$({ grep -oE 'loading [a-z0-9_]+/' "$log" 2>/dev/null || true; } \
        | tail -n 1 | cut -c9- | tr -d /)
    if [ -n "$module" ] && [ "$module" != "$last" ]; then
        rr_say "  ... $((SECONDS - started)) s: installing $module"
        last=$module
    else
        rr_say "  ... $((SECONDS - started)) s: Odoo is still initialising $DEMO_DB"
    fi
done
status=0
wait "$odoo_pid" || status=$?
if [ "$status" -ne 0 ]; then
    tail -n 40 "$log" >&2
    rr_say "Odoo failed to initialise $DEMO_DB (exit status $status); full log in $log"
    exit 1
fi
if ! rr_db_exists "$DEMO_DB" || grep -qE ' (ERROR|CRITICAL) ' "$log"; then
    { grep -E ' (ERROR|CRITICAL) ' "$log" || true; } | head -n 20 >&2
    rr_say "Errors while initialising $DEMO_DB; full log in $log"
    exit 1
fi
rr_say "Database $DEMO_DB is ready (log: $log)."
if [ "${1:-}" = "--init-only" ]; then
    exit 0
fi

cat >&2 <<MSG

  Odoo 18.0 with revenue_recognition and demo data:
    URL:       http://localhost:$HTTP_PORT/web/login   (database $DEMO_DB)
    Log in:    admin / admin
  The first page after logging in builds the web assets: it takes about a
  minute, later pages are quick.
  Stop with Ctrl-C.

MSG
exec "$ODOO_PYTHON" -m odoo "${common[@]}" --db-filter="^${DEMO_DB}\$" \
    --http-port="$HTTP_PORT" --gevent-port="$(rr_free_port)"
