#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the plan-store tests and print the
# URL to use:   eval "$(bash .ci/postgres.sh)"
# Installs Debian's postgresql with apt-get when no server binary exists (CI runs
# as root), starts the default cluster (or an initdb one) as the postgres user,
# creates the role and database wfm_test, and prints
#   export WFM_TEST_POSTGRES_URL=postgresql+psycopg://wfm_test:wfm_test@localhost:5432/wfm_test
# Everything except that export line goes to stderr.
set -euo pipefail
PGPORT="${WFM_TEST_POSTGRES_PORT:-5432}"
ROLE=wfm_test
DB=wfm_test
PASSWORD=wfm_test

log() { echo "postgres.sh: $*" >&2; }

server_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(server_bin)" ] || [ ! -x "$(server_bin)/postgres" ]; then
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    log "no PostgreSQL server found and cannot apt-get install it (need root on Debian)"
    exit 1
  fi
  log "installing postgresql with apt-get"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN="$(server_bin)"
VERSION="$(basename "$(dirname "$BIN")")"

as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ready() { "$BIN/pg_isready" -h localhost -p "$PGPORT" -q; }

if ! ready; then
  if command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -q "^$VERSION main$"; then
    log "starting cluster $VERSION/main"
    pg_ctlcluster "$VERSION" main start >&2 || true
  fi
fi
if ! ready; then
  DATA="${WFM_TEST_POSTGRES_DATA:-/tmp/wfm_pgdata}"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initdb in $DATA"
    mkdir -p "$DATA"
    chown postgres:postgres "$DATA" 2>/dev/null || true
    as_postgres "$BIN/initdb" -D "$DATA" -U postgres --auth=trust >&2
  fi
  as_postgres "$BIN/pg_ctl" -D "$DATA" -o "-p $PGPORT -k /tmp" -l "$DATA/server.log" -w start >&2
fi
for _ in $(seq 1 30); do ready && break; sleep 1; done
ready || { log "server did not become ready on port $PGPORT"; exit 1; }

psql_admin() { as_postgres psql -h localhost -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@" 2>/dev/null \
  || as_postgres psql -p "$PGPORT" -v ON_ERROR_STOP=1 -qAt "$@"; }

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'")" != "1" ]; then
  psql_admin -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD' CREATEDB" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$DB'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE $DB OWNER $ROLE" >&2
fi
log "PostgreSQL $VERSION ready on localhost:$PGPORT, database $DB"
echo "export WFM_TEST_POSTGRES_URL=postgresql+psycopg://$ROLE:$PASSWORD@localhost:$PGPORT/$DB"
