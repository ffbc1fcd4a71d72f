#!/usr/bin/env bash
# `make faults`: KopNet through nginx (deploy/nginx) while things go wrong; see
# bench/faults.py. Installs nginx if missing, makes a PostgreSQL cluster of its own
# with production durability (fsync and synchronous commits on: the one CI and the
# benchmark use has them off, and a crash there may lose what it acknowledged),
# seeds a small registry once, then runs the three runs. Needs root (pg_ctlcluster).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx >/dev/null; }
# Debian starts its own nginx on port 80 when installing it: not needed here.
systemctl disable --now nginx >/dev/null 2>&1 || true
make install

PG_VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
PORT=${FAULTS_PG_PORT:-5434}
CLUSTER=kopnetfaults
DATA=/tmp/kopnet-pg-faults
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PG_VERSION $CLUSTER"; then
    echo "==> creating PostgreSQL $PG_VERSION cluster $CLUSTER on port $PORT (production durability)"
    pg_createcluster "$PG_VERSION" "$CLUSTER" --port "$PORT" --datadir "$DATA" \
        -- --auth-local=trust --auth-host=trust >/dev/null
fi
pg_ctlcluster "$PG_VERSION" "$CLUSTER" status >/dev/null 2>&1 || pg_ctlcluster "$PG_VERSION" "$CLUSTER" start
psql_f() { su postgres -c "psql -X -q -p $PORT -tA -c \"$1\""; }
[ "$(psql_f "select count(*) from pg_roles where rolname = 'kopnet'")" = 1 ] \
    || psql_f "create role kopnet login createdb password 'kopnet'"
[ "$(psql_f "select count(*) from pg_database where datname = 'kopnet_faults'")" = 1 ] \
    || psql_f "create database kopnet_faults owner kopnet"
export FAULTS_DATABASE_URL="postgres://kopnet:kopnet@localhost:$PORT/kopnet_faults"
export FAULTS_PG_CLUSTER="$PG_VERSION $CLUSTER"

echo "==> migrating and seeding (once: ${FAULTS_COOPERATIVES:-20000} cooperatives)"
DATABASE_URL="$FAULTS_DATABASE_URL" .venv/bin/python manage.py migrate --verbosity 0
if [ "$(su postgres -c "psql -X -q -p $PORT -d kopnet_faults -tA -c 'select count(*) from registry_cooperative'")" = 0 ]; then
    DATABASE_URL="$FAULTS_DATABASE_URL" .venv/bin/python -m bench.seed_scale \
        --cooperatives "${FAULTS_COOPERATIVES:-20000}" --partnerships "${FAULTS_PARTNERSHIPS:-80000}"
fi
DEBUG=0 SECRET_KEY=collectstatic .venv/bin/python manage.py collectstatic --noinput --verbosity 0
exec .venv/bin/python -m bench.faults
