#!/bin/bash
# Keyless image signatures and attestations end to end, offline, against a
# real docker-registry: a test Fulcio root + intermediate, CT log key and
# Rekor key minted by keyless_pki.py (python3-cryptography, independent of
# sigil) with a matching trusted_root.json; Fulcio-style leaf certificates
# with embedded SCTs; Rekor SETs, inclusion proofs and checkpoints. Pushed
# as cosign v2 legacy .sig/.att manifests (certificate/chain/bundle
# annotations) and as cosign v3 Sigstore bundles in referrers (the
# sha256-<hex> fallback tag: distribution 2.8 has no referrers API).
# Each tampering fails with its reason and exit 3. Plus a real cosign
# keyless .sig (public-good Fulcio and Rekor) against the public-good root.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/sign_lib.sh"

T=$(tmpdir)
. "$SG_SOURCE_DIR/tests/integration/keyless_lib.sh"
start_registry
INS="--insecure-registry $REG"
ID=$KL_ID
ISS=$KL_ISS
KL="--certificate-identity $ID --certificate-oidc-issuer $ISS --trusted-root $PKI/trusted_root.json"

keyless_init || { fail "mint the test PKI"; finish; }
export COSIGN_PASSWORD=pw
(cd "$T" && "$SIGIL" generate-key-pair --output-key-prefix k >/dev/null 2>&1) ||
    fail "generate-key-pair"

# ---- image signatures: legacy .sig -------------------------------------------
for c in ok otherca expired badset badbody otherimg tsa badtsa; do
    put_case "sig-$c" sig "$c" || fail "setup sig-$c"
done
for c in ok otherca expired badset badproof badcp badbody otherimg; do
    put_case "bsig-$c" bsig "$c" || fail "setup bsig-$c"
done

