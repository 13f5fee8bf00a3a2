#!/usr/bin/env bash
# A throwaway S3-compatible server for the tests of documents in object
# storage (issue 15): SeaweedFS, built from its Go module source (the module
# proxy serves it; `go install` refuses it because of its replace directives).
# Not for real data.
#
#   dir=$(mktemp -d)
#   scripts/seaweedfs.sh start "$dir"     # prints the blob URL; writes $dir/env
#   . "$dir/env"                          # PORTAL_TEST_S3, PORTAL_S3_ACCESS_KEY, PORTAL_S3_SECRET_KEY
#   go test ./store -run S3
#   scripts/seaweedfs.sh stop "$dir"      # stops it by its PID
#   rm -rf "$dir"
#
# build (also run by start when needed) builds the pinned version once into
# a cache folder keyed by the version (SEAWEEDFS_CACHE, default
# ~/.cache/sealportal/seaweedfs-VERSION) and prints the binary's path; a cold
# module cache downloads the source and its dependencies through the proxy.
# SEAWEEDFS_BIN names an existing binary instead.
#
# start runs `weed server -s3` (master, volume, filer and S3 gateway in one
# process) on loopback only, on ten consecutive free ports, with its data in
# DIR/data and an S3 identity file granting one random access key; it waits
# until an object can be written, then prints the URL the portal takes
# (s3://BUCKET?endpoint=127.0.0.1:PORT&insecure=1). stop sends the process
# SIGTERM by the PID in DIR/weed.pid and waits for it to end (up to 30 s, then
# SIGKILL).
set -euo pipefail

VERSION=v0.0.0-20261109003541-7506e5f91cd6
MODULE=github.com/seaweedfs/seaweedfs

usage() {
	echo "usage: $0 build | start DIR | stop DIR" >&2
	exit 2
}
fail() {
	echo "seaweedfs: $*" >&2
	exit 1
}

build() {
	if [ -n "${SEAWEEDFS_BIN:-}" ]; then
		[ -x "$SEAWEEDFS_BIN" ] || fail "SEAWEEDFS_BIN=$SEAWEEDFS_BIN is not an executable"
		echo "$SEAWEEDFS_BIN"
		return
	fi
	local cache="${SEAWEEDFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sealportal/seaweedfs-$VERSION}"
	local bin="$cache/weed"
	if [ -x "$bin" ]; then
		echo "$bin"
		return
	fi
	command -v go >/dev/null || fail "go is needed to build SeaweedFS"
	command -v curl >/dev/null || fail "curl is needed to see when SeaweedFS is ready"
	local start=$SECONDS src tmp
	src=$(go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	[ -n "$src" ] && [ -d "$src" ] || fail "go mod download $MODULE@$VERSION gave no source folder"
	tmp=$(mktemp -d)
	# The module cache is read-only: build in a writable copy.
	cp -r "$src/." "$tmp/"
	chmod -R u+w "$tmp"
	mkdir -p "$cache"
	if ! (cd "$tmp" && go build -o "$bin.tmp" ./weed) >&2; then
		rm -rf "$tmp"
		fail "go build ./weed failed"
	fi
	rm -rf "$tmp"
	mv "$bin.tmp" "$bin"
	echo "seaweedfs: built $VERSION in $((SECONDS - start))s" >&2
	echo "$bin"
}

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
	local dir=$1 bin base="" try try_base p
	mkdir -p "$dir/data"
	bin=$(build)
	for try in $(seq 1 50); do
		try_base=$((20000 + (RANDOM % 900) * 10))
		for p in $(seq "$try_base" $((try_base + 9))); do
			port_free "$p" || continue 2
		done
		base=$try_base
		break
	done
	[ -n "$base" ] || fail "no ten free consecutive ports on 127.0.0.1"
	local access secret bucket
	access=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')
	secret=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
	bucket="sealportal-test"
	umask 077
	cat >"$dir/s3.json" <<EOF
{"identities": [{"name": "portal", "credentials": [{"accessKey": "$access", "secretKey": "$secret"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
	"$bin" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" \
		-master.port=$((base)) -master.port.grpc=$((base + 1)) \
		-volume.port=$((base + 2)) -volume.port.grpc=$((base + 3)) \
		-filer -filer.port=$((base + 4)) -filer.port.grpc=$((base + 5)) \
		-s3 -s3.port=$((base + 6)) -s3.port.grpc=$((base + 7)) -s3.config="$dir/s3.json" \
		-s3.iam=false -s3.port.iceberg=0 -s3.port.lance=0 \
		-filer.localSocket="$dir/filer.sock" -s3.localSocket="$dir/s3.sock" \
		-master.volumeSizeLimitMB=64 -volume.max=8 \
		>"$dir/weed.log" 2>&1 &
	echo $! >"$dir/weed.pid"
	echo "$base" >"$dir/weed.ports"
	local endpoint="127.0.0.1:$((base + 6))"
	# Ready when an object can be written and read back through S3: the
	# gateway answers before the volume server takes writes.
	local ok="" probe_sum
	probe_sum=$(printf 'ready' | sha256sum | cut -d' ' -f1)
	for try in $(seq 1 120); do
		kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null || { tail -n 30 "$dir/weed.log" >&2; fail "weed exited"; }
		if curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" -X PUT "http://$endpoint/$bucket" -o /dev/null 2>/dev/null ||
			curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" "http://$endpoint/$bucket?list-type=2&max-keys=1" -o /dev/null 2>/dev/null; then
			# curl signs no payload by itself: give it the body's SHA-256.
			if printf 'ready' | curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" -H "x-amz-content-sha256: $probe_sum" \
				-X PUT --data-binary @- "http://$endpoint/$bucket/ready-probe" -o /dev/null 2>/dev/null &&
				curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" -X DELETE "http://$endpoint/$bucket/ready-probe" -o /dev/null 2>/dev/null; then
				ok=1
				break
			fi
		fi
		sleep 0.5
	done
	[ -n "$ok" ] || { tail -n 30 "$dir/weed.log" >&2; stop "$dir"; fail "S3 gateway on $endpoint did not take an object within 60s"; }
	local url="s3://$bucket?endpoint=$endpoint&insecure=1"
	cat >"$dir/env" <<EOF
export PORTAL_TEST_S3='$url'
export PORTAL_S3_ACCESS_KEY='$access'
export PORTAL_S3_SECRET_KEY='$secret'
EOF
	echo "$url"
}

stop() {
	local dir=$1 pid
	[ -f "$dir/weed.pid" ] || return 0
	pid=$(cat "$dir/weed.pid")
	if kill -0 "$pid" 2>/dev/null; then
		# The volume server waits 10 s to deregister before it exits.
		kill -TERM "$pid"
		for _ in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
			for _ in $(seq 1 50); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
		fi
	fi
	rm -f "$dir/weed.pid"
	# Its gRPC servers also listen on unix sockets in /tmp named by port.
	if [ -f "$dir/weed.ports" ]; then
		local base p
		base=$(cat "$dir/weed.ports")
		for p in $(seq "$base" $((base + 9))); do
			rm -f /tmp/seaweedfs-*-grpc-"$p".sock
		done
		rm -f "$dir/weed.ports"
	fi
}

case "${1:-}" in
build) build ;;
start)
	[ $# -eq 2 ] || usage
	start "$2"
	;;
stop)
	[ $# -eq 2 ] || usage
	stop "$2"
	;;
*) usage ;;
esac
