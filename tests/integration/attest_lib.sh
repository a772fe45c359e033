# Helpers for the test_attest_*.sh integration tests (sourced after
# lib.sh). Independent of sigil: keys with openssl, DSSE decoding and PAE
# with base64/jq/printf, pushes with curl.

# make_keys DIR: DIR/k.pem DIR/k.pub (signing) and DIR/k2.pem DIR/k2.pub
# (another key), unencrypted PKCS#8 P-256.
make_keys() {
    for n in k k2; do
        openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
            openssl pkcs8 -topk8 -nocrypt -out "$1/$n.pem"
        openssl ec -in "$1/$n.pem" -pubout -out "$1/$n.pub" 2>/dev/null
    done
}

# make_spdx FILE N: an SPDX 2.3 JSON document with N packages.
make_spdx() {
    $PY - "$1" "$2" <<'PYEOF'
import json, sys
n = int(sys.argv[2])
doc = {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0",
       "SPDXID": "SPDXRef-DOCUMENT", "name": "demo",
       "documentNamespace": "https://example.invalid/demo",
       "creationInfo": {"created": "2024-01-01T00:00:00Z",
                        "creators": ["Tool: test"]},
       "packages": [{"SPDXID": "SPDXRef-Package-%d" % i,
                     "name": "pkg%d" % i, "versionInfo": "1.%d" % i,
                     "downloadLocation": "NOASSERTION",
                     "comment": "x" * 200} for i in range(n)]}
json.dump(doc, open(sys.argv[1], "w"), indent=1)
PYEOF
}

# pae_verify ENVELOPE PUBKEY: decode the first signature of a DSSE
# envelope, build PAE here and check it with openssl. Prints openssl's
# verdict; exit status is openssl's.
pae_verify() {
    _d=$(mktemp -d "${TMPDIR:-/tmp}/pae.XXXXXX")
    jq -r .payload "$1" | base64 -d >"$_d/body"
    jq -r '.signatures[0].sig' "$1" | base64 -d >"$_d/sig"
    _t=$(jq -r .payloadType "$1")
    printf 'DSSEv1 %d %s %d ' "${#_t}" "$_t" "$(wc -c <"$_d/body")" >"$_d/pae"
    cat "$_d/body" >>"$_d/pae"
    openssl dgst -sha256 -verify "$2" -signature "$_d/sig" "$_d/pae"
    _rc=$?
    rm -rf "$_d"
    return $_rc
}

# make_envelope OUT STATEMENT_FILE KEY [raw|pae [PAYLOAD_TYPE]]: a DSSE
# envelope over the statement, signed with openssl over PAE (or over the
# raw statement when the 4th argument is "raw").
make_envelope() {
    _d=$(mktemp -d "${TMPDIR:-/tmp}/env.XXXXXX")
    _t=${5:-application/vnd.in-toto+json}
    if [ "${4:-}" = raw ]; then
        cp "$2" "$_d/msg"
    else
        printf 'DSSEv1 %d %s %d ' "${#_t}" "$_t" "$(wc -c <"$2")" >"$_d/msg"
        cat "$2" >>"$_d/msg"
    fi
    openssl dgst -sha256 -sign "$3" -out "$_d/sig" "$_d/msg"
    base64 -w0 "$2" >"$_d/p64"
    jq -cn --rawfile p "$_d/p64" --arg s "$(base64 -w0 "$_d/sig")" --arg t "$_t" \
        '{payloadType:$t,payload:$p,signatures:[{keyid:"",sig:$s}]}' >"$1"
    rm -rf "$_d"
}

# reg_put_blob REPO FILE: monolithic upload with curl; prints the digest.
reg_put_blob() {
    _dg=sha256:$(sha256sum "$2" | cut -d' ' -f1)
    _loc=$(curl -fsS -D - -o /dev/null -X POST "http://$REG/v2/$1/blobs/uploads/" |
        tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
    case $_loc in http*) ;; *) _loc="http://$REG$_loc" ;; esac
    case $_loc in *\?*) _loc="$_loc&digest=$_dg" ;; *) _loc="$_loc?digest=$_dg" ;; esac
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
        --data-binary "@$2" "$_loc" || return 1
    echo "$_dg"
}

