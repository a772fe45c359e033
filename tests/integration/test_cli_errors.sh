#!/bin/bash
# The CLI's error lines: one line, "sigil: " + the library's message, which
# names the input once (the CLI adds context only where the message does not
# name it), and the exit codes (1 failure, 2 usage). No registry needed.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

T=$(tmpdir)
mkdir -p "$T/empty"
echo 'not a key' >"$T/junk.pem"
echo 'not json' >"$T/bad.json"
echo 'x' >"$T/blob"
openssl ecparam -genkey -name prime256v1 -noout -out "$T/k.pem" 2>/dev/null &&
    openssl ec -in "$T/k.pem" -pubout -out "$T/k.pub" 2>/dev/null ||
    { echo "openssl failed" >&2; exit 1; }

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

# A layout's messages start with its path: the spec is not added again.
expect 1 "sigil: $T/empty: not an OCI layout: missing oci-layout" \
    "$SIGIL" digest "oci-dir:$T/empty"
expect 1 "sigil: $T/nonexist: no such OCI layout directory" \
    "$SIGIL" tree "oci-dir:$T/nonexist:v1"
expect 1 "sigil: Registry.example/UPPER/app: repository name must be lowercase" \
    "$SIGIL" digest Registry.example/UPPER/app

# Keys: named once, whether reading or parsing failed.
expect 1 "sigil: $T/junk.pem: no PEM block found" \
    "$SIGIL" sign-blob --key "$T/junk.pem" "$T/blob"
expect 1 "sigil: $T/nokey: No such file or directory" \
    "$SIGIL" verify --key "$T/nokey" "oci-dir:$T/empty"
expect 1 "sigil: env://SIGIL_IT_UNSET: environment variable SIGIL_IT_UNSET is not set" \
    env -u SIGIL_IT_UNSET "$SIGIL" public-key --key env://SIGIL_IT_UNSET

# Input files: the file system's message names the path.
expect 1 "sigil: $T/nopred: No such file or directory" \
    "$SIGIL" attest-blob --key "$T/junk.pem" --predicate "$T/nopred" "$T/blob"
expect 1 "sigil: $T/nosig: No such file or directory" \
    "$SIGIL" verify-blob-attestation --key "$T/k.pub" --signature "$T/nosig" \
    "$T/blob"
expect 1 "sigil: $T/none.json: No such file or directory" \
    "$SIGIL" convert "$T/none.json" -o table
# ...and where the message does not name it, the CLI does, once.
"$SIGIL" convert "$T/bad.json" -o table >/dev/null 2>"$T/err"
check "convert: a parse error names the file once" \
    test "$(grep -c "^sigil: $T/bad.json: SBOM: invalid JSON" "$T/err")" = 1 \
    -a "$(grep -o -F "$T/bad.json" "$T/err" | wc -l)" = 1

# Output files: written atomically, the failure names the file.
expect 1 "sigil: $T/no/dir/out.json: No such file or directory" \
    "$SIGIL" convert "$SG_SOURCE_DIR/testdata/go/sboms/trivy.cdx.json" \
    -o "spdx-json=$T/no/dir/out.json"

# Usage errors (exit 2) name the command, -a the same way everywhere.
expect 2 "sigil sign: unable to parse annotation: =x (see 'sigil help sign')" \
    "$SIGIL" sign -a =x --key "$T/junk.pem" IMG
expect 2 "sigil verify: unable to parse annotation: x (see 'sigil help verify')" \
    "$SIGIL" verify -a x --key "$T/junk.pem" IMG
expect 2 "sigil convert: SOURCE_DATE_EPOCH: not a number: soon (see 'sigil help convert')" \
    env SOURCE_DATE_EPOCH=soon "$SIGIL" convert "$T/bad.json" -o table
expect 2 "sigil sbom: SOURCE_DATE_EPOCH: not a number: soon (see 'sigil help sbom')" \
    env SOURCE_DATE_EPOCH=soon "$SIGIL" sbom "oci-dir:$T/empty"
expect 2 "sigil attest-blob: one BLOB only (see 'sigil help attest-blob')" \
    "$SIGIL" attest-blob --key k --predicate p a b
expect 2 "sigil copy: expected 2 arguments (see 'sigil help copy')" \
    "$SIGIL" copy a


# ---- offline only ---------------------------------------------------------
# Flags that would need Rekor, Fulcio or an OIDC provider: one line, exit 2
# ("sigil signs offline" / "sigil verifies offline"), before anything is
# read. --tlog-upload=false and --offline are accepted.
echo '{"a":1}' >"$T/pred.json"
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
            "$SIGIL" sign-blob --key "$T/k.pem" $f "$T/blob"
        expect 2 "sigil: $name is not supported: sigil signs offline" \
            "$SIGIL" sign --key "$T/k.pem" $f "$IMG"
        expect 2 "sigil: $name is not supported: sigil signs offline" \
            "$SIGIL" attest --key "$T/k.pem" --predicate "$T/pred.json" $f "$IMG"
        expect 2 "sigil: $name is not supported: sigil signs offline" \
            "$SIGIL" attest-blob --key "$T/k.pem" --predicate "$T/pred.json" $f "$T/blob"
    }
done

# --tlog-upload=false: signing works (and prints the signature)
"$SIGIL" sign-blob --key "$T/k.pem" --tlog-upload=false "$T/blob" >"$T/sig" 2>"$T/err"
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
