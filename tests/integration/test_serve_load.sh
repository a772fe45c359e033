#!/bin/bash
# `sigil serve` under hostile load and registry failures: the real sigil
# binary over TLS (test CA), a real docker-registry on loopback holding
# images pushed with `sigil copy` and signed with `sigil sign --key`,
# Python (ssl sockets) and curl as clients.
#
#   - slowloris: a client trickling its headers, and one trickling its
#     body, are cut off (total deadline, not per read) while a normal
#     review is answered; counted in sigil_connections_timed_out_total;
#   - 1,000 idle TLS connections: a review is still answered, and the
#     idle ones are closed by the server;
#   - the connection bound (a second server under `ulimit -n 400`):
#     connections over it are closed at once, counted in
#     sigil_connections_refused_total; served again once they are gone;
#   - bodies at the limit (answered), just over (400, one line), far over
#     (libevent's 413); malformed JSON and wrong uid types (400, one line);
#   - 10,000 containers of one image (allowed, one verification); 10,000
#     distinct images and 10,001 containers (HTTP 200, allowed:false,
#     "too many images");
#   - the registry answering 503, slow past the review's deadline, or down
#     (tests/integration/faultproxy.py): denied with the reason under an
#     enforce policy, allowed with a warning under a warn policy;
#   - the server's resident memory after all that stays bounded.
# No timing is asserted: only who was answered, who was cut, and what.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/serve_lib.sh"

S=$SIGIL
T=$(tmpdir)
cd "$T" || exit 1
export COSIGN_PASSWORD=test-pw

