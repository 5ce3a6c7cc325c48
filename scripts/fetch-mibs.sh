#!/usr/bin/env bash
# Refreshes mibs/ from the netdisco-mibs collection (https://github.com/netdisco/netdisco-mibs),
# the source of the shipped standards set: every module file mibs/ lists is looked up by name in
# SOURCE (searched recursively, so a checkout of the collection or a flat folder of its files
# both do) and copied unmodified; then mibs/NOTICE is written anew (scripts/mibs-notice.py).
# Without SOURCE the collection is cloned at the pinned commit (needs git and the network).
#
# Usage: scripts/fetch-mibs.sh [SOURCE]
# Adding a module: copy its file into mibs/ and run this; the build fails if a shipped module
# does not resolve cleanly.
set -euo pipefail

commit=27ee78736ffec9b2171eddefafd3f7caa8cb7c4b
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/mibs
source=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$source" ]; then
    git clone -q https://github.com/netdisco/netdisco-mibs "$work/netdisco-mibs"
    git -C "$work/netdisco-mibs" checkout -q "$commit"
    source=$work/netdisco-mibs
fi

changed=0 missing=0
for f in "$out"/*; do
    name=$(basename "$f")
    [ "$name" = NOTICE ] && continue
    found=$(find "$source" -type f -name "$name" -not -path '*/.git/*' | sort | head -n 1)
    if [ -z "$found" ]; then
        echo "not in $source: $name" >&2
        missing=$((missing + 1))
        continue
    fi
    if ! cmp -s "$found" "$f"; then
        cp "$found" "$f"
        echo "updated: $name"
        changed=$((changed + 1))
    fi
done
python3 "$repo/scripts/mibs-notice.py" "$out"
echo "$changed files updated, $missing not found"
[ "$missing" -eq 0 ]
