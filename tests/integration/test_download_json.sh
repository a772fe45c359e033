#!/bin/bash
# `sigil download signature` output is built as JSON objects, never by
# pasting registry strings: a hostile signature/certificate annotation
# (quotes, backslashes, newlines, `","Cert":"X`) stays one string value
# and cannot add, drop or change fields. Normal output keeps cosign's
# shape: {"Base64Signature","Payload"} (+ Cert, Chain, Bundle,
# RFC3161Timestamp when annotated). Runs on an OCI layout, no server.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/attest_lib.sh"

T=$(tmpdir)
make_keys "$T"
cp -r "$SG_SOURCE_DIR/testdata/images/demo" "$T/demo"
IMG=oci-dir:$T/demo
DIG=$("$SIGIL" digest "$IMG")
"$SIGIL" sign -q --key "$T/k.pem" "$IMG" >/dev/null
check "sign exit 0" test $? -eq 0

"$SIGIL" download signature "$IMG" >"$T/plain.jsonl"
check "download signature exit 0" test $? -eq 0
check "plain: one line, keys Base64Signature,Payload in order, payload names the digest" \
    $PY - "$T/plain.jsonl" "$DIG" <<'PYEOF'
import base64, json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert list(o) == ["Base64Signature", "Payload"], list(o)
p = json.loads(base64.b64decode(o["Payload"]))
assert p["critical"]["image"]["docker-manifest-digest"] == sys.argv[2], p
assert len(base64.b64decode(o["Base64Signature"])) > 60
# compact, as cosign's json.Marshal
assert lines[0] == json.dumps(o, separators=(",", ":")), lines[0]
PYEOF

# set_annotations KEY=VALUE...: rewrite the .sig manifest of the layout
# with these annotations on its first layer (values taken literally).
HOSTILE='x","Cert":"X\"}, {"Base64Signature":"evil\\" '"
"' \u0000 \n'
set_annotations() {
    $PY - "$T/demo" "$DIG" "$@" <<'PYEOF'
import hashlib, json, os, sys
root, dig, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
tag = dig.replace(":", "-") + ".sig"
idx_path = os.path.join(root, "index.json")
idx = json.load(open(idx_path))
ent = [m for m in idx["manifests"]
       if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag][0]
blob = lambda d: os.path.join(root, "blobs", *d.split(":"))
m = json.load(open(blob(ent["digest"])))
ann = m["layers"][0].setdefault("annotations", {})
for p in pairs:
    k, v = p.split("=", 1)
    ann[k] = v
body = json.dumps(m).encode()
d = "sha256:" + hashlib.sha256(body).hexdigest()
open(blob(d), "wb").write(body)
ent["digest"], ent["size"] = d, len(body)
json.dump(idx, open(idx_path, "w"))
PYEOF
}

SIGKEY=dev.cosignproject.cosign/signature
set_annotations "$SIGKEY=$HOSTILE" "dev.sigstore.cosign/certificate=$HOSTILE" \
    "dev.sigstore.cosign/chain=-----BEGIN CERTIFICATE-----
\"]}"
"$SIGIL" download signature "$IMG" >"$T/hostile.jsonl"
check "hostile: download signature exit 0" test $? -eq 0
check "hostile: one line, exact key set, values round-trip byte for byte" \
    $PY - "$T/hostile.jsonl" "$HOSTILE" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert list(o) == ["Base64Signature", "Payload", "Cert", "Chain"], list(o)
assert o["Base64Signature"] == sys.argv[2], repr(o["Base64Signature"])
assert o["Cert"] == sys.argv[2], repr(o["Cert"])
assert o["Chain"] == '-----BEGIN CERTIFICATE-----\n"]}', repr(o["Chain"])
PYEOF

# Bundle / RFC3161Timestamp: JSON annotations become objects (cosign's
# field names); duplicate keys or a non-object are refused.
set_annotations "$SIGKEY=c2ln" \
    'dev.sigstore.cosign/bundle={"SignedEntryTimestamp":"U0VU","Payload":{"body":"x\"y","integratedTime":1,"logIndex":2,"logID":"ab"}}' \
    'dev.sigstore.cosign/rfc3161timestamp={"SignedRFC3161Timestamp":"VFNB"}'
"$SIGIL" download signature "$IMG" >"$T/bundle.jsonl"
check "bundle: download signature exit 0" test $? -eq 0
check "bundle: Bundle and RFC3161Timestamp are objects" \
    $PY - "$T/bundle.jsonl" <<'PYEOF'
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert list(o) == ["Base64Signature", "Payload", "Cert", "Chain", "Bundle",
                   "RFC3161Timestamp"], list(o)
assert o["Base64Signature"] == "c2ln"
assert o["Bundle"]["Payload"]["body"] == 'x"y', o["Bundle"]
assert o["Bundle"]["SignedEntryTimestamp"] == "U0VU"
assert o["RFC3161Timestamp"] == {"SignedRFC3161Timestamp": "VFNB"}
PYEOF
set_annotations 'dev.sigstore.cosign/bundle={"Payload":{},"Payload":{"body":"evil"}}'
out=$("$SIGIL" download signature "$IMG" 2>&1 >/dev/null)
rc=$?
check "bundle with duplicate keys: exit 1" test $rc -eq 1
check "bundle with duplicate keys: named in the message ($out)" \
    grep -q "dev.sigstore.cosign/bundle: invalid JSON.*duplicate" <<<"$out"
set_annotations 'dev.sigstore.cosign/bundle=["not an object"]'
"$SIGIL" download signature "$IMG" >/dev/null 2>&1
check "bundle that is not an object: exit 1" test $? -eq 1

out=$("$SIGIL" download signature oci-dir:"$SG_SOURCE_DIR/testdata/images/demo" 2>&1)
check "unsigned image: exit 1, 'no signature found'" \
    grep -q "no signature found (sha256-" <<<"$out"
finish
