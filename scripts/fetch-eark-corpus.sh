#!/usr/bin/env bash
# Puts the E-ARK IP test corpus (github.com/DILCISBoard/eark-ip-test-corpus) at a pinned commit into
# .cache/eark-ip-test-corpus/ (ignored by git), for `npm run test:corpus`. The corpus is not vendored: its
# repository states no licence, so it may be read but not redistributed with bevara.
#
#   scripts/fetch-eark-corpus.sh                 clone from GitHub (needs the network)
#   scripts/fetch-eark-corpus.sh <git dir>       take it from a local clone or mirror that has the commit
#
# Safe to run twice or at once: it extracts into a temporary folder and renames it into place; an existing
# copy at the pinned commit is left alone.
set -euo pipefail
COMMIT=3fb761873455f723a5905dcfb39819351808579e
URL=https://github.com/DILCISBoard/eark-ip-test-corpus.git
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/.cache/eark-ip-test-corpus"
if [ -f "$target/COMMIT" ] && [ "$(cat "$target/COMMIT")" = "$COMMIT" ]; then
  echo "corpus: $target is at $COMMIT"
  exit 0
fi
mkdir -p "$root/.cache"
work="$(mktemp -d "$root/.cache/corpus.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
  source_git="$1"
else
  git clone --quiet --bare --filter=blob:none "$URL" "$work/repo.git"
  source_git="$work/repo.git"
fi
mkdir "$work/tree"
git --git-dir="$source_git" archive "$COMMIT" corpus README.md | tar -x -C "$work/tree"
echo "$COMMIT" >"$work/tree/COMMIT"
# Move an old copy (another commit) aside, then rename ours into place; -T never moves into an existing folder, so
# when a run at the same time got there first, its copy stays and ours is dropped.
if [ -e "$target" ]; then
  mv -T "$target" "$work/old" 2>/dev/null || true
fi
if ! mv -T "$work/tree" "$target" 2>/dev/null; then
  [ "$(cat "$target/COMMIT" 2>/dev/null)" = "$COMMIT" ] || { echo "corpus: could not put it at $target" >&2; exit 1; }
fi
echo "corpus: $target at $COMMIT ($(find "$target/corpus" -name testCase.xml | wc -l) test cases)"
