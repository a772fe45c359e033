# sigil sbom's Python cataloger on the fixture images of
# testdata/fixtures/python_images.py: the set of (name, version) exactly
# as /usr/bin/python3's importlib.metadata finds it in the same root
# filesystem (the layers extracted here, whiteouts applied), PEP 503
# purls, the deb CONTAINS dist relationships in SPDX against dpkg-query -S,
# whiteouts and all-layers, hostile metadata; every document validated
# against the vendored schemas.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

FX=$SG_FIXTURES/python
VALIDATE="$PY $SG_SOURCE_DIR/tests/schema_validate.py"
T=$(tmpdir)
command -v dpkg-query >/dev/null || skip_all "dpkg-query missing"
sh "$SG_SOURCE_DIR/testdata/fixtures/python.sh" "$FX" >/dev/null || fail "fixtures"

same() { # same DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then pass "$1"; else
        fail "$1"; printf 'expected:\n%s\nactual:\n%s\n' "$2" "$3" | head -60 >&2
    fi
}
sbom() { # sbom IMAGE NAME [args...]
    img=$1 name=$2
    shift 2
    "$SIGIL" sbom "oci-dir:$FX/$img" -o "spdx-json=$T/$name.spdx.json" \
        -o "cyclonedx-json=$T/$name.cdx.json" "$@" 2>"$T/$name.err"
}
valid() {
    $VALIDATE spdx "$T/$1.spdx.json" && $VALIDATE spdx-2.3.1 "$T/$1.spdx.json" &&
        $VALIDATE cyclonedx "$T/$1.cdx.json"
}
# pypi NAME: "name version [deleted]" of the pkg:pypi components
pypi() {
    jq -r '.components[] | select((.purl // "") | startswith("pkg:pypi/")) |
        [.name, .version] + (if any(.properties[]?; .name == "sigil:package:deleted")
        then ["deleted"] else [] end) | join(" ")' "$T/$1.cdx.json" | sort
}

# --- the root filesystem, extracted independently of sigil -------------
$PY - "$FX/python-app" "$T/root" <<'PYEOF' || fail "extract the layers"
import json, os, shutil, sys, tarfile, gzip, io
lay, root = sys.argv[1], sys.argv[2]
def blob(d):
    return open(os.path.join(lay, "blobs", *d.split(":")), "rb").read()
idx = json.load(open(os.path.join(lay, "index.json")))
man = json.loads(blob(idx["manifests"][0]["digest"]))
os.makedirs(root)
for l in man["layers"]:
    data = blob(l["digest"])
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf.getmembers():
            d, b = os.path.split(m.name)
            if b.startswith(".wh."):  # whiteout: delete the lower path
                p = os.path.join(root, d, b[4:])
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p)
                elif os.path.lexists(p):
                    os.remove(p)
                continue
            tf.extract(m, root, filter="tar") if hasattr(tarfile, "data_filter") else tf.extract(m, root)
PYEOF
truth=$($PY - "$T/root" <<'PYEOF'
import glob, importlib.metadata as md, sys
root = sys.argv[1]
paths = sorted(glob.glob(root + "/**/site-packages", recursive=True) +
               glob.glob(root + "/**/dist-packages", recursive=True))
for d in md.distributions(path=paths):
    print(d.metadata["Name"], d.version)
PYEOF
)
truth=$(printf '%s\n' "$truth" | sort)

# --- squashed ------------------------------------------------------------
check "app: scan" sbom python-app app
check "app: documents valid" valid app
same "app: dists = importlib.metadata over the same rootfs" "$truth" "$(pypi app)"
check "app: there are Debian, venv and /usr/local dists" \
    test "$(printf '%s\n' "$truth" | wc -l)" -gt 10
for want in "pip 23.0.1" "pip 23.0.1.post1" "legacy_tool 0.3" "Example.Lib_Name 1.0.post2"; do
    check "app: has $want" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' _ "$(pypi app)" "$want"
done
check "app: whited-out six gone" sh -c '! printf "%s\n" "$1" | grep -q "^six "' _ "$(pypi app)"
check "app: venv setuptools gone (only Debian's left)" \
    test "$(jq '[.components[] | select(.name == "setuptools")] | length' "$T/app.cdx.json")" = 1
purls=$(jq -r '.components[] | select(.name == "Example.Lib_Name" or .name == "PyYAML" or .name == "legacy_tool") | .purl' "$T/app.cdx.json" | sort)
same "app: PEP 503 purls" "pkg:pypi/example-lib-name@1.0.post2
pkg:pypi/legacy-tool@0.3
pkg:pypi/pyyaml@6.0" "$purls"
same "app: License-Expression normalised, wins over License/classifiers" \
    "Apache-2.0 OR MIT" \
    "$(jq -r '.packages[] | select(.name == "Example.Lib_Name") | .licenseDeclared' "$T/app.spdx.json")"
same "app: an MIT classifier when License is UNKNOWN" "MIT" \
    "$(jq -r '.packages[] | select(.name == "legacy_tool") | .licenseDeclared' "$T/app.spdx.json")"
same "app: every dist found by python-installed-package-cataloger" \
    "python-installed-package-cataloger" \
    "$(jq -r '.components[] | select((.purl // "") | startswith("pkg:pypi/")) | .properties[] | select(.name == "sigil:package:foundBy") | .value' "$T/app.cdx.json" | sort -u)"
