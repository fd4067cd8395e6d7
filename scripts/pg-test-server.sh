#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server for tests: its own data directory, listening
# only on a Unix socket in DIR (no TCP), trust auth for the local user. Prints the libpq
# connection string on stdout. Exit 3 when PostgreSQL is not installed (callers skip loudly).
# usage: scripts/pg-test-server.sh start DIR | stop DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=$(realpath -m "${2:?data directory}")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg-test-server: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 3
fi
# initdb and postgres refuse to run as root: run them as the postgres user then.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -A trust -U phiguard -E UTF8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir -p 5432 -c fsync=on" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "host=$dir port=5432 user=phiguard dbname=postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
