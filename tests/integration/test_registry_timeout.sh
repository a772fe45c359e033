#!/bin/bash
# The global --timeout bounds a whole command: a registry (fault proxy)
# that sends 1 KiB of every blob and then stalls, on every request
# including Range resumes, ends `sigil --timeout 5s copy` with one line
# naming the timeout and the blob, exit 1 and no image at the
# destination. Also: --timeout values (Go durations, plain seconds, 0).
# Wall time is checked only loosely (< 30 s); speed belongs in bench/.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

start_registry
W=$(tmpdir)

# ---- an image with a 300 KiB layer, pushed straight to the registry
md=$(mkimage "$W/src" random:300000)
$SIGIL copy -q "oci-dir:$W/src" "$REG/slow:v1" >/dev/null ||
    fail "push of the test image"
big=$(jq -r '.layers | max_by(.size) | .digest' \
    "$W/src/blobs/sha256/${md#sha256:}")

# ---- the trickling registry
start_faultproxy --trickle-blobs 1024
t0=$(date +%s)
$SIGIL --timeout 5s copy "$PROXY/slow:v1" "oci-dir:$W/dst:v1" \
    >"$W/out" 2>"$W/err"
rc=$?
t1=$(date +%s)
check "trickle: exit 1" [ "$rc" -eq 1 ]
check "trickle: one line of error" [ "$(wc -l <"$W/err")" -eq 1 ]
check "trickle: names the timeout and the blob" \
    grep -qF "timed out after 5s fetching blob $big from $PROXY/slow" \
    "$W/err"
check "trickle: ends well before the stall would (< 30 s)" \
    [ $((t1 - t0)) -lt 30 ]
check "trickle: the proxy did send the first KiB" \
    grep -q "^GET /v2/slow/blobs/$big " "$PROXY_DIR/proxy.log"
check "trickle: no image at the destination" \
    sh -c "[ ! -e '$W/dst/index.json' ] ||
           [ \"\$(jq '.manifests | length' '$W/dst/index.json')\" = 0 ]"
check "trickle: no blob half-written at the destination" \
    sh -c "! ls '$W/dst/blobs/sha256' 2>/dev/null | grep -q '${big#sha256:}\|\\.tmp\|^\\.'"
check "trickle: nothing on stdout" [ ! -s "$W/out" ]

# ---- the same copy without the proxy finishes within the deadline
out=$($SIGIL --timeout=1m copy "$REG/slow:v1" "oci-dir:$W/ok:v1")
check "copy within the deadline" [ "$out" = "$md" ]

# ---- --timeout values
for v in 30s 3m 1h30m 1.5s 250ms 90 0; do
    $SIGIL --timeout "$v" version >/dev/null 2>"$W/err"
    check "--timeout $v accepted" [ $? -eq 0 ]
done
for v in x 5q 1.2.3 -5s ""; do
    $SIGIL --timeout "$v" version >/dev/null 2>"$W/err"
    rc=$?
    check "--timeout '$v' refused (exit 2)" [ "$rc" -eq 2 ]
    check "--timeout '$v' says why" grep -q "expected a duration" "$W/err"
done
check "--help lists --timeout" sh -c "$SIGIL --help | grep -q -- '--timeout D'"

finish
