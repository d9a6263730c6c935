#!/usr/bin/env bash
# `make test-queue`: the Odoo tests with OCA queue_job installed next to the
# add-on (queue_job is optional, not a manifest dependency).
#
# queue_job comes from QUEUE_JOB_ADDONS (a folder holding queue_job/), else
# from the odoo-addon-queue_job 18.0 wheel, fetched from PyPI by pip and
# unpacked into .local/queue_job-addons (kept for the next runs). Then
# scripts/run_tests.sh runs with that folder first in the addons path,
# EXTRA_MODULES=queue_job and, unless TEST_TAGS says otherwise, the job tests.
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RR_ROOT" || exit 2

addons="${QUEUE_JOB_ADDONS:-}"
if [ -z "$addons" ]; then
    addons="$RR_LOCAL/queue_job-addons"
    if [ ! -f "$addons/queue_job/__manifest__.py" ]; then
        rr_say "fetching odoo-addon-queue_job 18.0 (pip download) into $addons"
        wheels="$RR_LOCAL/queue_job-wheel"
        rm -rf "$wheels" "$addons"
        mkdir -p "$wheels" "$addons"
        "${PYTHON:-python3}" -m pip download --no-deps --quiet \
            "odoo-addon-queue_job==18.0.*" -d "$wheels" || {
            rr_say "could not download queue_job: give QUEUE_JOB_ADDONS=<folder holding queue_job>"
            exit 1
        }
        "${PYTHON:-python3}" -c 'import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$(ls "$wheels"/*.whl | head -n 1)" "$wheels/unpacked"
        mv "$wheels/unpacked/odoo/addons/queue_job" "$addons/"
    fi
fi
if [ ! -f "$addons/queue_job/__manifest__.py" ]; then
    rr_say "no queue_job in $addons"
    exit 1
fi
export ADDONS_PATH="$addons${ADDONS_PATH:+,$ADDONS_PATH}"
export EXTRA_MODULES="queue_job${EXTRA_MODULES:+,$EXTRA_MODULES}"
export TEST_TAGS="${TEST_TAGS_QUEUE:-/$RR_MODULE:TestMonthEndJobs}"
export PYTEST_ODOO_SMOKE=none
exec bash "$RR_ROOT/scripts/run_tests.sh"
