#!/bin/sh
# Build the test fixtures that need tools (rpmbuild, go, npm, umoci...)
# into OUT (default build/dev/fixtures). Runs every testdata/fixtures/*.sh
# as `sh SCRIPT OUT/<name>`; each script is idempotent (it skips work whose
# output already exists) and fails loudly when a tool is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../build/dev/fixtures}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for s in "$here"/fixtures/*.sh; do
    [ -e "$s" ] || continue
    name=$(basename "$s" .sh)
    echo "fixtures: $name"
    mkdir -p "$out/$name"
    sh "$s" "$out/$name"
done
