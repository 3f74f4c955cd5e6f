#!/bin/sh
# Container entry point for Sorcha Peer (Docker, Compose, Kubernetes); docs/deployment.md explains
# each variable. It prepares what the node cannot know by itself, then execs the node as PID 1:
#
# - Which node is the bootstrap node: the one without BOOTSTRAP_HOST, or the one BOOTSTRAP_HOST
#   names (its first label is this host's name: pod sorcha-peer-0 of a StatefulSet).
# - The bootstrap node's peer id, so that the others get SORCHA_BOOTSTRAP=/dns4/<BOOTSTRAP_HOST>/tcp/
#   <BOOTSTRAP_PORT>/p2p/<id> (unless SORCHA_BOOTSTRAP is set): the bootstrap node writes its id to
#   BOOTSTRAP_PEER_ID_FILE (a shared volume in compose); the others read it from there, waiting up to
#   BOOTSTRAP_WAIT_SECONDS, or derive it from the bootstrap node's key in BOOTSTRAP_IDENTITY_FILE (a
#   Kubernetes Secret), from which the bootstrap node also takes its identity.
# - The app API listens on every interface only when it is protected (SORCHA_GATEWAY_TOKEN or
#   SORCHA_GATEWAY_TOKEN_FILE set, or SORCHA_GATEWAY_TLS_REQUIRE_CLIENT_CERT true: mutual TLS) or
#   SORCHA_GATEWAY_ALLOW_INSECURE is true; otherwise on the container's loopback, the node's default.
#   An explicit SORCHA_GATEWAY_GRPC_HOST / SORCHA_GATEWAY_REST_HOST always wins.
#
# `sorcha-entrypoint prepare` does the identity steps and exits (a Kubernetes init container);
# any other arguments are a sorcha-peer command line (default: start).
set -eu
data=${SORCHA_DATA_DIR:-/data}
# ENTRYPOINT_APP_DIR: where the image keeps the app (tests run this script against a copy).
app=${ENTRYPOINT_APP_DIR:-/app}
identity() { node "$app/docker/identity.ts" "$@"; }
fail() { printf 'sorcha-entrypoint: %s\n' "$*" >&2; exit 1; }

# Writes a peer id to a file atomically (readers never see half a line).
publish() {
  { printf '%s\n' "$2" >"$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"; } 2>/dev/null \
    || fail "cannot write the peer id file: BOOTSTRAP_PEER_ID_FILE=$1: make its directory writable by the node's user"
}

host=$(uname -n)
case "${BOOTSTRAP_HOST:-}" in
  '' | "$host" | "$host".*) role=bootstrap ;;
  *) role=peer ;;
esac

boot_id=
if [ "$role" = bootstrap ]; then
  # The node would create its identity itself; it is made here only when its id is needed first.
  if [ -n "${BOOTSTRAP_IDENTITY_FILE:-}" ] || [ -n "${BOOTSTRAP_PEER_ID_FILE:-}" ]; then
    own=$(identity "$data" ${BOOTSTRAP_IDENTITY_FILE:+--seed "$BOOTSTRAP_IDENTITY_FILE"})
    [ -z "${BOOTSTRAP_PEER_ID_FILE:-}" ] || publish "$BOOTSTRAP_PEER_ID_FILE" "$own"
  fi
elif [ -n "${SORCHA_BOOTSTRAP:-}" ] && [ "${1:-}" != prepare ]; then
  : # given explicitly: nothing to learn or wait for
elif [ -n "${BOOTSTRAP_IDENTITY_FILE:-}" ]; then
  boot_id=$(identity --peer-id-of "$BOOTSTRAP_IDENTITY_FILE")
  [ -z "${BOOTSTRAP_PEER_ID_FILE:-}" ] || publish "$BOOTSTRAP_PEER_ID_FILE" "$boot_id"
elif [ -n "${BOOTSTRAP_PEER_ID_FILE:-}" ]; then
  wait=${BOOTSTRAP_WAIT_SECONDS:-120}
  case "$wait" in '' | *[!0-9]*) fail "not a number of seconds: BOOTSTRAP_WAIT_SECONDS=$wait: use a whole number such as 120" ;; esac
  while :; do
    [ ! -s "$BOOTSTRAP_PEER_ID_FILE" ] || { read -r boot_id <"$BOOTSTRAP_PEER_ID_FILE" || true; }
    [ -z "$boot_id" ] || break
    [ "$wait" -gt 0 ] || fail "no bootstrap peer id after ${BOOTSTRAP_WAIT_SECONDS:-120} s: BOOTSTRAP_PEER_ID_FILE=$BOOTSTRAP_PEER_ID_FILE: start the bootstrap node with the same file (or set SORCHA_BOOTSTRAP)"
    wait=$((wait - 1))
    sleep 1
  done
else
  fail "no way to learn the bootstrap node's peer id: BOOTSTRAP_HOST=$BOOTSTRAP_HOST: set BOOTSTRAP_PEER_ID_FILE or BOOTSTRAP_IDENTITY_FILE (or SORCHA_BOOTSTRAP)"
fi
case "$boot_id" in
  '' | 12D3KooW* | Qm*) ;;
  *) fail "not a peer id: '$boot_id' in BOOTSTRAP_PEER_ID_FILE=${BOOTSTRAP_PEER_ID_FILE:-}: the bootstrap node writes its id there; delete the file and restart it" ;;
esac
if [ -n "$boot_id" ] && [ -z "${SORCHA_BOOTSTRAP:-}" ]; then
  export SORCHA_BOOTSTRAP="/dns4/$BOOTSTRAP_HOST/tcp/${BOOTSTRAP_PORT:-4100}/p2p/$boot_id"
fi

[ "${1:-}" != prepare ] || exit 0

# A boolean setting as the node reads it (src/config/load.ts).
enabled() { case "$1" in [Tt][Rr][Uu][Ee] | 1 | [Yy][Ee][Ss] | [Oo][Nn]) return 0 ;; *) return 1 ;; esac; }
# The node itself refuses a reachable API with neither a token nor mutual TLS unless
# SORCHA_GATEWAY_ALLOW_INSECURE is true (exit code 2); TLS without client certificates is not enough.
if [ -n "${SORCHA_GATEWAY_TOKEN:-}" ] || [ -n "${SORCHA_GATEWAY_TOKEN_FILE:-}" ] \
  || enabled "${SORCHA_GATEWAY_TLS_REQUIRE_CLIENT_CERT:-}" || enabled "${SORCHA_GATEWAY_ALLOW_INSECURE:-}"; then
  export SORCHA_GATEWAY_GRPC_HOST="${SORCHA_GATEWAY_GRPC_HOST:-0.0.0.0}"
  export SORCHA_GATEWAY_REST_HOST="${SORCHA_GATEWAY_REST_HOST:-0.0.0.0}"
fi

# Node's compile cache (src/cli/bin.js) on the data volume, so that a restarted container finds it warm
# and the node does not load Node's type stripper (docs/deployment.md, "Memory and process settings");
# a NODE_COMPILE_CACHE of the user's wins. The data directory is made first, 0700 as the node makes it.
[ -d "$data" ] || mkdir -p -m 0700 "$data" 2>/dev/null || true
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$data/.node-compile-cache}"

exec node "$app/src/cli/bin.js" "$@"
