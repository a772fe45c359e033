#!/bin/bash
# Key-based Sigstore bundles v0.3 written by sigil (issue 10, signing side):
#   sign-blob --bundle: the bundle's fields checked against openssl and
#     sha256sum, its signature verified with openssl, verify-blob --bundle
#     accepts it and refuses a changed file or another key;
#   sign / attest --new-bundle-format against a real docker-registry (no
#     referrers API: the sha256-<hex> tag index): the referrer manifest's
#     artifactType, config, layer, subject and annotations read with
#     curl + jq, the bundle's statement decoded and its DSSE signature
#     verified with openssl over PAE; sigil verify / verify-attestation
#     accept them and refuse another key, a wrong annotation, a wrong type.
# Sigstore's own JS verifier checks the same bundles in
# test_bundle_sigstore_js.sh.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/sign_lib.sh"

S=$SIGIL
T=$(tmpdir)
cd "$T" || exit 1
export COSIGN_PASSWORD=test-pw
BT=application/vnd.dev.sigstore.bundle.v0.3+json
SIGN_PRED=https://sigstore.dev/cosign/sign/v1

$S generate-key-pair >/dev/null 2>&1 || { echo "generate-key-pair failed" >&2; exit 1; }
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
    openssl pkcs8 -topk8 -nocrypt -out other.pem
openssl pkey -in other.pem -pubout -out other.pub
# the hint cosign writes: base64(sha256(DER SubjectPublicKeyInfo))
HINT=$(openssl pkey -pubin -in cosign.pub -outform DER | openssl dgst -sha256 -binary | base64 -w0)
unb64() { base64 -d; }
quiet() { "$@" >/dev/null; }
ossl_verify() { # PUB SIG FILE
    openssl dgst -sha256 -verify "$1" -signature "$2" "$3" >/dev/null
}

# verify-blob with a bundle: the CLI once it has --bundle, until then the
# library's verifier through the conformance driver (exit 1 -> 3)
CONF=$SG_BUILD_DIR/tests/sigil-conformance
verify_bundle() { # PUB BUNDLE FILE
    if $S verify-blob --help 2>&1 | grep -q -- '--bundle'; then
        $S verify-blob --insecure-ignore-tlog --key "$1" --bundle "$2" "$3"
    else
        "$CONF" verify-bundle --insecure-ignore-tlog --key "$1" --bundle "$2" "$3"
        r=$?
        [ "$r" = 1 ] && return 3
        return "$r"
    fi
}

# ---- sign-blob --bundle ----------------------------------------------------
printf 'an artifact\n' >art.txt
out=$($S sign-blob --key cosign.key --bundle blob.json art.txt 2>err.txt)
check "sign-blob --bundle: exit 0" test $? = 0
check "sign-blob --bundle: nothing on stdout (cosign v3)" test -z "$out"
check "sign-blob --bundle: says where" grep -q "Wrote bundle to file blob.json" err.txt
check "bundle: media type v0.3" test "$(jq -r .mediaType blob.json)" = "$BT"
check "bundle: publicKey hint = base64(sha256(DER SPKI))" \
    test "$(jq -r .verificationMaterial.publicKey.hint blob.json)" = "$HINT"
check "bundle: no tlogEntries, no certificate" \
    test "$(jq -c '.verificationMaterial | keys' blob.json)" = '["publicKey"]'
check "bundle: exactly mediaType, verificationMaterial, messageSignature" \
    test "$(jq -c 'keys_unsorted' blob.json)" = '["mediaType","verificationMaterial","messageSignature"]'
check "bundle: messageDigest algorithm SHA2_256" \
    test "$(jq -r .messageSignature.messageDigest.algorithm blob.json)" = SHA2_256
check "bundle: messageDigest = sha256 of FILE" \
    test "$(jq -r .messageSignature.messageDigest.digest blob.json | unb64 | od -An -tx1 | tr -d ' \n')" = \
    "$(sha256sum art.txt | cut -d' ' -f1)"
jq -r .messageSignature.signature blob.json | unb64 >blob.sig
check "bundle: signature verifies with openssl over FILE" \
    ossl_verify cosign.pub blob.sig art.txt
check "bundle: no temporary file left next to it" \
    test "$(ls -A | grep -c '^blob\.json')" = 1

out=$($S sign-blob --key cosign.key --bundle b2.json --output-signature sig.b64 art.txt 2>/dev/null)
check "--bundle with --output-signature: both written, nothing printed" \
    test -s b2.json -a -s sig.b64 -a -z "$out"
check "--output-signature holds the bundle's signature" \
    test "$(cat sig.b64)" = "$(jq -r .messageSignature.signature b2.json)"
out=$($S sign-blob --key cosign.key art.txt 2>/dev/null)
check "without --bundle: the signature is printed as before" \
    sh -c "printf '%s' '$out' | base64 -d | openssl dgst -sha256 -verify cosign.pub -signature /dev/stdin art.txt >/dev/null"
