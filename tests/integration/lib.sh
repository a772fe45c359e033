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
SG_SHARED_DIR=${SG_SHARED_DIR:-$SG_SOURCE_DIR/../shared}
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
# finish: print the closing line and exit non-zero on any failure
finish() {
    echo "$TESTS_PASSED passed, $TESTS_FAILED failed"
    [ "$TESTS_FAILED" -eq 0 ]
    exit $?
}

tmpdir() {
    d=$(mktemp -d "${TMPDIR:-/tmp}/sigil-it.XXXXXX")
    at_exit "rm -rf '$d'"
    echo "$d"
}

free_port() {
    $PY - <<'PYEOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
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
