#!/bin/bash
# `sigil serve` as a real process over TLS with a test CA (openssl), curl
# as the client: every workload kind on /validate, the /mutate JSONPatch
# applied by Python's jsonpatch (independent of sigil), malformed bodies
# -> 400 with a one-line reason, ?timeout=, /healthz /readyz /metrics,
# policy and certificate reload, SIGTERM drain.
#
# The server runs with the canned policy engine (sigil-serve-stub:
# tests/unit/admit_stub.h has its verdicts: "unsigned" in an image name is
# denied, anything else allowed with digest sha256(name)), so the server is
# tested on its own; the policy engine has its own tests
# (tests/unit/test_policy_*.c).
. "$(dirname "$0")/lib.sh"

SERVE=${SG_SERVE_BIN:-${SIGIL_SERVE_STUB:-}}
[ -n "$SERVE" ] && [ -x "$SERVE" ] || skip_all "no sigil-serve-stub (SIGIL_SERVE_STUB)"
POL=$SG_TESTDATA/serve/stub
T=$(tmpdir)
at_exit "rm -rf '$T'"
cd "$T" || exit 1

# --- a test CA and two server certificates (different serials) ---------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -days 2 -subj /CN=sigil-test-ca 2>/dev/null
mkcert() { # mkcert NAME SERIAL
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$1.key" -out "$1.csr" -subj /CN=sigil-serve 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >ext.cnf
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$2" \
        -days 2 -extfile ext.cnf -out "$1.pem" 2>/dev/null
}
mkcert one 4097
mkcert two 8193
cp one.pem tls.crt
cp one.key tls.key
cp "$POL/allow-all.yaml" policy.yaml

PORT=$(free_port)
URL=https://127.0.0.1:$PORT
"$SERVE" serve --policy policy.yaml --tls-cert tls.crt --tls-key tls.key \
    --listen 127.0.0.1:$PORT 2>server.log &
SPID=$!
at_exit "kill $SPID 2>/dev/null"
for _ in $(seq 50); do
    curl -s --cacert ca.pem "$URL/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done

C() { curl -s --cacert ca.pem "$@"; }
# review PATH FILE: POST FILE, the response body to stdout
review() { C -H 'Content-Type: application/json' --data-binary "@$2" "$URL$1"; }
# mkreview KIND GROUP OPERATION OBJECT_JSON > file
mkreview() {
    $PY - "$@" <<'EOF'
import json, sys
kind, group, op, obj = sys.argv[1:5]
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
  "request": {"uid": "uid-" + kind, "kind": {"group": group, "version": "v1", "kind": kind},
              "resource": {"group": group, "version": "v1", "resource": kind.lower() + "s"},
              "namespace": "team-a", "operation": op, "object": json.loads(obj)}}))
EOF
}
# field FILE EXPR: a Python expression over the parsed JSON `r`
field() { $PY -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

check "healthz" test "$(C "$URL/healthz")" = ok
check "readyz once policies and certificate are loaded" test "$(C "$URL/readyz")" = ready

# --- every workload kind, allowed and denied ----------------------------
pod='{"metadata":{"name":"x"},"spec":{"containers":[{"name":"a","image":"IMG"}]}}'
tmpl='{"metadata":{"name":"x"},"spec":{"template":'$pod'}}'
cron='{"metadata":{"name":"x"},"spec":{"jobTemplate":{"spec":{"template":'$pod'}}}}'
for kg in Pod: ReplicationController: Deployment:apps ReplicaSet:apps \
    StatefulSet:apps DaemonSet:apps Job:batch CronJob:batch; do
    k=${kg%%:*} g=${kg#*:}
    case $k in Pod) o=$pod ;; CronJob) o=$cron ;; *) o=$tmpl ;; esac
    mkreview "$k" "$g" CREATE "${o//IMG/reg.example/app:1}" >ok.json
    mkreview "$k" "$g" CREATE "${o//IMG/reg.example/unsigned:1}" >bad.json
    review /validate ok.json >ok.out
    review /validate bad.json >bad.out
    check "$k signed allowed, uid echoed" test "$(field ok.out 'r["response"]["allowed"], r["response"]["uid"], r["apiVersion"], r["kind"]')" = "True uid-$k admission.k8s.io/v1 AdmissionReview"
    check "$k unsigned denied 403 with the reason" test "$(field bad.out 'r["response"]["allowed"], r["response"]["status"]["code"], r["response"]["status"]["message"]')" = "False 403 reg.example/unsigned:1: no valid signature"
done

