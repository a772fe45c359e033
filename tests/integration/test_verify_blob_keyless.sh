#!/bin/bash
# verify-blob / verify-blob-attestation --bundle through the real binary,
# offline, on real public-good bundles from the Sigstore conformance suite
# (testdata/sigstore-conformance) and cosign's older bundle format
# (testdata/cosign-bundle): identity and issuer (exact and unanchored
# regexp), sha256: digests, --key vs keyless never crossing, the trusted
# root from --trusted-root / SIGSTORE_TRUSTED_ROOT / built in, flags that
# would need the network refused, one-line reasons, exit codes.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

S=$SIGIL
C=$SG_SOURCE_DIR/testdata/sigstore-conformance
B=$C/bundle-verify
OLD=$SG_SOURCE_DIR/testdata/cosign-bundle/happy-path-v0.1.cosign.bundle
T=$(tmpdir)
unset SIGSTORE_TRUSTED_ROOT

ID="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
ISS="https://token.actions.githubusercontent.com"
A=$B/a.txt
V3=$B/happy-path-v0.3/bundle.sigstore.json
DSSE=$B/happy-path-intoto-in-dsse-v3/bundle.sigstore.json
KEYB=$B/managed-key-happy-path/bundle.sigstore.json
KEY=$B/managed-key-happy-path/key.pub
DIG="sha256:$(sha256sum "$A" | cut -d' ' -f1)"

# expect NAME EXIT PATTERN CMD...: exit status, output matching PATTERN
# (grep -E), and a failure is reported in exactly one line.
expect() {
    name=$1 want=$2 pat=$3
    shift 3
    out=$("$@" 2>&1)
    got=$?
    lines=$(printf '%s\n' "$out" | wc -l)
    if [ "$got" != "$want" ]; then
        fail "$name (exit $got, want $want: $out)"
    elif ! printf '%s' "$out" | grep -qE -- "$pat"; then
        fail "$name (output does not match '$pat': $out)"
    elif [ "$want" != 0 ] && [ "$lines" != 1 ]; then
        fail "$name (want one line, got $lines: $out)"
    else
        pass "$name"
    fi
}
vb() { "$S" verify-blob "$@"; }
idf=(--certificate-identity "$ID" --certificate-oidc-issuer "$ISS")

# --- identity -------------------------------------------------------
expect "v0.3 bundle, right identity: verified" 0 "Verified OK: bundle v0.3, signed by https://github.com/sigstore-conformance/" \
    vb -v --bundle "$V3" "${idf[@]}" "$A"
expect "v0.1 and v0.2 bundles too" 0 "bundle v0.2" \
    sh -c '"$0" verify-blob -v --bundle "$1" "$3" "$4" "$5" "$6" "$7" && "$0" verify-blob -v --bundle "$2" "$3" "$4" "$5" "$6" "$7"' \
    "$S" "$B/happy-path-v0.1/bundle.sigstore.json" "$B/happy-path-v0.2/bundle.sigstore.json" "${idf[@]}" "$A"
expect "wrong identity: exit 3 naming both" 3 "^sigil: verify-blob .*a.txt: certificate identity https://github.com/sigstore-conformance/.* does not match the expected identity https://example.com/other$" \
    vb --bundle "$V3" --certificate-identity https://example.com/other --certificate-oidc-issuer "$ISS" "$A"
expect "wrong issuer: exit 3" 3 "certificate OIDC issuer https://token.actions.githubusercontent.com does not match the expected OIDC issuer https://accounts.google.com" \
    vb --bundle "$V3" --certificate-identity "$ID" --certificate-oidc-issuer https://accounts.google.com "$A"
expect "identity regexp is unanchored (substring matches)" 0 "" \
    vb --bundle "$V3" --certificate-identity-regexp 'dangerous-public-oidc' --certificate-oidc-issuer-regexp 'actions\.githubusercontent' "$A"
expect "identity regexp that does not match: exit 3" 3 "does not match the expected regexp \^https://gitlab" \
    vb --bundle "$V3" --certificate-identity-regexp '^https://gitlab\.com/' --certificate-oidc-issuer "$ISS" "$A"
