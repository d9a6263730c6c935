#!/usr/bin/env bash
# make lint: ruff (lint + format check, settings in pyproject.toml), then the
# OCA mandatory pylint-odoo checks (.pylintrc), then OCA's XML/CSV/PO checks
# (oca-checks-odoo-module, oca-checks-po). Tools live in .local/venv-lint,
# created on first use from scripts/requirements-lint.txt.
# Usage: scripts/lint.sh [--fix]   (--fix: ruff --fix and ruff format)
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RR_ROOT" || exit 2

venv="$RR_LOCAL/venv-lint"
req="$RR_ROOT/scripts/requirements-lint.txt"
if ! cmp -s "$req" "$venv/requirements-lint.txt" 2>/dev/null; then
    rr_say "Installing lint tools into $venv ..."
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv" || exit 2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >&2 || exit 2
    cp "$req" "$venv/requirements-lint.txt"
fi
bin="$venv/bin"

if [ "${1:-}" = "--fix" ]; then
    "$bin/ruff" check --fix .
    "$bin/ruff" format .
    exit 0
fi

failed=()
run() {
    local name="$1"
    shift
    rr_say "=== $name ==="
    if "$@"; then
        rr_say "ok"
    else
        failed+=("$name")
    fi
}

addons_dir="$(dirname "$(rr_addons_path_link)")"
run "ruff check" "$bin/ruff" check --no-fix .
run "ruff format --check" "$bin/ruff" format --check .
# pylint-odoo takes the add-on by its module name: run it from .local/addons
# shellcheck disable=SC2016 # expanded by the inner bash
run "pylint-odoo (mandatory)" \
    bash -c 'cd "$1" && "$2" --rcfile="$3" "$4"' _ \
    "$addons_dir" "$bin/pylint" "$RR_ROOT/.pylintrc" "$RR_MODULE"
run "oca-checks-odoo-module" "$bin/oca-checks-odoo-module" --no-verbose "$addons_dir/$RR_MODULE"
mapfile -t po_files < <(git ls-files -- '*.po' '*.pot' 2>/dev/null)
if [ "${#po_files[@]}" -gt 0 ]; then
    run "oca-checks-po" "$bin/oca-checks-po" --no-verbose --disable=po-pretty-format "${po_files[@]}"
fi

if [ "${#failed[@]}" -gt 0 ]; then
    rr_say "lint failed: ${failed[*]}  (ruff issues: 'make format' fixes many)"
    exit 1
fi
rr_say "lint: all checks passed"
