#!/bin/bash
# Benchmark of `sigil serve` (issue 11, "Speed and load"): the real server
# and policy engine, a ClusterImagePolicy with a key authority, images in
# Debian's docker-registry on loopback (pushed, and signed with
# `sigil sign --key`), wrk (Debian package, scripts/install-deps.sh) with
# a Lua POST script on keep-alive HTTPS connections. Prints figures, asserts
# nothing about time:
#
#   (a) cached verdicts, a Pod of 8 containers of one signed image:
#       64 connections: reviews/s (target >= 5,000 on 2 cores);
#       8 connections: p50/p99 (target p99 <= 5 ms);
#   (b) cold verdicts: COLD distinct signed images (distinct digests),
#       each reviewed once over one keep-alive connection: median/p99
#       (target p99 <= 50 ms); beside it the peer, spawning
#       `sigil verify --key` per image for the same images;
#   (c) a Pod of 8 containers of one new image: verifications counted
#       from /metrics (target: exactly one);
#   the server's peak RSS (VmHWM) under all that (target <= 64 MiB), and
#   the load average beside each figure (the machine is shared).
#
#   bench/serve.sh [SECONDS] [COLD]   (defaults 10 and 200; SIGIL=path to
#                                      the binary, default the release
#                                      build if built, else the dev one)
#   MODE=stub bench/serve.sh [SECONDS]  the server alone: the canned engine
#                                      of the dev build's
#                                      tests/sigil-serve-stub, no registry
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-10}
COLD=${2:-200}
MODE=${MODE:-real}
DEF=$ROOT/build/release/src/sigil
[ -x "$DEF" ] || DEF=$ROOT/build/dev/src/sigil
export SIGIL=$(realpath "${SIGIL:-$DEF}")
export SG_SOURCE_DIR=$ROOT
command -v wrk >/dev/null ||
    { echo "bench/serve.sh: needs wrk (scripts/install-deps.sh installs it)" >&2; exit 1; }
. "$ROOT/tests/integration/lib.sh"

T=$(tmpdir)
cd "$T" || exit 1
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout tls.key -out tls.crt -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 2>/dev/null

# serve BINARY POLICY [args...]: sets PORT, URL, SPID
serve() {
    _bin=$1 _pol=$2
    shift 2
    PORT=$(free_port)
    URL=https://127.0.0.1:$PORT
    "$_bin" serve --policy "$_pol" --tls-cert tls.crt --tls-key tls.key \
        --listen 127.0.0.1:$PORT "$@" 2>server.log &
    SPID=$!
    at_exit "kill $SPID 2>/dev/null; wait $SPID 2>/dev/null"
    for _ in $(seq 100); do
        [ "$(curl -sk "$URL/readyz")" = ready ] && return 0
        sleep 0.1
    done
    echo "bench/serve.sh: the server did not start" >&2
    tail -5 server.log >&2
    exit 1
}
# mkpod IMAGE N > file: a Pod review with N containers of IMAGE
mkpod() {
    $PY - "$1" "$2" <<'PY'
import json, sys
img, n = sys.argv[1], int(sys.argv[2])
c = [{"name": "c%d" % i, "image": img} for i in range(n)]
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
  "request": {"uid": "bench", "kind": {"group": "", "version": "v1", "kind": "Pod"},
    "resource": {"group": "", "version": "v1", "resource": "pods"},
    "namespace": "bench", "operation": "CREATE",
    "object": {"metadata": {"name": "p"}, "spec": {"containers": c}}}}))