expect "issuer regexp that does not match: exit 3" 3 "certificate OIDC issuer .* does not match the expected regexp" \
    vb --bundle "$V3" --certificate-identity "$ID" --certificate-oidc-issuer-regexp 'google' "$A"
expect "bad regexp is a usage error" 2 "bad regular expression" \
    vb --bundle "$V3" --certificate-identity-regexp '(' --certificate-oidc-issuer "$ISS" "$A"
expect "GitHub workflow extension mismatch: exit 3" 3 "GitHub workflow" \
    vb --bundle "$V3" "${idf[@]}" --certificate-github-workflow-repository evil/repo "$A"
expect "identity without issuer: usage" 2 "--certificate-oidc-issuer or --certificate-oidc-issuer-regexp is required" \
    vb --bundle "$V3" --certificate-identity "$ID" "$A"

# --- artifact as a digest ------------------------------------------------
expect "sha256: digest of the artifact: verified" 0 "" vb --bundle "$V3" "${idf[@]}" "$DIG"
expect "another sha256: digest: exit 3" 3 "digest differs" \
    vb --bundle "$V3" "${idf[@]}" "sha256:$(printf x | sha256sum | cut -d' ' -f1)"
expect "other file: exit 3" 3 "" vb --bundle "$V3" "${idf[@]}" "$C/statement.json"

# --- key and keyless never cross ------------------------------------------
expect "key-based bundle with its key: verified" 0 "" vb --bundle "$KEYB" --key "$KEY" "$A"
expect "keyless bundle with --key: refused" 3 "bundle is keyless \(certificate\) but a key was given" \
    vb --bundle "$V3" --key "$KEY" "$A"
expect "key-based bundle with identity flags: refused" 3 "bundle is key-based" \
    vb --bundle "$KEYB" "${idf[@]}" "$A"
expect "--key with identity flags: usage" 2 "do not mix" \
    vb --bundle "$V3" --key "$KEY" "${idf[@]}" "$A"
expect "identity flags without --bundle: usage" 2 "needs --bundle" \
    vb --key "$KEY" --signature x "${idf[@]}" "$A"

# --- trusted root -----------------------------------------------------------
python3 - "$C/trusted_root.production.json" "$T/noca.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["certificateAuthorities"] = []
json.dump(r, open(sys.argv[2], "w"))
PY
expect "--trusted-root without the Fulcio CA: exit 3" 3 "certificate|CA" \
    vb --bundle "$V3" "${idf[@]}" --trusted-root "$T/noca.json" "$A"
expect "--trusted-root = the production root: verified" 0 "" \
    vb --bundle "$V3" "${idf[@]}" --trusted-root "$C/trusted_root.production.json" "$A"
expect "SIGSTORE_TRUSTED_ROOT is honoured" 3 "certificate|CA" \
    env SIGSTORE_TRUSTED_ROOT="$T/noca.json" "$S" verify-blob --bundle "$V3" "${idf[@]}" "$A"
expect "--trusted-root wins over SIGSTORE_TRUSTED_ROOT" 0 "" \
    env SIGSTORE_TRUSTED_ROOT="$T/noca.json" "$S" verify-blob --bundle "$V3" "${idf[@]}" --trusted-root "$C/trusted_root.production.json" "$A"
expect "missing SIGSTORE_TRUSTED_ROOT file: exit 1" 1 "trusted root $T/nope.json" \
    env SIGSTORE_TRUSTED_ROOT="$T/nope.json" "$S" verify-blob --bundle "$V3" "${idf[@]}" "$A"
expect "--version names the built-in root's snapshot date" 0 "trusted root: Sigstore public-good, snapshot 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]" \
    "$S" --version

# --- offline only -----------------------------------------------------------
expect "--rekor-url refused: offline" 2 "^sigil: --rekor-url is not supported: sigil verifies offline$" \
    vb --bundle "$V3" "${idf[@]}" --rekor-url https://rekor.sigstore.dev "$A"
expect "--fulcio-url refused: offline" 2 "^sigil: --fulcio-url is not supported: sigil verifies offline$" \
    vb --bundle "$V3" "${idf[@]}" --fulcio-url=https://fulcio.sigstore.dev "$A"
