#!/bin/bash
# Benchmark: `sigil copy` of a >= 200 MB multi-layer image from a loopback
# docker-registry into an OCI layout, against `skopeo copy` of the same
# image, alternating runs with a cold destination each time. Prints the
# median wall time and peak RSS (GNU time) of each tool and the ratios.
# Not a test: run it by hand.
#
#   bench/copy.sh [RUNS]        (default 5; SIGIL=path to use a given binary)
#
# The image (an OCI layout, deterministic) is built once and cached under
# build/bench/image; a Release sigil is built under build/bench/build
# unless $SIGIL is set.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-5}
BENCH=$ROOT/build/bench
mkdir -p "$BENCH"

if [ -z "${SIGIL:-}" ]; then
    cmake -S "$ROOT" -B "$BENCH/build" -DCMAKE_BUILD_TYPE=Release \
        -DSG_TESTS=OFF >/dev/null
    cmake --build "$BENCH/build" -j2 --target sigil >/dev/null
    SIGIL=$BENCH/build/src/sigil
fi
export SIGIL SG_SOURCE_DIR=$ROOT
# shellcheck source=../tests/integration/lib.sh
. "$ROOT/tests/integration/lib.sh"
set +u

# All layers gzip-compressed, so that neither tool recompresses anything:
# 210 MB of incompressible layers plus two compressible text layers.
IMG=$BENCH/image
if [ ! -f "$IMG/index.json" ]; then
    echo "building the benchmark image in $IMG ..." >&2
    rm -rf "$IMG.tmp"
    mkimage "$IMG.tmp" random:100000000:gzip text:150000000:gzip \
        random:70000000:gzip text:30000000:gzip random:40000000:gzip \
        >/dev/null
    mv "$IMG.tmp" "$IMG"
fi
size=$(du -sb "$IMG/blobs" | cut -f1)
layers=$(jq '.layers | length' "$IMG/blobs/sha256/$(jq -r \
    '.manifests[0].digest' "$IMG/index.json" | cut -d: -f2)")

start_registry
$SIGIL copy -q "oci-dir:$IMG" "$REG/bench:v1" >/dev/null
W=$(tmpdir)

# measure NAME CMD...: appends "wall_seconds max_rss_kb" to $W/NAME
measure() {
    name=$1
    shift
    rm -rf "$W/dst"
    sync
    /usr/bin/time -f '%e %M' -o "$W/time" "$@" >/dev/null 2>"$W/err" || {
        echo "$name failed:" >&2
        cat "$W/err" >&2
        exit 1
    }
    cat "$W/time" >>"$W/$name"
}

median() { # FILE COLUMN
    sort -n -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
        END { if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

for i in $(seq 1 "$RUNS"); do
    measure sigil $SIGIL copy -q "$REG/bench:v1" "oci-dir:$W/dst:v1"
    measure skopeo skopeo --insecure-policy copy -q --src-tls-verify=false \
        "docker://$REG/bench:v1" "oci:$W/dst:v1"
done

set +e # (lib.sh's exit trap kills the registry: not an error)
sw=$(median "$W/sigil" 1)
sr=$(median "$W/sigil" 2)
kw=$(median "$W/skopeo" 1)
kr=$(median "$W/skopeo" 2)
printf 'image: %s bytes in %s layers, %s runs each (alternating)\n' \
    "$size" "$layers" "$RUNS"
printf '%-8s %12s %16s\n' tool "wall (s)" "peak RSS (MB)"
awk -v sw="$sw" -v sr="$sr" -v kw="$kw" -v kr="$kr" 'BEGIN {
    printf "%-8s %12.2f %16.1f\n", "sigil", sw, sr / 1024
    printf "%-8s %12.2f %16.1f\n", "skopeo", kw, kr / 1024
    printf "ratio sigil/skopeo: wall %.2f, peak RSS %.2f\n", sw / kw, sr / kr
}'