PY
}
metric() { curl -sk "$URL/metrics" | sed -n "s/^$1 //p"; }
# cached PODFILE: wrk at 64 and 8 connections on PODFILE's review
cached() {
    cat >post.lua <<LUA
local f = io.open("$1", "r")
wrk.method = "POST"
wrk.body = f:read("*a")
wrk.headers["Content-Type"] = "application/json"
f:close()
LUA
    curl -sk -o /dev/null -H 'Content-Type: application/json' \
        --data-binary "@$1" "$URL/validate" # warm the cache
    for conns in 64 8; do
        echo "== (a) cached verdicts: $conns connections, ${SECS}s, wrk -t2, /validate?timeout=10s ($(load))"
        wrk -t2 -c$conns -d${SECS}s --latency -s post.lua \
            "$URL/validate?timeout=10s" >wrk.out 2>&1
        grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors' wrk.out
        echo "   ($(load) after)"
    done
}
hwm() { sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$SPID/status"; }

if [ "$MODE" = stub ]; then
    STUB=$ROOT/build/dev/tests/sigil-serve-stub
    [ -x "$STUB" ] || { echo "bench/serve.sh: build $STUB first" >&2; exit 1; }
    serve "$STUB" "$ROOT/testdata/serve/stub/allow-all.yaml"
    mkpod registry.example/app:1.0 8 >review.json
    echo "# MODE=stub: the server alone (canned engine, no registry)"
    cached review.json
    echo "server peak RSS (VmHWM): $(hwm)"
    kill -TERM $SPID
    wait $SPID
    exit 0
fi

# --- the registry: a base image, COLD images with distinct digests -------
start_registry
"$SIGIL" copy "oci-dir:$ROOT/testdata/images/demo" "$REG/base:v1" >/dev/null ||
    { echo "bench/serve.sh: cannot push the base image" >&2; exit 1; }
# Each cold image: the base's layers (mounted across repositories) and a
# config of its own (a label), so COLD distinct manifests and digests.
$PY - "$ROOT/testdata/images/demo" "$REG" "$COLD" <<'PY' || exit 1
import hashlib, http.client, json, os, sys
demo, reg, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
blob = lambda d: open(os.path.join(demo, "blobs", *d.split(":")), "rb").read()
mdesc = json.load(open(os.path.join(demo, "index.json")))["manifests"][0]
man = json.loads(blob(mdesc["digest"]))
cfg = json.loads(blob(man["config"]["digest"]))
c = http.client.HTTPConnection(reg)
def req(method, path, body=None, headers={}, want=(201, 202)):
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse(); r.read()
    if r.status not in want:
        sys.exit("%s %s: %d" % (method, path, r.status))
    return r
for i in range(n):
    repo = "cold/app%d" % i
    for l in man["layers"]:
        req("POST", "/v2/%s/blobs/uploads/?mount=%s&from=base" % (repo, l["digest"]))
    cfg.setdefault("config", {}).setdefault("Labels", {})["bench.sigil/n"] = str(i)
    cb = json.dumps(cfg).encode()
    cd = "sha256:" + hashlib.sha256(cb).hexdigest()
    loc = req("POST", "/v2/%s/blobs/uploads/" % repo, want=(202,)).getheader("Location")
    if loc.startswith("http"):
        loc = "/" + loc.split("/", 3)[3]
    req("PUT", loc + ("&" if "?" in loc else "?") + "digest=" + cd, body=cb,
        headers={"Content-Type": "application/octet-stream"})
    m = dict(man, config=dict(man["config"], digest=cd, size=len(cb)))
    req("PUT", "/v2/%s/manifests/v1" % repo, body=json.dumps(m).encode(),
        headers={"Content-Type": m.get("mediaType", mdesc["mediaType"])})
PY
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
    openssl pkcs8 -topk8 -nocrypt -out sign.pem
openssl pkey -in sign.pem -pubout -out sign.pub
INS=(--insecure-registry "$REG")
for i in $(seq 0 $((COLD - 1))) ; do echo "$REG/cold/app$i:v1"; done >cold.txt
for img in "$REG/base:v1" "$REG/hot/eight:v1" $(cat cold.txt); do
    case $img in */hot/*) "$SIGIL" copy "${INS[@]}" "$REG/base:v1" "$img" >/dev/null ;; esac
    "$SIGIL" sign -q "${INS[@]}" --key sign.pem "$img" 2>/dev/null ||
        { echo "bench/serve.sh: cannot sign $img" >&2; exit 1; }
done
ndig=$(for img in $(cat cold.txt); do "$SIGIL" digest "${INS[@]}" "$img"; done | sort -u | wc -l)

mkdir pol
{
    printf 'apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\n'
    printf 'metadata:\n  name: bench-key\nspec:\n  images:\n  - glob: "%s/**"\n' "$REG"
    printf '  authorities:\n  - name: bench-key\n    key:\n      data: |\n'
    sed 's/^/        /' sign.pub
} >pol/key.yaml
serve "$SIGIL" pol "${INS[@]}"
echo "# sigil serve, real engine: key policy, loopback docker-registry, $(nproc) cores"
echo "# $(wrk --version 2>&1 | head -1)"

# (a) cached verdicts
mkpod "$REG/base:v1" 8 >review.json
cached review.json

# (c) eight containers of one new image: one verification
mkpod "$REG/hot/eight:v1" 8 >eight.json
v0=$(metric sigil_admission_verifications_total)
allowed=$(curl -sk -H 'Content-Type: application/json' --data-binary @eight.json \
    "$URL/validate" | $PY -c 'import json,sys; print(json.load(sys.stdin)["response"]["allowed"])')
v1=$(metric sigil_admission_verifications_total)
echo "== (c) a Pod of 8 containers of one new image: allowed=$allowed, verifications $v0 -> $v1 ($((v1 - v0)) for 8 containers)"

# (b) cold verdicts, and the peer: sigil verify per image
echo "== (b) cold verdicts: $COLD images, $ndig distinct digests, each reviewed once, one keep-alive connection ($(load))"
$PY - "$PORT" cold.txt "$SIGIL" "$REG" <<'PY'
import http.client, json, ssl, statistics, subprocess, sys, time
port, images, sigil, reg = int(sys.argv[1]), open(sys.argv[2]).read().split(), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
def pct(ts, p): return ts[min(len(ts) - 1, int(len(ts) * p))]
def show(name, ts):
    ts.sort()
    print("   %-40s median %7.2f ms  p90 %7.2f  p99 %7.2f  max %7.2f  (n=%d)" % (
        name, statistics.median(ts), pct(ts, .9), pct(ts, .99), ts[-1], len(ts)))
ts, bad = [], 0
for i, img in enumerate(images):
    body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "cold-%d" % i, "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "bench", "operation": "CREATE",
            "object": {"spec": {"containers": [{"name": "a", "image": img}]}}}})
    t0 = time.perf_counter()
    c.request("POST", "/validate?timeout=10s", body, {"Content-Type": "application/json"})
    r = json.loads(c.getresponse().read())
    ts.append((time.perf_counter() - t0) * 1000)
    bad += r["response"]["allowed"] is not True
show("sigil serve, cold review (tag -> verify)", ts)
if bad:
    print("   WARNING: %d of %d cold reviews not allowed" % (bad, len(images)))
ts = []
for img in images:
    t0 = time.perf_counter()
    r = subprocess.run([sigil, "verify", "-q", "--insecure-registry", reg, "--key", "sign.pub", img],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts.append((time.perf_counter() - t0) * 1000)
    if r.returncode:
        sys.exit("sigil verify %s: exit %d" % (img, r.returncode))
show("peer: a `sigil verify --key` process each", ts)
PY
echo "   ($(load) after)"
hits=$(metric sigil_admission_cache_hits_total)
miss=$(metric sigil_admission_cache_misses_total)
echo "== server: peak RSS (VmHWM) $(hwm); cache hits $hits, misses $miss; $(metric sigil_connections_open) connections open"
kill -TERM $SPID
wait $SPID
