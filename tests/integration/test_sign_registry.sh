#!/bin/bash
# sign / verify against a real docker-registry on loopback, cross-checked
# with independent implementations: openssl (signatures both ways),
# python hashlib.scrypt + PyNaCl SecretBox (cosign.key), a python-built
# cosign layout, the real cosign .sig manifests from testdata/vectors; every
# kind of tampering fails with a message naming the cause; two concurrent
# signers both survive; a registry answering 503 is an error, not a pass.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/sign_lib.sh"

S=$SIGIL
V=$SG_TESTDATA/vectors
T=$(tmpdir)
cd "$T" || exit 1
export COSIGN_PASSWORD=test-pw

start_registry
skopeo --insecure-policy copy --retry-times 3 -q --dest-tls-verify=false \
    "oci:$SG_SOURCE_DIR/testdata/images/demo:latest" "docker://$REG/demo:v1" ||
    { echo "cannot push the demo image" >&2; exit 1; }
for r in other twice race1 race2 v3; do
    skopeo --insecure-policy copy --retry-times 3 -q --src-tls-verify=false --dest-tls-verify=false \
        "docker://$REG/demo:v1" "docker://$REG/$r:v1"
done
D=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/demo:v1")
HEX=${D#sha256:}
SIGTAG="sha256-$HEX.sig"

# ---- keys --------------------------------------------------------------
check "generate-key-pair" $S generate-key-pair
check "cosign.key is mode 600" test "$(stat -c %a cosign.key)" = 600
check "cosign.pub is mode 644" test "$(stat -c %a cosign.pub)" = 644
expect "never overwritten without --force" 1 "already exists" $S generate-key-pair
check "--force overwrites" $S generate-key-pair --force --output-key-prefix cosign
expect "no password and no TTY: clear error" 1 "no password: set COSIGN_PASSWORD" \
    env -u COSIGN_PASSWORD setsid $S generate-key-pair --output-key-prefix nopw
check "no key written without a password" test ! -e nopw.key

# An independent decryption: scrypt + NaCl secretbox in python, the
# plaintext parsed as PKCS#8 by python-cryptography, public halves equal.
$PY - cosign.key "$COSIGN_PASSWORD" >indep.pub <<'PYEOF'
import base64, hashlib, json, sys
import nacl.secret
from cryptography.hazmat.primitives import serialization
pem = open(sys.argv[1]).read().splitlines()
assert pem[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----", pem[0]
j = json.loads(base64.b64decode("".join(pem[1:-1])))
p = j["kdf"]["params"]
assert (p["N"], p["r"], p["p"]) == (65536, 8, 1), p
salt = base64.b64decode(j["kdf"]["salt"]); nonce = base64.b64decode(j["cipher"]["nonce"])
assert len(salt) == 32 and len(nonce) == 24
key = hashlib.scrypt(sys.argv[2].encode(), salt=salt, n=p["N"], r=8, p=1,
                     maxmem=256 * 1024 * 1024, dklen=32)
der = nacl.secret.SecretBox(key).decrypt(base64.b64decode(j["ciphertext"]), nonce)
k = serialization.load_der_private_key(der, None)
sys.stdout.write(k.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
PYEOF
check "cosign.key decrypts with python scrypt+secretbox to the same key" cmp indep.pub cosign.pub

# ---- sign / verify ---------------------------------------------------------
expect "sign by tag warns and succeeds" 0 "uses a tag, not a digest" \
    $S sign --key cosign.key "$REG/demo:v1"
out=$($S verify --key cosign.pub "$REG/demo:v1" 2>verify.err)
check "verify: exit 0" test $? = 0
check "verify: stdout is the JSON array of payloads" test \
    "$(echo "$out" | jq -r '.[0].critical.image["docker-manifest-digest"] + " " + .[0].critical.identity["docker-reference"] + " " + .[0].critical.type')" \
    = "$D $REG/demo cosign container image signature"
check "verify: summary on stderr" grep -q "1 of 1 signature(s) verified" verify.err
check "triangulate" test "$($S triangulate "$REG/demo:v1")" = "$REG/demo:$SIGTAG"

# The stored layout, read with curl/jq (cosign's exact shapes).
get_manifest demo "$SIGTAG" >sig.json
check ".sig layer media type" test "$(jq -r '.layers[0].mediaType' sig.json)" = \
    application/vnd.dev.cosign.simplesigning.v1+json
check ".sig config is cosign's 233-byte config" test "$(jq -r '.config.size' sig.json)" = 233
PD=$(jq -r '.layers[0].digest' sig.json)
curl -s "http://$REG/v2/demo/blobs/$PD" >payload.json
jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' sig.json | base64 -d >sig.der
check "openssl verifies sigil's signature over the stored payload" \
    openssl dgst -sha256 -verify cosign.pub -signature sig.der payload.json
check "payload is cosign's exact bytes" test "$(cat payload.json)" = \
    "{\"critical\":{\"identity\":{\"docker-reference\":\"$REG/demo\"},\"image\":{\"docker-manifest-digest\":\"$D\"},\"type\":\"cosign container image signature\"},\"optional\":null}"

# Re-signing with the same key adds nothing; another key appends.
$S sign -q --key cosign.key "$REG/demo@$D" 2>/dev/null
check "same key again: still one layer" test "$(get_manifest demo "$SIGTAG" | jq '.layers | length')" = 1
$S generate-key-pair --output-key-prefix k2 2>/dev/null
$S sign -q --key k2.key -a env=prod "$REG/demo@$D" 2>/dev/null
check "second key: two layers" test "$(get_manifest demo "$SIGTAG" | jq '.layers | length')" = 2
check "second key verifies with -a" $S verify -q --key k2.pub -a env=prod "$REG/demo@$D"
expect "annotation not signed: exit 3 naming it" 3 "required annotation env=prod" \
    $S verify --key cosign.pub -a env=prod "$REG/demo@$D"

# sign-blob / verify-blob vs openssl both ways.
printf 'blob content\n' >blob.txt
$S sign-blob --key cosign.key --output-signature blob.sig blob.txt 2>/dev/null
base64 -d blob.sig >blob.der
check "openssl verifies sign-blob" openssl dgst -sha256 -verify cosign.pub -signature blob.der blob.txt
openssl ecparam -name prime256v1 -genkey -noout -out ossl.ec 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in ossl.ec -out ossl.pem
openssl pkey -in ossl.pem -pubout -out ossl.pub
openssl dgst -sha256 -sign ossl.pem -out o.der blob.txt
base64 -w0 o.der >o.b64
check "verify-blob accepts an openssl signature" $S verify-blob --key ossl.pub --signature o.b64 blob.txt
expect "verify-blob: another key" 3 "does not verify" $S verify-blob --key cosign.pub --signature o.b64 blob.txt
head -c 42 o.b64 >o.trunc
expect "verify-blob: truncated base64" 3 "not valid base64" $S verify-blob --key ossl.pub --signature o.trunc blob.txt

# ---- all 12 cosign vector triples; negatives fail ---------------------------
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
    d=$V/cosign-$i
    if [ -f "$d/cosign.pub" ]; then ka="--key $d/cosign.pub"; else ka="--certificate $d/cert.pem"; fi
    check "vector cosign-$i verifies" $S verify-blob $ka --signature "$d/signature.b64" "$d/payload.json"
done
for n in neg-01 neg-02; do
    expect "vector $n fails" 3 "does not verify" \
        $S verify-blob --key "$V/$n/cosign.pub" --signature "$V/$n/signature.b64" "$V/$n/payload.json"
done

# ---- the real cosign .sig manifests, pushed as cosign pushed them -----------
VD=sha256:071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81
VT=sha256-${VD#sha256:}.sig
for f in payload.json sig-config.json; do push_blob vec "$V/cosign-08/$f"; done
push_manifest vec "$VT" "$V/cosign-08/sig-manifest.json"
check "cosign-08 .sig manifest verifies with sigil verify" $S verify -q --key "$V/cosign-08/cosign.pub" "$REG/vec@$VD"
VD3=$(jq -r '.critical.image["docker-manifest-digest"]' "$V/cosign-10/payload.json")
for f in payload.json sig-config.json; do push_blob vec3 "$V/cosign-10/$f"; done
push_manifest vec3 "sha256-${VD3#sha256:}.sig" "$V/cosign-10/sig-manifest.json"
for i in 10 11 12; do
    check "cosign-10 3-layer manifest verifies with key of cosign-$i" \
        $S verify -q --key "$V/cosign-$i/cosign.pub" "$REG/vec3@$VD3"
done
expect "cosign manifest, unrelated key: exit 3" 3 "does not verify" \
    $S verify --key cosign.pub "$REG/vec3@$VD3"
VD9=$(jq -r '.critical.image["docker-manifest-digest"]' "$V/cosign-09/payload.json")
for f in payload.json sig-config.json; do push_blob vec9 "$V/cosign-09/$f"; done
push_manifest vec9 "sha256-${VD9#sha256:}.sig" "$V/cosign-09/sig-manifest.json"
expect "keyless cosign-09 manifest: not checkable with a key" 3 "not checkable with a key" \
    $S verify --key "$V/cosign-08/cosign.pub" "$REG/vec9@$VD9"

# ---- an independent signer: openssl signature in a python-built layout ---
OD=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/other:v1")
printf '{"critical":{"identity":{"docker-reference":"%s/other"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":{"by":"openssl"}}' "$REG" "$OD" >op.json
openssl dgst -sha256 -sign ossl.pem -out op.der op.json
base64 -w0 op.der >op.b64
MKREPO=other mk_sig_manifest om.json op.json:op.b64
push_manifest other "sha256-${OD#sha256:}.sig" om.json
check "openssl-made signature in cosign's layout verifies" $S verify -q --key ossl.pub -a by=openssl "$REG/other:v1"

# ---- tampering: each a non-zero exit and the cause ----------------------
OT="sha256-${OD#sha256:}.sig"
expect "another key" 3 "does not verify" $S verify --key cosign.pub "$REG/other:v1"
# a flipped payload byte (re-uploaded, so the descriptor matches)
sed 's/openssl/openssm/' op.json >flip.json
MKREPO=other mk_sig_manifest fm.json flip.json:op.b64
push_manifest other "$OT" fm.json
expect "flipped payload byte" 3 "does not verify" $S verify --key ossl.pub "$REG/other:v1"
# a valid signature for another digest (the demo image's .sig, stored as
# the signatures of the cosign-08 digest)
get_manifest demo "$SIGTAG" >demo-sig.json
for l in $(jq -r '.layers[].digest, .config.digest' demo-sig.json); do
    curl -s "http://$REG/v2/demo/blobs/$l" >b.tmp && push_blob vec b.tmp
done
push_manifest vec "$VT" demo-sig.json
expect "signature for another digest" 3 "payload signs digest $D, not the image digest $VD" \
    $S verify --key cosign.pub "$REG/vec@$VD"
# truncated base64
head -c 30 op.b64 >trunc.b64
MKREPO=other mk_sig_manifest tm.json op.json:trunc.b64
push_manifest other "$OT" tm.json
expect "truncated base64" 3 "not valid base64" $S verify --key ossl.pub "$REG/other:v1"
# wrong media type
MKREPO=other mk_sig_manifest wm.json op.json:op.b64:application/octet-stream
push_manifest other "$OT" wm.json
expect "wrong media type" 3 "media type application/octet-stream is not" $S verify --key ossl.pub "$REG/other:v1"
# a blob not matching its descriptor (changed in the registry's storage)
push_manifest other "$OT" om.json
BP=$(blob_path "sha256:$(sha256sum op.json | cut -d' ' -f1)")
sed -i 's/openssl/openssX/' "$BP"
expect "blob not matching its descriptor" 3 "content has digest" $S verify --key ossl.pub "$REG/other:v1"
# missing .sig
expect "missing .sig: no signatures" 3 "no signatures found" $S verify --key cosign.pub "$REG/twice:v1"
# unreadable / unusable keys
expect "missing key file" 1 "nokey.pub" $S verify --key nokey.pub "$REG/demo:v1"
printf 'garbage\n' >junk.pub
expect "garbage key file" 1 "no PEM block" $S verify --key junk.pub "$REG/demo:v1"
expect "wrong password" 1 "incorrect password for private key" \
    env COSIGN_PASSWORD=nope $S sign --key cosign.key "$REG/demo@$D"
expect "unset env:// key" 1 "NOPE_KEY is not set" $S sign --key env://NOPE_KEY "$REG/demo@$D"

# registry 5xx during verify: a proxy answering 503 for the .sig manifest
PPORT=$(free_port)
$PY - "$PPORT" "$REG" <<'PYEOF' &
import http.client, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, up = int(sys.argv[1]), sys.argv[2]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def fwd(self, body=True):
        if ".sig" in self.path:
            self.send_response(503); self.send_header("Content-Length", "0"); self.end_headers(); return
        c = http.client.HTTPConnection(up); c.request(self.command, self.path, headers=dict(self.headers))
        r = c.getresponse(); data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection"): self.send_header(k, v)
        self.end_headers()
        if body: self.wfile.write(data)
    def do_GET(self): self.fwd()
    def do_HEAD(self): self.fwd(False)
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PYEOF
PPID2=$!
at_exit "kill $PPID2 2>/dev/null"
wait_http "http://127.0.0.1:$PPORT/v2/"
expect "registry 503 during verify: exit 1, not a pass" 1 "503" \
    $S verify --key cosign.pub "127.0.0.1:$PPORT/demo@$D"

# ---- cosign v3: a key-based Sigstore bundle as an OCI 1.1 referrer --------
# built independently (python + openssl), pushed with the referrers tag
# fallback a registry without the referrers API needs (cosign-format §2.6)
$PY - "$D" ossl.pem v3 <<'PYEOF'
import base64, hashlib, json, subprocess, sys
d, key, out = sys.argv[1], sys.argv[2], sys.argv[3]
BT = "application/vnd.dev.sigstore.bundle.v0.3+json"
st = json.dumps({"_type": "https://in-toto.io/Statement/v1",
                 "subject": [{"digest": {"sha256": d[7:]}, "annotations": {"env": "v3"}}],
                 "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": {}}).encode()
pt = b"application/vnd.in-toto+json"
pae = b"DSSEv1 %d %s %d %s" % (len(pt), pt, len(st), st)
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=pae,
                     capture_output=True, check=True).stdout
b = json.dumps({"mediaType": BT, "verificationMaterial": {"publicKey": {"hint": "x"}},
                "dsseEnvelope": {"payload": base64.b64encode(st).decode(),
                                 "payloadType": pt.decode(),
                                 "signatures": [{"sig": base64.b64encode(sig).decode()}]}}).encode()
open(out + ".bundle", "wb").write(b)
open(out + ".empty", "wb").write(b"{}")
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2,
               "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest(), "artifactType": BT},
    "layers": [{"mediaType": BT, "size": len(b), "digest": "sha256:" + hashlib.sha256(b).hexdigest()}],
    "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 678, "digest": d},
    "artifactType": BT}).encode()
open(out + ".manifest", "wb").write(m)
md = "sha256:" + hashlib.sha256(m).hexdigest()
open(out + ".mdigest", "w").write(md)
open(out + ".index", "w").write(json.dumps({"schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "digest": md, "size": len(m), "artifactType": BT}]}))
PYEOF
push_blob v3 v3.bundle && push_blob v3 v3.empty
push_manifest v3 "$(cat v3.mdigest)" v3.manifest
push_manifest v3 "sha256-$HEX" v3.index application/vnd.oci.image.index.v1+json
out=$($S verify -q --key ossl.pub "$REG/v3:v1")
check "v3 key bundle (referrer) verifies" test $? = 0
check "v3 bundle: printed type is the cosign sign predicate" test \
    "$(echo "$out" | jq -r '.[0].critical.type')" = https://sigstore.dev/cosign/sign/v1
check "v3 bundle: subject annotation required and present" $S verify -q --key ossl.pub -a env=v3 "$REG/v3:v1"
expect "v3 bundle: wrong annotation" 3 "required annotation env=prod is not in the statement" \
    $S verify --key ossl.pub -a env=prod "$REG/v3:v1"
expect "v3 bundle: another key" 3 "bundle signature does not verify" \
    $S verify --key cosign.pub "$REG/v3:v1"

# ---- two signers at once: both signatures survive ------------------------
for round in 1 2 3; do
    R=race1
    [ "$round" = 2 ] && R=race2
    [ "$round" = 3 ] && R=twice
    $S sign -q --key cosign.key "$REG/$R:v1" 2>race1.err &
    p1=$!
    $S sign -q --key k2.key "$REG/$R:v1" 2>race2.err &
    p2=$!
    wait $p1; r1=$?
    wait $p2; r2=$?
    [ "$r1$r2" = 00 ] || cat race1.err race2.err >&2
    check "concurrent signers round $round: both exit 0" test "$r1$r2" = 00
    check "concurrent signers round $round: key 1 present" $S verify -q --key cosign.pub "$REG/$R:v1"
    check "concurrent signers round $round: key 2 present" $S verify -q --key k2.pub "$REG/$R:v1"
done

finish
