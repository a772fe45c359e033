# The layer cache of sigil sbom (docs/cache.md): warm equals cold byte for
# byte for every fixture image and format; a hit reads no layer blob (the
# blobs are deleted from the layout, and GETs are counted through the fault
# proxy); removed, truncated, bit-flipped and foreign entries are rescanned
# with a warning; whiteouts across cached and fresh layers; two processes
# filling one cache; the size bound; --no-cache writes nothing; sigil cache
# ls/prune/clean.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

FX=$SG_FIXTURES/sbom
T=$(tmpdir)
export SOURCE_DATE_EPOCH=1700000000
command -v skopeo >/dev/null || skip_all "skopeo missing"
[ -f "$FX/dpkg-real/index.json" ] || skip_all "sbom fixtures missing (testdata/make-fixtures.sh)"
VALIDATE="$PY $SG_SOURCE_DIR/tests/schema_validate.py"

# scan SRC CACHE OUTPREFIX [args...]: the three formats at once; exit status
scan() {
    _src=$1 _c=$2 _o=$3
    shift 3
    "$SIGIL" sbom "$_src" --cache-dir "$_c" -o "spdx-json=$_o.spdx.json" \
        -o "cyclonedx-json=$_o.cdx.json" -o "table=$_o.table" "$@" 2>"$_o.err"
}
# same3 DESC A B: the three documents of A and B are equal byte for byte
same3() {
    for f in spdx.json cdx.json table; do
        if ! cmp -s "$2.$f" "$3.$f"; then
            fail "$1 ($f differs)"
            diff "$2.$f" "$3.$f" | head -10 >&2
            return
        fi
    done
    pass "$1"
}
# layers LAYOUT: the layer digests of every image manifest in an OCI layout
layers() {
    $PY - "$1" <<'EOF'
import json, os, sys
root = sys.argv[1]
def blob(d):
    return json.load(open(os.path.join(root, "blobs", "sha256", d[7:])))
def walk(desc):
    m = blob(desc["digest"])
    if "manifests" in m:
        for x in m["manifests"]:
            walk(x)
    else:
        for l in m.get("layers", []):
            print(l["digest"])
for d in json.load(open(os.path.join(root, "index.json")))["manifests"]:
    walk(d)
EOF
}
# entry CACHE DIGEST: the entry file holding that layer
entry() {
    grep -l -F "$2" "$1"/*.layer 2>/dev/null | head -1
}

# --- warm == cold for every fixture image, every format; a hit reads no
# layer blob: the warm run is made on the layout with its layers deleted --
n_images=0
for idx in $(find "$SG_FIXTURES/" -maxdepth 3 -name index.json | sort); do # (/: a symlinked fixtures dir)
    src=$(dirname "$idx")
    name=$(echo "${src#"$SG_FIXTURES"/}" | tr / _)
    L=$T/img/$name
    mkdir -p "$T/img"
    cp -a "$src" "$L"
    C=$T/cache.$name
    scan "oci-dir:$L" "$C" "$T/$name.none" --no-cache
    rc_none=$?
    scan "oci-dir:$L" "$C" "$T/$name.cold"
    rc_cold=$?
    if [ "$rc_none" != "$rc_cold" ]; then
        fail "$name: --no-cache exit $rc_none, cold exit $rc_cold"
        continue
    fi
    if [ "$rc_cold" != 0 ]; then
        # a bad image (bomb, truncated layer...): fails warm as cold, with
        # the same message, and its bad layer is not cached
        scan "oci-dir:$L" "$C" "$T/$name.warm"
        rc_warm=$?
        if [ "$rc_warm" = "$rc_cold" ] &&
            [ "$(tail -1 "$T/$name.cold.err")" = "$(tail -1 "$T/$name.warm.err")" ]; then
            pass "$name: fails warm as cold (exit $rc_cold)"
        else
            fail "$name: cold exit $rc_cold, warm exit $rc_warm"
            tail -2 "$T/$name.cold.err" "$T/$name.warm.err" >&2
        fi
        continue
    fi
    n_images=$((n_images + 1))
    same3 "$name: cold equals --no-cache" "$T/$name.none" "$T/$name.cold"
    for d in $(layers "$L"); do
        rm -f "$L/blobs/sha256/${d#sha256:}"
    done
    scan "oci-dir:$L" "$C" "$T/$name.warm"
    rc_warm=$?
    if [ "$rc_warm" != 0 ]; then
        fail "$name: warm scan without the layer blobs: exit $rc_warm"
        cat "$T/$name.warm.err" >&2
        continue
    fi
    same3 "$name: warm (no layer blob left) equals cold" "$T/$name.cold" "$T/$name.warm"
    # the warnings of the layers' scans are given again on a hit
    if diff <(sort -u "$T/$name.cold.err") <(sort -u "$T/$name.warm.err") >/dev/null; then
        pass "$name: same warnings warm as cold"
    else
        fail "$name: warnings differ"
        diff "$T/$name.cold.err" "$T/$name.warm.err" | head -5 >&2
    fi
    # and without the cache the layout really is unreadable now
    if scan "oci-dir:$L" "$C" "$T/$name.gone" --no-cache; then
        fail "$name: --no-cache scan succeeded without layer blobs"
    else
        pass "$name: --no-cache needs the deleted blobs (the warm run did not read them)"
    fi
done
[ "$n_images" -ge 10 ] && pass "$n_images fixture images compared" ||
    fail "only $n_images fixture images compared"
check "warm SPDX valid" $VALIDATE spdx "$T/sbom_dpkg-real.warm.spdx.json"
check "warm CycloneDX valid" $VALIDATE cyclonedx "$T/sbom_dpkg-real.warm.cdx.json"

# --- damaged entries: rescanned, a warning, the same SBOM -----------------
C=$T/dmg
scan "oci-dir:$FX/dpkg-real" "$C" "$T/dmg.cold" || fail "dmg: cold scan"
scan "oci-dir:$FX/wh-replace" "$C" "$T/dmg.other" || fail "dmg: other image"
big=$(layers "$FX/dpkg-real" | head -1)
other=$(layers "$FX/wh-replace" | tail -1)
for how in remove truncate bitflip header foreign; do
    e=$(entry "$C" "$big")
    [ -n "$e" ] || { fail "$how: no entry for $big"; continue; }
    case $how in
    remove) rm -f "$e" ;;
    truncate) truncate -s $(($(stat -c %s "$e") / 2)) "$e" ;;
    bitflip | header)
        off=$(($(stat -c %s "$e") - 100))
        [ "$how" = header ] && off=2
        $PY - "$e" "$off" <<'EOF'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[off] ^= 0x04
open(p, "wb").write(bytes(b))
EOF
        ;;
    foreign) cp "$(entry "$C" "$other")" "$e" ;;
    esac
    scan "oci-dir:$FX/dpkg-real" "$C" "$T/dmg.$how" || fail "$how: warm scan failed"
    same3 "$how entry: identical SBOM" "$T/dmg.cold" "$T/dmg.$how"
    if [ "$how" = remove ]; then
        if grep -q "layer cache" "$T/dmg.$how.err"; then fail "remove: unexpected warning"; else pass "remove: no warning"; fi
    else
        check "$how entry: warning names the layer, then rescanned" \
            grep -q "warning: layer cache: entry .* of layer $big: .*; scanning the layer again" "$T/dmg.$how.err"
    fi
    case $how in
    truncate) check "truncate: says truncated" grep -q "truncated" "$T/dmg.$how.err" ;;
    bitflip) check "bitflip: says digest mismatch" grep -q "digest mismatch" "$T/dmg.$how.err" ;;
    foreign) check "foreign: says another layer" grep -q "entry of another layer" "$T/dmg.$how.err" ;;
    esac
    # rescanned and stored again: the next run is a clean hit
    scan "oci-dir:$FX/dpkg-real" "$C" "$T/dmg.$how.again" || fail "$how: again"
    if grep -q "layer cache" "$T/dmg.$how.again.err"; then
        fail "$how: entry not repaired"
    else
        pass "$how: entry repaired by the rescan"
    fi
done

# --- whiteouts across cached and fresh layers -----------------------------
# wh-delete = [A, U: .wh.status]; X = [A, V: another status]; Y = [B, U];
# Z = [B, V] (A, B bases with dpkg databases; U deletes, V replaces).
$PY - "$SG_SOURCE_DIR/testdata/fixtures" "$T/wh" <<'EOF' || fail "whiteout images"
import os, sys
sys.argv = [sys.argv[0], sys.argv[2], sys.argv[1]]
sys.path.insert(0, sys.argv[2])
import sbom_images as S
st = S.stanza
A = S.debian_base() + [("var/lib/dpkg/status", st("aaa", "1.0") + st("bbb", "1.0"))]
B = S.debian_base() + [("var/lib/dpkg/status", st("ddd", "1.0") + st("eee", "1.0"))]
U = [("var/lib/dpkg/.wh.status", b"")]
V = [("var/lib/dpkg/status", st("aaa", "1.0") + st("ccc", "3.0"))]
for name, ls in [("X", [A, V]), ("Y", [B, U]), ("Z", [B, V]), ("W", [A, U])]:
    S.simple(os.path.join(sys.argv[1], name), ls)
EOF
# W is wh-delete, rebuilt: the same blobs
[ "$(layers "$T/wh/W")" = "$(layers "$FX/wh-delete")" ] && pass "W shares wh-delete's layers" ||
    fail "W and wh-delete differ (not deterministic?)"
C=$T/whc
debs() { # the deb packages in a table output, one "name version" a line
    awk 'NR > 1 && $NF == "deb" { print $1, $2 }' "$1" | sort | tr '\n' ' '
}
scan "oci-dir:$FX/wh-delete" "$C" "$T/wh.W" || fail "wh: W"
[ -z "$(debs "$T/wh.W.table")" ] && pass "W: status deleted" || fail "W: $(debs "$T/wh.W.table")"
for img in X Y Z; do
    scan "oci-dir:$T/wh/$img" "$T/whnone" "$T/wh.$img.none" --no-cache || fail "wh: $img --no-cache"
    scan "oci-dir:$T/wh/$img" "$C" "$T/wh.$img" || fail "wh: $img"
    same3 "whiteouts, $img (cached and fresh layers) equals --no-cache" "$T/wh.$img.none" "$T/wh.$img"
done
# X: lower A cached (from W), upper V fresh; Y: upper U cached, lower B
# fresh; Z: both cached (B from Y, V from X)
[ "$(debs "$T/wh.X.table")" = "aaa 1.0 ccc 3.0 " ] && pass "X: fresh upper replaces the cached lower database" ||
    fail "X: $(debs "$T/wh.X.table")"
[ -z "$(debs "$T/wh.Y.table")" ] && pass "Y: cached upper whiteout deletes the fresh lower database" ||
    fail "Y: $(debs "$T/wh.Y.table")"
[ "$(debs "$T/wh.Z.table")" = "aaa 1.0 ccc 3.0 " ] && pass "Z: both layers cached" ||
    fail "Z: $(debs "$T/wh.Z.table")"
scan "oci-dir:$T/wh/Y" "$C" "$T/wh.Y.all" --scope all-layers || fail "wh: Y all-layers"
scan "oci-dir:$T/wh/Y" "$T/whnone" "$T/wh.Y.all.none" --scope all-layers --no-cache
same3 "Y --scope all-layers: warm equals --no-cache" "$T/wh.Y.all.none" "$T/wh.Y.all"
check "Y all-layers: the deleted packages are listed" grep -q "ddd" "$T/wh.Y.all.table"

# --- registry: a hit fetches no layer blob; two images sharing a base -----
start_registry
for img in dpkg-real wh-replace wh-delete; do
    skopeo copy --retry-times 3 --quiet --dest-tls-verify=false "oci:$FX/$img:latest" \
        "docker://$REG/$img:latest" || fail "skopeo copy $img"
done
start_faultproxy || fail "fault proxy"
C=$T/regc
blob_gets() { # blob_gets DIGEST...: GETs of those blobs in the proxy log
    _n=0
    for _d in "$@"; do
        _n=$((_n + $(grep -c "^GET /v2/.*/blobs/$_d " "$PROXY_DIR/proxy.log")))
    done
    echo "$_n"
}
L=$(layers "$FX/dpkg-real")
scan "$PROXY/dpkg-real:latest" "$C" "$T/reg.cold" --insecure-registry "$PROXY" || fail "registry cold"
n_cold=$(blob_gets $L)
scan "$PROXY/dpkg-real:latest" "$C" "$T/reg.warm" --insecure-registry "$PROXY" || fail "registry warm"
n_warm=$(blob_gets $L)
[ "$n_cold" -ge 2 ] && [ "$n_warm" = "$n_cold" ] &&
    pass "registry: cold fetched the layers ($n_cold GETs), warm none" ||
    fail "registry: layer GETs cold $n_cold, after warm $n_warm"
