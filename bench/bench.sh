#!/usr/bin/env bash
# `make bench`: what a bare Debian machine lacks (wrk, PostgreSQL, venv), the
# benchmark's database on KopNet's own PostgreSQL cluster (.ci/postgres.sh), the
# project's virtualenv, then bench/run.py, which seeds, serves and measures.
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

# shellcheck source=.ci/postgres.sh
. .ci/postgres.sh
kopnet_postgres kopnet_bench

make install

BENCH_DATABASE_URL="$PG_URL" exec .venv/bin/python -m bench.run
