#!/bin/bash
# sigil against Debian's docker-registry over plain HTTP on 127.0.0.1:
# push/pull round trips checked against skopeo and curl, chunked upload,
# redirects, Range resume, and bad input (altered blob, truncated
# transfer, 404s, oversized manifest, unknown media type), each with a
# clear message, exit 1 and nothing left at the destination.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

start_registry
W=$(tmpdir)
DEMO=$SG_SOURCE_DIR/testdata/images/demo
SK="skopeo --insecure-policy"
ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json'

# expect_err DESC PATTERN CMD...: CMD exits 1 and stderr has PATTERN
expect_err() {
    _d=$1
    _pat=$2
    shift 2
    "$@" >"$W/out" 2>"$W/err"
    _rc=$?
    if [ "$_rc" -eq 1 ] && grep -qF -- "$_pat" "$W/err" &&
        [ "$(wc -l <"$W/err")" -eq 1 ]; then
        pass "$_d"
    else
        fail "$_d (exit $_rc, stderr: $(cat "$W/err"))"
    fi
}

# no_image DIR DIGEST: the layout has no manifest and no blob DIGEST
no_image() {
    [ ! -e "$1/index.json" ] ||
        [ "$(jq '.manifests | length' "$1/index.json")" = 0 ] || return 1
    [ ! -e "$1/blobs/sha256/${2#sha256:}" ] || return 1
    ! ls "$1/blobs/sha256" 2>/dev/null | grep -q '\.tmp\|^\.'
}

# ---- round trip of the bundled demo image (an index)
want=$(jq -r '.manifests[0].digest' "$DEMO/index.json")
out=$($SIGIL copy "oci-dir:$DEMO:latest" "$REG/demo:v1")
check "push demo prints its digest" [ "$out" = "$want" ]
got=$($SK inspect --raw --tls-verify=false "docker://$REG/demo:v1" | sha256sum)
check "skopeo sees the pushed digest" [ "sha256:${got%% *}" = "$want" ]
curl -s -H "$ACCEPT" "http://$REG/v2/demo/manifests/v1" >"$W/curl.json"
$SIGIL manifest "$REG/demo:v1" >"$W/sigil.json"
check "sigil manifest = curl bytes" cmp -s "$W/curl.json" "$W/sigil.json"
check "sigil manifest = layout blob" \
    cmp -s "$W/sigil.json" "$DEMO/blobs/sha256/${want#sha256:}"
check "sigil digest" [ "$($SIGIL digest "$REG/demo:v1")" = "$want" ]
check "sigil digest by digest" \
    [ "$($SIGIL digest "$REG/demo@$want")" = "$want" ]
out=$($SIGIL copy "$REG/demo:v1" "oci-dir:$W/pulled:v1")
check "pull prints the digest" [ "$out" = "$want" ]
check "pulled blobs identical to the source" \
    diff -r "$DEMO/blobs" "$W/pulled/blobs"
$SK copy -q --src-tls-verify=false "docker://$REG/demo:v1" \
    "oci:$W/skopeo:v1" >/dev/null 2>&1