same3 "registry: warm equals cold" "$T/reg.cold" "$T/reg.warm"
check "registry: the config is still fetched" grep -q "^GET /v2/dpkg-real/manifests/latest" "$PROXY_DIR/proxy.log"
base=$(layers "$FX/wh-replace" | head -1)
[ "$base" = "$(layers "$FX/wh-delete" | head -1)" ] || fail "wh-replace and wh-delete do not share a base"
scan "$PROXY/wh-replace:latest" "$C" "$T/reg.r" --insecure-registry "$PROXY" || fail "wh-replace"
scan "$PROXY/wh-delete:latest" "$C" "$T/reg.d" --insecure-registry "$PROXY" || fail "wh-delete"
[ "$(blob_gets "$base")" = 1 ] && pass "shared base fetched once for two images" ||
    fail "shared base fetched $(blob_gets "$base") times"
[ "$(blob_gets "$(layers "$FX/wh-delete" | tail -1)")" = 1 ] && pass "the second image's own layer fetched" ||
    fail "second image's own layer"

# --- two processes filling one cache at once ------------------------------
C=$T/conc
for img in dpkg-real wh-replace wh-delete; do
    scan "oci-dir:$FX/$img" "$C" "$T/ref.$img" --no-cache || fail "ref $img"
done
pids=""
for i in 1 2; do
    for img in dpkg-real wh-replace wh-delete; do
        scan "oci-dir:$FX/$img" "$C" "$T/conc.$i.$img" &
        pids="$pids $!"
    done
