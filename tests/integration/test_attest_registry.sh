#!/bin/bash
# Attestations on a real registry (docker-registry on 127.0.0.1):
# sbom --attest --sign (or attest with a multi-megabyte SPDX predicate),
# verify-attestation, download, tree, the SBOM round trip, an independent
# PAE check with openssl, every tampering case (each with its reason),
# blob attestations, attach sbom, copy --signatures, registry errors.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/attest_lib.sh"

T=$(tmpdir)
start_registry
INS="--insecure-registry $REG"
make_keys "$T"
cp -r "$SG_SOURCE_DIR/testdata/images/demo" "$T/demo"

IMG=$REG/team/app:v1
"$SIGIL" copy -q $INS "oci-dir:$T/demo" "$IMG" >/dev/null ||
    { fail "push demo image"; finish; }
DIG=$("$SIGIL" digest $INS "$IMG")
check "digest resolved" test -n "$DIG"

# --- the one-pass pipeline (or attest + sign when sbom lacks --attest) ---
PIPE=0
if has_cmd_option sbom --attest; then
    out=$("$SIGIL" sbom $INS "$IMG" --attest --key "$T/k.pem" --sign \
        -o "spdx-json=$T/sbom.json" 2>"$T/sbom.err")
    rc=$?
    check "sbom --attest --sign exit 0" test $rc -eq 0
    [ $rc -eq 0 ] || { echo "--- sbom stderr:"; cat "$T/sbom.err"; } >&2
    check "pipeline prints the digest last (stderr)" \
        test "$(tail -n1 "$T/sbom.err")" = "$DIG"
    check "nothing on stdout with -o FILE" test -z "$out"
    [ $rc -eq 0 ] && PIPE=1
fi
if [ $PIPE = 1 ]; then
    SIGNED=1
else
    # the rest still checks attestations: attest a generated SBOM
    echo "note: no working sbom --attest; attesting a generated SPDX file"
    make_spdx "$T/sbom.json" 300
    out=$("$SIGIL" attest -q $INS --key "$T/k.pem" --type spdxjson \
        --predicate "$T/sbom.json" "$IMG")
    check "attest exit 0, prints digest" test "$out" = "$DIG"
    "$SIGIL" sign -q $INS --key "$T/k.pem" "$IMG" >/dev/null
    check "sign exit 0" test $? -eq 0
    SIGNED=1
fi

# a multi-megabyte predicate (~3 MB SPDX) through the registry
"$SIGIL" copy -q $INS "oci-dir:$T/demo" "$REG/team/big:v1" >/dev/null
make_spdx "$T/big.json" 12000
check "big predicate is over 2 MB" test "$(wc -c <"$T/big.json")" -gt 2000000
"$SIGIL" attest -q $INS --key "$T/k.pem" --type spdxjson \
    --predicate "$T/big.json" "$REG/team/big:v1" >/dev/null
check "attest a multi-megabyte SBOM" test $? -eq 0
"$SIGIL" verify-attestation -q $INS --key "$T/k.pub" --type spdxjson \
    "$REG/team/big:v1" | jq -S .predicate >"$T/big.back.json"
jq -S . "$T/big.json" >"$T/big.sorted.json"
check "multi-megabyte SBOM verifies and comes back equal" cmp -s "$T/big.back.json" "$T/big.sorted.json"
check "SBOM file written" test -s "$T/sbom.json"

"$SIGIL" verify-attestation -q $INS --key "$T/k.pub" --type spdxjson "$IMG" \
    >"$T/va.out" 2>"$T/va.err"
check "verify-attestation exit 0" test $? -eq 0
check "one statement per line" test "$(wc -l <"$T/va.out")" -eq 1
check "statement subject digest = sigil digest" \
    test "sha256:$(head -n1 "$T/va.out" | jq -r '.subject[0].digest.sha256')" = "$DIG"
check "statement subject name = repository" \
    test "$(head -n1 "$T/va.out" | jq -r '.subject[0].name')" = "$REG/team/app"
check "statement predicateType" \
    test "$(head -n1 "$T/va.out" | jq -r .predicateType)" = "https://spdx.dev/Document"