# --- /mutate: the patch pins every verified image -----------------------
dep='{"metadata":{"name":"web"},"spec":{"template":{"spec":{"initContainers":[{"name":"i","image":"busybox:1"}],"containers":[{"name":"a","image":"nginx:1.25"},{"name":"b","image":"nginx:1.25"},{"name":"c","image":"pinned@sha256:'$(printf %064d 0)'"}]}}}}'
mkreview Deployment apps CREATE "$dep" >dep.json
review /mutate dep.json >dep.out
$PY - dep.json dep.out <<'EOF' >mut.txt
import base64, hashlib, json, sys, jsonpatch
req = json.load(open(sys.argv[1]))["request"]
resp = json.load(open(sys.argv[2]))["response"]
assert resp["allowed"] is True and resp["patchType"] == "JSONPatch", resp
patched = jsonpatch.JsonPatch(json.loads(base64.b64decode(resp["patch"]))).apply(req["object"])
pod = patched["spec"]["template"]["spec"]
pin = lambda i: i + "@sha256:" + hashlib.sha256(i.encode()).hexdigest()
assert [c["image"] for c in pod["containers"][:2]] == [pin("nginx:1.25")] * 2, pod
assert pod["initContainers"][0]["image"] == pin("busybox:1"), pod
assert pod["containers"][2]["image"] == req["object"]["spec"]["template"]["spec"]["containers"][2]["image"]
print("ok")
EOF
check "/mutate patch (python jsonpatch) pins name:tag@sha256" test "$(cat mut.txt)" = ok
review /validate dep.json >depv.out
check "/validate carries no patch" test "$(field depv.out '"patch" in r["response"], "patchType" in r["response"]')" = "False False"
mkreview Pod "" DELETE 'null' >del.json
check "DELETE allowed without checks" test "$(review /validate del.json | $PY -c 'import json,sys; print(json.load(sys.stdin)["response"]["allowed"])')" = True

# --- ?timeout=: answer before the API server gives up -------------------
mkreview Pod "" CREATE "${pod//IMG/reg.example/slow:1}" >slow.json
t0=$(date +%s%N)
C -H 'Content-Type: application/json' --data-binary @slow.json "$URL/validate?timeout=1s" >slow.out
ms=$((($(date +%s%N) - t0) / 1000000))
check "timeout=1s: denied as not finished in time" test "$(field slow.out 'r["response"]["allowed"], r["response"]["status"]["message"]')" = "False reg.example/slow:1: verification did not finish in time"
check "timeout=1s: answered within the second ($ms ms)" test "$ms" -lt 1000