same "app: every dist a LIBRARY (SPDX) / library (CycloneDX)" "LIBRARY library" \
    "$(jq -r '[.packages[] | select(any(.externalRefs[]?; .referenceLocator | startswith("pkg:pypi/"))) | .primaryPackagePurpose] | unique | join(",")' "$T/app.spdx.json") $(jq -r '[.components[] | select((.purl // "") | startswith("pkg:pypi/")) | .type] | unique | join(",")' "$T/app.cdx.json")"
check "app: the venv pip's RECORD counted" \
    test "$(jq -r '.components[] | select(.name == "pip" and .version == "23.0.1.post1") | .properties[] | select(.name == "sigil:python:recordFiles") | .value' "$T/app.cdx.json")" -gt 100

# deb CONTAINS dist: every Debian dist's owner per dpkg-query -S (this
# machine's database, the one the fixture copied) and nothing else
want=$(jq -r '.components[] | select((.purl // "") | startswith("pkg:pypi/")) |
    .properties[] | select(.name == "sigil:location:path") | .value' "$T/app.cdx.json" |
    grep '^/usr/lib/python3/dist-packages/' | while read -r p; do
        d=${p%/METADATA}; d=${d%/PKG-INFO}
        n=$($PY -c 'import sys,importlib.metadata as m; print(m.PathDistribution.at(sys.argv[1]).metadata["Name"])' "$T/root$d")
        printf '%s -> %s\n' "$(dpkg-query -S "$d" | cut -d: -f1)" "$n"
    done | sort)
got=$(jq -r '(.packages | map({key: .SPDXID, value: .name}) | from_entries) as $n |
    (.packages | map({key: .SPDXID, value: (.externalRefs // [] | map(.referenceLocator) | join(" "))}) | from_entries) as $r |
    .relationships[] | select(.relationshipType == "CONTAINS" and
        ($r[.spdxElementId] // "" | test("pkg:deb/")) and ($r[.relatedSpdxElement] // "" | test("pkg:pypi/"))) |
    "\($n[.spdxElementId]) -> \($n[.relatedSpdxElement])"' "$T/app.spdx.json" | sort)
same "app: deb CONTAINS dist = dpkg-query -S" "$want" "$got"
check "app: no venv dist has a deb parent" sh -c '! printf "%s\n" "$1" | grep -qE -- "-> (pip|legacy_tool|Example)"' _ \
    "$(printf '%s\n' "$got" | grep -v '^python3-pip -> pip$')"

# --- convert / diff keep the type ----------------------------------------
check "app: convert SPDX → CycloneDX" "$SIGIL" convert "$T/app.spdx.json" -o "cyclonedx-json=$T/conv.cdx.json"
check "app: converted CycloneDX validates" $VALIDATE cyclonedx "$T/conv.cdx.json"
same "app: converted dists keep type python" "python" \
    "$(jq -r '.components[] | select(.purl == "pkg:pypi/pyyaml@6.0") | .properties[] | select(.name == "sigil:package:type") | .value' "$T/conv.cdx.json" | sort -u)"
same "app: diff SPDX vs CycloneDX of the same scan" "0 added, 0 removed, 0 changed" \
    "$("$SIGIL" diff "$T/app.spdx.json" "$T/app.cdx.json" | tail -1)"

# --- all-layers ----------------------------------------------------------
check "app all-layers: scan" sbom python-app all --scope all-layers
check "app all-layers: documents valid" valid all
same "app all-layers: the live set plus the removed ones, deleted" \
    "$(printf '%s\npip 23.0.1 deleted\nsetuptools 66.1.1 deleted\nsix 1.16.0 deleted\n' "$truth" | sort)" \
    "$(pypi all)"

# --- cataloger mask (once the CLI has --catalogers) -----------------------
if ! "$SIGIL" sbom --help 2>&1 | grep -q -- --catalogers; then
    echo "note: sbom --catalogers not in this CLI yet, mask part not run"
else
check "app --catalogers dpkg: scan" sbom python-app dpkgonly --catalogers dpkg
same "app --catalogers dpkg: no pypi" "" "$(pypi dpkgonly)"
check "app --catalogers python: scan" sbom python-app pyonly --catalogers python
same "app --catalogers python: same dists" "$truth" "$(pypi pyonly)"
check "app --catalogers python: documents valid" valid pyonly
fi

# --- hostile -------------------------------------------------------------
check "hostile: scan succeeds" sbom python-hostile hostile
check "hostile: documents valid" valid hostile
same "hostile: only the well-formed dists" "cont 2.0
good 1.0" "$(pypi hostile)"
check "hostile: 20 MB METADATA over pkg-meta-max warned" \
    grep -q 'huge-1.0.dist-info/METADATA: larger than 16777216 bytes, not catalogued' "$T/hostile.err"
check "hostile: METADATA without Name warned" \
    grep -q 'noname-1.0.dist-info/METADATA: no Name header, skipped' "$T/hostile.err"
check "hostile: a name with control bytes warned" \
    grep -q 'ctl-1.0.dist-info/METADATA: empty or bad Name, skipped' "$T/hostile.err"
check "hostile: a body before the headers warned" \
    grep -q 'body-1.0.dist-info/METADATA: no Name header, skipped' "$T/hostile.err"
finish