expect "--offline accepted" 0 "" vb --offline --bundle "$V3" "${idf[@]}" "$A"
expect "verify-blob-attestation refuses --rekor-url too" 2 "not supported: sigil verifies offline" \
    "$S" verify-blob-attestation --bundle "$DSSE" "${idf[@]}" --rekor-url x "$A"

# --- cosign's older bundle -----------------------------------------------
expect "cosign sign-blob bundle (base64Signature, cert, rekorBundle): verified" 0 "Verified OK: cosign bundle" \
    vb -v --bundle "$OLD" "${idf[@]}" "$A"
expect "cosign bundle, wrong identity: exit 3" 3 "does not match the expected identity" \
    vb --bundle "$OLD" --certificate-identity x@example.com --certificate-oidc-issuer "$ISS" "$A"
python3 - "$OLD" "$T/old-time.bundle" "$T/old-sig.bundle" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["rekorBundle"]["Payload"]["integratedTime"] += 1
json.dump(b, open(sys.argv[2], "w"))
b = json.load(open(sys.argv[1]))
b["base64Signature"] = "MEUCIQD" + b["base64Signature"][7:]
json.dump(b, open(sys.argv[3], "w"))
PY
expect "cosign bundle with its SET over another time: exit 3" 3 "signed entry timestamp|SET" \
    vb --bundle "$T/old-time.bundle" "${idf[@]}" "$A"
expect "cosign bundle whose signature is not the log's: exit 3" 3 "" \
    vb --bundle "$T/old-sig.bundle" "${idf[@]}" "$A"
expect "cosign bundle with --key: refused" 3 "keyless" \
    vb --bundle "$OLD" --key "$KEY" "$A"
printf '{"base64Signature":"MEUCIQ=="}' >"$T/old-short.bundle"
expect "cosign bundle without rekorBundle: exit 3" 3 "cosign bundle: needs base64Signature and rekorBundle" \
    vb --bundle "$T/old-short.bundle" "${idf[@]}" "$A"
sed 's/bundle+json;version=0.3/bundle+json;version=0.9/' "$V3" >"$T/v09.json"
expect "unknown bundle media type refused by name" 3 'bundle media type "application/vnd.dev.sigstore.bundle\+json;version=0.9" is not supported' \
    vb --bundle "$T/v09.json" "${idf[@]}" "$A"
sed 's/bundle+json;version=0.3/bundle+json;version=0.3\\u001b[31m/' "$V3" >"$T/esc.json"
expect "untrusted text in messages is escaped" 3 'version=0\.3\\x1b\[31m" is not supported' \
    vb --bundle "$T/esc.json" "${idf[@]}" "$A"
if vb --bundle "$T/esc.json" "${idf[@]}" "$A" 2>&1 | grep -q $'\x1b'; then
    fail "a raw ESC byte reached the terminal"
else
    pass "no raw ESC byte in the message"
fi

# --- verify-blob-attestation ------------------------------------------------
expect "DSSE in-toto bundle: attestation verified" 0 "" \
    "$S" verify-blob-attestation --bundle "$DSSE" "${idf[@]}" --type https://slsa.dev/provenance/v1 "$A"
expect "DSSE bundle: the artifact digest works too" 0 "" \
    "$S" verify-blob-attestation --bundle "$DSSE" "${idf[@]}" "$DIG"
expect "attestation --type mismatch: exit 3" 3 "predicate type is https://slsa.dev/provenance/v1, not https://spdx.dev/Document \(--type spdx\)" \
    "$S" verify-blob-attestation --bundle "$DSSE" "${idf[@]}" --type spdx "$A"
expect "attestation of another file: exit 3" 3 "subject" \
    "$S" verify-blob-attestation --bundle "$DSSE" "${idf[@]}" "$C/statement.json"
expect "message-signature bundle is no attestation: exit 3" 3 "not an attestation" \
    "$S" verify-blob-attestation --bundle "$V3" "${idf[@]}" "$A"
expect "DSSE bundle through verify-blob (FILE is a subject)" 0 "" \
    vb --bundle "$DSSE" "${idf[@]}" "$A"

# --- help ------------------------------------------------------------------
expect "sigil help verify-blob documents the keyless flags" 0 "certificate-identity-regexp" \
    "$S" help verify-blob
finish
