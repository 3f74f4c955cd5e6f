#!/bin/sh
# Container entry point for Sorcha Peer.
# - Creates the node's identity before the first start, so that its peer id is known to others.
# - BOOTSTRAP_HOST + BOOTSTRAP_DATA_DIR (the bootstrap node's data volume, mounted read-only) derive
#   SORCHA_BOOTSTRAP=/dns4/<host>/tcp/<port>/p2p/<its peer id> when it is not set explicitly.
set -eu
cli="node /app/src/cli/bin.js"
$cli id --data-dir "${SORCHA_DATA_DIR:-/data}" >/dev/null
if [ -z "${SORCHA_BOOTSTRAP:-}" ] && [ -n "${BOOTSTRAP_HOST:-}" ] && [ -n "${BOOTSTRAP_DATA_DIR:-}" ]; then
  id=$($cli id --data-dir "$BOOTSTRAP_DATA_DIR" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).peerId))')
  export SORCHA_BOOTSTRAP="/dns4/${BOOTSTRAP_HOST}/tcp/${BOOTSTRAP_PORT:-4100}/p2p/${id}"
fi
exec $cli "$@"
