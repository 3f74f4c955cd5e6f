#!/bin/bash
# Docker HEALTHCHECK: healthy when the ops listener's GET /readyz answers 200 (docs/deployment.md).
# bash's /dev/tcp keeps a check at about 3 MB and no measurable CPU: no curl in the image, and a
# Node.js process would cost 47-62 MB and 30-100 ms of CPU every 10 s. Exit 0 healthy, 1 not.
host=${SORCHA_OPS_HOST:-127.0.0.1}
case "$host" in 0.0.0.0 | :: | '[::]') host=127.0.0.1 ;; esac
port=${SORCHA_OPS_PORT:-4290}
{ exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || { echo "ops listener not reachable at $host:$port"; exit 1; }
printf 'GET /readyz HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3
# No timeout of its own: Docker's HEALTHCHECK --timeout ends a check that hangs.
IFS=' ' read -r _ status _ <&3 || { echo "no answer from $host:$port/readyz"; exit 1; }
[ "$status" = 200 ] && exit 0
# Docker keeps a failing check's output in `docker inspect`: show why (the body's checks).
tail -n 1 <&3 | head -c 500
echo
exit 1
