#!/bin/bash
# Java archives in an image (testdata/fixtures/java.sh builds OUT/image
# from Debian's lib*-java packages, a Spring-Boot-style fat jar with
# nested jars and a war, in three layers with whiteouts and a
# replacement; OUT/rootfs is the same image squashed). `sigil sbom` must
# report, per file, exactly the Maven coordinates `unzip -p` finds in the
# pom.properties of each archive and of every archive nested in it, the
# manifest / file-name fallbacks for archives without one, the outer
# archive CONTAINS its nested ones, valid SPDX/CycloneDX; hostile zips
# (a 10 GiB directory claim, bombs, deep nesting, an archive over
# archive-bytes-max, a huge directory) are bounded and warned about.
# (Trivy needs its downloaded Java DB for jars and fails offline, so it
# is not a reference here.)
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

F=$SG_FIXTURES/java
IMG=$F/image
[ -f "$IMG/index.json" ] && [ -d "$F/rootfs" ] ||
    skip_all "$IMG missing: generated fixture (sh testdata/make-fixtures.sh build/dev/fixtures; scripts/test.sh does it)"
command -v unzip >/dev/null || skip_all "unzip missing"
T=$(tmpdir)

# "path<TAB>group<TAB>artifact<TAB>version" for every pom.properties in
# archive $1 and, recursively, in the archives nested in it; $2: the
# path of the outermost file in the image.
expect_poms() {
    local f=$1 p=$2 e n t
    unzip -Z1 "$f" | grep -E '^META-INF/maven/[^/]+/[^/]+/pom\.properties$' |
        while IFS= read -r e; do
            unzip -p "$f" "$e" | tr -d '\r' | awk -v p="$p" '
                { k = $0; sub(/[ \t]*[=:].*/, "", k); v = $0; sub(/^[^=:]*[=:][ \t]*/, "", v) }
                k == "groupId" { g = v } k == "artifactId" { a = v } k == "version" { ver = v }
                END { print p "\t" g "\t" a "\t" ver }'
        done
    unzip -Z1 "$f" | grep -iE '\.(jar|war|ear|jpi|hpi)$' | while IFS= read -r n; do
        t=$(mktemp -p "$T")
        unzip -p "$f" "$n" >"$t"
        expect_poms "$t" "$p"
    done
}

