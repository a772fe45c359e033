#!/bin/bash
# The named limits on untrusted input, overridden with `sigil --limit`:
# each one trips with exit 1 and a message naming the limit and the input,
# and a bad --limit is a usage error (exit 2).
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

T=$(tmpdir)
IMG="oci-dir:$SG_SOURCE_DIR/testdata/images/demo:latest"

# expect_limit DESC EXPECTED-TEXT sigil-args...
expect_limit() {
    d=$1
    want=$2
    shift 2
    "$SIGIL" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq 1 ] && grep -qF -- "$want" "$T/err" &&
        [ "$(wc -l <"$T/err")" -eq 1 ]; then
        pass "$d"
    else
        fail "$d (rc=$rc: $(cat "$T/err"))"
    fi
}

expect_limit "kept-bytes-max trips during sbom" \
    "claimed files of this image exceed 65536 bytes kept in memory" \
    --limit kept-bytes-max=64K sbom "$IMG" -o "spdx-json=$T/s.json"
check "no SBOM written when a limit trips" test ! -e "$T/s.json"
expect_limit "tar-entries-max names the layer" \
    "more than 5 tar entries" --limit tar-entries-max=5 sbom "$IMG"
expect_limit "manifest-max" "larger than 100 bytes" \
    --limit manifest-max=100 manifest "$IMG"
expect_limit "json-depth-max" "JSON nested deeper than 2" \
    --limit json-depth-max=2 digest "$IMG"

"$SIGIL" --limit kept-bytes-max=10M sbom "$IMG" -o table >"$T/table" 2>&1
check "a generous limit passes" grep -q '^libc6 ' "$T/table"

"$SIGIL" --limit nosuch=1 digest "$IMG" 2>"$T/err"
rc=$?
check "unknown limit: exit 2" test "$rc" -eq 2
check "unknown limit: message" grep -q "unknown limit" "$T/err"
"$SIGIL" --limit manifest-max=12Q digest "$IMG" 2>"$T/err"
rc=$?
check "bad value: exit 2" test "$rc" -eq 2
check "bad value: message" grep -q "expected NAME=NUMBER" "$T/err"

finish
