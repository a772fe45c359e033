"""An OCI image layout from bench layers (bench/lib.sh bench_image).

    layout.py BUILD_DIR IMAGE_DIR LAYER...

Each LAYER is BUILD_DIR/LAYER.tar.gz with its diffID in
BUILD_DIR/LAYER.diffid; the image is tagged latest, linux/amd64.
"""
import hashlib
import json
import os
import shutil
import sys

b, img, names = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(img + "/blobs/sha256", exist_ok=True)


def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(img + "/blobs/sha256/" + d, "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}


layers, diffs = [], []
for n in names:
    src = "%s/%s.tar.gz" % (b, n)
    h = hashlib.sha256()
    with open(src, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    d = h.hexdigest()
    shutil.copyfile(src, img + "/blobs/sha256/" + d)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": "sha256:" + d, "size": os.path.getsize(src)})
    with open("%s/%s.diffid" % (b, n)) as f:
        diffs.append("sha256:" + f.read().strip())
cfg = put(json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": diffs},
                      "config": {}}).encode())
cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
man = put(json.dumps({"schemaVersion": 2,
                      "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": cfg, "layers": layers}).encode())
man["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
man["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
with open(img + "/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [man]}, f)
with open(img + "/oci-layout", "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
