#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests' PostgreSQL pass (issue 14),
# from Debian's postgresql package: its data in DIR/data, listening only on a
# unix socket in DIR (no TCP port), fsync off. Not for real data.
#
#   dir=$(mktemp -d)
#   url=$(scripts/pgserver.sh start "$dir")   # prints the superuser's URL
#   PORTAL_TEST_DATABASE_URL=$url go test ./...
#   scripts/pgserver.sh stop "$dir"           # stops it by its PID
#   rm -rf "$dir"
#
# start runs initdb when DIR/data does not exist yet (so a stopped server can
# be started again with its data), starts the server in the background, waits
# until it accepts connections and prints its URL on standard output; the
# server's log is DIR/server.log. stop sends the postmaster (its PID is the
# first line of DIR/data/postmaster.pid) a fast shutdown and waits for it to
# end; a server that is not running is not an error.
#
# PostgreSQL refuses to run as root: as root, the server runs as the postgres
# system user that Debian's package creates, and DIR is given to that user.
# The binaries are looked for in PG_BIN, then /usr/lib/postgresql/15/bin, then
# the newest /usr/lib/postgresql/*/bin.
set -euo pipefail

usage() {
	echo "usage: $0 start|stop DIR" >&2
	exit 2
}
fail() {
	echo "pgserver: $*" >&2
	exit 1
}

[ "$#" -eq 2 ] || usage
action=$1
dir=$2
[ -d "$dir" ] || fail "$dir is not a folder"
dir=$(cd "$dir" && pwd -P)
data=$dir/data
pidfile=$data/postmaster.pid

bindir() {
	local d
	for d in "${PG_BIN:-}" /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		if [ -n "$d" ] && [ -x "$d/postgres" ] && [ -x "$d/initdb" ]; then
			echo "$d"
			return 0
		fi
	done
	fail "no PostgreSQL server binaries (initdb, postgres): apt-get install -y postgresql, or set PG_BIN"
}

# as_server runs a command as the user the server runs as.
as_server() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# url prints the superuser's URL of the server in $dir; the socket folder is
# the host parameter (percent-encoded beyond a path's safe characters).
url() {
	local enc='' c i LC_ALL=C # bytewise: UTF-8 is encoded byte by byte
	for ((i = 0; i < ${#dir}; i++)); do
		c=${dir:i:1}
		case $c in
		[A-Za-z0-9/._~-]) enc+=$c ;;
		*) enc+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	echo "postgres://postgres@/postgres?host=$enc&sslmode=disable"
}

# running prints the postmaster's PID when it is alive.
running() {
	local pid
	[ -f "$pidfile" ] || return 1
	pid=$(head -n 1 "$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

start() {
	local bin pid launcher
	bin=$(bindir)
	if pid=$(running); then
		fail "a server already runs in $dir (PID $pid)"
	fi
	# The socket path must fit in 107 bytes.
	[ "${#dir}" -le 90 ] || fail "$dir is too long for a unix socket's path"
	if [ "$(id -u)" = 0 ]; then
		getent passwd postgres >/dev/null || fail "running as root and there is no postgres user to run the server as"
		chown postgres: "$dir"
	fi
	if [ ! -d "$data" ]; then
		as_server "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C -N >"$dir/initdb.log" 2>&1 ||
			fail "initdb failed:$(printf '\n')$(cat "$dir/initdb.log")"
	fi
	# stdin and stdout are not the caller's, so that url=$(… start …)
	# returns while the server runs on.
	as_server "$bin/postgres" -D "$data" -k "$dir" \
		-c listen_addresses='' -c fsync=off -c full_page_writes=off \
		-c max_connections=500 -c log_min_messages=warning \
		</dev/null >>"$dir/server.log" 2>&1 &
	launcher=$!
	for _ in $(seq 1 600); do
		if "$bin/pg_isready" -q -h "$dir" -U postgres -d postgres; then
			running >/dev/null || fail "the server answers but $pidfile names no live process"
			url
			return 0
		fi
		kill -0 "$launcher" 2>/dev/null || fail "postgres exited at start:$(printf '\n')$(tail -n 40 "$dir/server.log")"
		sleep 0.1
	done
	stop
	fail "postgres did not accept connections within a minute:$(printf '\n')$(tail -n 40 "$dir/server.log")"
}

stop() {
	local pid
	pid=$(running) || return 0
	kill -INT "$pid" # fast shutdown: ends the sessions, writes a checkpoint
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -QUIT "$pid" 2>/dev/null || true # immediate shutdown
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	fail "the server (PID $pid) did not stop"
}

case $action in
start) start ;;
stop) stop ;;
*) usage ;;
esac
