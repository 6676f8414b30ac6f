#!/usr/bin/env bash
# Installs the Debian packages the test suite uses, when missing (run by `npm test` as its pretest step):
#   unzip  Info-ZIP's reader: every package we write must pass `unzip -t`
#   zip    Info-ZIP's writer: the ZIP reader is tested on its archives
#   time   /usr/bin/time measures peak memory of the CLI on large files
#   strace which of ingest's catalog commits are flushed to disk, and in what order (tests/e2e/catalog-syncs)
#   gcc    builds the power-cut shim of scripts/crash-test.mjs --power-cut (tests/e2e/crash.test.ts)
#   chromium           headless Chromium renders the HTML reports to a screenshot and a DOM dump, and runs the
#                      console's browser tests (tests/browser, driven by playwright-core)
#   python3            runs bagit.py, the Library of Congress BagIt validator (vendored in tests/tools, public
#                      domain; Debian 12 has no python3-bagit): restored bags are checked by it
#   fonts-dejavu-core  a font for that rendering, so the screenshot has readable text (å, ä, ö included)
#   bsdutils (script: a pseudo-terminal for the progress-bar test), util-linux (runuser), coreutils (mkfifo)
#   are part of every Debian system.
set -euo pipefail
missing=()
for tool in python3:python3 unzip:unzip zip:zip /usr/bin/time:time strace:strace cc:gcc chromium:chromium script:bsdutils runuser:util-linux mkfifo:coreutils; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
for file in /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core; do
  [ -e "${file%%:*}" ] || missing+=("${file##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test setup: missing Debian packages: ${missing[*]}; install them: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "test setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
