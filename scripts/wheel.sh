#!/usr/bin/env bash
# make wheel: build the add-on's wheel with whool (pyproject.toml) into
# .local/dist. whool names the package after the add-on's folder, so build
# through .local/addons/revenue_recognition, whatever the checkout is called.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
link=$(rr_addons_path_link)
mkdir -p "$RR_LOCAL/dist"
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps \
    -w "$RR_LOCAL/dist" "$link"
ls -1 "$RR_LOCAL/dist"/odoo_addon_"$RR_MODULE"-*.whl