# --- malformed bodies: 400 with one line --------------------------------
bad400() { # DESCRIPTION BODY_FILE EXPECTED_SUBSTRING
    code=$(C -o b400.out -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "@$2" "$URL/validate")
    if [ "$code" = 400 ] && [ "$(wc -l <b400.out)" = 1 ] && grep -q "$3" b400.out; then
        pass "400: $1"
    else
        fail "400: $1: got $code '$(head -c 300 b400.out)'"
    fi
}
printf 'not json' >m1; bad400 "not JSON" m1 "invalid JSON"
printf 'null' >m2; bad400 "null" m2 "invalid JSON"
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}' >m3
bad400 "no request" m3 "request is missing"
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}' >m4
bad400 "no uid" m4 "request.uid is missing"
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":["x"]}}' >m5
bad400 "uid of the wrong type" m5 "request.uid: expected"
printf '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}' >m6
bad400 "wrong apiVersion" m6 "apiVersion must be admission.k8s.io/v1"
head -c $((3 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >m7
bad400 "body over 3 MiB" m7 "over the limit"
code=$(C -o /dev/null -w '%{http_code}' "$URL/validate")
check "GET /validate is refused (405)" test "$code" = 405
code=$(C -o /dev/null -w '%{http_code}' "$URL/nope")
check "unknown path 404" test "$code" = 404

# --- keep-alive: one connection for several reviews ---------------------
C -v -H 'Content-Type: application/json' --data-binary @ok.json "$URL/validate" \
    --next --cacert ca.pem -H 'Content-Type: application/json' --data-binary @ok.json \
    "$URL/validate" -o /dev/null 2>keep.err >/dev/null
check "HTTP/1.1 keep-alive reuses the connection" grep -qi "re-using existing connection" keep.err

# --- /metrics -----------------------------------------------------------
C "$URL/metrics" >metrics.txt
for m in 'sigil_admission_requests_total{verdict="allow"}' \
    'sigil_admission_requests_total{verdict="deny"}' \
    'sigil_admission_requests_total{verdict="bad_request"}' \
    sigil_admission_in_flight sigil_admission_cache_hits_total \
    sigil_admission_cache_misses_total sigil_admission_registry_errors_total \
    'sigil_admission_duration_seconds_bucket{le="+Inf"}' \
    sigil_admission_duration_seconds_count; do
    check "metrics: $m" grep -qF "$m " metrics.txt
done
check "metrics: 7 bad requests counted" grep -qx 'sigil_admission_requests_total{verdict="bad_request"} 7' metrics.txt
check "metrics: denials counted" grep -qE '^sigil_admission_requests_total\{verdict="deny"\} (9|[1-9][0-9]+)$' metrics.txt

# --- structured logs ----------------------------------------------------
$PY - server.log <<'EOF' >log.txt
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
deny = [r for r in rows if r.get("verdict") == "deny" and r.get("kind") == "CronJob"]
assert deny and deny[0]["uid"] == "uid-CronJob" and deny[0]["namespace"] == "team-a", rows
assert deny[0]["images"] == ["reg.example/unsigned:1"] and "no valid signature" in deny[0]["reason"]
assert isinstance(deny[0]["ms"], int)
print("ok")
EOF
check "one JSON object per line: uid, namespace, kind, images, verdict, reason, ms" test "$(cat log.txt)" = ok

# --- policy reload: warn mode, then a bad file keeps it -----------------
cp "$POL/warn-all.yaml" policy.yaml.new && mv policy.yaml.new policy.yaml
sleep 3
mkreview Pod "" CREATE "${pod//IMG/reg.example/unsigned:1}" >w.json
review /validate w.json >w.out
check "reloaded warn policy: allowed with a warning" test "$(field w.out 'r["response"]["allowed"], r["response"]["warnings"]')" = "True ['reg.example/unsigned:1: no valid signature']"
cp "$POL/invalid.yaml" policy.yaml.new && mv policy.yaml.new policy.yaml
sleep 3
review /validate w.json >w2.out
check "a bad policy file keeps the old in force" test "$(field w2.out 'r["response"]["allowed"]')" = True
check "the bad policy file is logged" grep -q '"level":"error".*policies policy.yaml not loaded' server.log

# --- certificate reload: a new connection sees the new serial -----------
serial() { openssl s_client -connect 127.0.0.1:$PORT -CAfile ca.pem </dev/null 2>/dev/null |
    openssl x509 -noout -serial; }
check "serving certificate one" test "$(serial)" = "serial=1001"
cp two.key tls.key.new && cp two.pem tls.crt.new && mv tls.key.new tls.key && mv tls.crt.new tls.crt
sleep 3
check "after reload: certificate two" test "$(serial)" = "serial=2001"
printf 'garbage\n' >tls.crt
sleep 3
check "a bad certificate keeps the old one" test "$(serial)" = "serial=2001"
check "TLS 1.1 refused" sh -c "! openssl s_client -connect 127.0.0.1:$PORT -tls1_1 </dev/null >/dev/null 2>&1"

# --- 300 idle connections: counted, and others still served ------------
$PY - $PORT <<'EOF' &
import socket, sys, time
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(300)]
time.sleep(6)
EOF
IPID=$!
for _ in $(seq 50); do # until accepted (a loaded machine accepts slowly)
    open_now=$(C "$URL/metrics" | sed -n 's/^sigil_connections_open //p')
    [ "${open_now:-0}" -ge 300 ] && break
    sleep 0.1
done
check "served while 300 connections idle" test "$(C --max-time 5 "$URL/healthz")" = ok
check "metrics: sigil_connections_open counts them ($open_now)" test "${open_now:-0}" -ge 300
wait $IPID

# --- SIGTERM: finish in flight, stop accepting, exit 0 ------------------
C -H 'Content-Type: application/json' --data-binary @slow.json "$URL/validate?timeout=10s" >drain.out &
CPID=$!
for _ in $(seq 100); do # until the review is in flight (the stub takes 1.5 s)
    C "$URL/metrics" | grep -qx 'sigil_admission_in_flight 1' && break
    sleep 0.02
done
kill -TERM $SPID
wait $CPID
check "in-flight review answered during the drain" test "$(field drain.out 'r["response"]["allowed"]')" = True
wait $SPID
rc=$?
check "exit 0 after SIGTERM (rc=$rc)" test $rc = 0
check "not accepting after shutdown" sh -c "! curl -s --cacert ca.pem --max-time 2 $URL/healthz"

finish
