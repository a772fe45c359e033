#!/usr/bin/python3
"""compose_image.py OUT [--id TEXT] SRC...: an OCI layout (tag "latest")
whose layers are the layers of each SRC layout's first image, in order,
plus with --id a last small layer holding /etc/sigil-image-id = TEXT (so
images built from the same bases differ). The config is the last SRC's
with rootfs.diff_ids concatenated. Used by test_sbom_batch.sh and
bench/batch.sh to build images that share base layers. Prints the
manifest digest."""
import hashlib, io, json, os, shutil, sys, tarfile

args = sys.argv[1:]
out = args.pop(0)
ident = None
if args and args[0] == "--id":
    args.pop(0)
    ident = args.pop(0)
os.makedirs(out + "/blobs/sha256", exist_ok=True)


def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(out + "/blobs/sha256/" + d, "wb") as f:
        f.write(data)
    return "sha256:" + d


def blob(src, digest):
    return src + "/blobs/sha256/" + digest.split(":", 1)[1]


layers, diffs, cfg = [], [], None
for src in args:
    idx = json.load(open(src + "/index.json"))
    man = json.load(open(blob(src, idx["manifests"][0]["digest"])))
    cfg = json.load(open(blob(src, man["config"]["digest"])))
    diffs += cfg["rootfs"]["diff_ids"]
    for l in man["layers"]:
        shutil.copyfile(blob(src, l["digest"]), blob(out, l["digest"]))
        layers.append(l)
if ident is not None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = (ident + "\n").encode()
        ti = tarfile.TarInfo("etc/sigil-image-id")
        ti.size, ti.mtime, ti.mode = len(data), 0, 0o644
        t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    d = put(raw)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                   "digest": d, "size": len(raw)})
    diffs.append(d)
cfg["rootfs"]["diff_ids"] = diffs
craw = json.dumps(cfg, sort_keys=True).encode()
mraw = json.dumps({"schemaVersion": 2,
                   "mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "config": {"mediaType":
                              "application/vnd.oci.image.config.v1+json",
                              "digest": put(craw), "size": len(craw)},
                   "layers": layers}, sort_keys=True).encode()
md = put(mraw)
json.dump({"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": md, "size": len(mraw),
    "annotations": {"org.opencontainers.image.ref.name": "latest"}}]},
    open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
print(md)