for r in sig bsig; do
    out=$("$SIGIL" verify $INS $KL "$REG/$r-ok:v1" 2>"$T/err")
    rc=$?
    check "$r: keyless signature verifies (exit 0)" test "$rc" = 0
    check "$r: the printed payload names the image digest" \
        grep -q "\"docker-manifest-digest\":\"sha256:" <<<"$out"
    check "$r: the checks name the certificate and the log (stderr)" \
        grep -q "Existence of the claims in the transparency log was verified offline" "$T/err"
    # cosign's `optional` additions for a keyless signature
    check "$r: optional.Subject is the certificate identity" \
        test "$(jq -r '.[0].optional.Subject' <<<"$out")" = "$ID"
    check "$r: optional.Issuer and the .1.1 OID key are the issuer" \
        test "$(jq -r '.[0].optional.Issuer + " " + .[0].optional["1.3.6.1.4.1.57264.1.1"]' <<<"$out")" = "$ISS $ISS"
    check "$r: GitHub workflow extensions by name and OID" \
        test "$(jq -r '.[0].optional.githubWorkflowTrigger + " " + .[0].optional["1.3.6.1.4.1.57264.1.2"] + " " + .[0].optional.githubWorkflowRepository' <<<"$out")" = "push push org/repo"
    check "$r: optional.Bundle has the Rekor SET and payload fields" \
        jq -e '.[0].optional.Bundle | (.SignedEntryTimestamp | type == "string") and (.Payload | keys_unsorted == ["body","integratedTime","logIndex","logID"]) and (.Payload.integratedTime | type == "number") and (.Payload.logID | test("^[0-9a-f]{64}$"))' <<<"$out"
    check "$r: optional keys in Go's map order" \
        jq -e '.[0].optional | keys_unsorted == (keys_unsorted | sort)' <<<"$out"
    "$SIGIL" verify $INS $KL -o text "$REG/$r-ok:v1" >/dev/null 2>"$T/err"
    check "$r: -o text names the subject and issuer (stderr)" \
        grep -qx "Certificate subject: $ID" "$T/err"
    check "$r: -o text names the issuer URL (stderr)" \
        grep -qx "Certificate issuer URL: $ISS" "$T/err"
    expect "$r: identity by regexp" 0 "docker-manifest-digest" \
        "$SIGIL" verify $INS --certificate-identity-regexp '^https://github\.com/org/' \
        --certificate-oidc-issuer-regexp 'actions\.githubusercontent' \
        --trusted-root "$PKI/trusted_root.json" "$REG/$r-ok:v1"
    expect "$r: GitHub workflow extensions match" 0 "docker-manifest-digest" \
        "$SIGIL" verify $INS $KL --certificate-github-workflow-trigger push \
        --certificate-github-workflow-repository org/repo \
        --certificate-github-workflow-ref refs/heads/main "$REG/$r-ok:v1"
    expect "$r: GitHub workflow repository differs" 3 \
        "GitHub workflow extensions do not match" \
        "$SIGIL" verify $INS $KL --certificate-github-workflow-repository org/other "$REG/$r-ok:v1"
    expect "$r: wrong identity" 3 "certificate identity https://github.com/org/repo/.* does not match the expected identity" \
        "$SIGIL" verify $INS --certificate-identity https://github.com/evil/repo/.github/workflows/ci.yml@refs/heads/main \
        --certificate-oidc-issuer "$ISS" --trusted-root "$PKI/trusted_root.json" "$REG/$r-ok:v1"
    expect "$r: wrong identity regexp" 3 "does not match the expected regexp" \
        "$SIGIL" verify $INS --certificate-identity-regexp '^https://github\.com/evil/' \
        --certificate-oidc-issuer "$ISS" --trusted-root "$PKI/trusted_root.json" "$REG/$r-ok:v1"
    expect "$r: wrong issuer" 3 "certificate OIDC issuer https://token.actions.githubusercontent.com does not match the expected OIDC issuer" \
        "$SIGIL" verify $INS --certificate-identity "$ID" \
        --certificate-oidc-issuer https://accounts.google.com --trusted-root "$PKI/trusted_root.json" "$REG/$r-ok:v1"
    expect "$r: another trusted root (other CA, other logs)" 3 "keyless: " \
        "$SIGIL" verify $INS --certificate-identity "$ID" --certificate-oidc-issuer "$ISS" \
        --trusted-root "$SG_SOURCE_DIR/testdata/sigstore-conformance/trusted_root.production.json" \
        "$REG/$r-ok:v1"
    expect "$r: cert from another CA" 3 "certificate chain at the signing time: unable to get local issuer certificate" \
        "$SIGIL" verify $INS $KL "$REG/$r-otherca:v1"
    expect "$r: cert expired at the signing time" 3 "certificate chain at the signing time: certificate has expired" \
        "$SIGIL" verify $INS $KL "$REG/$r-expired:v1"
    expect "$r: SET over another body" 3 "signed entry timestamp does not verify with the log's key" \
        "$SIGIL" verify $INS $KL "$REG/$r-badset:v1"
    expect "$r: log entry body for another digest" 3 "log entry digest differs from the bundle's" \
        "$SIGIL" verify $INS $KL "$REG/$r-badbody:v1"
    expect "$r: --key never passes a keyless signature" 3 "never passes a --key check" \
        "$SIGIL" verify $INS --key "$T/k.pub" "$REG/$r-ok:v1"
done
# an RFC 3161 timestamp from the root's TSA (over the signature bytes, as
# cosign v2 makes it), and one over other bytes
expect "sig: with a TSA timestamp" 0 "docker-manifest-digest" \
    "$SIGIL" verify $INS $KL "$REG/sig-tsa:v1"
expect "sig: TSA timestamp over other bytes" 3 "keyless: RFC 3161 timestamp does not verify against a trusted timestamp authority" \
    "$SIGIL" verify $INS $KL "$REG/sig-badtsa:v1"
# a valid keyless signature, but for another image: the claims fail
expect "sig: signed payload names another image" 3 "payload signs digest sha256:[0-9a-f]{64}, not the image digest" \
    "$SIGIL" verify $INS $KL "$REG/sig-otherimg:v1"
expect "bsig: statement subject is another image" 3 "keyless: artifact digest is not a subject of the statement" \
    "$SIGIL" verify $INS $KL "$REG/bsig-otherimg:v1"
expect "bsig: inclusion proof for another leaf" 3 "keyless: .*(inclusion proof|root hash)" \
    "$SIGIL" verify $INS $KL "$REG/bsig-badproof:v1"
expect "bsig: checkpoint signed by another key" 3 "checkpoint signature does not verify with the log's key" \
    "$SIGIL" verify $INS $KL "$REG/bsig-badcp:v1"

