#!/usr/bin/env bash
# make wheel: build the add-on's wheel (add-on files only) with whool (pyproject.toml) into
# .local/dist. whool names the package after the add-on's folder, so the
# files tracked by git are copied to a temporary folder named
# revenue_recognition first: the checkout may be called anything.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RR_ROOT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/$RR_MODULE"
# the add-on and pyproject.toml, not the developer tooling
git ls-files -z -- . ':!:.*' ':!:scripts' ':!:Makefile' ':!:requirements-test.txt' \
    ':!:benchmarks' | tar --null -T - -cf - | tar -xf - -C "$tmp/$RR_MODULE"
mkdir -p "$RR_LOCAL/dist"
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps \
    -w "$RR_LOCAL/dist" "$tmp/$RR_MODULE"
ls -1 "$RR_LOCAL/dist/odoo_addon_$RR_MODULE"-*.whl
