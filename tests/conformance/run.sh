#!/bin/sh
# Drive every Sigstore conformance bundle-verify case through
# sigil-conformance in both modes (artifact path, sha256: digest), the
# way sigstore-conformance's test_verify does: *_fail cases must fail,
# the others must pass. Prints each mismatch and "passed N/M".
# usage: run.sh SIGIL_CONFORMANCE CASES_DIR
# Cases without their own trusted_root.json use the client's default
# root: sigil's built-in public-good snapshot (not $SIGSTORE_TRUSTED_ROOT).
set -u
unset SIGSTORE_TRUSTED_ROOT
bin=$1
dir=$2
def_id="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
def_iss="https://token.actions.githubusercontent.com"
total=0 pass=0
for c in "$dir"/*/; do
    c=${c%/}
    name=${c##*/}
    art=$c/artifact
    [ -f "$art" ] || art=$dir/a.txt
    digest="sha256:$(sha256sum "$art" | cut -d' ' -f1)"
    set -- --bundle "$c/bundle.sigstore.json"
    if [ -f "$c/key.pub" ]; then
        set -- "$@" --key "$c/key.pub"
    else
        id=$def_id iss=$def_iss
        [ -f "$c/identity" ] && id=$(cat "$c/identity")
        [ -f "$c/issuer" ] && iss=$(cat "$c/issuer")
        set -- "$@" --certificate-identity "$id" --certificate-oidc-issuer "$iss"
    fi
    [ -f "$c/trusted_root.json" ] && set -- "$@" --trusted-root "$c/trusted_root.json"
    for mode in artifact digest; do
        target=$art
        [ $mode = digest ] && target=$digest
        total=$((total + 1))
        out=$("$bin" verify-bundle "$@" "$target" 2>&1)
        rc=$?
        case $name in
        *_fail) want=fail ;;
        *) want=pass ;;
        esac
        got=pass
        [ $rc -ne 0 ] && got=fail
        if [ $rc -gt 1 ]; then
            got=error
        fi
        if [ $got = $want ]; then
            pass=$((pass + 1))
            echo "ok   $name ($mode): $out"
        else
            echo "FAIL $name ($mode): want $want, got $got: $out"
        fi
    done
done
echo "passed $pass/$total"
[ $pass -eq $total ]
