# shellcheck shell=bash
# The Python that runs Odoo for `make test` and `make demo`; source it after
# lib.sh, don't run it. Everything lands in .local/ (ignored by git):
#
#   venv/        the virtual environment the Odoo tier runs in: Odoo's
#                requirements (requirements-odoo.txt) when it is built from a
#                source, and the test tools (requirements-odoo-test.txt);
#                venv/rr-stamp says what it was built from
#   odoo-src     the Odoo 18.0 source, made importable by a .pth file in the
#                venv (a link to ODOO_SRC when that is a source folder)
#   downloads/   the source archive, when it was downloaded
#
# rr_odoo_setup demo|test leaves in ODOO_PYTHON a Python that imports Odoo
# 18.0 (with the test tools, for test), or returns 1 with the reason in
# RR_ODOO_WHY. In order:
#   1. $ODOO_PYTHON imports Odoo 18.0: used as is; for test, .local/venv
#      is a thin layer over it (its site-packages added by a .pth file) that
#      holds the test tools, so that nothing is installed into that Python.
#   2. .local/venv was built earlier from an Odoo source and still matches
#      the requirement files: reused (a few seconds).
#   3. Otherwise .local/venv is built: the source from $ODOO_SRC (folder,
#      archive or git directory), else downloaded (scripts/odoo-source.env),
#      a venv from a Python 3.10-3.12, Odoo's requirements and the tools.
#      ODOO_BOOTSTRAP=0 turns this step off.

RR_VENV="$RR_LOCAL/venv"
RR_ODOO_SRC_DIR="$RR_LOCAL/odoo-src"
RR_ODOO_WHY=""

rr_py_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

# Hash of the given files' contents (16 hex digits).
rr_files_hash() {
    cat "$@" | sha256sum | cut -c1-16
}

rr_tools_hash() {
    rr_files_hash "$RR_ROOT/requirements-odoo-test.txt" "$RR_ROOT/requirements-test.txt"
}

# A Python 3.10-3.12 with venv support to build .local/venv from.
rr_bootstrap_python() {
    local py candidates=()
    [ -n "${BOOTSTRAP_PYTHON:-}" ] && candidates+=("$BOOTSTRAP_PYTHON")
    candidates+=("$ODOO_PYTHON" python3.12 python3.11 python3.10 python3)
    for py in "${candidates[@]}"; do
        command -v "$py" >/dev/null 2>&1 || continue
        case "$(rr_py_version "$py")" in
            3.10 | 3.11 | 3.12) ;;
            *) continue ;;
        esac
        if "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            command -v "$py"
            return 0
        fi
    done
    return 1
}

rr_step_start() {
    local label="$1"
    shift
    RR_STEP_T0=$SECONDS
    rr_say "[$label] $*"
}

rr_step_done() {
    rr_say "      done in $((SECONDS - RR_STEP_T0)) s"
}

rr_venv_pip() {
    # (without the noise of pip configurations that name absent local indexes)
    local out status
    out=$(mktemp)
    status=0
    "$RR_VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" >"$out" 2>&1 \
        || status=$?
    { grep -v "' is ignored: it is neither a file nor a directory" "$out" || true; } >&2
    # gevent and greenlet are left out on purpose (requirements-odoo.txt):
    # pip's resolver then complains that an installed Odoo requires them.
    if grep -qi "requires gevent\|requires greenlet" "$out"; then
        rr_say "      (expected: the \"requires gevent\" / \"requires greenlet\" lines above" \
            "are harmless: they serve only Odoo's websocket worker, which neither" \
            "the tests nor the demo use, and are left out of requirements-odoo.txt)"
    fi
    rm -f "$out"
    return "$status"
}

# The test tools into .local/venv, unless the stamp says they are there.
# Usage: rr_venv_tools [STEP-LABEL]
rr_venv_tools() {
    local hash
    hash=$(rr_tools_hash)
    if grep -qx "tools=$hash" "$RR_VENV/rr-stamp" 2>/dev/null; then
        return 0
    fi
    rr_step_start "${1:-tools}" "test tools into .local/venv: pytest, hypothesis, pytest-odoo," \
        "checklog-odoo, click-odoo-contrib, websocket-client (~5 MB of downloads)"
    rr_venv_pip -r "$RR_ROOT/requirements-odoo-test.txt" -r "$RR_ROOT/requirements-test.txt" \
        || return 1
    sed -i '/^tools=/d' "$RR_VENV/rr-stamp"
    echo "tools=$hash" >>"$RR_VENV/rr-stamp"
    rr_step_done
}