expect "wrong password: no bundle written" 1 "password" \
    env COSIGN_PASSWORD=nope $S sign-blob --key cosign.key --bundle nope.json art.txt
check "wrong password: the file does not exist" test ! -e nope.json
expect "unwritable --bundle path: error" 1 "nodir" \
    $S sign-blob --key cosign.key --bundle nodir/x.json art.txt

check "verify-blob --key --bundle: exit 0" quiet verify_bundle cosign.pub blob.json art.txt
cp art.txt flipped.txt
printf '\001' | dd of=flipped.txt bs=1 seek=3 conv=notrunc 2>/dev/null
verify_bundle cosign.pub blob.json flipped.txt >/dev/null 2>&1
check "verify-blob: a flipped byte in FILE: exit 3" test $? = 3
verify_bundle other.pub blob.json art.txt >/dev/null 2>&1
check "verify-blob: another key: exit 3" test $? = 3

# ---- sign --new-bundle-format ----------------------------------------------
start_registry
skopeo --insecure-policy copy --retry-times 3 -q --dest-tls-verify=false \
    "oci:$SG_SOURCE_DIR/testdata/images/demo:latest" "docker://$REG/nb:v1" ||
    { echo "cannot push the demo image" >&2; exit 1; }
D=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/nb:v1")
HEX=${D#sha256:}
SUBJ_SIZE=$(get_manifest nb "$D" | wc -c)

check "sign --new-bundle-format: exit 0" \
    $S sign -q --key cosign.key --new-bundle-format -a env=prod "$REG/nb@$D"
check "no legacy .sig tag written" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/nb/manifests/sha256-$HEX.sig")" = 404

# referrers: the API when the registry has it, else the tag schema index
referrers() {
    r=$(curl -s -w '\n%{http_code}' "http://$REG/v2/nb/referrers/$D")
    if [ "${r##*$'\n'}" = 200 ]; then
        printf '%s' "${r%$'\n'*}"
    else
        curl -s -H 'Accept: application/vnd.oci.image.index.v1+json' \
            "http://$REG/v2/nb/manifests/sha256-$HEX"
    fi
}
# referrer_for PREDICATE_TYPE: the digest of the referrer manifest whose
# annotation names it (fetched and checked, not trusted from the index)
referrer_for() {
    for m in $(referrers | jq -r '.manifests[].digest'); do
        if [ "$(get_manifest nb "$m" | jq -r '.annotations["dev.sigstore.bundle.predicateType"]')" = "$1" ]; then
            echo "$m"
            return 0
        fi
    done
    return 1
}
check "referrers index: one entry, artifactType the bundle type" \
    test "$(referrers | jq -c '[.manifests[].artifactType]')" = "[\"$BT\"]"
M=$(referrer_for "$SIGN_PRED")
check "a referrer manifest names the cosign sign predicate" test -n "$M"
get_manifest nb "$M" >sig.manifest
check "referrer: artifactType" test "$(jq -r .artifactType sig.manifest)" = "$BT"
check "referrer: OCI image manifest" \
    test "$(jq -r '.schemaVersion, .mediaType' sig.manifest | tr '\n' ' ')" = "2 application/vnd.oci.image.manifest.v1+json "
check "referrer: config is the empty descriptor (sha256 of {})" \
    test "$(jq -r '.config.mediaType, .config.size, .config.digest' sig.manifest | tr '\n' ' ')" = \
    "application/vnd.oci.empty.v1+json 2 sha256:$(printf '{}' | sha256sum | cut -d' ' -f1) "
check "referrer: one layer, the bundle media type" \
    test "$(jq -r '[.layers[].mediaType] | join(",")' sig.manifest)" = "$BT"
check "referrer: subject = the image (digest, size, media type)" \
    test "$(jq -r '.subject.digest, .subject.size, .subject.mediaType' sig.manifest | tr '\n' ' ')" = \
    "$D $SUBJ_SIZE application/vnd.oci.image.manifest.v1+json "
check "referrer: annotation dev.sigstore.bundle.content=dsse-envelope" \
    test "$(jq -r '.annotations["dev.sigstore.bundle.content"]' sig.manifest)" = dsse-envelope
check "referrer: annotation org.opencontainers.image.created is RFC 3339 UTC" \
    sh -c "jq -r '.annotations[\"org.opencontainers.image.created\"]' sig.manifest | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'"
curl -s "http://$REG/v2/nb/blobs/$(jq -r '.layers[0].digest' sig.manifest)" >sig.bundle
check "bundle blob: size and digest as in the layer descriptor" \
    test "$(wc -c <sig.bundle) sha256:$(sha256sum sig.bundle | cut -d' ' -f1)" = \
    "$(jq -r '"\(.layers[0].size) \(.layers[0].digest)"' sig.manifest)"
check "bundle: v0.3, key hint, no tlog entries" \
    test "$(jq -r '.mediaType, .verificationMaterial.publicKey.hint, (.verificationMaterial.tlogEntries | length)' sig.bundle | tr '\n' ' ')" = "$BT $HINT 0 "
check "bundle: DSSE in-toto envelope, one signature without keyid" \
    test "$(jq -c '[.dsseEnvelope.payloadType, (.dsseEnvelope.signatures | length), (.dsseEnvelope.signatures[0] | keys)]' sig.bundle)" = \
    '["application/vnd.in-toto+json",1,["sig"]]'
jq -r .dsseEnvelope.payload sig.bundle | unb64 >sig.statement
check "statement: Statement v1, cosign sign predicate, predicate {}" \
    test "$(jq -c '[._type, .predicateType, .predicate]' sig.statement)" = \
    "[\"https://in-toto.io/Statement/v1\",\"$SIGN_PRED\",{}]"
check "statement: subject = the image digest, no name, -a as annotations" \
    test "$(jq -c '.subject' sig.statement)" = "[{\"digest\":{\"sha256\":\"$HEX\"},\"annotations\":{\"env\":\"prod\"}}]"
pae() { # PAE(payloadType, payload file) to stdout
    pt=application/vnd.in-toto+json
    printf 'DSSEv1 %d %s %d ' "${#pt}" "$pt" "$(wc -c <"$1")"
    cat "$1"
}
pae sig.statement >sig.pae
jq -r '.dsseEnvelope.signatures[0].sig' sig.bundle | unb64 >sig.dsse
check "DSSE signature verifies with openssl over PAE" \
    ossl_verify cosign.pub sig.dsse sig.pae

out=$($S verify -q --key cosign.pub "$REG/nb:v1")
check "verify --key: the bundle referrer verifies" test $? = 0
check "verify: printed type is the cosign sign predicate" \
    test "$(echo "$out" | jq -r '.[0].critical.type')" = "$SIGN_PRED"
check "verify -a env=prod (subject annotation)" quiet $S verify -q --key cosign.pub -a env=prod "$REG/nb:v1"
expect "verify -a env=dev: exit 3" 3 "required annotation env=dev" \
    $S verify --key cosign.pub -a env=dev "$REG/nb:v1"
expect "verify with another key: exit 3" 3 "bundle signature does not verify" \
    $S verify --key other.pub "$REG/nb:v1"

# ---- attest --new-bundle-format (same image: both kinds in referrers) ------
printf '{"buildType":"x","builder":{"id":"y"}}' >prov.json
out=$($S attest -q --key cosign.key --new-bundle-format --predicate prov.json \
    --type slsaprovenance "$REG/nb:v1")
check "attest --new-bundle-format: exit 0, prints the digest" test "$out" = "$D"
check "no legacy .att tag written" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/nb/manifests/sha256-$HEX.att")" = 404
check "referrers index: two bundle entries now" \
    test "$(referrers | jq -c '[.manifests[].artifactType]')" = "[\"$BT\",\"$BT\"]"
A=$(referrer_for https://slsa.dev/provenance/v0.2)
check "a referrer manifest names the slsa predicate type" test -n "$A"
get_manifest nb "$A" >att.manifest
check "attestation referrer: artifactType, content annotation, subject" \
    test "$(jq -r '.artifactType, .annotations["dev.sigstore.bundle.content"], .subject.digest, .layers[0].mediaType' att.manifest | tr '\n' ' ')" = \
    "$BT dsse-envelope $D $BT "
curl -s "http://$REG/v2/nb/blobs/$(jq -r '.layers[0].digest' att.manifest)" >att.bundle
jq -r .dsseEnvelope.payload att.bundle | unb64 >att.statement
check "attestation statement: as cosign attest (v0.1, subject name, predicate)" \
    test "$(jq -c '[._type, .subject[0].name, .subject[0].digest.sha256, .predicateType, .predicate.builder.id]' att.statement)" = \
    "[\"https://in-toto.io/Statement/v0.1\",\"$REG/nb\",\"$HEX\",\"https://slsa.dev/provenance/v0.2\",\"y\"]"
pae att.statement >att.pae
jq -r '.dsseEnvelope.signatures[0].sig' att.bundle | unb64 >att.dsse
check "attestation DSSE signature verifies with openssl over PAE" \
    ossl_verify cosign.pub att.dsse att.pae

out=$($S verify-attestation --key cosign.pub --type slsaprovenance "$REG/nb:v1" 2>/dev/null)
check "verify-attestation --key --type: exit 0" test $? = 0
check "verify-attestation: prints the statement with the predicate type" \
    test "$(echo "$out" | jq -r .predicateType)" = https://slsa.dev/provenance/v0.2
expect "verify-attestation --type cyclonedx: exit 3" 3 "cyclonedx.org/bom" \
    $S verify-attestation --key cosign.pub --type cyclonedx "$REG/nb:v1"
expect "verify-attestation with another key: exit 3" 3 "does not verify" \
    $S verify-attestation --key other.pub --type slsaprovenance "$REG/nb:v1"
check "verify still passes with both kinds present" quiet $S verify -q --key cosign.pub "$REG/nb:v1"

finish