for b in "$W"/skopeo/blobs/sha256/*; do
    [ "$b" = "$W/skopeo/blobs/sha256/${want#sha256:}" ] && continue
    cmp -s "$b" "$W/pulled/blobs/sha256/${b##*/}" || fail "blob ${b##*/}"
done
pass "skopeo's pull has the same blobs"

# ---- a 35 MB layer: chunked PATCH upload, verified by skopeo's pull
md=$(mkimage "$W/big" text:1000 random:35000000)
out=$($SIGIL copy "oci-dir:$W/big" "$REG/big:v1")
check "push big image" [ "$out" = "$md" ]
# (dir: keeps blobs as they are; an oci: destination would recompress)
$SK copy -q --src-tls-verify=false "docker://$REG/big:v1" "dir:$W/bigsk" \
    >/dev/null 2>&1
ok=1
for b in "$W"/big/blobs/sha256/*; do
    [ "${b##*/}" = "${md#sha256:}" ] && continue
    cmp -s "$b" "$W/bigsk/${b##*/}" || ok=0
done
check "skopeo pulls the chunked upload intact" [ "$ok" = 1 ]
out=$($SIGIL copy "oci-dir:$W/big" "$REG/big:v2")
check "re-push (blobs skipped) same digest" [ "$out" = "$md" ]

# ---- redirects to blob storage
start_faultproxy --redirect-blobs same
out=$($SIGIL copy "$PROXY/big:v1" "oci-dir:$W/redir:v1")
check "pull through a 307 to the same host" [ "$out" = "$md" ]
check "the redirect was followed" grep -q "^GET /_store/v2/big/blobs" \
    "$PROXY_DIR/proxy.log"
start_faultproxy --redirect-blobs http-other
expect_err "redirect to plain http on another host refused" \
    "refusing redirect to 'http://localhost:" \
    $SIGIL copy "$PROXY/big:v1" "oci-dir:$W/redir2:v1"
check "nothing left after the refused redirect" no_image "$W/redir2" "$md"

# ---- Range resume: the first blob transfer is cut after 100000 bytes
start_faultproxy --cut-blobs 100000 --cut-times 1
out=$($SIGIL copy "$PROXY/big:v1" "oci-dir:$W/resumed:v1")
check "pull resumes after a cut transfer" [ "$out" = "$md" ]
check "resumed with Range" grep -q "range=bytes=100000-" \
    "$PROXY_DIR/proxy.log"
check "resumed blobs intact" diff -r "$W/big/blobs" "$W/resumed/blobs"

# ---- 503 and 429 answers are retried (idempotent GETs)
start_faultproxy --fail-first 2
check "503 twice, then the digest" \
    [ "$($SIGIL digest "$PROXY/big:v1")" = "$md" ]
check "three manifest GETs" \
    [ "$(grep -c "^GET /v2/big/manifests/v1" "$PROXY_DIR/proxy.log")" = 3 ]
start_faultproxy --fail-first 1 --fail-status 429
out=$($SIGIL copy "$PROXY/big:v1" "oci-dir:$W/busy:v1")
check "429 once, then the copy" [ "$out" = "$md" ]

# ---- Retry-After (seconds) on 429/503 replaces the backoff (250 ms for
# the first retry); an HTTP-date is not followed. -v -v shows the wait.
# ms_since T0: milliseconds since T0 (from date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
start_faultproxy --fail-first 1 --fail-status 429 --retry-after 1
t0=$(date +%s%N)
out=$($SIGIL -v -v digest "$PROXY/big:v1" 2>"$W/ra.err")
ms=$(ms_since "$t0")
check "429 with Retry-After: 1, then the digest" [ "$out" = "$md" ]
check "Retry-After: 1 -> waits 1000 ms" grep -q "retry 1 in 1000 ms" "$W/ra.err"
check "the wait really happened ($ms ms)" [ "$ms" -ge 1000 ]
start_faultproxy --fail-first 1 --retry-after 'Wed, 21 Oct 2015 07:28:00 GMT'
out=$($SIGIL -v -v digest "$PROXY/big:v1" 2>"$W/ra.err")
check "503 with a dated Retry-After, then the digest" [ "$out" = "$md" ]
check "dated Retry-After: the usual backoff" \
    grep -q "retry 1 in 250 ms" "$W/ra.err"

# ---- cross-repository mount on the same registry
start_faultproxy
out=$($SIGIL copy "$PROXY/big:v1" "$PROXY/mounted:v1")
check "copy between repositories" [ "$out" = "$md" ]
check "blobs were mounted" grep -q \
    "^POST /v2/mounted/blobs/uploads/?mount=sha256%3A.*&from=big " \
    "$PROXY_DIR/proxy.log"
check "no blob bytes uploaded" [ "$(grep -c "^P[UA]T[CH]* /v2/mounted/blobs" \
    "$PROXY_DIR/proxy.log")" = 0 ]

# ---- truncated transfer every time: fails after retries
start_faultproxy --cut-blobs 1000
layer=$(jq -r '.layers[1].digest' "$W/big/blobs/sha256/${md#sha256:}")
expect_err "always-truncated transfer fails naming the blob" \
    "blob $layer: GET http://$PROXY/v2/big/blobs/$layer: transfer closed" \
    $SIGIL copy "$PROXY/big:v1" "oci-dir:$W/trunc:v1"
check "nothing left after the truncated transfer" no_image "$W/trunc" "$layer"

# ---- a blob altered in the registry's storage
md=$(mkimage "$W/alt" text:1000 random:300000)
$SIGIL copy "oci-dir:$W/alt" "$REG/altered:v1" >/dev/null
layer=$(jq -r '.layers[1].digest' "$W/alt/blobs/sha256/${md#sha256:}")
printf 'X' | dd of="$(blob_path "$layer")" bs=1 seek=100 conv=notrunc \
    2>/dev/null
expect_err "altered blob: the pull names the digest" \
    "blob $layer: content has digest sha256:" \
    $SIGIL copy "$REG/altered:v1" "oci-dir:$W/altered:v1"
check "nothing left after the altered blob" no_image "$W/altered" "$layer"

# ---- 404s
expect_err "unknown tag" "manifest unknown: demo:nope" \
    $SIGIL manifest "$REG/demo:nope"
expect_err "unknown repository" "manifest unknown: nosuch/repo:v1" \
    $SIGIL digest "$REG/nosuch/repo:v1"
md=$(mkimage "$W/gone" text:1000 random:1000)
$SIGIL copy "oci-dir:$W/gone" "$REG/gone:v1" >/dev/null
layer=$(jq -r '.layers[1].digest' "$W/gone/blobs/sha256/${md#sha256:}")
rm -f "$(blob_path "$layer")"
expect_err "missing blob" "blob unknown: gone@$layer" \
    $SIGIL copy "$REG/gone:v1" "oci-dir:$W/gone2:v1"
check "nothing left after the missing blob" no_image "$W/gone2" "$layer"

# ---- oversized manifest (docker-registry refuses > 4 MiB pushes, so the
# proxy pads the manifest on the way out)
start_faultproxy --manifest-pad 4200000
expect_err "oversized manifest" \
    "manifest larger than 4194304 bytes" \
    $SIGIL manifest "$PROXY/demo:v1"
expect_err "oversized manifest on copy" "manifest larger than 4194304 bytes" \
    $SIGIL copy "$PROXY/demo:v1" "oci-dir:$W/huge:v1"
check "nothing left after the oversized manifest" no_image "$W/huge" "$want"

# ---- unknown media type
start_faultproxy --manifest-type application/vnd.example.thing.v1+json
expect_err "unknown media type" \
    'unsupported media type "application/vnd.example.thing.v1+json"' \
    $SIGIL copy "$PROXY/big:v1" "oci-dir:$W/unk:v1"
check "nothing left after the unknown media type" no_image "$W/unk" "$want"

# ---- schema1 is refused by content type alone
start_faultproxy --manifest-type \
    application/vnd.docker.distribution.manifest.v1+prettyjws
expect_err "schema1 refused" "schema1 manifests are not supported" \
    $SIGIL copy "$PROXY/big:v1" "oci-dir:$W/s1:v1"

# ---- a malformed reference and a closed port
expect_err "malformed reference" "" $SIGIL manifest "$REG/UPPER:v1"
port=$(free_port)
expect_err "connection refused" "127.0.0.1:$port" \
    $SIGIL manifest "127.0.0.1:$port/x:v1"

finish
