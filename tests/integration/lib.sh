# Shared helpers for integration tests (sourced, bash).
#
#   start_registry [plain]   -> sets REG (host:port), REG_DIR; stopped on exit
#   (tls/basic/token variants: see start_registry_* below, added by the
#    registry tests)
#   fail MSG / pass MSG / expect_fail CMD... / tmpdir
#
# Every registry is Debian's real docker-registry (CNCF distribution) on
# 127.0.0.1 with a free port and temporary storage. Never a mock.
set -u

: "${SIGIL:?SIGIL must point at the sigil binary}"
: "${SG_SOURCE_DIR:?}"
SG_TESTDATA=$SG_SOURCE_DIR/testdata   # vendored vectors (PROVENANCE.md)
SG_FIXTURES=${SG_FIXTURES:-$SG_SOURCE_DIR/build/fixtures}
PY=/usr/bin/python3

_sg_cleanup_cmds=""
_sg_cleanup() {
    eval "$_sg_cleanup_cmds"
}
trap _sg_cleanup EXIT
at_exit() {
    _sg_cleanup_cmds="$1; $_sg_cleanup_cmds"
}

TESTS_FAILED=0
TESTS_PASSED=0
fail() {
    echo "FAIL: $*" >&2
    TESTS_FAILED=$((TESTS_FAILED + 1))
}
pass() {
    echo "ok: $*"
    TESTS_PASSED=$((TESTS_PASSED + 1))
}
# check DESCRIPTION COMMAND...: passes when the command exits 0
check() {
    d=$1
    shift
    if "$@"; then pass "$d"; else fail "$d"; fi
}
# skip_part MSG: a part that needs something absent (generated fixtures)
# is skipped with MSG; finish then exits 77, which CTest reports as skipped.
TESTS_SKIPPED=""
skip_part() {
    echo "SKIP: $*" >&2
    TESTS_SKIPPED="$TESTS_SKIPPED $*;"
}
# skip_all MSG: nothing to run without it (exit 77 = skipped)
skip_all() {
    echo "SKIP: $*" >&2
    exit 77
}
# finish: print the closing line and exit non-zero on any failure (77
# when everything ran passed but a part was skipped)
finish() {
    echo "$TESTS_PASSED passed, $TESTS_FAILED failed${TESTS_SKIPPED:+, skipped:$TESTS_SKIPPED}"
    [ "$TESTS_FAILED" -eq 0 ] || exit 1
    [ -z "$TESTS_SKIPPED" ] || exit 77
    exit 0
}

# tmpdir: a fresh directory, removed when the test exits. Callers use
# `X=$(tmpdir)`, a subshell, where an at_exit would be lost; so every
# directory lives under one root made (and registered) here, in the test's
# own shell, when lib.sh is sourced.
_sg_tmp_root=$(mktemp -d "${TMPDIR:-/tmp}/sigil-it.XXXXXX")
at_exit "rm -rf '$_sg_tmp_root'"
# Each test has its own layer cache (sigil sbom's default location), so no
# test reads what another, or the user's ~/.cache, left there.
export XDG_CACHE_HOME="$_sg_tmp_root/xdg-cache"
tmpdir() {
    mktemp -d "$_sg_tmp_root/d.XXXXXX"
}

# free_port: a port that is free now, drawn at random BELOW the kernel's
# ephemeral range. A port from bind(0) is an ephemeral one: between our
# close and the server's bind, any outgoing connection on the machine (the
# other tests' sigil, curl...) may take it as its local port, and the server
# then fails to start. Ports under the range are never handed out that way.
free_port() {
    $PY - <<'PYEOF'
import random, socket
lo = 32768
try:
    lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError):
    pass
for _ in range(200):
    port = random.randrange(max(1024, lo - 12000), lo)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port")
PYEOF
}

# wait_http URL [curl args...]: until it answers (any HTTP status)
wait_http() {
    url=$1
    shift
    for _ in $(seq 1 100); do
        if curl -s -o /dev/null "$@" "$url"; then return 0; fi
        sleep 0.1
    done
    echo "registry at $url did not start" >&2
    return 1
}

# start_registry_with_config EXTRA_YAML: starts docker-registry with the
# given extra top-level YAML (http.tls / auth sections); sets REG, REG_DIR.
start_registry_with_config() {
    extra_http=$1
    extra_top=$2
    REG_DIR=$(tmpdir)
    port=$(free_port)
    REG="127.0.0.1:$port"
    cat >"$REG_DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$extra_http
$extra_top
YAML
    docker-registry serve "$REG_DIR/config.yml" >"$REG_DIR/log" 2>&1 &
    pid=$!
    at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
}

start_registry() {
    start_registry_with_config "" ""
    wait_http "http://$REG/v2/"
}

# ---- registry fixtures with TLS and auth (appended by the registry tests)

