#!/bin/bash
# Benchmark (not a test): `sigil sbom` batch mode against the same images
# scanned one by one, on a loopback docker-registry, cold cache.
#
#   bench/batch.sh [SIGIL] [RUNS]     (default build/dev/src/sigil, 3)
#
# Eight images share base layers (built by tests/integration/
# compose_image.py from the fixture images, build/dev/fixtures): the real
# Debian dpkg database layer, the Go fixture image's layers (16 MiB of Go
# binaries), and with bench/sbom.sh's os image present
# (build/bench/sbom/image, 641 MiB) also its four layers; each image adds
# its own small top layer. Figures, medians of RUNS, from /usr/bin/time -v:
#   - batch: one `sigil sbom --from-file LIST --jobs 2 --no-cache` process
#   - singles: the sum of `sigil sbom IMAGE --no-cache`, one per image
#   - batch --jobs 1, and the peak RSS of the batch with --jobs 2
#   - Trivy scanning the list one by one (cold cache each time): the one
#     bench/sbom.sh uses (bench/lib.sh bench_trivy: an npm package), else
#     `trivy` on PATH.
# Target: batch wall <= 0.6 x the singles' sum; batch peak RSS <= 64 MiB.
# The ratio comes from the layer cache (sigil/layercache.h; in memory
# for the run with --no-cache): a layer shared by several images is
# fetched and catalogued once.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
SIGIL=${1:-$here/build/dev/src/sigil}
RUNS=${2:-3}
FX=$here/build/dev/fixtures
B=$here/build/bench/batch
PY=/usr/bin/python3
COMPOSE="$PY $here/tests/integration/compose_image.py"
mkdir -p "$B"
. "$here/bench/lib.sh"
[ -f "$FX/sbom/dpkg-real/index.json" ] && [ -f "$FX/go/image/index.json" ] || {
    echo "bench/batch.sh: fixtures missing (sh testdata/make-fixtures.sh build/dev/fixtures)" >&2
    exit 2
}

# ---------------------------------------------------------------- images
BIG=$here/build/bench/sbom/image
rm -rf "$B/img" "$B/out"
mkdir -p "$B/img"
n=0
mk() { # NAME SRC...: an image with its own top layer
    $COMPOSE "$B/img/$1" --id "$1" "${@:2}" >/dev/null
    n=$((n + 1))
}
mk deb-a "$FX/sbom/dpkg-real"
mk deb-b "$FX/sbom/dpkg-real"
mk debgo-a "$FX/sbom/dpkg-real" "$FX/go/image"
mk debgo-b "$FX/sbom/dpkg-real" "$FX/go/image"
mk go-a "$FX/go/image"
mk go-b "$FX/go/image"
if [ -f "$BIG/index.json" ]; then
    mk big-a "$BIG"
    mk big-b "$BIG"
else
    mk debgo-c "$FX/sbom/dpkg-real" "$FX/go/image"
    mk go-c "$FX/go/image"
    echo "bench: no $BIG (run bench/sbom.sh once for its 641 MiB layers); fixture layers only" >&2
fi

# ---------------------------------------------------------------- trivy
bench_trivy

# ------------------------------------------------------------- registry
bench_registry
TC=$(mktemp -d)
trap 'kill $reg_pid 2>/dev/null; wait $reg_pid 2>/dev/null; rm -rf "$REG_DIR" "$TC"' EXIT
: >"$B/list.txt"
for d in "$B"/img/*; do
    name=$(basename "$d")
    "$SIGIL" copy -q --insecure-registry "$REG" "oci-dir:$d" "$REG/bench/$name:v1" >/dev/null
    echo "$REG/bench/$name:v1" >>"$B/list.txt"
done
layers=$(for d in "$B"/img/*; do jq -r '.layers[].digest' "$d/blobs/sha256/$(jq -r '.manifests[0].digest' "$d/index.json" | cut -d: -f2)"; done)
echo "bench: $n images, $(echo "$layers" | wc -l) layers, $(echo "$layers" | sort -u | wc -l) distinct" >&2

# ------------------------------------------------------------------ runs
timed() { bench_time "$B/stderr" "$@"; }
sum() { awk '{w+=$1; c+=$2; if ($3>r) r=$3} END {printf "%.3f %.3f %d\n", w, c, r}'; }
INS="--insecure-registry $REG"
rm -f "$B"/*.runs
for i in $(seq "$RUNS"); do
    echo "bench: round $i/$RUNS" >&2
    bench_drop
    timed "$SIGIL" sbom -q $INS --no-cache --from-file "$B/list.txt" --jobs 2 \
        -o "spdx-json=$B/out/{index}.spdx.json" >>"$B/batch.runs"
    bench_drop
    timed "$SIGIL" sbom -q $INS --no-cache --from-file "$B/list.txt" --jobs 1 \
        -o "spdx-json=$B/out/{index}.spdx.json" >>"$B/batch-j1.runs"
    bench_drop
    while read -r ref; do
        timed "$SIGIL" sbom -q $INS --no-cache "$ref" -o "spdx-json=$B/single.spdx.json"
    done <"$B/list.txt" | sum >>"$B/singles.runs"
    if [ -n "$TRIVY" ]; then
        bench_drop
        while read -r ref; do
            rm -rf "${TC:?}"/*
            timed "$TRIVY" image --cache-dir "$TC" --format spdx-json --image-src remote \
                --insecure --skip-db-update --offline-scan --quiet -o "$B/trivy.spdx.json" "$ref"
        done <"$B/list.txt" | sum >>"$B/trivy.runs"
    fi
done

# ---------------------------------------------------------------- report
$PY - "$B" "$n" <<'PYEOF'
import os, statistics, sys
b, n = sys.argv[1], sys.argv[2]
def med(label):
    p = "%s/%s.runs" % (b, label)
    if not os.path.exists(p):
        return None
    rows = [list(map(float, l.split())) for l in open(p) if l.strip()]
    return [statistics.median(c) for c in zip(*rows)]
r = {k: med(k) for k in ("batch", "batch-j1", "singles", "trivy")}
names = {"batch": "sigil batch --jobs 2 (1 process)",
         "batch-j1": "sigil batch --jobs 1 (1 process)",
         "singles": "sigil one by one (sum; max rss)",
         "trivy": "trivy one by one (sum; max rss)"}
print("%s images, cold (--no-cache), medians" % n)
print("%-34s %9s %9s %9s" % ("", "wall s", "cpu s", "rss MiB"))
for k, v in r.items():
    if v:
        print("%-34s %9.2f %9.2f %9.1f" % (names[k], v[0], v[1], v[2] / 1024))
s, bt = r["singles"], r["batch"]
print()
print("batch / singles wall: %.2f (target <= 0.6)" % (bt[0] / s[0]))
print("batch peak rss: %.1f MiB (target <= 64)" % (bt[2] / 1024))
if r["trivy"]:
    print("trivy one by one / sigil batch wall: %.1fx" % (r["trivy"][0] / bt[0]))
else:
    print("trivy: not found (bench/sbom.sh fetches it; or put trivy on PATH)")
PYEOF