# Case 1: .local/venv as a layer over $ODOO_PYTHON, which imports Odoo.
rr_venv_overlay() {
    local base stamp_base
    base=$("$ODOO_PYTHON" -c 'import sys; print(sys.executable)')
    stamp_base="overlay=$base"
    if ! grep -qx "$stamp_base" "$RR_VENV/rr-stamp" 2>/dev/null \
        || [ ! -x "$RR_VENV/bin/python" ]; then
        rr_say "Test tools go into .local/venv, a layer over $base (nothing is installed into it)."
        rm -rf "$RR_VENV"
        "$base" -m venv "$RR_VENV" >&2 || return 1
        # the venv sees $ODOO_PYTHON's packages after its own: site dirs are
        # added with site.addsitedir so that their .pth files (Odoo's source
        # path, for one) apply too
        "$base" - "$RR_VENV" <<'PY' || return 1
import os, site, sys, sysconfig
venv = sys.argv[1]
paths = sysconfig.get_paths()
stdlib = {paths["stdlib"], paths["platstdlib"]}
stdlib |= {os.path.join(p, "lib-dynload") for p in stdlib}
dirs = [p for p in sys.path if p and os.path.isdir(p) and p not in stdlib]
version = "python%d.%d" % sys.version_info[:2]
target = os.path.join(venv, "lib", version, "site-packages", "rr-odoo-python.pth")
with open(target, "w") as f:
    f.write("import site; list(map(site.addsitedir, %r))\n" % dirs)
PY
        local why
        why=$(ODOO_PYTHON="$RR_VENV/bin/python" rr_odoo_unusable)
        if [ -n "$why" ]; then
            rr_say "the layer .local/venv over $base cannot import Odoo: $why"
            return 1
        fi
        echo "$stamp_base" >"$RR_VENV/rr-stamp"
    fi
    rr_venv_tools || return 1
    ODOO_PYTHON="$RR_VENV/bin/python"
}

# Does .local/venv, built from a source, still fit? (the fast check)
rr_venv_fits() {
    [ -x "$RR_VENV/bin/python" ] && [ -f "$RR_VENV/rr-stamp" ] || return 1
    grep -qx "odoo=$(rr_files_hash "$RR_ROOT/requirements-odoo.txt")" "$RR_VENV/rr-stamp" \
        || return 1
    if [ -n "${ODOO_SRC:-}" ] \
        && [ "$(cat "$RR_ODOO_SRC_DIR.source" 2>/dev/null)" != "$ODOO_SRC" ]; then
        return 1
    fi
    [ -z "$(ODOO_PYTHON="$RR_VENV/bin/python" rr_odoo_unusable)" ]
}

