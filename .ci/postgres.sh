# A PostgreSQL cluster of KopNet's own, on its own port, for CI (.ci/run) and the
# benchmark (bench/bench.sh). Source this file, then call:
#
#     kopnet_postgres DBNAME
#
# It creates the cluster `kopnetci` (port $KOPNET_CI_PG_PORT, default 5433) if it is
# missing, starts it if it is down, makes sure the role `kopnet` (CREATEDB: pytest-django
# creates test_<name>) and the database DBNAME owned by it exist, and sets PG_URL to
# the database's address. Needs root (it runs psql as the postgres user) and Debian's
# postgresql package (pg_createcluster).

PG_PORT=${KOPNET_CI_PG_PORT:-5433}
PG_CLUSTER=kopnetci
PG_DATA=/tmp/kopnet-pg-ci

psql_pg() { su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $PG_PORT -tA -c \"$1\""; }

kopnet_postgres() {
    local db=$1
    PG_VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PG_VERSION $PG_CLUSTER" && [ ! -d "$PG_DATA" ]; then
        pg_dropcluster --stop "$PG_VERSION" "$PG_CLUSTER"   # its data directory is gone
    fi
    if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PG_VERSION $PG_CLUSTER"; then
        printf '\n==> %s\n' "creating PostgreSQL $PG_VERSION cluster on port $PG_PORT"
        # A throwaway cluster: durability off makes the suite faster.
        pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" --datadir "$PG_DATA" \
            -o fsync=off -o synchronous_commit=off -o full_page_writes=off \
            -- --auth-local=trust --auth-host=trust >/dev/null
    fi
    if ! pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
    fi
    for _ in $(seq 1 30); do psql_pg "select 1" >/dev/null 2>&1 && break; sleep 1; done
    [ "$(psql_pg "select count(*) from pg_roles where rolname = 'kopnet'")" = 1 ] \
        || psql_pg "create role kopnet login createdb password 'kopnet'"
    [ "$(psql_pg "select count(*) from pg_database where datname = '$db'")" = 1 ] \
        || psql_pg "create database $db owner kopnet"
    PG_URL="postgres://kopnet:kopnet@localhost:$PG_PORT/$db"
}

# The benchmark's server sized as a production one (bench/bench.sh): shared_buffers a
# quarter of the memory (at most 4 GB), effective_cache_size half of it. PostgreSQL's
# default 128 MB holds no table of the national registry: every cold page then read
# its rows through the kernel (a search of 9,000 matches: 6,472 buffers read, 90 of
# its 103 ms). Restarts the cluster only when shared_buffers changes.
kopnet_postgres_memory() {
    local mb shared
    mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
    shared=$((mb / 4)); [ "$shared" -gt 4096 ] && shared=4096; [ "$shared" -lt 128 ] && shared=128
    [ "$(psql_pg "select setting::bigint * 8 / 1024 from pg_settings where name = 'shared_buffers'")" = "$shared" ] && return
    psql_pg "alter system set shared_buffers = '${shared}MB'"
    psql_pg "alter system set effective_cache_size = '$((mb / 2))MB'"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart
    for _ in $(seq 1 30); do psql_pg "select 1" >/dev/null 2>&1 && break; sleep 1; done
}