# make_test_ca DIR: a self-signed CA (DIR/ca.crt) and a server certificate
# for 127.0.0.1 and localhost signed by it (DIR/server.crt, server.key).
make_test_ca() {
    d=$1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -days 2 -subj "/CN=sigil test CA" -keyout "$d/ca.key" \
        -out "$d/ca.crt" >/dev/null 2>&1 || return 1
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=127.0.0.1" -keyout "$d/server.key" \
        -out "$d/server.csr" >/dev/null 2>&1 || return 1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' \
        >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
        -CAcreateserial -days 2 -extfile "$d/server.ext" \
        -out "$d/server.crt" >/dev/null 2>&1
}

# start_registry_tls_basic USER PASSWORD: TLS (certificate from a CA this
# fixture makes: $REG_CA) plus htpasswd Basic auth. Sets REG, REG_DIR,
# REG_CA.
start_registry_tls_basic() {
    _certs=$(tmpdir)
    make_test_ca "$_certs" || { echo "make_test_ca failed" >&2; return 1; }
    htpasswd -Bbn "$1" "$2" >"$_certs/htpasswd" || return 1
    REG_CA=$_certs/ca.crt
    start_registry_with_config "  tls:
    certificate: $_certs/server.crt
    key: $_certs/server.key" "auth:
  htpasswd:
    realm: sigil-test
    path: $_certs/htpasswd"
    wait_http "https://$REG/v2/" --cacert "$REG_CA"
}

# start_registry_token USER PASSWORD [tokenserver args...]: plain HTTP
# registry with `auth: token`, served by tests/integration/tokenserver.py
# on another free port. Sets REG, REG_DIR, TOKEN_DIR (token.log there).
start_registry_token() {
    _user=$1
    _pw=$2
    shift 2
    TOKEN_DIR=$(tmpdir)
    _tport=$(free_port)
    $PY "$SG_SOURCE_DIR/tests/integration/tokenserver.py" --port "$_tport" \
        --dir "$TOKEN_DIR" --user "$_user" --password "$_pw" "$@" \
        >"$TOKEN_DIR/server.log" 2>&1 &
    _tpid=$!
    at_exit "kill $_tpid 2>/dev/null; wait $_tpid 2>/dev/null"
    for _ in $(seq 1 100); do
        [ -f "$TOKEN_DIR/token.ready" ] && break
        sleep 0.1
    done
    [ -f "$TOKEN_DIR/token.ready" ] || {
        echo "token server did not start" >&2
        cat "$TOKEN_DIR/server.log" >&2
        return 1
    }
    start_registry_with_config "" "auth:
  token:
    realm: http://127.0.0.1:$_tport/token
    service: sigil-test
    issuer: sigil-test-issuer
    rootcertbundle: $TOKEN_DIR/token.crt"
    wait_http "http://$REG/v2/"
}

# make_tiny_image DIR TAG: a small OCI layout (two layers, one of them
# 300 KiB of random bytes) built with umoci. Prints nothing.
make_tiny_image() {
    _d=$1
    _t=$2
    umoci init --layout "$_d" >/dev/null 2>&1 || return 1
    umoci new --image "$_d:$_t" >/dev/null 2>&1 || return 1
    _root=$(tmpdir)
    mkdir -p "$_root/a" "$_root/b"
    echo "hello from sigil" >"$_root/a/hello.txt"
    head -c 307200 /dev/urandom >"$_root/b/random.bin"
    umoci insert --image "$_d:$_t" "$_root/a" /etc/sigil >/dev/null 2>&1 &&
        umoci insert --image "$_d:$_t" "$_root/b" /data >/dev/null 2>&1
}

# start_faultproxy [faultproxy.py args...]: a fault-injecting proxy in
# front of $REG (tests/integration/faultproxy.py). Sets PROXY (host:port)
# and PROXY_DIR (proxy.log there).
start_faultproxy() {
    PROXY_DIR=$(tmpdir)
    _pport=$(free_port)
    PROXY="127.0.0.1:$_pport"
    $PY "$SG_SOURCE_DIR/tests/integration/faultproxy.py" --port "$_pport" \
        --upstream "$REG" --dir "$PROXY_DIR" "$@" \
        >"$PROXY_DIR/server.log" 2>&1 &
    _ppid=$!
    at_exit "kill $_ppid 2>/dev/null; wait $_ppid 2>/dev/null"
    for _ in $(seq 1 100); do
        [ -f "$PROXY_DIR/proxy.ready" ] && return 0
        sleep 0.1
    done
    echo "fault proxy did not start" >&2
    cat "$PROXY_DIR/server.log" >&2
    return 1
}

# blob_path DIGEST: the file holding a blob in $REG_DIR's storage
blob_path() {
    _h=${1#sha256:}
    echo "$REG_DIR/data/docker/registry/v2/blobs/sha256/$(echo "$_h" | cut -c1-2)/$_h/data"
}

# mkimage DIR [LAYER...]: an OCI layout tagged "latest" built by
# tests/integration/mkimage.py (LAYER: random:BYTES[:gzip] or
# text:BYTES[:gzip]). Prints the manifest digest.
mkimage() {
    $PY "$SG_SOURCE_DIR/tests/integration/mkimage.py" "$@"
}
