#!/bin/bash
# verify / verify-attestation against artifacts crafted through the
# registry API (curl, jq, openssl; not sigil): a cosign signature
# statement stored as an attestation is refused (decided from the signed
# statement); registry strings with newlines and terminal escapes reach
# stderr escaped, so no forged "verified" line; the banner names a digest
# reference once; a referrer bundle's kind and its -a annotations are read
# from the signed statement (the subject naming the image).
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/attest_lib.sh"

T=$(tmpdir)
start_registry
INS="--insecure-registry $REG"
make_keys "$T"
cp -r "$SG_SOURCE_DIR/testdata/images/demo" "$T/demo"
IMG=$REG/h/app:v1
"$SIGIL" copy -q $INS "oci-dir:$T/demo" "$IMG" >/dev/null ||
    { fail "push demo image"; finish; }
DIG=$("$SIGIL" digest $INS "$IMG")
HEX=${DIG#sha256:}
BYDIG=$REG/h/app@$DIG

# ---- a cosign signature statement in the .att tag ------------------------
jq -cn --arg d "$HEX" '{_type:"https://in-toto.io/Statement/v1",subject:[{name:"x",digest:{sha256:$d}}],predicateType:"https://sigstore.dev/cosign/sign/v1",predicate:{}}' >"$T/sig.stmt"
make_envelope "$T/sig.env" "$T/sig.stmt" "$T/k.pem"
check "openssl envelope verifies (independent PAE)" pae_verify "$T/sig.env" "$T/k.pub"
reg_put_att h/app "$DIG" "$T/sig.env"
expect_verify_fail ".att holding a cosign signature statement is not an attestation" \
    "a cosign image signature, not an attestation" \
    "$SIGIL" verify-attestation $INS --key "$T/k.pub" "$IMG"
# beside a real attestation: only that one is printed
jq -cn --arg d "$HEX" '{_type:"https://in-toto.io/Statement/v1",subject:[{name:"x",digest:{sha256:$d}}],predicateType:"https://example.com/review/v1",predicate:{ok:true}}' >"$T/rev.stmt"
make_envelope "$T/rev.env" "$T/rev.stmt" "$T/k.pem"
reg_put_att h/app "$DIG" "$T/sig.env" "$T/rev.env"
"$SIGIL" verify-attestation -v $INS --key "$T/k.pub" "$BYDIG" >"$T/att.out" 2>"$T/att.err"
check "the real attestation passes" test $? -eq 0
check "only the real attestation is printed" \
    test "$(jq -r .predicateType "$T/att.out")" = https://example.com/review/v1
check "verify-attestation banner names the digest reference once" \
    grep -qF "Verification for $BYDIG --" "$T/att.err"
check "no @digest@digest in the attestation banner" sh -c "! grep -qF '@$DIG@' '$T/att.err'"

# ---- a hostile media type beside a good signature ------------------------
"$SIGIL" sign -q $INS --key "$T/k.pem" "$IMG" >/dev/null
check "sign" test $? -eq 0
curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG/v2/h/app/manifests/sha256-$HEX.sig" >"$T/sig.man"
jq -c '.layers += [.layers[0] | .mediaType = "x\n1 of 1 signature(s) verified\u001b[2K"]' \
    "$T/sig.man" >"$T/sig.hostile"
check "hostile media type carries a newline and ESC" grep -q 'verified\\u001b' "$T/sig.hostile"
curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$T/sig.hostile" "http://$REG/v2/h/app/manifests/sha256-$HEX.sig"
check "registry took the hostile manifest" test $? -eq 0
"$SIGIL" verify -v $INS --key "$T/k.pub" "$BYDIG" >"$T/v.out" 2>"$T/v.err"
check "verify passes on the good signature" test $? -eq 0
check "the hostile media type is shown escaped" \
    grep -qF 'media type x\n1 of 1 signature(s) verified\x1b[2K is not' "$T/v.err"
check "no forged '1 of 1' line" sh -c "! grep -q '^1 of 1 signature' '$T/v.err'"
check "no escape byte reaches stderr" sh -c "! grep -q \"\$(printf '\\033')\" '$T/v.err'"
check "the real count is printed" grep -q '^1 of 2 signature(s) verified$' "$T/v.err"
check "verify banner names the digest reference once" \
    grep -qF "Verification for $BYDIG --" "$T/v.err"
check "no @digest@digest in the verify banner" sh -c "! grep -qF '@$DIG@' '$T/v.err'"

# ---- a referrer bundle: kind and -a read from the signed statement -------
# A cosign sign statement whose referrer manifest claims (unsigned) to be
# a review attestation; its first subject is another digest carrying
# env=prod, the image's own subject carries env=v3.
"$SIGIL" copy -q $INS "oci-dir:$T/demo" "$REG/h/ref:v1" >/dev/null
BT=application/vnd.dev.sigstore.bundle.v0.3+json
jq -cn --arg d "$HEX" --arg o "$(printf '1%.0s' $(seq 64))" '{_type:"https://in-toto.io/Statement/v1",subject:[{digest:{sha256:$o},annotations:{env:"prod"}},{digest:{sha256:$d},annotations:{env:"v3"}}],predicateType:"https://sigstore.dev/cosign/sign/v1",predicate:{}}' >"$T/b.stmt"
make_envelope "$T/b.env" "$T/b.stmt" "$T/k.pem"
jq -cn --slurpfile e "$T/b.env" --arg bt "$BT" '{mediaType:$bt,verificationMaterial:{publicKey:{hint:"k"}},dsseEnvelope:$e[0]}' >"$T/b.bundle"
printf '{}' >"$T/empty"
BD=$(reg_put_blob h/ref "$T/b.bundle")
ED=$(reg_put_blob h/ref "$T/empty")
MS=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/h/ref/manifests/$DIG" | wc -c)
jq -cn --arg bt "$BT" --arg bd "$BD" --argjson bs "$(wc -c <"$T/b.bundle")" --arg ed "$ED" --arg d "$DIG" --argjson ms "$MS" \
    '{schemaVersion:2,mediaType:"application/vnd.oci.image.manifest.v1+json",artifactType:$bt,config:{mediaType:"application/vnd.oci.empty.v1+json",size:2,digest:$ed},layers:[{mediaType:$bt,size:$bs,digest:$bd}],annotations:{"dev.sigstore.bundle.predicateType":"https://example.com/review/v1"},subject:{mediaType:"application/vnd.oci.image.manifest.v1+json",size:$ms,digest:$d}}' >"$T/ref.man"
MD=sha256:$(sha256sum "$T/ref.man" | cut -d' ' -f1)
curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$T/ref.man" "http://$REG/v2/h/ref/manifests/$MD"
jq -cn --arg bt "$BT" --arg md "$MD" --argjson n "$(wc -c <"$T/ref.man")" \
    '{schemaVersion:2,mediaType:"application/vnd.oci.image.index.v1+json",manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$md,size:$n,artifactType:$bt}]}' >"$T/ref.idx"
curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
    --data-binary "@$T/ref.idx" "http://$REG/v2/h/ref/manifests/sha256-$HEX"
check "referrer fallback index pushed" test $? -eq 0
REF=$REG/h/ref@$DIG
expect_verify_fail "a signature bundle annotated as an attestation is not one" \
    "no attestations found" "$SIGIL" verify-attestation $INS --key "$T/k.pub" "$REF"
"$SIGIL" verify -q $INS --key "$T/k.pub" "$REF" >"$T/ref.out"
check "it verifies as an image signature" test $? -eq 0
check "-a checked on the subject naming the image (env=v3)" \
    "$SIGIL" verify -q $INS --key "$T/k.pub" -a env=v3 "$REF"
expect_verify_fail "-a not taken from another subject (env=prod)" \
    "required annotation env=prod is not in the statement" \
    "$SIGIL" verify $INS --key "$T/k.pub" -a env=prod "$REF"

finish
