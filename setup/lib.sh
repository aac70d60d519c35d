# Shared bootstrap of setup/run, setup/test and setup/doctor (sourced, not run).
#
# Idempotent: every step checks what is already there, so a second run is fast.
# Settings (environment variables, all optional):
#   ODOO_SRC     an Odoo 18.0 source tree (default: ~/.cache/odoo-src/18.0, cloned if absent)
#   CCC_CACHE    where the virtualenv, the private PostgreSQL cluster and the filestore
#                live (default: ~/.cache/compte-commun-communs)
#   PGHOST, PGPORT, PGUSER, PGPASSWORD
#                an existing PostgreSQL server to use; when none answers, a private
#                cluster is started under CCC_CACHE
#   ODOO_HTTP_PORT  port of setup/run and of the tests' HTTP server (default 8069)
#   CCC_HTTP_INTERFACE  address setup/run listens on (default 127.0.0.1: this machine
#                only; 0.0.0.0 for every interface)
#   CCC_SMTP_PORT  port of the local mail catcher of setup/run (default 1025)

set -euo pipefail
# runuser and useradd live in sbin, which a minimal PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

CCC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CCC_CACHE=${CCC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/compte-commun-communs}
ODOO_SRC=${ODOO_SRC:-${XDG_CACHE_HOME:-$HOME/.cache}/odoo-src/18.0}
ODOO_REPO_URL=https://github.com/odoo/odoo.git
PY=${PYTHON:-python3}
# One virtualenv per content of requirements.txt: changing a pin builds a new one.
REQ_HASH=$(sha256sum "$CCC_ROOT/requirements.txt" | cut -c1-12)
VENV=$CCC_CACHE/venv-$REQ_HASH
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
PG_DIR=$CCC_CACHE/pg
PG_PRIVATE_PORT=5433
PG_OS_USER=postgres
CONF_DIR=$CCC_ROOT/.local
ODOO_CONF=$CONF_DIR/odoo.conf
APT_PACKAGES=(chromium wkhtmltopdf fonts-dejavu-core git)

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

odoo_src_ok() { [ -f "$ODOO_SRC/odoo/release.py" ] && [ -d "$ODOO_SRC/addons/account" ] && grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py"; }

ensure_apt_packages() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ -n "$PG_BIN" ] || missing+=(postgresql)
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! is_root || ! command -v apt-get >/dev/null; then
        log "missing Debian packages: ${missing[*]} (install them with apt-get as root)"
        return 0
    fi
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
}

ensure_odoo_src() {
    if odoo_src_ok; then return 0; fi
    [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ] \
        && die "$ODOO_SRC exists but is not an Odoo 18.0 tree; set ODOO_SRC to one"
    log "no Odoo 18.0 tree at $ODOO_SRC: cloning the official 18.0 branch (shallow)"
    mkdir -p "$(dirname "$ODOO_SRC")"
    git clone --quiet --depth 1 --branch 18.0 "$ODOO_REPO_URL" "$ODOO_SRC"
    odoo_src_ok || die "the clone at $ODOO_SRC is not an Odoo 18.0 tree"
}

ensure_venv() {
    if [ -f "$VENV/.complete" ]; then return 0; fi
    log "creating the virtualenv $VENV"
    rm -rf "$VENV"
    mkdir -p "$CCC_CACHE"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip wheel "setuptools==66.1.1" >>"$CCC_CACHE/pip.log" 2>&1
    # Odoo is not on PyPI: install the local tree (without its own, partly unbuildable
    # pins) so that "import odoo" works and the OCA wheels find "odoo==18.0.*".
    # "compat" mode puts the tree on sys.path, where its regular package wins over
    # the namespace folder site-packages/odoo that the OCA wheels create.
    "$VENV/bin/pip" install -q --no-deps --no-build-isolation --config-settings editable_mode=compat -e "$ODOO_SRC" >>"$CCC_CACHE/pip.log" 2>&1 \
        || die "installing Odoo into the virtualenv failed, see $CCC_CACHE/pip.log"
    "$VENV/bin/pip" install -q -r "$CCC_ROOT/requirements.txt" >>"$CCC_CACHE/pip.log" 2>&1 \
        || die "installing requirements.txt failed, see $CCC_CACHE/pip.log"
    touch "$VENV/.complete"
}

# Sets PG_ARGS (odoo-bin options) and exports what psql needs.
ensure_postgres() {
    if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ] && pg_answers; then
        log "using the PostgreSQL server at ${PGHOST:-local socket}:${PGPORT:-5432}"
        local user=${PGUSER:-$(id -un)}
        [ "$user" = postgres ] && die "Odoo refuses to connect as role postgres: set PGUSER to another role"
        PG_ARGS=(--db_host="${PGHOST:-}" --db_port="${PGPORT:-5432}" --db_user="$user")
        [ -n "${PGPASSWORD:-}" ] && PG_ARGS+=(--db_password="$PGPASSWORD")
        return 0
    fi
    [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ] \
        && log "no PostgreSQL server answers at ${PGHOST:-local socket}:${PGPORT:-5432}: using the private cluster"
    start_private_cluster
    export PGHOST=$PG_DIR/run PGPORT=$PG_PRIVATE_PORT PGUSER=odoo
    PG_ARGS=(--db_host="$PGHOST" --db_port="$PGPORT" --db_user=odoo)
}

