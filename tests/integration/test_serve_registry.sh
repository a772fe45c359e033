#!/bin/bash
# `sigil serve` end to end with the real policy engine: the real sigil
# binary over TLS (test CA from openssl), a real docker-registry on
# loopback holding images pushed with `sigil copy` and signed with
# `sigil sign --key`, ClusterImagePolicies whose key authority is the test
# public key, curl posting AdmissionReviews. Signed by tag and by digest
# allowed; unsigned denied 403 naming the policy; /mutate pins the digest
# `sigil digest` reports (patch applied by python's jsonpatch); no policy
# with --no-match deny denied; warn mode allowed with a warning; eight
# containers of one image verified once (/metrics); the registry gone: a
# new image is denied, never allowed because of the error.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/serve_lib.sh"

S=$SIGIL
T=$(tmpdir)
cd "$T" || exit 1
export COSIGN_PASSWORD=test-pw

start_registry
REGPID=$pid
DEMO=$SG_SOURCE_DIR/testdata/images/demo
for r in signed/app signed/pinned signed/unsigned signed/otherkey signed/multi signed/fresh \
    warned/app loose/app; do
    $S copy "oci-dir:$DEMO" "$REG/$r:v1" >/dev/null 2>copy.err ||
        { cat copy.err >&2; echo "cannot push $r" >&2; exit 1; }
done
D=$($S digest "$REG/signed/app:v1")
check "sigil digest reports a sha256 digest" test "${#D}" = 71
$S generate-key-pair 2>/dev/null
for r in signed/app signed/pinned signed/multi signed/fresh; do
    $S sign -q --key cosign.key "$REG/$r:v1" 2>/dev/null || fail "sign $r"
done
$S generate-key-pair --output-key-prefix other 2>/dev/null
$S sign -q --key other.key "$REG/signed/otherkey:v1" 2>/dev/null || fail "sign otherkey"

# --- policies: enforce with the key on $REG/signed/**, warn on warned/** -
key_policies pol cosign.pub "$REG/signed/**" "$REG/warned/**"

# --- a test CA and the server certificate -------------------------------
make_test_ca . || fail "make_test_ca"

PORT=$(free_port)
URL=https://127.0.0.1:$PORT
$S serve --policy pol --tls-cert server.crt --tls-key server.key --no-match deny \
    --listen 127.0.0.1:$PORT 2>server.log &
SPID=$!
at_exit "kill $SPID 2>/dev/null"
for _ in $(seq 50); do
    [ "$(curl -s --cacert ca.crt "$URL/readyz")" = ready ] && break
    sleep 0.1
done
check "readyz with the real engine" test "$(curl -s --cacert ca.crt "$URL/readyz")" = ready

C() { curl -s --cacert ca.crt --max-time 20 "$@"; }
# field FILE EXPR: a Python expression over the parsed response `r`
# verdict NAME UID IMAGE: /validate a one-container Pod, response in NAME.out
verdict() { mkpod "$2" "$3" >"$1.json" && review /validate "$1.json" >"$1.out"; }
verifications() { C "$URL/metrics" | sed -n 's/^sigil_admission_verifications_total //p'; }

# --- signed: by tag, by digest ------------------------------------------
verdict tag u-tag "$REG/signed/app:v1"
check "signed by tag: allowed, uid echoed ($(field tag.out r))" \
    test "$(field tag.out 'r["allowed"], r["uid"]')" = "True u-tag"
# a repository not reviewed before, so this is verified, not a cache hit
verdict dig u-dig "$REG/signed/pinned@$D"
check "signed by digest: allowed ($(field dig.out r))" \
    test "$(field dig.out 'r["allowed"], r["uid"]')" = "True u-dig"

# --- unsigned under the enforce policy: 403 naming the policy -----------
verdict uns u-uns "$REG/signed/unsigned:v1"
check "unsigned: denied 403, uid echoed ($(field uns.out r))" \
    test "$(field uns.out 'r["allowed"], r["status"]["code"], r["uid"]')" = "False 403 u-uns"
check "unsigned: the reason names the image and the policy" \
    test "$(field uns.out '"signed/unsigned:v1" in r["status"]["message"] and "signed-by-test-key" in r["status"]["message"]')" = True

