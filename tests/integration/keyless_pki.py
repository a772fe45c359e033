#!/usr/bin/python3
"""Test PKI and keyless signatures for test_keyless_image.sh.

An independent producer (python3-cryptography, not sigil) of everything
a Sigstore keyless signature carries: a Fulcio-like root CA and
intermediate, a CT log key (embedded SCTs), a Rekor key (SETs, RFC 6962
inclusion proofs, signed-note checkpoints), a timestamp authority
(RFC 3161 responses made by `openssl ts`), a trusted_root.json naming
them, Fulcio-style leaf certificates (SAN URI, issuer extensions
1.3.6.1.4.1.57264.1.8 (DER UTF8String) and .1.1 (raw), GitHub workflow
extensions, code-signing EKU, SCT over the precertificate), and the
cosign layouts that hold them: legacy .sig / .att manifests with the
dev.sigstore.cosign/{certificate,chain,bundle} annotations, and v0.3
Sigstore bundles for OCI referrers.

  keyless_pki.py init DIR
  keyless_pki.py make DIR KIND CASE DIGEST MANIFEST_MT MANIFEST_SIZE REF OUT
      KIND: sig | att | bsig | batt   (legacy .sig/.att, bundle referrers)
      CASE: ok | otherca | expired | badset | badproof | badcp | badbody |
            otherimg (a valid signature over another image digest) |
            tsa | badtsa (legacy only: an RFC 3161 timestamp from the
            test TSA, over the right bytes or over other bytes)
      writes OUT/manifest.json, OUT/blobs/* and, for bundles,
      OUT/index.json (the referrers fallback tag index)
"""
import base64
import datetime
import hashlib
import json
import os
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

NOW = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
IDENTITY = "https://github.com/org/repo/.github/workflows/ci.yml@refs/heads/main"
ISSUER = "https://token.actions.githubusercontent.com"
SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1"
ATT_PREDICATE = "https://cyclonedx.org/bom"
BUNDLE_MT = "application/vnd.dev.sigstore.bundle.v0.3+json"


def b64(b):
    return base64.b64encode(b).decode()


def utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def rfc3339(t):
    return utc(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


def spki(pub):
    return pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(key, data):
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def save_key(path, key):
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def load_cert(path):
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def ca_cert(name, key, issuer_name, issuer_key, pathlen):
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sigil-test"),
                                  x509.NameAttribute(NameOID.COMMON_NAME, name)]))
         .issuer_name(issuer_name)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(utc(NOW - 86400))
         .not_valid_after(utc(NOW + 86400 * 365))
         .add_extension(x509.BasicConstraints(ca=True, path_length=pathlen), critical=True)
         .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                        critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    return b.sign(issuer_key, hashes.SHA256())