check "statement _type v0.1" \
    test "$(head -n1 "$T/va.out" | jq -r ._type)" = "https://in-toto.io/Statement/v0.1"
if [ "$SIGNED" = 1 ]; then
    "$SIGIL" verify -q $INS --key "$T/k.pub" "$IMG" >/dev/null 2>"$T/v.err"
    check "verify (image signature) exit 0" test $? -eq 0
fi

# --- download attestation: the SBOM comes back, PAE checked independently ---
"$SIGIL" download attestation $INS "$IMG" >"$T/dl.jsonl"
check "download attestation exit 0, one envelope" test "$(wc -l <"$T/dl.jsonl")" -eq 1
head -n1 "$T/dl.jsonl" >"$T/env.json"
check "envelope media: payloadType in-toto" \
    test "$(jq -r .payloadType "$T/env.json")" = "application/vnd.in-toto+json"
jq -r .payload "$T/env.json" | base64 -d | jq -S .predicate >"$T/pred.json"
jq -S . "$T/sbom.json" >"$T/sbom.sorted.json"
check "SBOM from download attestation == SBOM file" cmp -s "$T/pred.json" "$T/sbom.sorted.json"
check "independent PAE + openssl verify" pae_verify "$T/env.json" "$T/k.pub"
if pae_verify "$T/env.json" "$T/k2.pub" >/dev/null 2>&1; then
    fail "openssl accepts another key"
else
    pass "openssl rejects another key"
fi

# --- tree ---
"$SIGIL" tree $INS "$IMG" >"$T/tree.out"
check "tree lists the .att with its predicate type" \
    grep -q "predicateType=https://spdx.dev/Document" "$T/tree.out"
check "tree names the .att tag" grep -q "^attestations (sha256-${DIG#sha256:}.att): 1" "$T/tree.out"
if [ "$SIGNED" = 1 ]; then
    check "tree lists the signature" grep -q "^signatures (sha256-${DIG#sha256:}.sig): 1" "$T/tree.out"
fi

# --- tampering: each fails with exit 3 and its reason ---
expect_verify_fail "wrong --type" "predicate type is https://spdx.dev/Document, not https://cyclonedx.org/bom" \
    "$SIGIL" verify-attestation $INS --key "$T/k.pub" --type cyclonedx "$IMG"
expect_verify_fail "another key" "no DSSE signature verifies over PAE" \
    "$SIGIL" verify-attestation $INS --key "$T/k2.pub" "$IMG"

# a second image with another digest: the demo manifest plus an annotation
IMG2=$REG/team/tamper:v1
"$SIGIL" copy -q $INS "oci-dir:$T/demo" "$REG/team/tamper:v0" >/dev/null
curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG/v2/team/tamper/manifests/v0" |
    jq -c '.annotations = {"test":"tamper"}' >"$T/m2.json"
curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$T/m2.json" "http://$REG/v2/team/tamper/manifests/v1"
DIG2=$("$SIGIL" digest $INS "$IMG2")
check "second image has another digest" test "$DIG2" != "$DIG"
# edited predicate: payload changed, signature kept
jq -r .payload "$T/env.json" | base64 -d |
    jq -c '.predicate.name = "evil"' >"$T/edited.stmt"
base64 -w0 "$T/edited.stmt" >"$T/edited.b64"
jq -c --rawfile p "$T/edited.b64" '.payload = $p' "$T/env.json" >"$T/edited.env"
reg_put_att team/tamper "$DIG2" "$T/edited.env"
expect_verify_fail "edited predicate" "no DSSE signature verifies over PAE" \
    "$SIGIL" verify-attestation $INS --key "$T/k.pub" "$IMG2"
# a properly signed envelope for another digest (the first image's)
reg_put_att team/tamper "$DIG2" "$T/env.json"
expect_verify_fail "envelope for another digest" "statement subject sha256:${DIG#sha256:} does not match $DIG2" \
    "$SIGIL" verify-attestation $INS --key "$T/k.pub" "$IMG2"
# signature over the raw statement instead of PAE (made with openssl)
jq -r .payload "$T/env.json" | base64 -d |
    jq -c --arg d "${DIG2#sha256:}" '.subject[0].digest.sha256 = $d' >"$T/own.stmt"
