#!/bin/bash
# Benchmark: the one-pass pipeline `sigil sbom IMG --attest --key K --sign
# -o spdx-json=F` against the three separate steps `sigil sbom` + `sigil
# attest` + `sigil sign`, on a >= 500 MB image in an OCI layout (no
# server: the README's main job) and, with --registry, from a loopback
# docker-registry. Prints median wall time and peak RSS (GNU time).
# Not a test: run it by hand.
#
#   bench/attest.sh [--registry] [RUNS]   (default 3; SIGIL=path to use a
#                                          given binary; THREADS=N passes
#                                          --threads N to sigil sbom)
#
# The image is the demo image (Debian 12 dpkg DB: a real SBOM) with 790 MB
# of extra layers (random and text, ~540 MB gzip-compressed) appended, built once under
# build/bench/attest-image by tests/integration/mkimage.py. Each run starts
# from the same index.json, so attestations/signatures do not pile up.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REGISTRY=0
if [ "${1:-}" = --registry ]; then
    REGISTRY=1
    shift
fi
RUNS=${1:-3}
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
THR=${THREADS:+--threads $THREADS}

IMG=$BENCH/attest-image
if [ ! -f "$IMG/index.json" ]; then
    echo "building the benchmark image in $IMG ..." >&2
    rm -rf "$IMG.tmp" "$IMG.big"
    mkimage "$IMG.big" random:250000000:gzip text:200000000:gzip \
        random:200000000:gzip random:80000000:gzip text:60000000:gzip \
        >/dev/null
    $PY - "$ROOT/testdata/images/demo" "$IMG.big" "$IMG.tmp" <<'PYEOF'
import hashlib, json, os, shutil, sys
demo, big, out = sys.argv[1:4]
def manifest(d):
    idx = json.load(open(os.path.join(d, "index.json")))
    dg = idx["manifests"][0]["digest"].split(":")[1]
    return json.load(open(os.path.join(d, "blobs", "sha256", dg)))
def blob(d, digest):
    return os.path.join(d, "blobs", "sha256", digest.split(":")[1])
os.makedirs(os.path.join(out, "blobs", "sha256"))
shutil.copy(os.path.join(demo, "oci-layout"), out)
md, mb = manifest(demo), manifest(big)
cd = json.load(open(blob(demo, md["config"]["digest"])))
cb = json.load(open(blob(big, mb["config"]["digest"])))
for src, m in ((demo, md), (big, mb)):
    for l in m["layers"]:
        os.link(blob(src, l["digest"]), blob(out, l["digest"]))
cd["rootfs"]["diff_ids"] += cb["rootfs"]["diff_ids"]
cd.pop("history", None)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(out, "blobs", "sha256", h), "wb").write(data)
    return "sha256:" + h, len(data)
c, cs = put(json.dumps(cd, separators=(",", ":")).encode())
m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
     "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": c, "size": cs},
     "layers": md["layers"] + mb["layers"]}
d, s = put(json.dumps(m, separators=(",", ":")).encode())
json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
           "manifests": [{"mediaType": m["mediaType"], "digest": d, "size": s,
                          "annotations": {"org.opencontainers.image.ref.name": "latest"}}]},
          open(os.path.join(out, "index.json"), "w"))
PYEOF
    rm -rf "$IMG.big"
    mv "$IMG.tmp" "$IMG"
fi
size=$(du -sbL "$IMG/blobs" | cut -f1)
W=$(tmpdir)
cp "$IMG/index.json" "$W/index.json.orig"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
    openssl pkcs8 -topk8 -nocrypt -out "$W/k.pem"

if [ $REGISTRY = 1 ]; then
    start_registry
    $SIGIL copy -q "oci-dir:$IMG" "$REG/bench/attest:v1" >/dev/null
    SRC=$REG/bench/attest:v1
    OPT="--insecure-registry $REG"
    where="loopback docker-registry"
else
    SRC=oci-dir:$IMG
    OPT=""
    where="OCI layout"
fi

# measure NAME CMD...: appends "wall_seconds max_rss_kb" to $W/NAME
measure() {
    name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$W/time" "$@" >/dev/null 2>"$W/err" || {
        echo "$name failed:" >&2
        cat "$W/err" >&2
        exit 1
    }
    cat "$W/time" >>"$W/$name"
}
reset_store() {
    cp "$W/index.json.orig" "$IMG/index.json"
    sync
}
# three separate steps, each timed, summed into "steps"
three_steps() {
    measure sbom $SIGIL sbom -q $OPT $THR "$SRC" -o "spdx-json=$W/s.json"
    measure attest $SIGIL attest -q $OPT --key "$W/k.pem" --type spdxjson \
        --predicate "$W/s.json" "$SRC"
    measure sign $SIGIL sign -q $OPT --key "$W/k.pem" "$SRC"
    tail -n1 "$W/sbom" "$W/attest" "$W/sign" 2>/dev/null |
        awk 'NF == 2 { w += $1; if ($2 > r) r = $2 } END { print w, r }' \
        >>"$W/steps"
}

for i in $(seq 1 "$RUNS"); do
    reset_store
    measure pipeline $SIGIL sbom -q $OPT $THR "$SRC" --attest --key "$W/k.pem" \
        --sign -o "spdx-json=$W/p.json"
    reset_store
    three_steps
done
reset_store

median() { # FILE COLUMN
    sort -n -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
        END { if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

set +e # (lib.sh's exit trap kills the registry: not an error)
printf 'image: %s bytes (%s), SBOM %s bytes, %s runs each (alternating)\n' \
    "$size" "$where" "$(wc -c <"$W/p.json")" "$RUNS"
printf '%-28s %10s %15s\n' "" "wall (s)" "peak RSS (MB)"
for n in pipeline steps sbom attest sign; do
    printf '%-28s %10.2f %15.1f\n' "$n" "$(median "$W/$n" 1)" \
        "$(awk -v k="$(median "$W/$n" 2)" 'BEGIN { print k / 1024 }')"
done
awk -v p="$(median "$W/pipeline" 1)" -v s="$(median "$W/steps" 1)" \
    'BEGIN { printf "pipeline / three steps: wall %.2f\n", p / s }'
