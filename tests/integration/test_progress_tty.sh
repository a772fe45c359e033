#!/bin/bash
# Progress lines: with stderr on a terminal (a pty from python3's pty
# module), copy and sbom print one line per blob as it finishes, in
# human units with a rate ("sha256:0123456789ab… 152.1 KiB  40.2 MiB/s
# done"), and leave no half-drawn live line behind; with stderr not a
# terminal, or with -q (before or after the command), nothing; commands
# without progress (download) draw nothing even on a terminal.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

T=$(tmpdir)
cp -r "$SG_SOURCE_DIR/testdata/images/demo" "$T/demo"
IMG=oci-dir:$T/demo

# on_tty OUT ERR CMD...: run CMD with stderr on a pty (stdout to OUT),
# the bytes the terminal received to ERR; returns CMD's exit status.
on_tty() {
    $PY - "$@" <<'PYEOF'
import os, pty, subprocess, sys
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
master, slave = pty.openpty()
with open(out, "wb") as o:
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=slave)
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the child closed the pty
        break
    if not chunk:
        break
    data += chunk
rc = p.wait()
open(err, "wb").write(data)
sys.exit(rc)
PYEOF
}

# blobs_of LAYOUT: the config and layer digests of its "latest" manifest.
blobs_of() {
    $PY - "$1" <<'PYEOF'
import json, os, sys
root = sys.argv[1]
idx = json.load(open(os.path.join(root, "index.json")))
d = idx["manifests"][0]["digest"]
m = json.load(open(os.path.join(root, "blobs", *d.split(":"))))
for x in [m["config"]] + m["layers"]:
    print(x["digest"])
PYEOF
}

# done_lines ERR BLOB...: every blob has exactly one finished line in
# human units with a rate, nothing else is left on the last line.
done_lines() {
    $PY - "$@" <<'PYEOF'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8")
want = sys.argv[2:]
unit = r"\d+(?:\.\d)? (?:B|KiB|MiB|GiB|TiB)"
line = re.compile(r"^(sha256:[0-9a-f]{12})\u2026 (%s)  (%s)/s  done$" % (unit, unit))
# What stays on screen: each \r\x1b[K erases the line drawn so far.
screen = [l.split("\r\x1b[K")[-1].rstrip("\r") for l in data.split("\n")]
assert screen[-1] == "", "live line left behind: %r" % screen[-1]
done = {}
for l in screen[:-1]:
    m = line.match(l)
    if m:
        assert m.group(1) not in done, "twice: %r" % l
        done[m.group(1)] = l
for d in want:
    assert d[:19] in done, "no line for %s in %r" % (d, screen)
assert len(done) == len(want), done
print("\n".join(done.values()))
PYEOF
}

mapfile -t BLOBS < <(blobs_of "$T/demo")
check "demo image has config + layers" test "${#BLOBS[@]}" -ge 2

on_tty "$T/out" "$T/err" "$SIGIL" copy "$IMG" "oci-dir:$T/copy1"
check "copy on a tty: exit 0" test $? -eq 0
check "copy on a tty: one 'done' line per blob, human units and rate" \
    done_lines "$T/err" "${BLOBS[@]}"
check "copy on a tty: stdout is only the digest" \
    grep -qx "sha256:[0-9a-f]\{64\}" "$T/out"

"$SIGIL" copy "$IMG" "oci-dir:$T/copy2" >"$T/out" 2>"$T/err"
check "copy, stderr not a tty: exit 0" test $? -eq 0
check "copy, stderr not a tty: nothing on stderr" test ! -s "$T/err"

on_tty "$T/out" "$T/err" "$SIGIL" -q copy "$IMG" "oci-dir:$T/copy3"
check "sigil -q copy on a tty: nothing drawn" test ! -s "$T/err"
on_tty "$T/out" "$T/err" "$SIGIL" copy -q "$IMG" "oci-dir:$T/copy4"
check "copy -q on a tty: nothing drawn" test ! -s "$T/err"

on_tty "$T/out" "$T/err" "$SIGIL" sbom -o "spdx-json=$T/sbom.json" "$IMG"
check "sbom on a tty: exit 0" test $? -eq 0
check "sbom on a tty: one 'done' line per blob" \
    done_lines "$T/err" "${BLOBS[@]}"
on_tty "$T/out" "$T/err" "$SIGIL" sbom -q -o "spdx-json=$T/sbom.json" "$IMG"
check "sbom -q on a tty: nothing drawn" test ! -s "$T/err"
"$SIGIL" sbom -o "spdx-json=$T/sbom.json" "$IMG" 2>"$T/err" >/dev/null
check "sbom, stderr not a tty: nothing on stderr" test ! -s "$T/err"

# download reads blobs too, but draws no progress.
"$SIGIL" attach sbom --sbom "$T/sbom.json" "$IMG" >/dev/null 2>&1
on_tty "$T/out" "$T/err" "$SIGIL" download sbom "$IMG"
check "download sbom on a tty: exit 0, no progress" \
    test $? -eq 0 -a ! -s "$T/err"
finish
