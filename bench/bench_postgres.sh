#!/usr/bin/env bash
# bench_postgres — durable inserts per second of a product record into PostgreSQL, the store a
# ministry would pick for this, measured beside bench_registration in the same run.
#
#   bash bench/bench_postgres.sh SECONDS CLIENTS...
#
# Makes a temporary cluster in a directory of its own under /tmp (initdb, Debian's defaults: fsync on, synchronous_commit on,
# listening on a socket in that directory only), creates a product table shaped like registration's record
# (a generated id as primary key, the producer, the classification, the commune, the name) with
# the two lookups registration keeps (by producer, by commune), and runs pgbench with each
# number of clients for SECONDS, every insert its own committed transaction. Prints
#   version V
#   clients N tps T
# per run, or "unavailable REASON" when PostgreSQL is not installed. Stops the cluster and
# removes its directory on exit. Run as root, the cluster runs as the postgres user.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench_postgres.sh SECONDS CLIENTS..." >&2; exit 2; }
seconds="$1"
shift
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
pgbench="$bin/pgbench"
[ -x "$pgbench" ] || pgbench="$(command -v pgbench || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ -z "$pgbench" ]; then
  echo "unavailable PostgreSQL is not installed (Debian: apt-get install postgresql)"
  exit 0
fi
as=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "unavailable no postgres user to run the cluster as"; exit 0; }
  as=(runuser -u postgres --)
fi
dir="$(mktemp -d /tmp/ocop-bench-postgres-XXXXXX)"
[ ${#as[@]} -eq 0 ] || chown postgres "$dir"
data="$dir/data"
stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as[@]}" "$bin/initdb" -D "$data" -A trust -U bench -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $dir -c max_connections=40" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }
psql=("${as[@]}" "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U bench -d postgres)
"${psql[@]}" <<'SQL'
CREATE TABLE product (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entity_id text NOT NULL,
  name text NOT NULL,
  catalogue_version text NOT NULL,
  sector_code text NOT NULL,
  product_set_code text NOT NULL,
  unit_version text NOT NULL,
  commune_code text NOT NULL,
  processing smallint NOT NULL,
  stage text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX product_by_entity ON product (entity_id);
CREATE INDEX product_by_commune ON product (commune_code);
SQL
echo "version $("${psql[@]}" -At -c 'SHOW server_version')"
cat >"$dir/insert.sql" <<'SQL'
\set e random(1, 2000)
\set c random(1, 3321)
\set n random(1, 1000000000)
INSERT INTO product (entity_id, name, catalogue_version, sector_code, product_set_code, unit_version,
                     commune_code, processing, stage)
VALUES ('E' || :e, 'Trà xanh Tân Cương đặc biệt số ' || :n, '148-2025', '1', '1.3', '2025', lpad(:c::text, 5, '0'),
        2, 'REGISTERED');
SQL
chmod a+r "$dir/insert.sql"
for clients in "$@"; do
  threads=$(( clients < 2 ? clients : 2 ))
  tps="$("${as[@]}" "$pgbench" -h "$dir" -U bench -n -c "$clients" -j "$threads" -T "$seconds" -f "$dir/insert.sql" postgres 2>&1 |
         awk '/^tps = / {print $3; exit}')"
  [ -n "$tps" ] || { echo "bench_postgres: pgbench with $clients clients printed no rate" >&2; exit 1; }
  echo "clients $clients tps $tps"
done
