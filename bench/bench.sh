#!/usr/bin/env bash
# `make bench`: what a bare Debian machine lacks (wrk, PostgreSQL, venv), the
# project's virtualenv, the benchmark's database on KopNet's own PostgreSQL cluster
# (.ci/postgres.sh), then bench/run.py, which seeds, serves and measures.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive

missing=()
command -v make >/dev/null || missing+=(make)
command -v wrk >/dev/null || missing+=(wrk)
command -v pg_createcluster >/dev/null || missing+=(postgresql)
python3 -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    printf '\n==> %s\n' "installing ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

make install

# kopnet_bench holds the full-size data; any other size gets kopnet_bench_small, so
# that a quick run never reseeds (drops) the full-size data (bench/run.py decides).
database=$(.venv/bin/python -m bench.run --database-name)

# shellcheck source=.ci/postgres.sh
. .ci/postgres.sh
kopnet_postgres "$database"
kopnet_postgres_memory

BENCH_DATABASE_URL="$PG_URL" exec .venv/bin/python -m bench.run