pg_answers() { "${PG_BIN:-/usr/bin}/pg_isready" -q -t 3 >/dev/null 2>&1; }

as_pg_user() {
    if is_root; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

start_private_cluster() {
    [ -n "$PG_BIN" ] || die "no PostgreSQL binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    mkdir -p "$PG_DIR"
    if is_root; then
        # PostgreSQL refuses to run as root: the cluster belongs to an unprivileged user,
        # who needs to traverse the folders above it.
        id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_OS_USER"
        chown "$PG_OS_USER" "$PG_DIR"
        local dir=$PG_DIR
        while [ "$dir" != / ]; do
            dir=$(dirname "$dir")
            chmod o+x "$dir"
        done
    fi
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        log "creating a private PostgreSQL cluster in $PG_DIR/data"
        as_pg_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg_user mkdir -p "$PG_DIR/run"
    if PGHOST=$PG_DIR/run PGPORT=$PG_PRIVATE_PORT "$PG_BIN/pg_isready" -q; then return 0; fi
    log "starting the private PostgreSQL cluster (socket $PG_DIR/run, port $PG_PRIVATE_PORT)"
    # A disposable development cluster: sockets only, and no fsync, for speed.
    as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-p $PG_PRIVATE_PORT -k $PG_DIR/run -c listen_addresses='' -c fsync=off" start >/dev/null \
        || die "PostgreSQL did not start, see $PG_DIR/server.log"
}

site_addons() { echo "$VENV/lib/python$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')/site-packages/odoo/addons"; }

# The master password of the database manager: generated once, kept in .local/,
# never Odoo's default "admin".
master_password() {
    local file=$CONF_DIR/master-password
    if [ ! -s "$file" ]; then
        (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' >"$file")
    fi
    cat "$file"
}

write_odoo_conf() {
    mkdir -p "$CONF_DIR" "$CCC_CACHE/filestore"
    local password
    password=$(master_password)
    # It holds the master password: readable by its owner only.
    (
        umask 077
        cat >"$ODOO_CONF" <<EOF
[options]
addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$(site_addons),$CCC_ROOT
data_dir = $CCC_CACHE/filestore
db_host = ${PGHOST:-}
db_port = ${PGPORT:-5432}
db_user = ${PGUSER:-$(id -un)}
db_password = ${PGPASSWORD:-False}
admin_passwd = $password
list_db = False
http_interface = ${CCC_HTTP_INTERFACE:-127.0.0.1}
http_port = ${ODOO_HTTP_PORT:-8069}
EOF
    )
    chmod 600 "$ODOO_CONF"
}

bootstrap() {
    ensure_apt_packages
    ensure_odoo_src
    ensure_venv
    ensure_postgres
    write_odoo_conf
}

# Odoo, with the virtualenv's bin first on its PATH. A reload (SIGHUP, the watchdog
# of --limit-time-real, --dev=reload) re-executes the server as `python`
# (odoo/service/server.py, _reexec): Python then finds itself, and its packages, by
# that name on PATH, and the system's python has no babel. Whatever Odoo starts gets
# this PATH too.
odoo_bin() { PATH="$VENV/bin:$PATH" "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "$@"; }

# How long a request may run before Odoo's watchdog reloads the server. The
# threaded server counts from when it accepted the connection, so a connection a
# browser opens ahead and leaves idle counts too (Odoo's own tests shorten the
# socket timeout for Chromium's preconnections): with Odoo's default of 120
# seconds, browsing the demo reloaded it every few minutes. A request that really
# hangs is still stopped, and the reload comes back (see odoo_bin).
SERVE_LIMIT_TIME_REAL=600

# The server of setup/run, started the same way by setup/test's reload check
# (tests/setup): serve_odoo DB PORT SMTP_PORT [odoo-bin options]
serve_odoo() {
    local db=$1 port=$2 smtp_port=$3
    shift 3
    odoo_bin -d "$db" --db-filter="^$db\$" --http-port="$port" \
        --smtp=127.0.0.1 --smtp-port="$smtp_port" \
        --limit-time-real="$SERVE_LIMIT_TIME_REAL" "$@"
}

# Runs odoo-bin with --stop-after-init, its output in a log. Odoo exits 0 even when
# a module failed to load, and only warns when its demo data fail to load (it
# then rolls them back): an ERROR or CRITICAL line, or that warning, in the log
# is a failure too.
ODOO_LOG_FAILURE="^[0-9-]+ [0-9:,]+ [0-9]+ ((ERROR|CRITICAL) |WARNING .*demo data failed to install)"
odoo_step() {
    local what=$1 log=$2
    shift 2
    if odoo_bin --stop-after-init --http-port=0 "$@" >"$log" 2>&1 \
        && ! grep -qE "$ODOO_LOG_FAILURE" "$log"; then
        return 0
    fi
    grep -E -A 30 "$ODOO_LOG_FAILURE" "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
    log "$what failed (full log: $log)"
    return 1
}

db_exists() { "$PG_BIN/psql" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }
drop_db() { "$PG_BIN/dropdb" --if-exists "$1"; rm -rf "$CCC_CACHE/filestore/filestore/$1"; }
