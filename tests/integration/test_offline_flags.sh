#!/bin/bash
# sigil is offline only: every flag that would need Rekor, Fulcio or an
# OIDC provider is refused in one line with exit 2 (signing commands: "sigil
# signs offline"; verify commands: "sigil verifies offline"), before any
# file, key or registry is touched. --tlog-upload=false is accepted (nothing
# is uploaded anyway) and --offline is accepted by the verify commands.
# No registry needed.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

T=$(tmpdir)
echo 'hello' >"$T/blob"
echo '{"a":1}' >"$T/pred.json"
export COSIGN_PASSWORD=pw
(cd "$T" && "$SIGIL" generate-key-pair --output-key-prefix k >/dev/null 2>&1) ||
    { echo "generate-key-pair failed" >&2; exit 1; }

# expect RC LINE CMD...: exit code RC and stderr exactly the one line LINE
expect() {
    _rc=$1
    _line=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    _got=$?
    if [ "$_got" -eq "$_rc" ] && [ "$(cat "$T/err")" = "$_line" ]; then
        pass "$* -> $_line"
    else
        fail "$* (exit $_got, want $_rc; stderr: $(cat "$T/err"); want: $_line)"
    fi
}

IMG=oci-dir:$T/nope
for f in "--rekor-url https://rekor.sigstore.dev" \
    "--fulcio-url https://fulcio.sigstore.dev" \
    "--oidc-issuer https://oauth2.sigstore.dev/auth" \
    "--identity-token eyJhbGciOi" "--tlog-upload" "--tlog-upload=true"; do
    name=${f%% *}
    name=${name%%=*}
    # shellcheck disable=SC2086
    {
        expect 2 "sigil: $name is not supported: sigil signs offline" \
            "$SIGIL" sign-blob --key "$T/k.key" $f "$T/blob"
        expect 2 "sigil: $name is not supported: sigil signs offline" \
            "$SIGIL" sign --key "$T/k.key" $f "$IMG"
        expect 2 "sigil: $name is not supported: sigil signs offline" \
            "$SIGIL" attest --key "$T/k.key" --predicate "$T/pred.json" $f "$IMG"
        expect 2 "sigil: $name is not supported: sigil signs offline" \
            "$SIGIL" attest-blob --key "$T/k.key" --predicate "$T/pred.json" $f "$T/blob"
    }
done

# --tlog-upload=false: signing works (and prints the signature)
"$SIGIL" sign-blob --key "$T/k.key" --tlog-upload=false "$T/blob" >"$T/sig" 2>"$T/err"
check "sign-blob --tlog-upload=false signs (exit 0)" test "$?" = 0
check "sign-blob --tlog-upload=false: the signature verifies" \
    "$SIGIL" verify-blob --key "$T/k.pub" --signature "$T/sig" "$T/blob"

# the verify commands: "verifies offline"
for c in verify verify-attestation verify-blob verify-blob-attestation; do
    for f in --rekor-url --fulcio-url; do
        expect 2 "sigil: $f is not supported: sigil verifies offline" \
            "$SIGIL" $c --key "$T/k.pub" $f https://example.com "$T/blob"
    done
done
expect 0 "Verified OK" "$SIGIL" verify-blob --offline --key "$T/k.pub" \
    --signature "$T/sig" "$T/blob"
finish
