#!/bin/bash
# Attestations on an OCI layout, no server (the README's main job):
# sbom --attest --sign (or attest + sign), verify-attestation and verify,
# the SBOM round trip through download attestation, an independent PAE
# check with openssl, cosign v3 bundles read from referrers (key-signed
# and keyless), wrong key / type.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/attest_lib.sh"

T=$(tmpdir)
make_keys "$T"
cp -r "$SG_SOURCE_DIR/testdata/images/demo" "$T/demo"
IMG=oci-dir:$T/demo
DIG=$("$SIGIL" digest "$IMG")
check "digest resolved" test -n "$DIG"

if has_cmd_option sbom --attest; then
    out=$("$SIGIL" sbom "$IMG" --attest --key "$T/k.pem" --sign \
        -o "spdx-json=$T/sbom.json" 2>"$T/sbom.err")
    rc=$?
    check "sbom --attest --sign exit 0" test $rc -eq 0
    [ $rc -eq 0 ] || cat "$T/sbom.err" >&2
    check "pipeline prints the digest last (stderr)" \
        test "$(tail -n1 "$T/sbom.err")" = "$DIG"
    check "nothing on stdout with -o FILE" test -z "$out"
    SIGNED=1
else
    echo "note: sigil sbom --attest not available yet; attesting a file"
    make_spdx "$T/sbom.json" 300
    out=$("$SIGIL" attest -q --key "$T/k.pem" --type spdxjson \
        --predicate "$T/sbom.json" "$IMG")
    check "attest exit 0, prints digest" test "$out" = "$DIG"
    SIGNED=0
    if has_cmd_option sign --key; then
        "$SIGIL" sign -q --key "$T/k.pem" "$IMG" >/dev/null
        check "sign exit 0" test $? -eq 0
        SIGNED=1
    fi
fi

"$SIGIL" verify-attestation -q --key "$T/k.pub" --type spdxjson "$IMG" >"$T/va.out"
check "verify-attestation exit 0" test $? -eq 0
check "statement subject digest = sigil digest" \
    test "sha256:$(jq -r '.subject[0].digest.sha256' "$T/va.out")" = "$DIG"
if [ "$SIGNED" = 1 ] && has_cmd_option verify --key; then
    "$SIGIL" verify -q --key "$T/k.pub" "$IMG" >/dev/null
    check "verify (image signature) exit 0" test $? -eq 0
fi
"$SIGIL" download attestation "$IMG" | head -n1 >"$T/env.json"
jq -r .payload "$T/env.json" | base64 -d | jq -S .predicate >"$T/pred.json"
jq -S . "$T/sbom.json" >"$T/sbom.sorted.json"
check "SBOM from download attestation == SBOM file" cmp -s "$T/pred.json" "$T/sbom.sorted.json"
check "independent PAE + openssl verify" pae_verify "$T/env.json" "$T/k.pub"
expect_verify_fail "another key" "no DSSE signature verifies over PAE" \
    "$SIGIL" verify-attestation --key "$T/k2.pub" "$IMG"
expect_verify_fail "wrong --type" "predicate type is https://spdx.dev/Document, not https://slsa.dev/provenance/v1" \
    "$SIGIL" verify-attestation --key "$T/k.pub" --type slsaprovenance1 "$IMG"

# cosign v3: a Sigstore bundle referrer (statement made here, signed over
# PAE with openssl)
jq -cn --arg d "${DIG#sha256:}" '{_type:"https://in-toto.io/Statement/v1",subject:[{digest:{sha256:$d}}],predicateType:"https://cyclonedx.org/bom",predicate:{bomFormat:"CycloneDX",specVersion:"1.5"}}' >"$T/cdx.stmt"
make_envelope "$T/cdx.env" "$T/cdx.stmt" "$T/k.pem"
jq -c --slurpfile e "$T/cdx.env" '{mediaType:"application/vnd.dev.sigstore.bundle.v0.3+json",verificationMaterial:{publicKey:{hint:"test"}},dsseEnvelope:$e[0]}' -n >"$T/cdx.bundle"
layout_put_bundle_referrer "$T/demo" "$DIG" "$T/cdx.bundle"
"$SIGIL" verify-attestation -q --key "$T/k.pub" --type cyclonedx -o json "$IMG" >"$T/cdx.out"
check "v3 bundle referrer verifies" test $? -eq 0
check "its source is the referrer" grep -q '"source":"referrer sha256:' "$T/cdx.out"
check "its statement is v1 CycloneDX" \
    test "$(jq -r '.statement._type + " " + .predicateType' "$T/cdx.out")" = "https://in-toto.io/Statement/v1 https://cyclonedx.org/bom"