done
# (only these: a bare `wait` would wait for the registry too)
for p in $pids; do wait "$p" || fail "concurrent scan $p"; done
ok=1
for i in 1 2; do
    for img in dpkg-real wh-replace wh-delete; do
        same3 "concurrent $i: $img equals --no-cache" "$T/ref.$img" "$T/conc.$i.$img"
        grep -q "layer cache" "$T/conc.$i.$img.err" && ok=0
    done
done
[ "$ok" = 1 ] && pass "concurrent: no cache warning" || fail "concurrent: warnings"
n_layers=$(for img in dpkg-real wh-replace wh-delete; do layers "$FX/$img"; done | sort -u | wc -l)
[ "$(ls "$C"/*.layer | wc -l)" = "$n_layers" ] && pass "concurrent: one entry per distinct layer ($n_layers)" ||
    fail "concurrent: $(ls "$C" | wc -l) files for $n_layers layers"
[ -z "$(ls "$C" | grep -v '\.layer$')" ] && pass "concurrent: no temp file left" || fail "concurrent: leftovers: $(ls "$C")"
[ "$(stat -c %a "$C")" = 700 ] && pass "cache directory mode 0700" || fail "mode $(stat -c %a "$C")"
[ "$(stat -c %a "$(ls "$C"/*.layer | head -1)")" = 600 ] && pass "entries mode 0600" || fail "entry mode"

# --- size bound, ls, prune, clean ------------------------------------------
C=$T/bound
scan "oci-dir:$FX/wh-replace" "$C" "$T/b1" --cache-max-size 1M || fail "bound: wh-replace"
small=$(du -cb "$C"/*.layer | tail -1 | cut -f1)
scan "oci-dir:$FX/dpkg-real" "$C" "$T/b2" --cache-max-size 1M || fail "bound: dpkg-real"
total=$(du -cb "$C"/*.layer | tail -1 | cut -f1)
[ "$total" -le 1048576 ] && pass "bound: $total bytes <= 1 MiB" || fail "bound: $total bytes"
"$SIGIL" cache ls --cache-dir "$C" >"$T/ls" || fail "cache ls"
check "ls: the total line" grep -q "^[0-9]* entr.*in $C\$" "$T/ls"
check "ls: dpkg-real's big layer (the newest) is kept" grep -q "^$big " "$T/ls"
n_before=$(ls "$C"/*.layer | wc -l)
"$SIGIL" cache prune --cache-dir "$C" --max-size 1K >"$T/prune" || fail "prune"
total=$(du -cb "$C"/*.layer 2>/dev/null | tail -1 | cut -f1)
[ "${total:-0}" -le 1024 ] && pass "prune --max-size 1K: $total bytes left" || fail "prune: $total bytes"
check "prune: says what it removed" grep -q "^removed [1-9][0-9]* entr" "$T/prune"
scan "oci-dir:$FX/dpkg-real" "$C" "$T/b3" || fail "bound: refill"
"$SIGIL" cache clean --cache-dir "$C" >/dev/null || fail "clean"
[ -z "$(ls "$C")" ] && pass "clean: empty" || fail "clean left $(ls "$C")"
expect_usage() { "$@" >/dev/null 2>&1; [ $? = 2 ]; }
check "cache: bad subcommand is a usage error" expect_usage "$SIGIL" cache frob --cache-dir "$C"
check "cache prune --max-size 1x is a usage error" expect_usage "$SIGIL" cache prune --max-size 1x --cache-dir "$C"
check "sbom --cache-max-size 0 is a usage error" expect_usage "$SIGIL" sbom "oci-dir:$FX/apk" --cache-max-size 0

# --- defaults: XDG_CACHE_HOME, HOME; --no-cache writes nothing ------------
X=$(tmpdir)
XDG_CACHE_HOME=$X/xdg "$SIGIL" sbom "oci-dir:$FX/apk" -o table --no-cache >/dev/null 2>&1 || fail "no-cache run"
[ ! -e "$X/xdg" ] && pass "--no-cache writes nothing" || fail "--no-cache wrote $(find "$X/xdg")"
XDG_CACHE_HOME=$X/xdg "$SIGIL" sbom "oci-dir:$FX/apk" -o table >/dev/null 2>&1 || fail "xdg run"
ls "$X"/xdg/sigil/*.layer >/dev/null 2>&1 && pass "default: \$XDG_CACHE_HOME/sigil" || fail "nothing in \$XDG_CACHE_HOME/sigil"
env -u XDG_CACHE_HOME HOME="$X/home" "$SIGIL" sbom "oci-dir:$FX/apk" -o table >/dev/null 2>&1 || fail "home run"
ls "$X"/home/.cache/sigil/*.layer >/dev/null 2>&1 && pass "default: ~/.cache/sigil" || fail "nothing in ~/.cache/sigil"
env -u XDG_CACHE_HOME HOME="$X/home" "$SIGIL" cache ls >"$T/ls2" || fail "ls default dir"
check "cache ls finds the default directory" grep -q "in $X/home/.cache/sigil\$" "$T/ls2"

finish