# reg_put_att REPO IMAGE_DIGEST ENVELOPE...: replace the .att tag of the
# image with a cosign-shaped manifest holding these envelopes (pushed with
# curl, not sigil), so the verifier sees crafted layers.
reg_put_att() {
    _repo=$1
    _img=$2
    shift 2
    _w=$(mktemp -d "${TMPDIR:-/tmp}/att.XXXXXX")
    _layers=""
    _ids=""
    for e in "$@"; do
        _ld=$(reg_put_blob "$_repo" "$e") || return 1
        _sz=$(wc -c <"$e")
        _layers="$_layers${_layers:+,}{\"mediaType\":\"application/vnd.dsse.envelope.v1+json\",\"size\":$_sz,\"digest\":\"$_ld\",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"\",\"predicateType\":\"https://spdx.dev/Document\"}}"
        _ids="$_ids${_ids:+,}\"$_ld\""
    done
    printf '{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":[%s]},"config":{}}' "$_ids" >"$_w/cfg"
    _cd=$(reg_put_blob "$_repo" "$_w/cfg") || return 1
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%d,"digest":"%s"},"layers":[%s]}' \
        "$(wc -c <"$_w/cfg")" "$_cd" "$_layers" >"$_w/man"
    _tag=$(echo "$_img" | tr ':' '-').att
    curl -fsS -o /dev/null -X PUT \
        -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
        --data-binary "@$_w/man" "http://$REG/v2/$_repo/manifests/$_tag"
    _rc=$?
    rm -rf "$_w"
    return $_rc
}

# expect_verify_fail DESC PATTERN CMD...: CMD must exit 3 and print
# PATTERN (grep -E) on stderr.
expect_verify_fail() {
    _desc=$1
    _pat=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    _rc=$?
    if [ $_rc -eq 3 ] && grep -Eq "$_pat" "$T/err"; then
        pass "$_desc"
    else
        fail "$_desc (exit $_rc; stderr: $(head -c 600 "$T/err"))"
    fi
}

# has_cmd_option CMD OPTION: sigil's help for CMD mentions OPTION and the
# command is implemented.
has_cmd_option() {
    "$SIGIL" help "$1" 2>/dev/null | grep -q -- "$2"
}

# layout_put_blob DIR FILE: store FILE in the OCI layout; prints digest.
layout_put_blob() {
    _h=$(sha256sum "$2" | cut -d' ' -f1)
    cp "$2" "$1/blobs/sha256/$_h"
    echo "sha256:$_h"
}

# layout_put_bundle_referrer DIR IMAGE_DIGEST BUNDLE_FILE: a cosign v3
# referrer manifest (subject = the image, one Sigstore bundle layer), added
# untagged to index.json with jq (not sigil).
layout_put_bundle_referrer() {
    _w=$(mktemp -d "${TMPDIR:-/tmp}/ref.XXXXXX")
    _bt=application/vnd.dev.sigstore.bundle.v0.3+json
    _bd=$(layout_put_blob "$1" "$3")
    printf '{}' >"$_w/empty"
    _ed=$(layout_put_blob "$1" "$_w/empty")
    _sm=$(jq -c --arg d "$2" '.manifests[] | select(.digest == $d) | {mediaType, size, digest}' "$1/index.json")
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","size":2,"digest":"%s"},"layers":[{"mediaType":"%s","size":%d,"digest":"%s"}],"annotations":{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"x"},"subject":%s,"artifactType":"%s"}' \
        "$_ed" "$_bt" "$(wc -c <"$3")" "$_bd" "$_sm" "$_bt" >"$_w/man"
    _md=$(layout_put_blob "$1" "$_w/man")
    jq -c --arg d "$_md" --argjson n "$(wc -c <"$_w/man")" --arg a "$_bt" \
        '.manifests += [{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$d,size:$n,artifactType:$a}]' \
        "$1/index.json" >"$_w/index.json" && mv "$_w/index.json" "$1/index.json"
    rm -rf "$_w"
}
