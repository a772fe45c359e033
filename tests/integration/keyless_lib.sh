# Keyless signing fixtures shared by the integration tests (sourced after
# lib.sh and sign_lib.sh, with start_registry done and $T set): the test
# Fulcio/CT/Rekor/TSA PKI of keyless_pki.py (python3-cryptography,
# independent of sigil) and put_case, which pushes the demo image and one
# keyless signature or attestation made by keyless_pki.py.
#
#   keyless_init             mint the PKI in $PKI ($T/pki), copy the demo
#                            image to $T/demo; sets KL_ID and KL_ISS (the
#                            identity and issuer its certificates name)
#   put_case REPO KIND CASE  push $T/demo to $REG/REPO:v1, then a KIND
#                            (sig | att | bsig | batt) signature of CASE
#                            (ok, otherca, expired, ...: keyless_pki.py)
PKI=$T/pki
MK="$PY $SG_SOURCE_DIR/tests/integration/keyless_pki.py"
KL_ID="https://github.com/org/repo/.github/workflows/ci.yml@refs/heads/main"
KL_ISS="https://token.actions.githubusercontent.com"

keyless_init() {
    $MK init "$PKI" || return 1
    cp -r "$SG_SOURCE_DIR/testdata/images/demo" "$T/demo"
}

put_case() {
    repo=$1 kind=$2 case=$3
    "$SIGIL" copy -q --insecure-registry "$REG" "oci-dir:$T/demo" "$REG/$repo:v1" >/dev/null ||
        { echo "push $repo" >&2; return 1; }
    dig=$("$SIGIL" digest --insecure-registry "$REG" "$REG/$repo:v1") || return 1
    size=$(curl -s -o /dev/null -w '%{size_download}' \
        -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://$REG/v2/$repo/manifests/$dig")
    out=$T/$repo
    $MK make "$PKI" "$kind" "$case" "$dig" \
        application/vnd.oci.image.manifest.v1+json "$size" "$REG/$repo" "$out" || return 1
    MKREPO=$repo
    while read -r h; do
        [ -n "$h" ] && { push_blob "$repo" "$out/blobs/$h" || return 1; }
    done <"$out/blobs.txt"
    hex=${dig#sha256:}
    case $kind in
    sig | att) push_manifest "$repo" "sha256-$hex.$kind" "$out/manifest.json" ;;
    *)
        md="sha256:$(sha256sum "$out/manifest.json" | cut -d' ' -f1)"
        push_manifest "$repo" "$md" "$out/manifest.json" &&
            push_manifest "$repo" "sha256-$hex" "$out/index.json" \
                application/vnd.oci.image.index.v1+json
        ;;
    esac
}