# the source of each failure is named
expect "the failing candidate's source is printed (.sig layer)" 3 "sha256-[0-9a-f]{64}\.sig layer 0: keyless: " \
    "$SIGIL" verify $INS $KL "$REG/sig-badset:v1"
expect "the failing candidate's source is printed (referrer)" 3 "referrer sha256:[0-9a-f]{64}: keyless: " \
    "$SIGIL" verify $INS $KL "$REG/bsig-badset:v1"

# ---- a key-signed signature never passes a keyless check ---------------------
"$SIGIL" copy -q $INS "oci-dir:$T/demo" "$REG/keyed:v1" >/dev/null
"$SIGIL" sign $INS --key "$T/k.key" "$REG/keyed:v1" >/dev/null 2>&1
check "key-signed image verifies with --key" "$SIGIL" verify -q $INS --key "$T/k.pub" "$REG/keyed:v1"
expect "a key-signed signature is ignored in keyless mode" 3 "signed with a key, not a certificate: not checked in keyless mode" \
    "$SIGIL" verify $INS $KL "$REG/keyed:v1"
expect "--key against the keyless signature (key of this test)" 3 "never passes a --key check" \
    "$SIGIL" verify $INS --key "$T/k.pub" "$REG/sig-ok:v1"

# ---- a real cosign keyless signature (public-good Fulcio/Rekor, 2024) ----------
# testdata/keyless-image/PROVENANCE.md; checked against the vendored
# public-good trusted root. The image itself is not needed (digest ref).
R9=$SG_SOURCE_DIR/testdata/keyless-image/cosign-09
D9=sha256:31dc72a13a0c34b40eb95419d2b2fd67320c856baf3b72da518023ee8d370aee
PG="--trusted-root $SG_SOURCE_DIR/testdata/sigstore-conformance/trusted_root.production.json"
MKREPO=rekor-test
push_blob rekor-test "$R9/payload.json" && push_blob rekor-test "$R9/sig-config.json" &&
    push_manifest rekor-test "sha256-${D9#sha256:}.sig" "$R9/sig-manifest.json" ||
    fail "push the cosign-09 signature"
expect "real cosign keyless .sig verifies against the public-good root" 0 \
    "\"docker-manifest-digest\":\"$D9\"" \
    "$SIGIL" verify $INS $PG --certificate-identity philipp.belitz@securesystems.de \
    --certificate-oidc-issuer https://github.com/login/oauth "$REG/rekor-test@$D9"
