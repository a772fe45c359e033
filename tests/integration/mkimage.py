#!/usr/bin/python3
"""Build a deterministic OCI image layout for registry tests and benches.

  mkimage.py DIR [--tag T] [--seed S] LAYER...

LAYER is KIND:BYTES[:gzip] with KIND "random" (incompressible bytes) or
"text" (compressible lines). Each layer is a tar holding one file of that
many bytes, gzip-compressed (level 1) when ":gzip" is given. Layers are
streamed to disk (constant memory). Prints the manifest digest.
"""
import argparse
import hashlib
import json
import os
import random
import tarfile
import zlib

CHUNK = 1 << 20


def put_blob(d, data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(d, "blobs", "sha256", h), "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)


def gen(kind, size, rng):
    left = size
    line = 0
    while left > 0:
        n = min(CHUNK, left)
        if kind == "random":
            b = rng.randbytes(n)
        else:
            parts = []
            total = 0
            while total < n:
                s = ("line %d: the quick brown fox jumps over the lazy dog"
                     " %d\n" % (line, line % 97)).encode()
                line += 1
                parts.append(s)
                total += len(s)
            b = b"".join(parts)[:n]
        left -= n
        yield b


def make_layer(d, idx, spec, rng):
    parts = spec.split(":")
    kind, size = parts[0], int(parts[1])
    gz = len(parts) > 2 and parts[2] == "gzip"
    tmp = os.path.join(d, "layer.tmp")
    diff = hashlib.sha256()
    comp = hashlib.sha256()
    z = zlib.compressobj(1, zlib.DEFLATED, 31) if gz else None
    clen = 0
    with open(tmp, "wb") as f:
        def emit(b):
            nonlocal clen
            diff.update(b)
            if z:
                b = z.compress(b)
            comp.update(b)
            f.write(b)
            clen += len(b)
        ti = tarfile.TarInfo("layer%d/%s.bin" % (idx, kind))
        ti.size = size
        ti.mtime = 0
        ti.mode = 0o644
        emit(ti.tobuf(format=tarfile.USTAR_FORMAT))
        for b in gen(kind, size, rng):
            emit(b)
        pad = (512 - size % 512) % 512
        emit(b"\0" * (pad + 1024))
        if z:
            b = z.flush()
            comp.update(b)
            f.write(b)
            clen += len(b)
    h = comp.hexdigest()
    os.replace(tmp, os.path.join(d, "blobs", "sha256", h))
    mt = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else "")
    return ({"mediaType": mt, "digest": "sha256:" + h, "size": clen},
            "sha256:" + diff.hexdigest())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("layers", nargs="*")
    ap.add_argument("--tag", default="latest")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    d = a.dir
    os.makedirs(os.path.join(d, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(d, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    rng = random.Random(a.seed)
    layers, diffs = [], []
    for i, spec in enumerate(a.layers or ["text:1024"]):
        desc, diff = make_layer(d, i, spec, rng)
        layers.append(desc)
        diffs.append(diff)
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Env": ["PATH=/usr/bin:/bin"]},
              "rootfs": {"type": "layers", "diff_ids": diffs}}
    cd, cs = put_blob(d, json.dumps(config, sort_keys=True).encode())
    manifest = {"schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType":
                           "application/vnd.oci.image.config.v1+json",
                           "digest": cd, "size": cs},
                "layers": layers}
    md, ms = put_blob(d, json.dumps(manifest).encode())
    index = {"schemaVersion": 2,
             "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType":
                            "application/vnd.oci.image.manifest.v1+json",
                            "digest": md, "size": ms,
                            "annotations": {
                                "org.opencontainers.image.ref.name": a.tag}}]}
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump(index, f)
    print(md)


if __name__ == "__main__":
    main()