def init(d):
    os.makedirs(d, exist_ok=True)
    for pfx in ("", "other-"):
        rk, ik = new_key(), new_key()
        root_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sigil-test"),
                               x509.NameAttribute(NameOID.COMMON_NAME, pfx + "fulcio-root")])
        root = ca_cert(pfx + "fulcio-root", rk, root_name, rk, 1)
        inter = ca_cert(pfx + "fulcio-intermediate", ik, root.subject, rk, 0)
        save_key(f"{d}/{pfx}root.key", rk)
        save_key(f"{d}/{pfx}inter.key", ik)
        open(f"{d}/{pfx}root.pem", "wb").write(pem(root))
        open(f"{d}/{pfx}inter.pem", "wb").write(pem(inter))
        for k in ("ct", "rekor"):
            save_key(f"{d}/{pfx}{k}.key", new_key())
    # a timestamp authority: root + signing leaf (timeStamping EKU)
    trk, tk = new_key(), new_key()
    tname = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tsa-root")])
    troot = ca_cert("tsa-root", trk, tname, trk, 0)
    tleaf = (x509.CertificateBuilder()
             .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tsa")]))
             .issuer_name(troot.subject).public_key(tk.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(utc(NOW - 86400)).not_valid_after(utc(NOW + 86400 * 365))
             .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                          False), critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                            critical=True)
             .sign(trk, hashes.SHA256()))
    save_key(f"{d}/tsa.key", tk)
    open(f"{d}/tsa.pem", "wb").write(pem(tleaf))
    open(f"{d}/tsa-root.pem", "wb").write(pem(troot))
    open(f"{d}/tsa.cnf", "w").write(f"""[ tsa ]
default_tsa = t
[ t ]
serial = {d}/tsaserial
crypto_device = builtin
signer_cert = {d}/tsa.pem
signer_key = {d}/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
    open(f"{d}/tsaserial", "w").write("01\n")
    root, inter = load_cert(f"{d}/root.pem"), load_cert(f"{d}/inter.pem")
    ct, rekor = load_key(f"{d}/ct.key"), load_key(f"{d}/rekor.key")
    start = {"start": rfc3339(NOW - 86400)}

    def log(key, url):
        return {"baseUrl": url, "hashAlgorithm": "SHA2_256",
                "publicKey": {"rawBytes": b64(spki(key.public_key())),
                              "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": start},
                "logId": {"keyId": b64(hashlib.sha256(spki(key.public_key())).digest())}}
    tr = {"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
          "tlogs": [log(rekor, "https://rekor.test")],
          "certificateAuthorities": [{
              "subject": {"organization": "sigil-test", "commonName": "fulcio"},
              "uri": "https://fulcio.test",
              "certChain": {"certificates": [{"rawBytes": b64(der(inter))},
                                             {"rawBytes": b64(der(root))}]},
              "validFor": start}],
          "ctlogs": [log(ct, "https://ctfe.test")],
          "timestampAuthorities": [{
              "subject": {"organization": "sigil-test", "commonName": "tsa"},
              "uri": "https://tsa.test",
              "certChain": {"certificates": [{"rawBytes": b64(der(tleaf))},
                                             {"rawBytes": b64(der(troot))}]},
              "validFor": start}]}
    json.dump(tr, open(f"{d}/trusted_root.json", "w"), indent=1)


# ---- Fulcio-style leaf -------------------------------------------------------

def utf8_der(s):
    b = s.encode()
    assert len(b) < 128
    return bytes([0x0C, len(b)]) + b


def leaf_cert(d, ca, nb, na, identity=IDENTITY, issuer=ISSUER):
    """Leaf key + certificate issued by the (other-)intermediate, with an
    embedded SCT from the CT key over the precertificate."""
    pfx = "other-" if ca == "other" else ""
    ik, inter = load_key(f"{d}/{pfx}inter.key"), load_cert(f"{d}/{pfx}inter.pem")
    ct = load_key(f"{d}/ct.key")
    key = new_key()
    serial = x509.random_serial_number()
    o = "1.3.6.1.4.1.57264.1."

    def builder():
        return (x509.CertificateBuilder()
                .subject_name(x509.Name([]))
                .issuer_name(inter.subject)
                .public_key(key.public_key())
                .serial_number(serial)
                .not_valid_before(utc(nb))
                .not_valid_after(utc(na))
                .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                             False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]),
                               critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False)
                .add_extension(x509.SubjectAlternativeName(
                    [x509.UniformResourceIdentifier(identity)]), critical=True)
                .add_extension(x509.UnrecognizedExtension(ObjectIdentifier(o + "1"),
                                                          issuer.encode()), critical=False)
                .add_extension(x509.UnrecognizedExtension(ObjectIdentifier(o + "2"), b"push"),
                               critical=False)
                .add_extension(x509.UnrecognizedExtension(ObjectIdentifier(o + "3"),
                                                          b"0123456789abcdef"), critical=False)
                .add_extension(x509.UnrecognizedExtension(ObjectIdentifier(o + "5"), b"org/repo"),
                               critical=False)
                .add_extension(x509.UnrecognizedExtension(ObjectIdentifier(o + "6"),
                                                          b"refs/heads/main"), critical=False)
                .add_extension(x509.UnrecognizedExtension(ObjectIdentifier(o + "8"),
                                                          utf8_der(issuer)), critical=False))
    # RFC 6962 3.2: the SCT signs the TBS without the SCT extension
    pre = builder().sign(ik, hashes.SHA256())
    tbs = pre.tbs_certificate_bytes
    ikh = hashlib.sha256(spki(inter.public_key())).digest()
    ts = (NOW - 120) * 1000
    signed = (struct.pack(">BBQH", 0, 0, ts, 1) + ikh + struct.pack(">I", len(tbs))[1:] + tbs
              + struct.pack(">H", 0))
    sig = sign(ct, signed)
    log_id = hashlib.sha256(spki(ct.public_key())).digest()
    sct = (bytes([0]) + log_id + struct.pack(">QH", ts, 0) + bytes([4, 3])
           + struct.pack(">H", len(sig)) + sig)
    lst = struct.pack(">H", len(sct)) + sct
    lst = struct.pack(">H", len(lst)) + lst
    octet = bytes([0x04]) + der_len(len(lst)) + lst
    cert = builder().add_extension(
        x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"), octet),
        critical=False).sign(ik, hashes.SHA256())
    chain = pem(inter) + open(f"{d}/{pfx}root.pem", "rb").read()
    return key, cert, chain


def der_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


# ---- Rekor -------------------------------------------------------------------

def leaf_hash(b):
    return hashlib.sha256(b"\x00" + b).digest()


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def rekor_entry(d, body, case):
    """A protobuf-specs tlog entry for body: SET, and an inclusion proof
    in a 7-leaf tree with a checkpoint. Tampering per case."""
    rekor = load_key(f"{d}/rekor.key")
    log_id = hashlib.sha256(spki(rekor.public_key())).digest()
    index, t = 4, NOW - 60
    set_body = body
    if case == "badset":  # the SET is over another body
        set_body = body.replace(b'"kind"', b'"kind" ', 1)
    canon = json.dumps({"body": b64(set_body), "integratedTime": t, "logID": log_id.hex(),
                        "logIndex": index}, separators=(",", ":"), sort_keys=True)
    set_sig = sign(rekor, canon.encode())
    leaves = [leaf_hash(b"other entry %d" % i) for i in range(7)]
    # badproof: a consistent proof and root, for another leaf at the index
    leaves[index] = leaf_hash(b"another leaf" if case == "badproof" else body)
    proof_hashes = path(index, leaves)
    root = mth(leaves)
    origin = "rekor.test - 1234"
    note = f"{origin}\n{len(leaves)}\n{b64(root)}\n"
    cp_key = load_key(f"{d}/other-rekor.key") if case == "badcp" else rekor
    cp_sig = sign(cp_key, note.encode())
    checkpoint = note + f"\n\u2014 {origin} {b64(log_id[:4] + cp_sig)}\n"
    entry = {"logIndex": str(index), "logId": {"keyId": b64(log_id)},
             "kindVersion": {"kind": json.loads(body)["kind"],
                             "version": json.loads(body)["apiVersion"]},
             "integratedTime": str(t),
             "inclusionPromise": {"signedEntryTimestamp": b64(set_sig)},
             "inclusionProof": {"logIndex": str(index), "rootHash": b64(root),
                                "treeSize": str(len(leaves)),
                                "hashes": [b64(h) for h in proof_hashes],
                                "checkpoint": {"envelope": checkpoint}},
             "canonicalizedBody": b64(body)}
    legacy = {"SignedEntryTimestamp": b64(set_sig),
              "Payload": {"body": b64(body), "integratedTime": t, "logIndex": index,
                          "logID": log_id.hex()}}
    return entry, legacy


def timestamp(d, data):
    """An RFC 3161 response over data from the test TSA (openssl ts)."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as t:
        open(f"{t}/data", "wb").write(data)
        subprocess.run(["openssl", "ts", "-query", "-data", f"{t}/data", "-sha256", "-cert",
                        "-out", f"{t}/q"], check=True, capture_output=True)
        subprocess.run(["openssl", "ts", "-reply", "-config", f"{d}/tsa.cnf", "-queryfile",
                        f"{t}/q", "-out", f"{t}/r"], check=True, capture_output=True)
        return open(f"{t}/r", "rb").read()


def cjson(o):
    return json.dumps(o, separators=(",", ":")).encode()


def pae(ptype, payload):
    p = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(p), p, len(payload), payload)