"$SIGIL" verify-attestation -q --key "$T/k.pub" "$IMG" >"$T/all.out"
check "both attestations listed without --type" test "$(wc -l <"$T/all.out")" -eq 2
"$SIGIL" tree "$IMG" >"$T/tree.out"
check "tree lists the referrer's artifact type" \
    grep -q "artifactType=application/vnd.dev.sigstore.bundle.v0.3+json" "$T/tree.out"
# copy --signatures carries .att and the bundle referrer
"$SIGIL" copy -q --signatures "$IMG" "oci-dir:$T/copy" >/dev/null
check "copy --signatures to a layout" test $? -eq 0
"$SIGIL" verify-attestation -q --key "$T/k.pub" --type cyclonedx "oci-dir:$T/copy" >/dev/null
check "copied layout: bundle referrer verifies" test $? -eq 0
"$SIGIL" verify-attestation -q --key "$T/k.pub" --type spdxjson "oci-dir:$T/copy" >/dev/null
check "copied layout: .att verifies" test $? -eq 0
# a keyless (certificate) bundle from cosign's test data
layout_put_bundle_referrer "$T/demo" "$DIG" "$SG_TESTDATA/vectors/dsse-03/bundle.sigstore.json"
expect_verify_fail "keyless bundle reported as not checkable with a key" \
    "signed with a certificate \(keyless\); not checkable with a key" \
    "$SIGIL" verify-attestation --key "$T/k.pub" --type custom "$IMG"

# the pipeline with a CycloneDX output attests a CycloneDX predicate
if has_cmd_option sbom --attest; then
    cp -r "$SG_SOURCE_DIR/testdata/images/demo" "$T/demo-cdx"
    "$SIGIL" sbom -q "oci-dir:$T/demo-cdx" --attest --key "$T/k.pem" \
        -o "cyclonedx-json=$T/cdx.json" 2>/dev/null
    check "sbom --attest -o cyclonedx-json" test $? -eq 0
    "$SIGIL" verify-attestation -q --key "$T/k.pub" --type cyclonedx \
        "oci-dir:$T/demo-cdx" | jq -S .predicate >"$T/cdx.back.json"
    jq -S . "$T/cdx.json" >"$T/cdx.sorted.json"
    check "CycloneDX attestation == the -o file" cmp -s "$T/cdx.back.json" "$T/cdx.sorted.json"
fi

# Statement v1 with subject annotations (-a split as cosign does)
"$SIGIL" attest -q --key "$T/k.pem" --type openvex --statement-version 1 \
    -a build=42,team=core --predicate "$T/cdx.stmt" "$IMG" >/dev/null
check "attest --statement-version 1 -a" test $? -eq 0
"$SIGIL" verify-attestation -q --key "$T/k.pub" --type openvex "$IMG" >"$T/v1.out"
check "v1 statement with subject annotations" \
    test "$(jq -c '[._type, .subject[0].annotations]' "$T/v1.out")" = \
    '["https://in-toto.io/Statement/v1",{"build":"42","team":"core"}]'
"$SIGIL" attest --key "$T/k.pem" -a x=1 --predicate "$T/cdx.stmt" "$IMG" >/dev/null 2>"$T/a.err"
check "-a without --statement-version 1: usage error" test $? -eq 2
# an encrypted cosign.key from generate-key-pair (password from the env)
(cd "$T" && COSIGN_PASSWORD=s3cret "$SIGIL" generate-key-pair >/dev/null 2>&1)
check "generate-key-pair wrote cosign.key" grep -q "ENCRYPTED SIGSTORE PRIVATE KEY" "$T/cosign.key"
COSIGN_PASSWORD=s3cret "$SIGIL" attest -q --key "$T/cosign.key" --type vuln \
    --predicate "$T/cdx.stmt" "$IMG" >/dev/null
check "attest with an encrypted cosign.key" test $? -eq 0
"$SIGIL" verify-attestation -q --key "$T/cosign.pub" --type vuln "$IMG" >/dev/null
check "verify-attestation with cosign.pub" test $? -eq 0
COSIGN_PASSWORD=wrong "$SIGIL" attest -q --key "$T/cosign.key" --type vuln \
    --predicate "$T/cdx.stmt" "$IMG" >/dev/null 2>"$T/pw.err"
check "wrong password: exit 1 and says so" test $? -eq 1 -a -n "$(grep -i password "$T/pw.err")"

finish
