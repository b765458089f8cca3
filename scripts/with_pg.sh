#!/usr/bin/env bash
# Run a command (the test suite) with a throwaway PostgreSQL cluster, when the server is installed.
#
#   scripts/with_pg.sh COMMAND ARGS...
#
# When initdb and pg_ctl are found (on PATH or in /usr/lib/postgresql/*/bin), a new cluster is
# made in a temporary folder, listening on a Unix socket in that folder and a free loopback port,
# and RRP_TEST_PG_URL is exported for the command. PostgreSQL refuses to run as root, so under
# root the cluster belongs to an unprivileged user (postgres, or a system user rrp-pg made here).
# The cluster is stopped and its folder removed afterwards, whatever the command's outcome; the
# command's exit code is this script's. Without the binaries the command runs as it is (the
# PostgreSQL tests then skip, or fail under CI=true).
set -uo pipefail

find_bin() {
    local name=$1 found
    found=$(command -v "$name" 2>/dev/null) && { echo "$found"; return 0; }
    for found in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$found/$name" ] && { echo "$found/$name"; return 0; }
    done
    return 1
}

INITDB=$(find_bin initdb) || INITDB=""
PG_CTL=$(find_bin pg_ctl) || PG_CTL=""
if [ -z "$INITDB" ] || [ -z "$PG_CTL" ] || [ -n "${RRP_TEST_PG_URL:-}" ]; then
    [ -z "$INITDB$PG_CTL" ] && [ -z "${RRP_TEST_PG_URL:-}" ] && \
        echo "with_pg: no PostgreSQL server binaries (initdb, pg_ctl): PostgreSQL tests will skip" >&2
    exec "$@"
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/rrp-pg.XXXXXX")
chmod 755 "$DIR"
AS=()
if [ "$(id -u)" = 0 ]; then
    OWNER=postgres
    if ! id "$OWNER" >/dev/null 2>&1; then
        OWNER=rrp-pg
        id "$OWNER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OWNER"
    fi
    chown "$OWNER" "$DIR"
    AS=(runuser -u "$OWNER" --)
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
    "${AS[@]}" "$PG_CTL" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! "${AS[@]}" "$INITDB" -D "$DIR/data" -U rrp -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1; then
    cat "$DIR/initdb.log" >&2
    echo "with_pg: initdb failed" >&2
    exit 1
fi
OPTS="-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off"
OPTS="$OPTS -c max_connections=200 -c shared_buffers=32MB"
if ! "${AS[@]}" "$PG_CTL" -D "$DIR/data" -l "$DIR/server.log" -o "$OPTS" -w -t 60 start >/dev/null; then
    cat "$DIR/server.log" >&2
    echo "with_pg: the PostgreSQL server did not start" >&2
    exit 1
fi
export RRP_TEST_PG_URL="postgresql://rrp@127.0.0.1:$PORT/postgres"
echo "with_pg: throwaway PostgreSQL $("$PG_CTL" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
exit $?