# Same lines from a CycloneDX document, for one found-by kind.
got_java() { # file found-by
    jq -r --arg how "$2" '.components[] | select((.purl // "") | startswith("pkg:maven/"))
        | (.properties // [] | map({(.name): .value}) | add) as $p
        | select($p["java:found-by"] == $how)
        | [$p["sigil:location:path"], (.group // ""), .name, (.version // "")] | @tsv' "$1" | sort
}

"$SIGIL" sbom "oci-dir:$IMG" -o spdx-json="$T/sbom.spdx.json" \
    -o cyclonedx-json="$T/sbom.cdx.json" 2>"$T/err"
check "sbom exits 0" test $? -eq 0
check "no warnings" test ! -s "$T/err"

(cd "$F/rootfs" && find . -type f \( -iname '*.jar' -o -iname '*.war' -o -iname '*.ear' \
    -o -iname '*.jpi' -o -iname '*.hpi' \) | sort) >"$T/files"
check "the rootfs has the fixture's archives ($(wc -l <"$T/files"))" test "$(wc -l <"$T/files")" -ge 12
while IFS= read -r f; do
    expect_poms "$F/rootfs/$f" "${f#.}"
done <"$T/files" | sort >"$T/want"
got_java "$T/sbom.cdx.json" pom.properties >"$T/got"
if diff -u "$T/want" "$T/got" >"$T/d" && [ -s "$T/want" ]; then
    pass "pom.properties packages per file = unzip -p, nested included ($(wc -l <"$T/want"))"
else
    cat "$T/d" >&2
    fail "pom.properties packages differ from unzip -p"
fi
check "nested jars counted (boot.jar: 5 poms incl. inner-lib)" \
    test "$(grep -c '^/app/boot.jar' "$T/want")" -eq 5

# Archives without a pom.properties: the manifest's version (nopom),
# the file name (deep, two levels down).
got_java "$T/sbom.cdx.json" manifest >"$T/mf"
got_java "$T/sbom.cdx.json" filename >"$T/fn"
check "manifest fallback: nopom 3.1.0-mf ($(tr '\t\n' ' ;' <"$T/mf"))" \
    test "$(cat "$T/mf")" = "$(printf '/app/boot.jar\t\tnopom\t3.1.0-mf')"
check "file-name fallback: deep 2.0 ($(tr '\t\n' ' ;' <"$T/fn"))" \
    test "$(cat "$T/fn")" = "$(printf '/app/boot.jar\t\tdeep\t2.0')"

# Whiteouts and the replacement.
check "whited-out opt/old jar gone" test "$(grep -c '/opt/old/' "$T/got")" -eq 0
check "opt/lib/current.jar is slf4j-simple (layer 2), not slf4j-api" \
    test "$(grep '^/opt/lib/current.jar' "$T/got" | cut -f3 | tr '\n' ' ')" = "slf4j-simple "
check "whited-out jcl-over-slf4j gone" test "$(grep -c jcl-over-slf4j "$T/got")" -eq 0

# The outer archive CONTAINS its nested ones (SPDX relationships).
contains_of() { # name
    jq -r --arg n "$1" '(.packages | map({(.SPDXID): .}) | add) as $p
        | .relationships[] | select(.relationshipType == "CONTAINS")
        | select(($p[.spdxElementId].name // "") == $n)
        | $p[.relatedSpdxElement].name' "$T/sbom.spdx.json" | sort | tr '\n' ' '
}
n=$(contains_of boot-app)
check "boot-app CONTAINS its BOOT-INF/lib jars ($n)" \
    test "$n" = "commons-lang3 guava inner-lib nopom slf4j-api "
n=$(contains_of inner-lib)
check "inner-lib CONTAINS deep ($n)" test "$n" = "deep "
n=$(contains_of web)
check "web CONTAINS its WEB-INF/lib jars ($n)" test "$n" = "commons-io slf4j-api "

# purls, CycloneDX group, SPDX purpose
check "maven purl" grep -q '"pkg:maven/org.apache.commons/commons-lang3@3.12.0"' "$T/sbom.spdx.json"
check "CycloneDX group" test "$(jq -r '[.components[] | select(.name == "guava")][0].group' "$T/sbom.cdx.json")" = com.google.guava
check "SPDX primaryPackagePurpose LIBRARY" \
    test "$(jq -r '[.packages[] | select(.name == "guava")][0].primaryPackagePurpose' "$T/sbom.spdx.json")" = LIBRARY
check "SPDX validates" $PY "$SG_SOURCE_DIR/tests/schema_validate.py" spdx "$T/sbom.spdx.json"
check "CycloneDX validates" $PY "$SG_SOURCE_DIR/tests/schema_validate.py" cyclonedx "$T/sbom.cdx.json"

# all-layers: the deleted and replaced archives come back, marked.
"$SIGIL" sbom "oci-dir:$IMG" --scope all-layers -o cyclonedx-json="$T/all.cdx.json" 2>"$T/err2"
check "all-layers exits 0" test $? -eq 0
n=$(jq -r '.components[] | select((.purl // "") | startswith("pkg:maven/"))
    | select(any(.properties[]; .name == "sigil:package:deleted"))
    | (.properties | map({(.name): .value}) | add)["sigil:location:path"] + ":" + .name' \
    "$T/all.cdx.json" | sort | tr '\n' ' ')
check "all-layers marks the removed and replaced jars deleted ($n)" test "$n" = \
    "/opt/lib/current.jar:slf4j-api /opt/old/commons-io-2.11.0.jar:commons-io /usr/share/java/jcl-over-slf4j.jar:jcl-over-slf4j "

# dir: source (the scanner's other reader) over the squashed root: the
# same packages.
"$SIGIL" sbom "dir:$F/rootfs" -o cyclonedx-json="$T/dir.cdx.json" 2>"$T/err3"
check "sbom dir: exits 0" test $? -eq 0
got_java "$T/dir.cdx.json" pom.properties | sed 's|^|/|; s|^//|/|' >"$T/dir.got"
if diff -u "$T/want" "$T/dir.got" >"$T/d3"; then
    pass "dir: source = unzip -p too"
else
    cat "$T/d3" >&2
    fail "dir: source differs"
fi

# archive-bytes-max: boot.jar (with guava, > 3 MiB) is skipped and named.
"$SIGIL" --limit archive-bytes-max=1M sbom "oci-dir:$IMG" -o cyclonedx-json="$T/lim.cdx.json" 2>"$T/lim.err"
check "over archive-bytes-max: exits 0" test $? -eq 0
check "over archive-bytes-max: warned" grep -q "app/boot.jar: Java archive of [0-9]* bytes, over archive-bytes-max (1048576), not catalogued" "$T/lim.err"
check "over archive-bytes-max: nothing of boot.jar, web.war still read" \
    test "$(got_java "$T/lim.cdx.json" pom.properties | grep -c '^/app/boot.jar')-$(got_java "$T/lim.cdx.json" pom.properties | grep -c '^/app/web.war')" = "0-3"

# diff: what the limit hid (guava also from usr/share/java: 2.9 MB)
n=$("$SIGIL" diff -o json "$T/sbom.cdx.json" "$T/lim.cdx.json" | jq -r '[.removed[] | select(.type == "maven") | .name] | join(" ")')
check "diff lists the skipped archives' packages as removed ($n)" test "$n" = \
    "com.example/boot-app com.example/inner-lib com.google.guava/guava deep nopom"
# convert: SPDX (no group field) back to CycloneDX rebuilds the group from
# the purl
"$SIGIL" convert "$T/sbom.spdx.json" -o cyclonedx-json="$T/conv.cdx.json"
check "convert keeps maven purls and groups" test "$(jq -r '[.components[] | select(.name == "commons-lang3")] | map(.group + " " + .purl) | unique | join(";")' "$T/conv.cdx.json")" = \
    "org.apache.commons pkg:maven/org.apache.commons/commons-lang3@3.12.0"

# Hostile archives, generated here (nothing big is committed).
H=$T/hostile
mkdir -p "$H"
$PY - "$H" <<'PYEOF'
import io, os, struct, sys, zipfile, zlib
h = sys.argv[1]
POM = b"groupId=org.hostile\nartifactId=%s\nversion=1\n"

def jar(entries, path=None):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in entries:
            z.writestr(n, d)
    if path:
        open(path, "wb").write(b.getvalue())
    return b.getvalue()

def pom(a):
    return ("META-INF/maven/org.hostile/%s/pom.properties" % a, POM % a.encode())

# 1. the central directory claims a nested jar of 10 GiB (zip64 extra in
#    both headers: the local one too, as libarchive reads it)
def forged():
    name = b"BOOT-INF/lib/huge-1.jar"
    data = b"PK\x03\x04"
    big = 10 << 30
    crc = zlib.crc32(data)
    ext = struct.pack("<HHQQ", 1, 16, big, len(data))
    out = bytearray()
    p = pom("cd10g")  # written by hand: zipfile cannot forge sizes
    entries = []
    # the pom, stored
    for n, d, forge in ((p[0].encode(), p[1], False), (name, data, True)):
        off = len(out)
        e = ext if forge else b""
        out += struct.pack("<IHHHHHIIIHH", 0x04034b50, 45 if forge else 20, 0, 0, 0, 0x21,
                           zlib.crc32(d), 0xffffffff if forge else len(d),
                           0xffffffff if forge else len(d), len(n), len(e)) + n + e + d
        entries.append((n, d, forge, off))
    cd = bytearray()
    for n, d, forge, off in entries:
        e = ext if forge else b""
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e, 45 if forge else 20, 0, 0, 0, 0x21,
                          zlib.crc32(d), 0xffffffff if forge else len(d),
                          0xffffffff if forge else len(d), len(n), len(e), 0, 0, 0,
                          0o100644 << 16, off) + n + e
    cdoff = len(out)
    out += cd + struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 2, 2, len(cd), cdoff, 0)
    return bytes(out)
open(os.path.join(h, "cd10g.jar"), "wb").write(forged())

# 2. a bomb: 200 MiB of zeros deflated (~200 KiB) as a nested "jar"
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(*pom("bomb"))
    with z.open("BOOT-INF/lib/zeros-1.jar", "w", force_zip64=True) as w:
        chunk = bytes(1 << 20)
        for _ in range(200):
            w.write(chunk)
open(os.path.join(h, "bomb.jar"), "wb").write(b.getvalue())

# 3. nesting 8 deep, a pom at each level
inner = b""
for lvl in range(7, -1, -1):
    ents = [pom("level%d" % lvl)]
    if inner:
        ents.append(("lib/level%d-1.jar" % (lvl + 1), inner))
    inner = jar(ents)
open(os.path.join(h, "deep.jar"), "wb").write(inner)

# 4. a directory of 300,000 entries (over archive-entries-max), all
#    pointing at one empty stored entry (written by hand: zipfile takes
#    15 s for this)
lh = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 0, 0, 0x21, 0, 0, 0, 1, 0) + b"c"
one = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e, 20, 0, 0, 0, 0x21,
                  0, 0, 0, 1, 0, 0, 0, 0, 0o100644 << 16, 0) + b"c"
N = 300000
cd = one * N
z64 = struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, N, N, len(cd), len(lh))
loc = struct.pack("<IIQI", 0x07064b50, 0, len(lh) + len(cd), 1)
eocd = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xffff, 0xffff, len(cd), len(lh), 0)
open(os.path.join(h, "many.jar"), "wb").write(lh + cd + z64 + loc + eocd)

