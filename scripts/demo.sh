#!/bin/sh
# The main job on the bundled image, with no server and no network:
# install what is missing, build (release), then inspect and copy the
# bundled OCI layout.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --build-only
cmake --preset release >/dev/null
cmake --build build/release -j"$(nproc)" --target sigil
SIGIL=build/release/src/sigil
IMG=oci-dir:testdata/images/demo:latest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== sigil digest $IMG"
$SIGIL digest "$IMG"
echo "== sigil manifest $IMG"
$SIGIL manifest "$IMG"
echo
echo "== sigil copy $IMG oci-dir:$work/copy:demo"
$SIGIL copy "$IMG" "oci-dir:$work/copy:demo"
$SIGIL digest "oci-dir:$work/copy:demo"
