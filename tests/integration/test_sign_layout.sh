#!/bin/bash
# The whole sign/verify flow on an OCI image layout, no server: a copy of
# testdata/images/demo (never the original) is signed, verified, checked
# with openssl, tampered with, and signed by two processes at once.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/sign_lib.sh"

S=$SIGIL
T=$(tmpdir)
cd "$T" || exit 1
export COSIGN_PASSWORD=""

cp -r "$SG_SOURCE_DIR/testdata/images/demo" demo
chmod -R u+w demo
D=$(jq -r '.manifests[0].digest' demo/index.json)
SIGTAG="sha256-${D#sha256:}.sig"

check "generate-key-pair (empty password)" $S generate-key-pair -q
$S generate-key-pair -q --output-key-prefix k2
check "sign oci-dir by digest" $S sign -q --key cosign.key "oci-dir:demo@$D"
out=$($S verify -q --key cosign.pub "oci-dir:demo:latest")
check "verify oci-dir: exit 0" test $? = 0
check "verify oci-dir: payload names the digest and the layout" test \
    "$(echo "$out" | jq -r '.[0].critical.image["docker-manifest-digest"] + " " + .[0].critical.identity["docker-reference"]')" = "$D demo"
check "triangulate oci-dir" test "$($S triangulate "oci-dir:demo:latest")" = "oci-dir:demo:$SIGTAG"
check "index.json holds the .sig tag" test \
    "$(jq -r --arg t "$SIGTAG" '[.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)] | length' demo/index.json)" = 1

# openssl checks the stored signature over the stored payload.
SM=$(jq -r --arg t "$SIGTAG" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' demo/index.json)
SMF=demo/blobs/sha256/${SM#sha256:}
PD=$(jq -r '.layers[0].digest' "$SMF")
jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$SMF" | base64 -d >sig.der
check "openssl verifies the layout's signature" \
    openssl dgst -sha256 -verify cosign.pub -signature sig.der "demo/blobs/sha256/${PD#sha256:}"
check "config blob is cosign's (233 bytes)" test "$(jq -r .config.size "$SMF")" = 233

# Two signers at once on the layout: both survive.
$S sign -q --key cosign.key -a who=one "oci-dir:demo@$D" 2>/dev/null &
p1=$!
$S sign -q --key k2.key -a who=two "oci-dir:demo@$D" 2>/dev/null &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "concurrent signers on a layout: both exit 0" test "$r1$r2" = 00
check "signer one present" $S verify -q --key cosign.pub -a who=one "oci-dir:demo@$D"
check "signer two present" $S verify -q --key k2.pub -a who=two "oci-dir:demo@$D"

# Tampering with the payload blob on disk: named, exit 3.
cp -r demo bad
chmod -R u+w bad
SM=$(jq -r --arg t "$SIGTAG" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' bad/index.json)
check "the .sig manifest now has 3 layers" test "$(jq '.layers | length' "bad/blobs/sha256/${SM#sha256:}")" = 3
for f in $(jq -r '.layers[].digest' "bad/blobs/sha256/${SM#sha256:}" | sort -u); do
    sed -i 's/cosign container/cosign containex/' "bad/blobs/sha256/${f#sha256:}"
done
expect "layout: payload blob altered" 3 "content has digest" $S verify --key cosign.pub "oci-dir:bad@$D"

# --recursive on an index: the index and each manifest get a signature.
cp -r "$SG_SOURCE_DIR/testdata/images/demo" multi
chmod -R u+w multi
ID=$($PY - multi "$D" <<'PYEOF'
import hashlib, json, os, sys
d, child = sys.argv[1], sys.argv[2]
size = os.path.getsize(os.path.join(d, "blobs", "sha256", child[7:]))
idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": child,
                   "size": size, "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
h = hashlib.sha256(idx).hexdigest()
open(os.path.join(d, "blobs", "sha256", h), "wb").write(idx)
top = json.load(open(os.path.join(d, "index.json")))
top["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json",
    "digest": "sha256:" + h, "size": len(idx),
    "annotations": {"org.opencontainers.image.ref.name": "multi"}})
json.dump(top, open(os.path.join(d, "index.json"), "w"))
print("sha256:" + h)
PYEOF
)
check "sign --recursive on an index" $S sign -q --recursive --key cosign.key "oci-dir:multi:multi"
check "--recursive: the index is signed" $S verify -q --key cosign.pub "oci-dir:multi@$ID"
check "--recursive: the platform manifest is signed" $S verify -q --key cosign.pub "oci-dir:multi@$D"

# No signatures at all on a fresh copy.
cp -r "$SG_SOURCE_DIR/testdata/images/demo" fresh
chmod -R u+w fresh
expect "layout without signatures" 3 "no signatures found" $S verify --key cosign.pub "oci-dir:fresh:latest"
check "testdata was not modified" test -z "$(cd "$SG_SOURCE_DIR" && git status --porcelain testdata/images)"

finish