verdict oth u-oth "$REG/signed/otherkey:v1"
check "signed with another key: denied 403, signature does not verify ($(field oth.out r))" \
    test "$(field oth.out 'r["allowed"], r["status"]["code"], "does not verify" in r["status"]["message"]')" = "False 403 True"

# --- /mutate: the patch pins name:tag@<sigil digest> --------------------
mkpod u-mut "$REG/signed/app:v1" >mut.json
review /mutate mut.json >mut.out
$PY - mut.json mut.out "$REG/signed/app:v1@$D" <<'EOF' >mut.txt 2>&1
import base64, json, sys, jsonpatch
req = json.load(open(sys.argv[1]))["request"]
resp = json.load(open(sys.argv[2]))["response"]
assert resp["allowed"] is True and resp["uid"] == "u-mut", resp
assert resp["patchType"] == "JSONPatch", resp
patched = jsonpatch.JsonPatch(json.loads(base64.b64decode(resp["patch"]))).apply(req["object"])
got = patched["spec"]["containers"][0]["image"]
assert got == sys.argv[3], (got, sys.argv[3])
print("ok")
EOF
check "/mutate: jsonpatch pins name:tag@sha256 of sigil digest ($(cat mut.txt))" test "$(cat mut.txt)" = ok
mkpod u-mutd "$REG/signed/unsigned:v1" >mutd.json
review /mutate mutd.json >mutd.out
check "/mutate on a denial: no patch" \
    test "$(field mutd.out 'r["allowed"], "patch" in r, "patchType" in r')" = "False False False"

# --- no policy matches, --no-match deny ---------------------------------
verdict nom u-nom "$REG/loose/app:v1"
check "no policy matches: denied 403 ($(field nom.out r))" \
    test "$(field nom.out 'r["allowed"], r["status"]["code"]')" = "False 403"

# --- warn mode: allowed with a warning ----------------------------------
verdict warn u-warn "$REG/warned/app:v1"
check "warn policy, unsigned: allowed with a warning naming the image ($(field warn.out r))" \
    test "$(field warn.out 'r["allowed"], len(r["warnings"]), "warned/app:v1" in r["warnings"][0]')" = "True 1 True"

mkpod u-wm "$REG/warned/app:v1" >wm.json
review /mutate wm.json >wm.out
check "/mutate, warn-mode failure: allowed, the unverified image not pinned ($(field wm.out r))" \
    test "$(field wm.out 'r["allowed"], "patch" in r, "patchType" in r')" = "True False False"

# --- eight containers of one signed image: one verification -------------
v0=$(verifications)
mkpod u-multi "$REG/signed/multi:v1" 8 >multi.json
review /validate multi.json >multi.out
v1=$(verifications)
check "8 containers of one signed image: allowed ($(field multi.out r))" \
    test "$(field multi.out 'r["allowed"]')" = True
check "8 containers: exactly one verification more ($v0 -> $v1)" \
    test -n "$v0" -a "$((v1 - v0))" = 1

# --- registry gone: a new image is denied, never allowed ----------------
kill "$REGPID"
wait "$REGPID" 2>/dev/null
verdict down u-down "$REG/signed/fresh:v1"
check "registry down, enforce: new image denied 403 ($(field down.out r))" \
    test "$(field down.out 'r["allowed"], r["status"]["code"], r["uid"]')" = "False 403 u-down"
check "registry down: the reason names the image" \
    test "$(field down.out '"signed/fresh:v1" in r["status"]["message"]')" = True

errs=$(C "$URL/metrics" | sed -n 's/^sigil_admission_registry_errors_total //p')
check "registry down: counted in sigil_admission_registry_errors_total ($errs)" test "${errs:-0}" -ge 1
C "$URL/metrics" >metrics.txt
counts=$(for v in allow deny warn; do sed -n "s/^sigil_admission_requests_total{verdict=\"$v\"} //p" metrics.txt; done | tr '\n' ' ')
check "metrics: 4 allowed, 5 denied, 2 warned ($counts)" test "$counts" = "4 5 2 "
check "server still serving" test "$(C "$URL/healthz")" = ok
kill -TERM $SPID
wait $SPID
rc=$?
check "SIGTERM: exit 0 (rc=$rc; under ASan also no leak report)" test $rc = 0
[ $rc = 0 ] || tail -30 server.log >&2
finish
