#!/bin/bash
# An independent check of the key-based Sigstore bundles sigil writes:
# Sigstore's own JavaScript client (@sigstore/bundle, @sigstore/verify,
# @sigstore/protobuf-specs from the npm registry) parses every bundle
# (bundleFromJSON + assertBundleLatest + isBundleWithPublicKey / ...) and
# verifies it in key mode (toSignedEntity + Verifier, the key found under
# the bundle's hint, no tlog / CT log / timestamp thresholds):
# sign-blob --bundle, and sign / attest --new-bundle-format into an OCI
# layout. Skipped (77) when node/npm are missing or the install fails.
# The packages are installed once per build tree (build/npm-sigstore).
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

S=$SIGIL
JS=$SG_SOURCE_DIR/tests/integration/sigstore_js.js
BT=application/vnd.dev.sigstore.bundle.v0.3+json

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "SKIP: node or npm is not installed" >&2
    exit 77
fi
NPM_DIR=$SG_BUILD_DIR/npm-sigstore
NM=$NPM_DIR/node_modules
if [ ! -d "$NM/@sigstore/verify" ]; then
    # install into a scratch directory, then move it in place (another
    # run may be doing the same)
    tmp=$(mktemp -d "$SG_BUILD_DIR/npm-sigstore.XXXXXX")
    if (cd "$tmp" && timeout 300 npm install --no-save --no-audit --no-fund \
        --no-package-lock --cache "$SG_BUILD_DIR/npm-cache" \
        @sigstore/verify @sigstore/bundle @sigstore/protobuf-specs \
        >npm.log 2>&1) && [ -d "$tmp/node_modules/@sigstore/verify" ]; then
        mv -T "$tmp" "$NPM_DIR" 2>/dev/null || rm -rf "$tmp"
    else
        echo "SKIP: npm install of @sigstore/verify failed:" >&2
        tail -5 "$tmp/npm.log" >&2
        rm -rf "$tmp"
        exit 77
    fi
fi
[ -d "$NM/@sigstore/verify" ] || { echo "SKIP: no @sigstore/verify" >&2; exit 77; }
echo "using @sigstore/verify $(jq -r .version "$NM/@sigstore/verify/package.json")," \
    "@sigstore/bundle $(jq -r .version "$NM/@sigstore/bundle/package.json")"

T=$(tmpdir)
cd "$T" || exit 1
export COSIGN_PASSWORD=test-pw
$S generate-key-pair >/dev/null 2>&1 || { echo "generate-key-pair failed" >&2; exit 1; }
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkey -pubout -out other.pub
js() { node "$JS" "$NM" "$@" >/dev/null; }

# ---- sign-blob --bundle -----------------------------------------------------
printf 'an artifact for sigstore-js\n' >art.txt
check "sign-blob --bundle" $S sign-blob --key cosign.key --bundle blob.json art.txt
check "sigstore-js: bundleFromJSON + assertions (message signature, public key)" \
    js parse blob.json message
js parse blob.json dsse 2>/dev/null
check "sigstore-js: not mistaken for a DSSE bundle" test $? = 1
check "sigstore-js Verifier (key mode): sign-blob bundle verifies" \
    js verify blob.json cosign.pub art.txt
cp art.txt flipped.txt
printf '\001' | dd of=flipped.txt bs=1 seek=0 conv=notrunc 2>/dev/null
js verify blob.json cosign.pub flipped.txt 2>/dev/null
check "sigstore-js Verifier: a changed artifact fails" test $? = 1
js verify blob.json other.pub art.txt 2>/dev/null
check "sigstore-js Verifier: another key fails" test $? = 1

# ---- sign / attest --new-bundle-format into an OCI layout ------------------
cp -r "$SG_SOURCE_DIR/testdata/images/demo" lay
chmod -R u+w lay
check "sign --new-bundle-format (layout)" \
    $S sign -q --key cosign.key --new-bundle-format -a env=js oci-dir:lay:latest
printf '{"buildType":"x"}' >prov.json
check "attest --new-bundle-format (layout)" \
    sh -c "'$S' attest -q --key cosign.key --new-bundle-format --predicate prov.json --type slsaprovenance oci-dir:lay:latest >/dev/null"
# every bundle layer of every referrer manifest in the layout
n=0
for m in $(jq -r '.manifests[].digest' lay/index.json); do
    mf=lay/blobs/sha256/${m#sha256:}
    [ "$(jq -r '.artifactType // empty' "$mf")" = "$BT" ] || continue
    b=lay/blobs/sha256/$(jq -r '.layers[0].digest' "$mf" | cut -d: -f2)
    pt=$(jq -r '.annotations["dev.sigstore.bundle.predicateType"]' "$mf")
    check "sigstore-js: $pt bundle parses (DSSE, public key)" js parse "$b" dsse
    check "sigstore-js Verifier (key mode): $pt bundle verifies" js verify "$b" cosign.pub
    js verify "$b" other.pub 2>/dev/null
    check "sigstore-js Verifier: $pt bundle with another key fails" test $? = 1
    n=$((n + 1))
done
check "both referrer bundles were checked" test "$n" = 2

finish