# 5. not a zip at all
open(os.path.join(h, "garbage.war"), "wb").write(os.urandom(4096))
PYEOF
truncate -s 65M "$H/sparse-big.jar" # 5. over archive-bytes-max (64 MiB)
"$SIGIL" sbom "dir:$H" -o cyclonedx-json="$T/h.cdx.json" 2>"$T/h.err"
check "hostile: exits 0" test $? -eq 0
check "hostile: 10 GiB directory claim named" grep -q "cd10g.jar:BOOT-INF/lib/huge-1.jar: 10737418240 bytes, over the 67108864-byte limit, not read" "$T/h.err"
check "hostile: bomb named" grep -q "bomb.jar:BOOT-INF/lib/zeros-1.jar: 209715200 bytes, over the 67108864-byte limit, not read" "$T/h.err"
check "hostile: nesting stopped at 4" grep -q "deep.jar:lib/level1-1.jar:lib/level2-1.jar:lib/level3-1.jar:lib/level4-1.jar:lib/level5-1.jar: archives nested over 4 deep, not read" "$T/h.err"
check "hostile: huge directory refused" grep -q "many.jar: zip directory of over 200000 entries (archive-entries-max), not read" "$T/h.err"
check "hostile: garbage named" grep -q "garbage.war: not a readable zip archive" "$T/h.err"
check "hostile: over archive-bytes-max named" grep -q "sparse-big.jar: Java archive of 68157440 bytes, over archive-bytes-max (67108864), not catalogued" "$T/h.err"
n=$(got_java "$T/h.cdx.json" pom.properties | cut -f3 | sort | tr '\n' ' ')
check "hostile: the readable poms still reported ($n)" test "$n" = \
    "bomb cd10g level0 level1 level2 level3 level4 "
check "hostile CycloneDX validates" $PY "$SG_SOURCE_DIR/tests/schema_validate.py" cyclonedx "$T/h.cdx.json"
finish