# ---- layouts -----------------------------------------------------------------

def make(d, kind, case, digest, mmt, msize, ref, out):
    subject = digest
    os.makedirs(f"{out}/blobs", exist_ok=True)
    if case == "expired":  # valid before the signing time only
        key, cert, chain = leaf_cert(d, "main", NOW - 7200, NOW - 3600)
    else:
        key, cert, chain = leaf_cert(d, "other" if case == "otherca" else "main",
                                     NOW - 600, NOW + 600)
    cert_pem = pem(cert)
    if case == "otherimg":  # a valid keyless signature for another image
        digest = "sha256:" + hashlib.sha256(b"another image").hexdigest()
    hexd = digest.split(":", 1)[1]
    blobs = []

    def blob(data):
        h = hashlib.sha256(data).hexdigest()
        open(f"{out}/blobs/{h}", "wb").write(data)
        blobs.append(h)
        return {"size": len(data), "digest": "sha256:" + h}

    if kind == "sig":
        payload = cjson({"critical": {"identity": {"docker-reference": ref},
                                      "image": {"docker-manifest-digest": digest},
                                      "type": "cosign container image signature"},
                         "optional": None})
        sig = sign(key, payload)
        h = hashlib.sha256(payload).hexdigest()
        if case == "badbody":  # the log entry records another digest
            h = hashlib.sha256(b"something else").hexdigest()
        body = cjson({"apiVersion": "0.0.1", "kind": "hashedrekord",
                      "spec": {"data": {"hash": {"algorithm": "sha256", "value": h}},
                               "signature": {"content": b64(sig),
                                             "publicKey": {"content": b64(cert_pem)}}}})
        mt, ann = "application/vnd.dev.cosign.simplesigning.v1+json", {
            "dev.cosignproject.cosign/signature": b64(sig)}
        layer_data = payload
    elif kind == "att" or kind.startswith("b"):
        pred = SIGN_PREDICATE if kind == "bsig" else ATT_PREDICATE
        st = cjson({"_type": "https://in-toto.io/Statement/v1",
                    "subject": [{"name": ref, "digest": {"sha256": hexd}}],
                    "predicateType": pred,
                    "predicate": {"bomFormat": "CycloneDX"} if pred == ATT_PREDICATE else {}})
        ptype = "application/vnd.in-toto+json"
        sig = sign(key, pae(ptype, st))
        env = {"payloadType": ptype, "payload": b64(st), "signatures": [{"keyid": "", "sig": b64(sig)}]}
        ph = hashlib.sha256(st).hexdigest()
        if case == "badbody":
            ph = hashlib.sha256(b"something else").hexdigest()
        if kind == "att":  # cosign v2 attest: intoto 0.0.2
            body = cjson({"apiVersion": "0.0.2", "kind": "intoto",
                          "spec": {"content": {
                              "envelope": {"payloadType": ptype,
                                           "signatures": [{"sig": b64(b64(sig).encode()),
                                                           "publicKey": b64(cert_pem)}]},
                              "hash": {"algorithm": "sha256",
                                       "value": hashlib.sha256(cjson(env)).hexdigest()},
                              "payloadHash": {"algorithm": "sha256", "value": ph}}}})
        else:  # cosign v3 bundles: dsse 0.0.1
            body = cjson({"apiVersion": "0.0.1", "kind": "dsse",
                          "spec": {"envelopeHash": {"algorithm": "sha256",
                                                    "value": hashlib.sha256(cjson(env)).hexdigest()},
                                   "payloadHash": {"algorithm": "sha256", "value": ph},
                                   "signatures": [{"signature": b64(sig),
                                                   "verifier": b64(cert_pem)}]}})
        mt, ann = "application/vnd.dsse.envelope.v1+json", {
            "dev.cosignproject.cosign/signature": "", "predicateType": pred}
        layer_data = cjson(env)
    entry, legacy = rekor_entry(d, body, case)
    empty = blob(b"{}")
    if kind in ("sig", "att"):
        if case in ("tsa", "badtsa"):
            # cosign v2: .sig over the signature bytes, .att over the blob
            data = sig if kind == "sig" else layer_data
            tok = timestamp(d, b"other bytes" if case == "badtsa" else data)
            ann["dev.sigstore.cosign/rfc3161timestamp"] = cjson(
                {"SignedRFC3161Timestamp": b64(tok)}).decode()
        ann.update({"dev.sigstore.cosign/certificate": cert_pem.decode(),
                    "dev.sigstore.cosign/chain": chain.decode(),
                    "dev.sigstore.cosign/bundle": cjson(legacy).decode()})
        layer = dict(mediaType=mt, **blob(layer_data), annotations=ann)
        cfg = cjson({"architecture": "", "created": "0001-01-01T00:00:00Z",
                     "history": [{"created": "0001-01-01T00:00:00Z"}], "os": "",
                     "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}, "config": {}})
        man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
               "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **blob(cfg)),
               "layers": [layer]}
    else:
        bundle = cjson({"mediaType": BUNDLE_MT,
                        "verificationMaterial": {"certificate": {"rawBytes": b64(der(cert))},
                                                 "tlogEntries": [entry]},
                        "dsseEnvelope": env})
        man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
               "artifactType": BUNDLE_MT,
               "config": dict(mediaType="application/vnd.oci.empty.v1+json", **empty),
               "layers": [dict(mediaType=BUNDLE_MT, **blob(bundle))],
               "subject": {"mediaType": mmt, "size": int(msize), "digest": subject},
               "annotations": {"dev.sigstore.bundle.content": "dsse-envelope",
                               "dev.sigstore.bundle.predicateType": SIGN_PREDICATE
                               if kind == "bsig" else ATT_PREDICATE}}
    mb = cjson(man)
    open(f"{out}/manifest.json", "wb").write(mb)
    if kind.startswith("b"):
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": [{"mediaType": man["mediaType"], "size": len(mb),
                              "digest": "sha256:" + hashlib.sha256(mb).hexdigest(),
                              "artifactType": BUNDLE_MT}]}
        open(f"{out}/index.json", "wb").write(cjson(idx))
    open(f"{out}/blobs.txt", "w").write("\n".join(blobs) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "init":
        init(sys.argv[2])
    elif sys.argv[1] == "make":
        make(*sys.argv[2:10])
    else:
        sys.exit(__doc__)