out=$("$SIGIL" verify $INS $PG --certificate-identity philipp.belitz@securesystems.de \
    --certificate-oidc-issuer https://github.com/login/oauth "$REG/rekor-test@$D9" 2>/dev/null)
check "real cosign keyless .sig: Subject, Issuer as cosign prints them" \
    test "$(jq -r '.[0].optional | .Subject + " " + .Issuer' <<<"$out")" = \
    "philipp.belitz@securesystems.de https://github.com/login/oauth"
check "real cosign keyless .sig: optional.Bundle is the layer's bundle annotation" \
    test "$(jq -cS '.[0].optional.Bundle' <<<"$out")" = \
    "$(jq -cS '.layers[0].annotations["dev.sigstore.cosign/bundle"] | fromjson' "$R9/sig-manifest.json")"
check "real cosign keyless .sig: the payload's critical part is kept" \
    test "$(jq -c '.[0].critical' <<<"$out")" = "$(jq -c '.critical' "$R9/payload.json")"
expect "real cosign keyless .sig: another identity" 3 \
    "keyless: certificate identity philipp.belitz@securesystems.de does not match the expected identity" \
    "$SIGIL" verify $INS $PG --certificate-identity someone@example.com \
    --certificate-oidc-issuer https://github.com/login/oauth "$REG/rekor-test@$D9"
expect "real cosign keyless .sig: against the test root" 3 \
    "keyless: no transparency log entry is from a log in the trusted root" \
    "$SIGIL" verify $INS $KL "$REG/rekor-test@$D9"
# the Rekor bundle's integratedTime moved by one second: the SET fails
jq -c '.layers[0].annotations["dev.sigstore.cosign/bundle"] |= (fromjson | .Payload.integratedTime += 1 | tojson)' \
    "$R9/sig-manifest.json" >"$T/sig9-moved.json"
push_manifest rekor-test "sha256-${D9#sha256:}.sig" "$T/sig9-moved.json" || fail "push moved"
expect "real cosign keyless .sig: integratedTime changed" 3 \
    "keyless: signed entry timestamp does not verify with the log's key" \
    "$SIGIL" verify $INS $PG --certificate-identity philipp.belitz@securesystems.de \
    --certificate-oidc-issuer https://github.com/login/oauth "$REG/rekor-test@$D9"

# ---- a real cosign v3 keyless attestation bundle (public-good, 2025) ---------
# testdata/keyless-image/dsse-03: pushed as an OCI referrer (fallback tag) of
# its subject digest, whose image is not in the registry; verified with the
# public-good root built into sigil (no --trusted-root).
R3=$SG_SOURCE_DIR/testdata/keyless-image/dsse-03
D3=sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4
BMT=application/vnd.dev.sigstore.bundle.v0.3+json
printf '{}' >"$T/empty.json"
bd="sha256:$(sha256sum "$R3/bundle.sigstore.json" | cut -d' ' -f1)"
bs=$(wc -c <"$R3/bundle.sigstore.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"%s","config":{"mediaType":"application/vnd.oci.empty.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[{"mediaType":"%s","size":%s,"digest":"%s"}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"%s"}}' \
    "$BMT" "$BMT" "$bs" "$bd" "$D3" >"$T/ref3.json"
md="sha256:$(sha256sum "$T/ref3.json" | cut -d' ' -f1)"
ms=$(wc -c <"$T/ref3.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"artifactType":"%s"}]}' \
    "$md" "$ms" "$BMT" >"$T/idx3.json"
push_blob dsse3 "$T/empty.json" && push_blob dsse3 "$R3/bundle.sigstore.json" &&
    push_manifest dsse3 "$md" "$T/ref3.json" &&
    push_manifest dsse3 "sha256-${D3#sha256:}" "$T/idx3.json" \
        application/vnd.oci.image.index.v1+json ||
    fail "push the dsse-03 referrer"
out=$("$SIGIL" verify-attestation -v $INS --type custom \
    --certificate-identity cody@soyland.com \
    --certificate-oidc-issuer https://github.com/login/oauth "$REG/dsse3@$D3" 2>"$T/err")
rc=$?
check "real cosign v3 bundle: verify-attestation of an absent image exits 0" test "$rc" = 0
check "real cosign v3 bundle: the statement names the subject" \
    grep -q '"sha256":"732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"' <<<"$out"
check "real cosign v3 bundle: -v names the identity (stderr)" \
    grep -qx "Certificate subject: cody@soyland.com" "$T/err"
check "real cosign v3 bundle: -v names the issuer (stderr)" \
    grep -qx "Certificate issuer URL: https://github.com/login/oauth" "$T/err"
check "real cosign v3 bundle: the predicate type is cosign's custom one" \
    grep -q '"predicateType":"https://cosign.sigstore.dev/attestation/v1"' <<<"$out"
expect "real cosign v3 bundle: another identity" 3 \
    "does not match the expected identity" \
    "$SIGIL" verify-attestation $INS --type custom \
    --certificate-identity someone@example.com \
    --certificate-oidc-issuer https://github.com/login/oauth "$REG/dsse3@$D3"
expect "real cosign v3 bundle: against the test root" 3 \
    "keyless" \
    "$SIGIL" verify-attestation $INS --type custom $KL "$REG/dsse3@$D3"

# ---- usage ---------------------------------------------------------------
expect "no --key and no identity: usage error" 2 "--certificate-identity or --certificate-identity-regexp is required for keyless verification" \
    "$SIGIL" verify $INS "$REG/sig-ok:v1"
expect "identity without issuer: usage error" 2 "--certificate-oidc-issuer or --certificate-oidc-issuer-regexp is required" \
    "$SIGIL" verify $INS --certificate-identity "$ID" "$REG/sig-ok:v1"
expect "--key with identity flags: usage error" 2 "do not mix" \
    "$SIGIL" verify $INS --key "$T/k.pub" --certificate-identity "$ID" "$REG/sig-ok:v1"
expect "a missing trusted root is an error" 1 "trusted root" \
    "$SIGIL" verify $INS --certificate-identity "$ID" --certificate-oidc-issuer "$ISS" \
    --trusted-root "$T/nope.json" "$REG/sig-ok:v1"

# ---- attestations: legacy .att and v3 bundle referrers -------------------------
for c in ok otherca expired badset badbody otherimg tsa badtsa; do
    put_case "att-$c" att "$c" || fail "setup att-$c"
done
for c in ok badproof badcp; do
    put_case "batt-$c" batt "$c" || fail "setup batt-$c"
done
for r in att batt; do
    out=$("$SIGIL" verify-attestation $INS $KL --type cyclonedx "$REG/$r-ok:v1" 2>"$T/err")
    rc=$?
    check "$r: keyless attestation verifies (exit 0)" test "$rc" = 0
    check "$r: the statement is printed" grep -q '"predicateType":"https://cyclonedx.org/bom"' <<<"$out"
    expect "$r: --type mismatch" 3 "predicate type is https://cyclonedx.org/bom, not" \
        "$SIGIL" verify-attestation $INS $KL --type spdxjson "$REG/$r-ok:v1"
    expect "$r: wrong identity" 3 "does not match the expected identity" \
        "$SIGIL" verify-attestation $INS --certificate-identity https://github.com/evil/x \
        --certificate-oidc-issuer "$ISS" --trusted-root "$PKI/trusted_root.json" "$REG/$r-ok:v1"
    expect "$r: wrong issuer" 3 "does not match the expected OIDC issuer" \
        "$SIGIL" verify-attestation $INS --certificate-identity "$ID" \
        --certificate-oidc-issuer https://accounts.google.com --trusted-root "$PKI/trusted_root.json" "$REG/$r-ok:v1"
    expect "$r: --key never passes a keyless attestation" 3 "never passes a --key check" \
        "$SIGIL" verify-attestation $INS --key "$T/k.pub" "$REG/$r-ok:v1"
done
# an image signature is not an attestation, and vice versa, keyless too
expect "a keyless signature bundle is not an attestation" 3 "no attestations found" \
    "$SIGIL" verify-attestation $INS $KL "$REG/bsig-ok:v1"
expect "a keyless attestation bundle is not a signature" 3 "no signatures found" \
    "$SIGIL" verify $INS $KL "$REG/batt-ok:v1"
expect "att: cert from another CA" 3 "certificate chain at the signing time: unable to get local issuer certificate" \
    "$SIGIL" verify-attestation $INS $KL "$REG/att-otherca:v1"
expect "att: cert expired at the signing time" 3 "certificate has expired" \
    "$SIGIL" verify-attestation $INS $KL "$REG/att-expired:v1"
expect "att: SET over another body" 3 "signed entry timestamp does not verify with the log's key" \
    "$SIGIL" verify-attestation $INS $KL "$REG/att-badset:v1"
expect "att: intoto entry for another payload" 3 "log entry digest differs from the bundle's" \
    "$SIGIL" verify-attestation $INS $KL "$REG/att-badbody:v1"
expect "att: statement subject is another image" 3 "keyless: artifact digest is not a subject of the statement" \
    "$SIGIL" verify-attestation $INS $KL "$REG/att-otherimg:v1"
expect "att: with a TSA timestamp (over the envelope blob, as cosign v2)" 0 "cyclonedx" \
    "$SIGIL" verify-attestation $INS $KL "$REG/att-tsa:v1"
expect "att: TSA timestamp over other bytes" 3 "keyless: RFC 3161 timestamp does not verify against a trusted timestamp authority" \
    "$SIGIL" verify-attestation $INS $KL "$REG/att-badtsa:v1"
expect "batt: inclusion proof for another leaf" 3 "keyless: .*(inclusion proof|root hash)" \
    "$SIGIL" verify-attestation $INS $KL "$REG/batt-badproof:v1"
expect "batt: checkpoint signed by another key" 3 "checkpoint signature does not verify with the log's key" \
    "$SIGIL" verify-attestation $INS $KL "$REG/batt-badcp:v1"
expect "verify-attestation: no identity is a usage error" 2 "--certificate-identity or --certificate-identity-regexp is required" \
    "$SIGIL" verify-attestation $INS "$REG/att-ok:v1"

finish
