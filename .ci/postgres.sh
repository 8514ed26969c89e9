# Start a throwaway PostgreSQL cluster for the team-mode storage tests; sourced by .ci/run.
# Exports TANDAI_TEST_PG_URL. Installs PostgreSQL from Debian's packages where it is missing.
pg_bin=""
for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin=$dir; done
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL not found; installing it" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin=$dir; done
fi
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
pg_root=$(mktemp -d /tmp/tandai-pg.XXXXXX)
chown postgres "$pg_root"
pg_port=${TANDAI_PG_PORT:-54329}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_postgres "$pg_bin/initdb" -D "$pg_root/data" -U postgres -A trust --no-sync >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$pg_root/data" -l "$pg_root/log" -w \
  -o "-p $pg_port -k $pg_root -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres tandai_test
export TANDAI_TEST_PG_URL="postgresql://postgres@127.0.0.1:$pg_port/tandai_test"
stop_postgres() { as_postgres "$pg_bin/pg_ctl" -D "$pg_root/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_root"; }
trap stop_postgres EXIT
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $pg_port" >&2