make_envelope "$T/raw.env" "$T/own.stmt" "$T/k.pem" raw
reg_put_att team/tamper "$DIG2" "$T/raw.env"
expect_verify_fail "signature over the raw payload, not PAE" "no DSSE signature verifies over PAE" \
    "$SIGIL" verify-attestation $INS --key "$T/k.pub" "$IMG2"
# control: the same statement signed over PAE by openssl verifies in sigil
make_envelope "$T/pae.env" "$T/own.stmt" "$T/k.pem"
reg_put_att team/tamper "$DIG2" "$T/raw.env" "$T/pae.env"
"$SIGIL" verify-attestation -q $INS --key "$T/k.pub" "$IMG2" >"$T/ctl.out" 2>&1
check "openssl-made PAE envelope verifies in sigil (1 of 2 layers)" \
    test $? -eq 0 -a "$(wc -l <"$T/ctl.out")" -eq 1
# an early-cosign payloadType (the predicate type): rejected with the
# reason unless --allow-legacy-payload-type
make_envelope "$T/legacy.env" "$T/own.stmt" "$T/k.pem" pae "https://example.com/CodeReview/v1"
reg_put_att team/tamper "$DIG2" "$T/legacy.env"
expect_verify_fail "legacy payloadType rejected" \
    'payloadType is "https://example.com/CodeReview/v1", not "application/vnd.in-toto\+json".*--allow-legacy-payload-type' \
    "$SIGIL" verify-attestation $INS --key "$T/k.pub" "$IMG2"
"$SIGIL" verify-attestation -q $INS --key "$T/k.pub" --allow-legacy-payload-type "$IMG2" >/dev/null
check "legacy payloadType accepted with --allow-legacy-payload-type" test $? -eq 0
# no attestations at all
IMG3=$REG/team/none:v1
"$SIGIL" copy -q $INS "oci-dir:$T/demo" "$IMG3" >/dev/null
expect_verify_fail "no attestations" "no attestations found" \
    "$SIGIL" verify-attestation $INS --key "$T/k.pub" "$IMG3"
# registry errors are exit 1, never 0 or 3
"$SIGIL" verify-attestation --insecure-registry 127.0.0.1:9 --key "$T/k.pub" \
    127.0.0.1:9/team/app:v1 >/dev/null 2>&1
check "unreachable registry: exit 1" test $? -eq 1

# --- blobs ---
printf 'hello blob\n' >"$T/blob.txt"
"$SIGIL" attest-blob --key "$T/k.pem" --type spdxjson --predicate "$T/sbom.json" \
    --output-attestation "$T/blob.env" "$T/blob.txt"
check "attest-blob exit 0" test $? -eq 0
check "attest-blob subject is the file name and sha256" \
    test "$(jq -r .payload "$T/blob.env" | base64 -d | jq -r '.subject[0] | .name + " " + .digest.sha256')" = \
    "blob.txt $(sha256sum "$T/blob.txt" | cut -d' ' -f1)"
check "attest-blob envelope verifies with openssl over PAE" pae_verify "$T/blob.env" "$T/k.pub"
"$SIGIL" verify-blob-attestation -q --key "$T/k.pub" --signature "$T/blob.env" --type spdxjson "$T/blob.txt"
check "verify-blob-attestation exit 0" test $? -eq 0
printf 'hello blob!\n' >"$T/other.txt"
expect_verify_fail "blob: another file" "does not match" \
    "$SIGIL" verify-blob-attestation --key "$T/k.pub" --signature "$T/blob.env" "$T/other.txt"
expect_verify_fail "blob: another key" "no DSSE signature verifies over PAE" \
    "$SIGIL" verify-blob-attestation --key "$T/k2.pub" --signature "$T/blob.env" "$T/blob.txt"
# cosign's own attest-blob vector (dsse-01: subject sha256("some-payload"))
V=$SG_TESTDATA/vectors
printf 'some-payload' >"$T/some"
"$SIGIL" verify-blob-attestation -q --key "$V/dsse-01/cosign.pub" \
    --signature "$V/dsse-01/envelope.json" --type slsaprovenance "$T/some"