start_registry
DEMO=$SG_SOURCE_DIR/testdata/images/demo
$S generate-key-pair 2>/dev/null
for r in signed/app signed/many signed/f503 signed/fslow signed/fdown \
    warned/f503 warned/fslow warned/fdown; do
    $S copy "oci-dir:$DEMO" "$REG/$r:v1" >/dev/null 2>copy.err ||
        { cat copy.err >&2; echo "cannot push $r" >&2; exit 1; }
    case $r in
    signed/*) $S sign -q --key cosign.key "$REG/$r:v1" 2>/dev/null || fail "sign $r" ;;
    esac
done

# --- policies: the key on */signed/** (enforce), */warned/** (warn): the
# globs match the registry's host:port and the fault proxy's alike
key_policies pol cosign.pub "*/signed/**" "*/warned/**"

# --- a test CA and the server certificate -------------------------------
make_test_ca . || fail "make_test_ca"

# serve NAME [sigil serve args...]: starts a server on a free port (its
# log NAME.log); sets PORT, URL and SPID
serve() {
    _n=$1
    shift
    PORT=$(free_port)
    URL=https://127.0.0.1:$PORT
    $S serve --policy pol --tls-cert server.crt --tls-key server.key --no-match deny \
        --listen 127.0.0.1:$PORT "$@" 2>"$_n.log" &
    SPID=$!
    at_exit "kill $SPID 2>/dev/null; wait $SPID 2>/dev/null"
    for _ in $(seq 100); do
        [ "$(curl -s --cacert ca.crt "$URL/readyz")" = ready ] && return 0
        sleep 0.1
    done
    fail "server $_n did not become ready"
    tail -5 "$_n.log" >&2
}
C() { curl -s --cacert ca.crt --max-time 60 "$@"; }
# post URL FILE: POST FILE; the body to FILE.out, the status printed
post() { C -o "$2.out" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$2" "$1"; }
metric() { C "$URL/metrics" | sed -n "s/^$1 //p"; }
rss_kib() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$SPID/status"; }

# The raw clients (Python's ssl module, independent of sigil).
cat >clients.py <<'EOF'
import socket, ssl, sys, time, select

def tls(port):
    ctx = ssl.create_default_context(cafile="ca.crt")
    s = socket.create_connection(("127.0.0.1", port))
    return ctx.wrap_socket(s, server_hostname="127.0.0.1")

def closed(s):
    """The server closed s (EOF, reset, or TLS close): not just quiet."""
    try:
        s.setblocking(False)
        d = s.recv(1)
        return d == b""
    except (ssl.SSLWantReadError, BlockingIOError):
        return False
    except OSError:
        return True
    finally:
        try:
            s.setblocking(True)
        except OSError:
            pass

def readable(socks, secs):
    """The sockets of socks readable within secs (poll: select() stops at
    descriptor 1024)."""
    p = select.poll()
    by_fd = {}
    for s in socks:
        by_fd[s.fileno()] = s
        p.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
    return [by_fd[fd] for fd, _ in p.poll(secs * 1000)]

def slow(port, mode, out):
    """Send a request a byte every 0.5 s (headers, or a body after whole
    headers) for at most 60 s; report whether the server cut it."""
    s = tls(port)
    head = b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    if mode == "body":
        s.sendall(head + b"Content-Length: 100000\r\n\r\n")
        drip = b"{" + b" " * 1000
    else:
        s.sendall(head)
        drip = b"X-Slow: " + b"a" * 1000
    sent, t0 = 0, time.time()
    while time.time() - t0 < 60:
        try:
            s.sendall(drip[sent % len(drip):sent % len(drip) + 1])
            sent += 1
        except OSError:
            break
        if readable([s], 0.5) and closed(s):
            break
    else:
        open(out, "w").write("not cut\n")
        return
    open(out, "w").write("cut after %d bytes\n" % sent)

def idle(port, n, ready, out):
    """Open n TLS connections, say so, then wait (at most 60 s) for the
    server to close them all."""
    conns = [tls(port) for _ in range(n)]
    open(ready, "w").close()
    t0 = time.time()
    live = list(conns)
    while live and time.time() - t0 < 60:
        r = readable(live, 1.0)
        live = [s for s in live if s not in r or not closed(s)]
    open(out, "w").write("opened %d closed %d\n" % (len(conns), len(conns) - len(live)))

def overcap(port, n, out):
    """Open n TCP connections; count those the server closes within 5 s
    (without ever sending a byte)."""
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    t0 = time.time()
    shut = set()
    while time.time() - t0 < 5:
        for s in readable([s for s in conns if s not in shut], 0.5):
            if closed(s):
                shut.add(s)
    open(out, "w").write("opened %d closed %d\n" % (n, len(shut)))
    for s in conns:
        s.close()

cmd = sys.argv[1]
if cmd == "slow":
    slow(int(sys.argv[2]), sys.argv[3], sys.argv[4])
elif cmd == "idle":
    idle(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
elif cmd == "overcap":
    overcap(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
EOF

serve main
mkpod u-ok "$REG/signed/app:v1" 1 >ok.json
check "a signed image is allowed (the baseline)" test "$(post "$URL/validate" ok.json)" = 200
check "  ... allowed:true ($(field ok.json.out r))" test "$(field ok.json.out 'r["allowed"]')" = True
rss0=$(rss_kib VmRSS)

# --- slowloris: headers and body trickled; a normal client meanwhile ----
$PY clients.py slow "$PORT" headers slow-h.txt &
sh=$!
$PY clients.py slow "$PORT" body slow-b.txt &
sb=$!
sleep 2
mkpod u-during "$REG/signed/app:v1" 1 >during.json
check "a review during the slowloris is answered 200" test "$(post "$URL/validate" during.json)" = 200
check "  ... and allowed ($(field during.json.out r))" test "$(field during.json.out 'r["allowed"], r["uid"]')" = "True u-during"
wait $sh $sb
check "trickled headers: the server cut the connection ($(cat slow-h.txt))" grep -q '^cut after' slow-h.txt
check "trickled body: the server cut the connection ($(cat slow-b.txt))" grep -q '^cut after' slow-b.txt
n=$(metric sigil_connections_timed_out_total)
check "sigil_connections_timed_out_total counts them ($n)" test "${n:-0}" -ge 2
check "served after the slowloris" test "$(post "$URL/validate" ok.json)" = 200

# --- 1,000 idle TLS connections ------------------------------------------
rm -f idle.ready
$PY clients.py idle "$PORT" 1000 idle.ready idle.txt 2>idle.err &
ip=$!
for _ in $(seq 600); do [ -f idle.ready ] || [ -s idle.err ] && break; sleep 0.1; done
mkpod u-idle "$REG/signed/app:v1" 1 >idle.json
check "1,000 idle connections open: a review is answered 200" test "$(post "$URL/validate" idle.json)" = 200
check "  ... and allowed ($(field idle.json.out r))" test "$(field idle.json.out 'r["allowed"], r["uid"]')" = "True u-idle"
rss_idle=$(rss_kib VmRSS)
wait $ip
check "the 1,000 idle connections were all opened and then closed by the server ($(cat idle.txt) $(head -c 300 idle.err))" \
    test "$(cat idle.txt)" = "opened 1000 closed 1000"
n=$(metric sigil_connections_timed_out_total)
check "  ... counted as timed out ($n)" test "${n:-0}" -ge 1002

# --- bodies at and over the limit (3 MiB = 3145728 bytes) ---------------
LIMIT=3145728
pad() { # pad IN SIZE > OUT: IN's JSON followed by spaces up to SIZE bytes
    $PY -c 'import sys; d=open(sys.argv[1],"rb").read().rstrip(b"\n"); sys.stdout.buffer.write(d + b" " * (int(sys.argv[2]) - len(d)))' "$1" "$2"
}
pad ok.json $LIMIT >at.json
pad ok.json $((LIMIT + 1)) >over.json
pad ok.json $((LIMIT + 200000)) >far.json
check "a body of exactly the limit is answered 200" test "$(post "$URL/validate" at.json)" = 200
check "  ... allowed ($(field at.json.out 'r["allowed"]'))" test "$(field at.json.out 'r["allowed"]')" = True
code=$(post "$URL/validate" over.json)
check "one byte over: 400 with one line naming the limit ($code: $(head -c 200 over.json.out))" \
    test "$code" = 400 -a "$(wc -l <over.json.out)" = 1 -a \
    "$(cat over.json.out)" = "body of 3145729 bytes is over the limit of 3145728 bytes"
code=$(post "$URL/validate" far.json)
check "far over: 413 before the body is read ($code)" test "$code" = 413

# --- malformed JSON, wrong uid types: 400, one line ---------------------
bad() { # DESCRIPTION BODY EXPECTED_SUBSTRING
    printf '%s' "$2" >bad.json
    code=$(post "$URL/validate" bad.json)
    if [ "$code" = 400 ] && [ "$(wc -l <bad.json.out)" = 1 ] && grep -qF "$3" bad.json.out; then
        pass "$1: 400 \"$(cat bad.json.out)\""
    else
        fail "$1: got $code \"$(head -c 300 bad.json.out)\", wanted 400 with \"$3\""
    fi
}
H='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{'
K='"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","object":{"spec":{"containers":[{"image":"x"}]}}'
bad "not JSON" '{"apiVersion": "admission.k8s.io/v1", "kind": ' "AdmissionReview"
bad "trailing garbage" "$H\"uid\":\"a\",$K}} }" "AdmissionReview"
bad "a lone string" '"AdmissionReview"' "'[' or '{' expected"
bad "null" 'null' "AdmissionReview: invalid JSON"
bad "an array" '[1]' "AdmissionReview: expected an object"
bad "uid a number" "$H\"uid\":42,$K}}" "request.uid: expected a non-empty string"
bad "uid an array" "$H\"uid\":[\"a\"],$K}}" "request.uid: expected a non-empty string"
bad "uid an object" "$H\"uid\":{\"a\":1},$K}}" "request.uid: expected a non-empty string"
bad "uid true" "$H\"uid\":true,$K}}" "request.uid: expected a non-empty string"
bad "uid empty" "$H\"uid\":\"\",$K}}" "request.uid: expected a non-empty string"
bad "uid null" "$H\"uid\":null,$K}}" "request.uid is missing"
bad "image a number" "$H\"uid\":\"a\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":{\"spec\":{\"containers\":[{\"image\":7}]}}}}" "image: expected a string"

# --- 10,000 containers --------------------------------------------------
v0=$(metric sigil_admission_verifications_total)
mkpod u-10k "$REG/signed/many:v1" 10000 >many.json
check "10,000 containers of one signed image: 200" test "$(post "$URL/validate" many.json)" = 200
check "  ... allowed ($(field many.json.out 'r["allowed"], r["uid"]'))" test "$(field many.json.out 'r["allowed"], r["uid"]')" = "True u-10k"
v1=$(metric sigil_admission_verifications_total)
check "  ... one verification ($v0 -> $v1)" test -n "$v0" -a "$((v1 - v0))" = 1
mkpod u-distinct "$REG/signed/img{i}:v1" 10000 >distinct.json
check "10,000 distinct images: 200, a verdict and not a 400" test "$(post "$URL/validate" distinct.json)" = 200
check "  ... allowed:false, code 403, \"too many images\" ($(field distinct.json.out r))" \
    test "$(field distinct.json.out 'r["allowed"], r["uid"], r["status"]["code"], r["status"]["message"].startswith("too many images")')" = "False u-distinct 403 True"
v2=$(metric sigil_admission_verifications_total)
check "  ... nothing verified ($v1 -> $v2)" test "$v1" = "$v2"
mkpod u-10001 "$REG/signed/many:v1" 10001 >over10k.json
check "10,001 containers: 200" test "$(post "$URL/mutate" over10k.json)" = 200
check "  ... allowed:false, \"too many images\", no patch ($(field over10k.json.out 'r["allowed"], r["status"]["message"]'))" \
    test "$(field over10k.json.out 'r["allowed"], "too many images" in r["status"]["message"], "patch" in r')" = "False True False"

check "healthz after the storm" test "$(C "$URL/healthz")" = ok
rss1=$(rss_kib VmRSS)
hwm=$(rss_kib VmHWM)
echo "main server: VmRSS ${rss0} kB at start, ${rss_idle} kB with 1,000 idle connections, ${rss1} kB after; VmHWM ${hwm} kB"
if ldd "$S" 2>/dev/null | grep -q libasan || nm "$S" 2>/dev/null | grep -q __asan_init; then
    echo "note: the memory bound is not checked under ASan (shadow memory, quarantine)"
else
    check "memory bounded: peak RSS ${hwm} kB under 64 MiB" test "${hwm:-999999}" -lt 65536
    check "memory returned: RSS after the storm ${rss1} kB under 40 MiB" test "${rss1:-999999}" -lt 40960
fi
kill -TERM $SPID
wait $SPID
check "SIGTERM after the storm: exit 0" test $? = 0

# --- the connection bound: a server with few descriptors ----------------
# ulimit -n 400: fd_max 272 (accept pauses), conns_max 144 (over it: closed)
PORT=$(free_port)
URL=https://127.0.0.1:$PORT
(ulimit -n 400 && exec $S serve --policy pol --tls-cert server.crt --tls-key server.key \
    --no-match deny --listen 127.0.0.1:$PORT 2>cap.log) &
SPID=$!
at_exit "kill $SPID 2>/dev/null; wait $SPID 2>/dev/null"
for _ in $(seq 100); do
    [ "$(curl -s --cacert ca.crt "$URL/readyz")" = ready ] && break
    sleep 0.1
done
$PY clients.py overcap "$PORT" 200 cap.txt
got=$(cat cap.txt)
closed=${got##* }
check "200 connections against a bound of 144: those over it closed at once ($got)" \
    test "${closed:-0}" -ge 50 -a "${closed:-0}" -le 60
n=$(metric sigil_connections_refused_total)
check "  ... counted in sigil_connections_refused_total ($n)" test "${n:-0}" -ge 50
check "  ... and the server answers reviews once they are gone" test "$(post "$URL/validate" ok.json)" = 200
kill -TERM $SPID
wait $SPID
check "  ... SIGTERM: exit 0" test $? = 0

# --- registry faults through the fault proxy ----------------------------
# fault NAME PROXY_ARGS: a server whose images are behind a fault proxy;
# reviews of PROXY/signed/fNAME (enforce) and PROXY/warned/fNAME (warn)
# with ?timeout=4s (answered before 3 s)
fault() {
    _name=$1
    shift
    start_faultproxy "$@" || { fail "fault proxy $_name"; return; }
    serve "f$_name"
    mkpod "u-e-$_name" "$PROXY/signed/f$_name:v1" 1 >"e-$_name.json"
    mkpod "u-w-$_name" "$PROXY/warned/f$_name:v1" 1 >"w-$_name.json"
    [ -n "${DOWN:-}" ] && kill "$_ppid" && wait "$_ppid" 2>/dev/null
    code=$(post "$URL/validate?timeout=4s" "e-$_name.json")
    check "registry $_name, enforce: 200 denied 403 naming the image ($code: $(field "e-$_name.json.out" r))" \
        test "$code" = 200 -a "$(field "e-$_name.json.out" 'r["allowed"], r["status"]["code"], "signed/f'"$_name"':v1" in r["status"]["message"]')" = "False 403 True"
    code=$(post "$URL/validate?timeout=4s" "w-$_name.json")
    check "registry $_name, warn: allowed with a warning naming the image ($code: $(field "w-$_name.json.out" r))" \
        test "$code" = 200 -a "$(field "w-$_name.json.out" 'r["allowed"], len(r["warnings"]), "warned/f'"$_name"':v1" in r["warnings"][0]')" = "True 1 True"
    E503=$(field "e-$_name.json.out" 'r["status"]["message"]')
    kill -TERM $SPID
    wait $SPID
    check "registry $_name: SIGTERM, exit 0" test $? = 0
}
fault 503 --fail-all
# (the registry client retries a 503 until the review's deadline)
check "  ... the 503 reason says the tag could not be resolved ($E503)" \
    grep -q "cannot resolve tag v1" <<<"$E503"
check "  ... and names the registry's answer, HTTP 503" \
    grep -q "HTTP 503" <<<"$E503"
fault slow --delay-ms 6000
# the registry client's own deadline (the review's) ends the slow call
check "  ... the slow reason says it timed out ($E503)" \
    grep -Eq "timed out|did not finish in time" <<<"$E503"
DOWN=1 fault down
check "  ... the down reason says the tag could not be resolved ($E503)" \
    grep -q "cannot resolve tag v1" <<<"$E503"
finish
