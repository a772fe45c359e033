#!/bin/bash
# Benchmark of `sigil serve`'s server side: wrk (Lua POST script) on
# keep-alive HTTPS connections to a loopback server, reviews of a Pod with
# 8 containers of one image (one engine call per review). Prints wrk's
# throughput and latency percentiles and the server's peak RSS.
# Not a test: run it by hand.
#
#   bench/serve.sh [SECONDS]   (default 10; SERVE=path to a binary with a
#                               `serve` command: default the dev build's
#                               tests/sigil-serve-stub, the canned engine,
#                               which measures the server without
#                               registry work; SERVE=build/dev/src/sigil and
#                               POLICY=... once the policy engine is in)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-10}
SERVE=${SERVE:-$ROOT/build/dev/tests/sigil-serve-stub}
POLICY=${POLICY:-$ROOT/testdata/serve/stub/allow-all.yaml}
command -v wrk >/dev/null || { echo "bench/serve.sh: needs wrk" >&2; exit 1; }
[ -x "$SERVE" ] || { echo "bench/serve.sh: build $SERVE first" >&2; exit 1; }

T=$(mktemp -d)
SPID=
trap '[ -n "$SPID" ] && kill $SPID 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout tls.key -out tls.crt -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 2>/dev/null
PORT=$((20000 + RANDOM % 10000))
"$SERVE" serve --policy "$POLICY" \
    --tls-cert tls.crt --tls-key tls.key --listen 127.0.0.1:$PORT \
    2>server.log &
SPID=$!
sleep 1

/usr/bin/python3 - >review.json <<'PY'
import json
c = [{"name": "c%d" % i, "image": "registry.example/app:1.0"} for i in range(8)]
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
  "request": {"uid": "bench", "kind": {"group": "", "version": "v1", "kind": "Pod"},
    "resource": {"group": "", "version": "v1", "resource": "pods"},
    "namespace": "bench", "operation": "CREATE",
    "object": {"metadata": {"name": "p"}, "spec": {"containers": c}}}}))
PY
cat >post.lua <<'LUA'
local f = io.open("review.json", "r")
wrk.method = "POST"
wrk.body = f:read("*a")
wrk.headers["Content-Type"] = "application/json"
f:close()
LUA
for conns in 64 8; do
    echo "== $conns connections, ${SECS}s, /validate?timeout=10s"
    wrk -t2 -c$conns -d${SECS}s --latency -s post.lua \
        "https://127.0.0.1:$PORT/validate?timeout=10s" |
        grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors'
done
echo "server peak RSS: $(sed -n 's/^VmHWM:[[:space:]]*//p' /proc/$SPID/status)"
kill -TERM $SPID
wait $SPID || true
SPID=