check "cosign dsse-01 vector verifies" test $? -eq 0
expect_verify_fail "cosign dsse-01 vector, --type vuln" "predicate type is" \
    "$SIGIL" verify-blob-attestation --key "$V/dsse-01/cosign.pub" \
    --signature "$V/dsse-01/envelope.json" --type vuln "$T/some"

# --- attach sbom (legacy .sbom) + download sbom ---
"$SIGIL" attach sbom $INS --sbom "$T/sbom.json" --type spdx "$IMG" >/dev/null 2>"$T/attach.err"
check "attach sbom exit 0" test $? -eq 0
check "attach sbom warns it is deprecated" grep -q "deprecated" "$T/attach.err"
"$SIGIL" download sbom $INS "$IMG" >"$T/dl-sbom.json"
check "download sbom == attached file" cmp -s "$T/dl-sbom.json" "$T/sbom.json"
"$SIGIL" tree $INS "$IMG" >"$T/tree2.out"
check "tree lists the .sbom media type" grep -q "mediaType=text/spdx+json" "$T/tree2.out"

# --- copy --signatures carries .att (and .sig/.sbom) ---
"$SIGIL" copy -q $INS --signatures "$IMG" "$REG/mirror/app:v1" >/dev/null
check "copy --signatures exit 0" test $? -eq 0
"$SIGIL" verify-attestation -q $INS --key "$T/k.pub" --type spdxjson "$REG/mirror/app:v1" >/dev/null
check "verify-attestation on the copy" test $? -eq 0
"$SIGIL" download sbom $INS "$REG/mirror/app:v1" >"$T/mirror-sbom.json"
check "copy carried the .sbom" cmp -s "$T/mirror-sbom.json" "$T/sbom.json"
"$SIGIL" verify -q $INS --key "$T/k.pub" "$REG/mirror/app:v1" >/dev/null 2>&1
check "copy carried the .sig (verify on the copy)" test $? -eq 0
"$SIGIL" copy -q $INS --signatures "$IMG" "oci-dir:$T/mirror" >/dev/null
"$SIGIL" verify-attestation -q --key "$T/k.pub" "oci-dir:$T/mirror" >/dev/null
check "copy --signatures to a layout carries .att" test $? -eq 0

# a cosign v3 bundle referrer carried from a layout into the registry
# (distribution 2.8 has no referrers API: the sha256-<hex> tag index)
cp -r "$SG_SOURCE_DIR/testdata/images/demo" "$T/refsrc"
jq -cn --arg d "${DIG#sha256:}" '{_type:"https://in-toto.io/Statement/v1",subject:[{digest:{sha256:$d}}],predicateType:"https://cyclonedx.org/bom",predicate:{bomFormat:"CycloneDX"}}' >"$T/cdx.stmt"
make_envelope "$T/cdx.env" "$T/cdx.stmt" "$T/k.pem"
jq -cn --slurpfile e "$T/cdx.env" '{mediaType:"application/vnd.dev.sigstore.bundle.v0.3+json",verificationMaterial:{publicKey:{hint:"t"}},dsseEnvelope:$e[0]}' >"$T/cdx.bundle"
layout_put_bundle_referrer "$T/refsrc" "$DIG" "$T/cdx.bundle"
"$SIGIL" copy -q $INS --signatures "oci-dir:$T/refsrc" "$REG/refs/app:v1" >/dev/null
check "copy --signatures layout -> registry" test $? -eq 0
"$SIGIL" verify-attestation -q $INS --key "$T/k.pub" --type cyclonedx -o json "$REG/refs/app:v1" >"$T/ref.out"
check "bundle referrer verifies on the registry" test $? -eq 0
check "found through the referrers (tag fallback)" grep -q '"source":"referrer sha256:' "$T/ref.out"
"$SIGIL" tree $INS "$REG/refs/app:v1" >"$T/tree3.out"
check "tree lists the registry referrer" grep -q "artifactType=application/vnd.dev.sigstore.bundle.v0.3+json" "$T/tree3.out"

finish
