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
    if ! out=$("$ODOO_PYTHON" -c 'import odoo.release as r; print(r.series)' 2>&1); then
        echo "'$ODOO_PYTHON -c \"import odoo\"' fails: $(printf '%s' "$out" | tail -n 1)"
        return
    fi
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
    odoo_paths=$("$ODOO_PYTHON" -c 'import odoo.addons; print(",".join(odoo.addons.__path__))')
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

# Make sure a PostgreSQL server answers on DB_HOST/DB_PORT. When none does,
# start (or reuse) a private throwaway cluster in .local/pgdata that listens
# on a unix socket only, and point DB_HOST/DB_PORT at it.
rr_ensure_pg() {
    if rr_pg_ready; then
        return 0
    fi
    rr_say "No PostgreSQL answers on ${DB_HOST:-<default socket>}:${DB_PORT:-5432};" \
        "using a private cluster in .local/pgdata."
    local initdb pg_ctl pgdata sockdir port user run=()
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
            rr_say "Running as root without a 'postgres' account: cannot start PostgreSQL."
            return 1
        fi
        chown postgres "$pgdata" "$sockdir"
        chmod 700 "$pgdata"
        if ! runuser -u postgres -- test -w "$pgdata"; then
            pgdata="/tmp/rr-pgdata-$(printf '%s' "$RR_ROOT" | cksum | cut -d' ' -f1)"
            mkdir -p "$pgdata"
            chown postgres "$pgdata"
            chmod 700 "$pgdata"
            rr_say "(postgres cannot write in the repository: cluster in $pgdata)"
        fi
        run=(runuser -u postgres --)
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
    rr_say "Private PostgreSQL: socket $DB_HOST, port $DB_PORT, user $DB_USER" \
        "(stop it with: make pg-stop)"
}

rr_pg_stop() {
    local pg_ctl pgdata run=()
    pg_ctl=$(rr_pg_bin pg_ctl) || return 0
    [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
    for pgdata in "$RR_LOCAL/pgdata" "/tmp/rr-pgdata-$(printf '%s' "$RR_ROOT" | cksum | cut -d' ' -f1)"; do
        if [ -f "$pgdata/postmaster.pid" ]; then
            "${run[@]}" "$pg_ctl" -D "$pgdata" -m fast stop >&2 || true
        fi
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
