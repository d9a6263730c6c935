#!/usr/bin/env bash
# Odoo 18.0's own invoicing and sales suites, without and with the add-on:
#
#   baseline: 190 tests, 0 failed
#   with revenue_recognition: 190 tests, 0 failed
#   failing only with the add-on: none
#
# Two databases with the add-on's dependencies and demo data (the cached
# template of `make test`); the add-on is installed in the second one only.
# Then the same post_install suites (ODOO_SUITES, Odoo --test-tags) run on
# each. Exit status: non-zero when a test fails with the add-on and not
# without it, or when a run did not finish. Tests that fail in both (Odoo's
# own state) are listed, not counted against the add-on.
#
# Variables: those of `make test` (ODOO_PYTHON, DB_*, TEMPLATE_CACHE), and
#   ODOO_SUITES  --test-tags of the suites (default: below)
#   SUITES_DB    prefix of the two databases (default: rr_suites_<pid>;
#                dropped at the end unless given)
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/odoo_env.sh
source "$RR_ROOT/scripts/odoo_env.sh"
cd "$RR_ROOT" || exit 2

# Invoices and credit notes (Change Period included), taxes, early payment
# discounts, the transfer / change period wizard; invoicing from orders,
# accrued orders and down payments.
default_suites=(
    /account:TestAccountMoveOutInvoiceOnchanges
    /account:TestAccountMoveOutRefundOnchanges
    /account:TestInvoiceTaxes
    /account:TestTax
    /account:TestAccountEarlyPaymentDiscount
    /account:TestTransferWizard
    /sale:TestSaleToInvoice
    /sale:TestAccruedSaleOrders
    /sale:TestSaleOrderDownPayment
)
ODOO_SUITES="${ODOO_SUITES:-$(IFS=,; echo "${default_suites[*]}")}"
TEMPLATE_CACHE="${TEMPLATE_CACHE:-1}"
prefix="${SUITES_DB:-rr_suites_$$}"
mkdir -p "$RR_LOCAL/logs"

rr_odoo_setup test || { rr_say "no Odoo 18.0: $RR_ODOO_WHY"; exit 2; }
rr_ensure_pg || exit 2
cfg="$RR_LOCAL/odoo-suites-$prefix.cfg"
{
    echo "[options]"
    echo "addons_path = $(rr_addons_path)"
    echo "data_dir = $RR_LOCAL/data"
    [ -n "$DB_HOST" ] && echo "db_host = $DB_HOST"
    [ -n "$DB_PORT" ] && echo "db_port = $DB_PORT"
    [ -n "$DB_USER" ] && echo "db_user = $DB_USER"
    [ -n "$DB_PASSWORD" ] && echo "db_password = $DB_PASSWORD"
    echo "max_cron_threads = 0"
} >"$cfg"
depends=$("$ODOO_PYTHON" -c 'import ast, sys
print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))' __manifest__.py)
cache=(--cache-prefix rr18 --cache-max-size 3 --cache-max-age 30)
[ "$TEMPLATE_CACHE" = 0 ] && cache=(--no-cache)

odoo() {
    "$ODOO_PYTHON" -m odoo -c "$cfg" --stop-after-init \
        --http-port="$(rr_free_port)" --gevent-port="$(rr_free_port)" "$@"
}

# run NAME [MODULE]: a database with the dependencies (and MODULE), then the
# suites; the log is $RR_LOCAL/logs/odoo-suites-NAME.log
run() {
    local name=$1 module=${2:-} db="${prefix}_$1"
    local log="$RR_LOCAL/logs/odoo-suites-$name.log"
    rr_dropdb "$db" || return 1
    rr_say "=== $name: database $db ==="
    "$ODOO_PYTHON" -m click_odoo_contrib.initdb -c "$cfg" -n "$db" -m "$depends" "${cache[@]}" \
        --log-level=warn --logfile="$log.init" || return 1
    if [ -n "$module" ]; then
        odoo -d "$db" -i "$module" --log-level=warn --logfile="$log.init" || return 1
    fi
    rr_say "running $ODOO_SUITES (log $log)"
    odoo -d "$db" --test-enable --test-tags="$ODOO_SUITES" \
        --log-level=test >"$log" 2>&1
    if [ -z "${SUITES_DB:-}" ]; then
        rr_dropdb "$db" >/dev/null 2>&1
        rm -rf "$RR_LOCAL/data/filestore/$db"
    fi
    rm -f "$log.init"
}

t0=$SECONDS
run baseline || { rr_say "the baseline database could not be made"; exit 2; }
run with "$RR_MODULE" || { rr_say "the add-on could not be installed"; exit 2; }
rm -f "$cfg"
"$PYTHON" scripts/odoo_suites_compare.py \
    "$RR_LOCAL/logs/odoo-suites-baseline.log" "$RR_LOCAL/logs/odoo-suites-with.log"
rc=$?
rr_say "($((SECONDS - t0)) s)"
exit $rc