# Case 3: build .local/venv from an Odoo 18.0 source. The venv and its
# test tools come first: when the source cannot be had, the engine tier
# still finds pytest there.
rr_odoo_bootstrap() {
    local t0=$SECONDS src sha="" base version purelib
    rr_say "Setting up Odoo 18.0 in .local/ (a first run only; later runs reuse it):"
    # 1. the virtual environment
    if ! base=$(rr_bootstrap_python); then
        RR_ODOO_WHY="no Python 3.10-3.12 with venv support (python3-venv on Debian) to build .local/venv"
        return 1
    fi
    version=$(rr_py_version "$base")
    rr_step_start 1/4 "virtual environment .local/venv from $base (Python $version)"
    rm -rf "$RR_VENV"
    "$base" -m venv "$RR_VENV" >&2 || { RR_ODOO_WHY="$base -m venv failed"; return 1; }
    echo "base=$base" >"$RR_VENV/rr-stamp"
    rr_venv_pip --upgrade pip || true
    rr_step_done
    # 2. the test tools
    rr_venv_tools 2/4 || { RR_ODOO_WHY="pip could not install the test tools"; return 1; }
    # 3. the source
    if [ -n "${ODOO_SRC:-}" ]; then
        src="$ODOO_SRC"
        rr_step_start 3/4 "Odoo 18.0 source from ODOO_SRC=$src (a source folder is" \
            "linked; an archive or a git directory is extracted: ~1 GB, a minute or two)"
    else
        # shellcheck source=scripts/odoo-source.env disable=SC1091
        source "$RR_ROOT/scripts/odoo-source.env"
        src="$ODOO_SRC_URL"
        sha="$ODOO_SRC_SHA256"
        rr_step_start 3/4 "Odoo 18.0 source: download of $src" \
            "(several hundred MB, needs network access; minutes), then extraction"
    fi
    if [ "$(cat "$RR_ODOO_SRC_DIR.source" 2>/dev/null)" = "$src" ] \
        && [ -f "$RR_ODOO_SRC_DIR/odoo/release.py" ]; then
        rr_say "      already in .local/odoo-src"
    else
        rm -f "$RR_ODOO_SRC_DIR.source"
        "$RR_VENV/bin/python" "$RR_ROOT/scripts/odoo_source.py" "$src" "$RR_ODOO_SRC_DIR" \
            --sha256 "$sha" --downloads "$RR_LOCAL/downloads" \
            || { RR_ODOO_WHY="no Odoo 18.0 source (see the error above)"; return 1; }
    fi
    purelib=$("$RR_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    # Odoo importable without installing or copying it: one path in a .pth
    (cd "$RR_ODOO_SRC_DIR" && pwd -P) >"$purelib/rr-odoo-src.pth"
    rr_step_done
    # 4. Odoo's requirements
    rr_step_start 4/4 "Odoo's Python requirements (requirements-odoo.txt: ~60 packages," \
        "~45 MB of downloads on a first run, under a minute to a few minutes)"
    rr_venv_pip -r "$RR_ROOT/requirements-odoo.txt" \
        || { RR_ODOO_WHY="pip could not install requirements-odoo.txt (see above)"; return 1; }
    echo "odoo=$(rr_files_hash "$RR_ROOT/requirements-odoo.txt")" >>"$RR_VENV/rr-stamp"
    rr_step_done
    RR_ODOO_WHY=$(ODOO_PYTHON="$RR_VENV/bin/python" rr_odoo_unusable)
    if [ -n "$RR_ODOO_WHY" ]; then
        RR_ODOO_WHY=".local/venv was built but: $RR_ODOO_WHY"
        return 1
    fi
    rr_say "Odoo 18.0 is set up in .local/ in $((SECONDS - t0)) s;" \
        "ODOO_PYTHON=.local/venv/bin/python ('make clean' removes it)."
}

rr_odoo_setup() {
    local tools=""
    [ "${1:-}" = test ] && tools=--tools
    RR_ODOO_WHY=$(rr_odoo_unusable)
    if [ -z "$RR_ODOO_WHY" ]; then
        if [ "$tools" = --tools ] && [ "$ODOO_PYTHON" != "$RR_VENV/bin/python" ]; then
            rr_venv_overlay || {
                RR_ODOO_WHY="could not set up the test tools in .local/venv"
                return 1
            }
        fi
        return 0
    fi
    if rr_venv_fits; then
        rr_say "Odoo 18.0: reusing .local/venv (source: $(cat "$RR_ODOO_SRC_DIR.source"));" \
            "$ODOO_PYTHON: $RR_ODOO_WHY"
        ODOO_PYTHON="$RR_VENV/bin/python"
        RR_ODOO_WHY=""
        [ "$tools" = --tools ] && { rr_venv_tools || return 1; }
        return 0
    fi
    if [ "${ODOO_BOOTSTRAP:-1}" = 0 ]; then
        RR_ODOO_WHY="$RR_ODOO_WHY; ODOO_BOOTSTRAP=0: no set-up in .local/"
        return 1
    fi
    rr_say "$ODOO_PYTHON cannot run Odoo 18.0: $RR_ODOO_WHY."
    rr_odoo_bootstrap || return 1
    ODOO_PYTHON="$RR_VENV/bin/python"
    RR_ODOO_WHY=""
}
