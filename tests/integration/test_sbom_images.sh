# sigil sbom on the fixture images (testdata/fixtures/sbom_images.py):
# exact package sets against dpkg-query on the same real database,
# whiteouts/opaque dirs/all-layers, distroless, apk (zstd, hard link,
# clamped symlink), multi-platform, dir:, bad layers, determinism; every
# SPDX/CycloneDX document validated against the vendored schemas (testdata/spec).
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

FX=$SG_FIXTURES/sbom
VALIDATE="$PY $SG_SOURCE_DIR/tests/schema_validate.py"
T=$(tmpdir)
# the rpm parts need the generated rpm fixtures (testdata/make-fixtures.sh);
# without them sbom_links.py builds every image but links-rpm and says so
RPMDB=$SG_FIXTURES/rpm/sqlite/rpmdb.sqlite
if [ -f "$RPMDB" ]; then
    sh "$SG_SOURCE_DIR/testdata/fixtures/sbom.sh" "$FX" >/dev/null || fail "fixtures"
else
    sh "$SG_SOURCE_DIR/testdata/fixtures/sbom.sh" "$FX" >/dev/null 2>"$T/fixtures.err" ||
        grep -q 'rpmdb.sqlite missing' "$T/fixtures.err" || fail "fixtures"
fi

# sbom IMAGE [args...]: spdx + cyclonedx of oci-dir:$FX/IMAGE into $T/IMAGE.*
sbom() {
    img=$1
    shift
    "$SIGIL" sbom "oci-dir:$FX/$img" -o "spdx-json=$T/$img.spdx.json" \
        -o "cyclonedx-json=$T/$img.cdx.json" "$@" 2>"$T/$img.err"
}
valid() {
    $VALIDATE spdx "$T/$1.spdx.json" && $VALIDATE spdx-2.3.1 "$T/$1.spdx.json" &&
        $VALIDATE cyclonedx "$T/$1.cdx.json"
}
# pkgs IMAGE: "name version arch [deleted]" lines from the CycloneDX doc
pkgs() {
    $PY - "$T/$1.cdx.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for c in d.get("components", []):
    if c["type"] != "library":
        continue
    p = {x["name"]: x["value"] for x in c.get("properties", [])}
    out.append(" ".join([c["name"], c.get("version", ""),
                         p.get("sigil:package:arch", "")] +
                        (["deleted"] if p.get("sigil:package:deleted") else [])))
print("\n".join(sorted(out)))
EOF
}
same() { # same DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then pass "$1"; else
        fail "$1"; printf 'expected:\n%s\nactual:\n%s\n' "$2" "$3" | head -40 >&2
    fi
}

# --- real dpkg database vs dpkg-query ------------------------------------
check "dpkg-real: scan" sbom dpkg-real
check "dpkg-real: documents valid" valid dpkg-real
mkdir -p "$T/admin/updates" "$T/admin/info"
cp "$FX/dpkg-real.status" "$T/admin/status"
truth=$(dpkg-query --admindir="$T/admin" -W \
    -f '${db:Status-Status} ${Package} ${Version} ${Architecture}\n' |
    awk '$1 == "installed" { print $2, $3, $4 }' | sort)
n=$(printf '%s\n' "$truth" | wc -l)
[ "$n" -gt 100 ] && pass "dpkg-query sees $n installed packages" || fail "dpkg-query truth ($n)"
same "dpkg-real: name+version+arch set equals dpkg-query" "$truth" "$(pkgs dpkg-real)"
check "dpkg-real: purls pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-12, layer 0, licences" \
    $PY - "$T/dpkg-real.spdx.json" "$FX/dpkg-real" <<'EOF'
import json, sys, urllib.parse
d = json.load(open(sys.argv[1]))
idx = json.load(open(sys.argv[2] + "/index.json"))
man = json.load(open(sys.argv[2] + "/blobs/sha256/" +
                     idx["manifests"][0]["digest"][7:]))
cfg = json.load(open(sys.argv[2] + "/blobs/sha256/" +
                     man["config"]["digest"][7:]))
layer0 = cfg["rootfs"]["diff_ids"][0]
bad = 0
for p in d["packages"][1:]:
    refs = {r["referenceType"]: r["referenceLocator"] for r in p["externalRefs"]}
    purl = refs["purl"]
    base, _, q = purl.partition("?")
    want = "pkg:deb/debian/%s@%s" % (urllib.parse.quote(p["name"], safe=":~.-_"), urllib.parse.quote(p["versionInfo"], safe=":~.-_"))
    quals = dict(kv.split("=", 1) for kv in q.split("&"))
    if base != want or quals.get("distro") != "debian-12" or not quals.get("arch"):
        print("bad purl", purl, want, file=sys.stderr); bad += 1
    if not refs.get("cpe23Type", "").startswith("cpe:2.3:a:"):
        print("bad cpe", p["name"], file=sys.stderr); bad += 1
    if not p["comment"].startswith("layer: %s; path: /var/lib/dpkg/status" % layer0):
        print("bad layer", p["comment"], file=sys.stderr); bad += 1
byname = {p["name"]: p for p in d["packages"]}
lic = byname["bash"]["licenseDeclared"]
if "GPL-3.0-or-later" not in lic:
    print("bash licence", lic, file=sys.stderr); bad += 1
root = d["packages"][0]
if root["versionInfo"] != "sha256:" + root["checksums"][0]["checksumValue"] or \
        idx["manifests"][0]["digest"] != root["versionInfo"] or \
        root["versionInfo"] not in d["documentNamespace"]:
    print("root/namespace", root, d["documentNamespace"], file=sys.stderr); bad += 1
rels = d["relationships"]
if rels[0] != {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
               "relatedSpdxElement": root["SPDXID"]}:
    bad += 1
ids = [p["SPDXID"] for p in d["packages"]]
if len(set(ids)) != len(ids):
    bad += 1
sys.exit(1 if bad else 0)
EOF

# --- determinism -----------------------------------------------------------
SOURCE_DATE_EPOCH=1700000000 "$SIGIL" sbom "oci-dir:$FX/dpkg-real" -o spdx-json="$T/d1.json" -o cyclonedx-json="$T/c1.json" 2>/dev/null
SOURCE_DATE_EPOCH=1700000000 "$SIGIL" sbom "oci-dir:$FX/dpkg-real" -o spdx-json="$T/d2.json" -o cyclonedx-json="$T/c2.json" --threads 1 2>/dev/null
check "SOURCE_DATE_EPOCH: SPDX byte-identical" cmp -s "$T/d1.json" "$T/d2.json"
check "SOURCE_DATE_EPOCH: CycloneDX byte-identical" cmp -s "$T/c1.json" "$T/c2.json"
check "SOURCE_DATE_EPOCH: created" grep -q '"created": "2023-11-14T22:13:20Z"' "$T/d1.json"
"$SIGIL" sbom "oci-dir:$FX/dpkg-real" -o spdx-json="$T/d3.json" 2>/dev/null
strip() { jq -S 'del(.creationInfo.created, .documentNamespace)' "$1"; }
check "without SOURCE_DATE_EPOCH only created/namespace differ" \
    sh -c "[ \"\$(jq -S 'del(.creationInfo.created, .documentNamespace)' $T/d1.json)\" = \"\$(jq -S 'del(.creationInfo.created, .documentNamespace)' $T/d3.json)\" ]"
check "namespaces differ run to run" sh -c "! cmp -s $T/d1.json $T/d3.json"

# --- whiteouts, opaque directories, all-layers -------------------------------
sbom wh-replace
same "wh-replace: squashed" "aaa 1.0 amd64
bbb 2.0 amd64
ccc 1:1.0-1 amd64" "$(pkgs wh-replace)"
check "wh-replace: layer credit and DEPENDS_ON (alternative picks installed)" \
    $PY - "$T/wh-replace.cdx.json" "$T/wh-replace.spdx.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
layer = {x["name"]: {p["name"]: p["value"] for p in x["properties"]}["sigil:location:layerID"]
         for x in c["components"] if x["type"] == "library"}
assert layer["aaa"] != layer["bbb"] and layer["bbb"] == layer["ccc"], layer
s = json.load(open(sys.argv[2]))
name = {p["SPDXID"]: p["name"] for p in s["packages"]}
deps = sorted((name[r["spdxElementId"]], name[r["relatedSpdxElement"]])
              for r in s["relationships"] if r["relationshipType"] == "DEPENDS_ON")
assert deps == [("bbb", "aaa"), ("bbb", "ccc")], deps
cdeps = {d["ref"]: d.get("dependsOn", []) for d in c["dependencies"]}
assert all(r in cdeps for r in [x["bom-ref"] for x in c["components"] if x["type"] == "library"])
EOF
sbom wh-replace --scope all-layers
same "wh-replace: all-layers" "aaa 1.0 amd64
bbb 1.0 amd64 deleted
bbb 2.0 amd64
ccc 1:1.0-1 amd64" "$(pkgs wh-replace)"
check "wh-replace: all-layers documents valid" valid wh-replace
sbom wh-delete
same "wh-delete: .wh.status removes the database" "" "$(pkgs wh-delete)"
sbom wh-delete --scope all-layers
same "wh-delete: all-layers" "aaa 1.0 amd64 deleted
bbb 1.0 amd64 deleted" "$(pkgs wh-delete)"
check "wh-delete: documents valid" valid wh-delete
sbom wh-opaque
same "wh-opaque: opaque dir hides lower content, keeps its own layer's (any tar order)" \
    "ddd 4.0 amd64" "$(pkgs wh-opaque)"
sbom wh-opaque --scope all-layers
same "wh-opaque: all-layers" "aaa 1.0 amd64 deleted
ddd 4.0 amd64
old 1 all deleted" "$(pkgs wh-opaque)"
sbom wh-dir
same "wh-dir: directory whiteout, later status.d" "eee 5.0 all" "$(pkgs wh-dir)"
check "whiteout documents valid" sh -c "$VALIDATE spdx $T/wh-opaque.spdx.json $T/wh-dir.spdx.json && $VALIDATE cyclonedx $T/wh-opaque.cdx.json $T/wh-dir.cdx.json"

# --- distroless, apk, multi-platform, dir: -------------------------------------
sbom distroless
same "distroless: status.d without Status, .md5sums skipped" "base-files 12.4+deb12u7 amd64
libssl3 3.0.13-1~deb12u1 amd64
tzdata 2024a-0+deb12u1 all" "$(pkgs distroless)"
check "distroless: valid" valid distroless
sbom apk
same "apk: zstd layer, exact set" "busybox 1.36.1-r15 x86_64
musl 1.2.4-r2 x86_64" "$(pkgs apk)"
check "apk: valid" valid apk
check "apk: bad blocks warned by name" grep -q 'lib/apk/db/installed: block 3 (line 33, package bad): line is not "X:value", skipped' "$T/apk.err"
check "apk: distro via hard link, point release" \
    sh -c "jq -e '.components[] | select(.type==\"operating-system\") | select(.name==\"alpine\" and .version==\"3.19.1\")' $T/apk.cdx.json >/dev/null"
check "apk: purl" sh -c "jq -r '.packages[].externalRefs[]?.referenceLocator' $T/apk.spdx.json | grep -q '^pkg:apk/alpine/musl@1.2.4-r2?'"
check "apk: MIT licence" sh -c "jq -e '.packages[] | select(.name==\"musl\") | select(.licenseDeclared==\"MIT\")' $T/apk.spdx.json >/dev/null"
sbom apk-clamp
check "apk-clamp: os-release symlink above the root clamped" \
    sh -c "jq -e '.components[] | select(.type==\"operating-system\" and .name==\"alpine\")' $T/apk-clamp.cdx.json >/dev/null"
sbom multi --platform linux/arm64
same "multi: --platform linux/arm64" "arm-only 2.0 arm64" "$(pkgs multi)"
sbom multi --platform linux/amd64
same "multi: --platform linux/amd64" "amd-only 1.0 amd64" "$(pkgs multi)"
check "multi: valid" valid multi
"$SIGIL" sbom "dir:$FX/rootfs" -o spdx-json="$T/dir.spdx.json" -o cyclonedx-json="$T/dir.cdx.json" 2>"$T/dir.err"
same "dir: same set as dpkg-query" "$truth" "$(pkgs dir)"
check "dir: valid" valid dir
check "dir: no symlink followed out of the root" \
    sh -c "jq -e '.components[] | select(.type==\"operating-system\") | select(.version==\"12\")' $T/dir.cdx.json >/dev/null"

# --- Go: a real binary (whited out by a later layer) and a go.mod ---------
gopkgs() {
    jq -r '.components[] | select(.type=="library") | [.name, .version,
        ((.properties // []) | map(select(.name=="sigil:location:path"))[0].value),
        ((.properties // []) | map(select(.name=="sigil:package:deleted"))[0].value // "")]
        | join(" ")' "$T/$1.cdx.json" | sed 's/ *$//' | sort
}
sbom gobin
same "gobin: squashed (binary whited out, go.mod modules stay)" \
"github.com/pkg/errors v0.9.1 /src/app/go.mod
golang.org/x/text v0.14.0 /src/app/go.mod" "$(gopkgs gobin)"
sbom gobin --scope all-layers
same "gobin: all-layers reports the deleted binary's modules" \
"example.com/hello (devel) /usr/local/bin/hello true
github.com/pkg/errors v0.9.1 /src/app/go.mod
golang.org/x/text v0.14.0 /src/app/go.mod
stdlib go1.19.8 /usr/local/bin/hello true" "$(gopkgs gobin)"
check "gobin: valid" valid gobin

# --- the same images from a loopback registry (layers fetched in parallel,
# each worker on its own connection) -------------------------------------------
start_registry
for img in dpkg-real multi; do
    skopeo copy --retry-times 3 --quiet --all --dest-tls-verify=false "oci:$FX/$img:latest" \
        "docker://$REG/$img:latest" || fail "skopeo copy $img"
done
"$SIGIL" sbom "$REG/dpkg-real:latest" --insecure-registry "$REG" \
    -o cyclonedx-json="$T/reg.cdx.json" -o spdx-json="$T/reg.spdx.json" 2>"$T/reg.err"
same "registry: same set as dpkg-query" "$truth" "$(pkgs reg)"
check "registry: valid" valid reg
check "registry: root purl has repository_url" \
    sh -c "jq -r '.packages[0].externalRefs[0].referenceLocator' $T/reg.spdx.json | grep -q 'repository_url=$REG%2Fdpkg-real&tag=latest'"
"$SIGIL" sbom "$REG/multi:latest" --insecure-registry "$REG" --platform linux/arm64 \
    -o cyclonedx-json="$T/regm.cdx.json" 2>/dev/null
same "registry: --platform linux/arm64" "arm-only 2.0 arm64" "$(pkgs regm)"
# sbom --attest --sign: the attestation verifies and carries our document
(cd "$T" && COSIGN_PASSWORD=pw "$SIGIL" generate-key-pair >/dev/null 2>&1)
skopeo copy --retry-times 3 --quiet --dest-tls-verify=false "oci:$FX/distroless:latest" "docker://$REG/dl:latest"
COSIGN_PASSWORD=pw "$SIGIL" sbom "$REG/dl:latest" --insecure-registry "$REG" \
    -o cyclonedx-json="$T/att.cdx.json" --attest --key "$T/cosign.key" --sign \
    >/dev/null 2>"$T/att.err"
check "attest: exit 0, digest printed" sh -c "grep -q \"^\$(jq -r .manifests[0].digest $FX/distroless/index.json)\$\" $T/att.err"
"$SIGIL" verify-attestation --key "$T/cosign.pub" --type cyclonedx --insecure-registry "$REG" \
    "$REG/dl:latest" 2>/dev/null | head -1 >"$T/att.stmt"
check "attest: verify-attestation returns our CycloneDX predicate" \
    sh -c "jq -e '.predicate.metadata.component.version == \"$(jq -r .manifests[0].digest "$FX/distroless/index.json")\"' $T/att.stmt >/dev/null"
check "attest: --sign signed the image" sh -c "\"$SIGIL\" verify --key $T/cosign.pub --insecure-registry $REG $REG/dl:latest >/dev/null 2>&1"

# --- rpm: the rpm fixtures' real rpmdb.sqlite in a dir: root, vs rpm -qa ---
if [ -f "$RPMDB" ]; then
    mkdir -p "$T/rpmroot/var/lib/rpm" "$T/rpmroot/usr/lib" "$T/rpmroot/etc"
    cp "$RPMDB" "$T/rpmroot/var/lib/rpm/"
    printf 'ID=fedora\nVERSION_ID=39\n' >"$T/rpmroot/usr/lib/os-release"
    ln -s ../usr/lib/os-release "$T/rpmroot/etc/os-release"
    "$SIGIL" sbom "dir:$T/rpmroot" -o cyclonedx-json="$T/rpm.cdx.json" -o spdx-json="$T/rpm.spdx.json" 2>/dev/null
    same "rpm: dir: with rpmdb.sqlite equals rpm -qa (no gpg-pubkey)" \
        "$(rpm -qa --dbpath "$T/rpmroot/var/lib/rpm" --qf '%{NAME} %{VERSION}-%{RELEASE} %{ARCH}\n' | grep -v '^gpg-pubkey' | sort)" \
        "$(pkgs rpm)"
    check "rpm: valid" valid rpm
else
    skip_part "rpm: $RPMDB missing (generated by testdata/make-fixtures.sh)"
fi

# --- databases behind symlinked directories (testdata/fixtures/sbom_links.py) ---
# dbpaths IMAGE: "name path" per package (the file actually read)
dbpaths() {
    jq -r '.components[] | select(.type=="library") | [.name,
        ((.properties // []) | map(select(.name=="sigil:location:path"))[0].value)]
        | join(" ")' "$T/$1.cdx.json" | sort
}
sbom links-apk
same "links-apk: lib -> usr/lib, apk DB at usr/lib/apk/db/installed (stale copy elsewhere ignored)" \
"busybox 1.36.1-r15 x86_64
musl 1.2.4-r2 x86_64" "$(pkgs links-apk)"
same "links-apk: path is the file read" "busybox /usr/lib/apk/db/installed
musl /usr/lib/apk/db/installed" "$(dbpaths links-apk)"
check "links-apk: distro alpine" \
    sh -c "jq -e '.components[] | select(.type==\"operating-system\" and .name==\"alpine\")' $T/links-apk.cdx.json >/dev/null"
check "links-apk: valid" valid links-apk
if [ -f "$RPMDB" ]; then
    sbom links-rpm
    same "links-rpm: var/lib/rpm -> ../../usr/lib/sysimage/rpm equals rpm -qa, each package once" \
        "$(rpm -qa --dbpath "$T/rpmroot/var/lib/rpm" --qf '%{NAME} %{VERSION}-%{RELEASE} %{ARCH}\n' | grep -v '^gpg-pubkey' | sort)" \
        "$(pkgs links-rpm)"
    check "links-rpm: one database path" \
        sh -c "[ \"\$(jq -r '.components[] | select(.type==\"library\") | .properties[] | select(.name==\"sigil:location:path\") | .value' $T/links-rpm.cdx.json | sort -u)\" = /usr/lib/sysimage/rpm/rpmdb.sqlite ]"
    check "links-rpm: valid" valid links-rpm
fi
sbom links-dpkg
same "links-dpkg: var/lib/dpkg -> /opt/dpkgdb set in a later layer (old status hidden)" \
"aaa 1.0 amd64
bbb 2.0 amd64
ccc 3.0 all" "$(pkgs links-dpkg)"
same "links-dpkg: paths" "aaa /opt/dpkgdb/status
bbb /opt/dpkgdb/status
ccc /opt/dpkgdb/status.d/ccc" "$(dbpaths links-dpkg)"
check "links-dpkg: valid" valid links-dpkg
sbom links-dpkg --scope all-layers
same "links-dpkg: all-layers reports the replaced database's package" \
"aaa 1.0 amd64
bbb 2.0 amd64
ccc 3.0 all
old 1.0 amd64 deleted" "$(pkgs links-dpkg)"
sbom links-loop
rc=$?
check "links-loop: exit 0" [ $rc -eq 0 ]
same "links-loop: loop skipped, ../../.. clamped to the root" \
"busybox 1.36.1-r15 x86_64
musl 1.2.4-r2 x86_64" "$(pkgs links-loop)"
check "links-loop: loop warned" grep -q '^sigil: warning: /var/lib/dpkg/status: too many levels of symbolic links, not catalogued$' "$T/links-loop.err"
check "links-loop: clamp warned" grep -q '^sigil: warning: /lib/apk/db/installed: a symbolic link on the way climbs above the image root, clamped to it (resolved to /usr/lib/apk/db/installed)$' "$T/links-loop.err"
check "links-loop: valid" valid links-loop

# --- output handling ------------------------------------------------------------
"$SIGIL" sbom "oci-dir:$FX/distroless" -o table >"$T/table.txt" 2>/dev/null
same "table" "NAME        VERSION           TYPE
base-files  12.4+deb12u7      deb
libssl3     3.0.13-1~deb12u1  deb
tzdata      2024a-0+deb12u1   deb" "$(cat "$T/table.txt")"
"$SIGIL" sbom "oci-dir:$FX/distroless" >"$T/default.json" 2>/dev/null
check "default format off a TTY is spdx-json" sh -c "jq -e '.spdxVersion == \"SPDX-2.3\"' $T/default.json >/dev/null"
"$SIGIL" sbom "oci-dir:$FX/distroless" -o table -o spdx-json >/dev/null 2>&1
check "two stdout outputs is a usage error" [ $? -eq 2 ]
"$SIGIL" sbom "oci-dir:$FX/distroless" -o xml >/dev/null 2>&1
check "unknown format is a usage error" [ $? -eq 2 ]

# --- bad input ----------------------------------------------------------------------
sbom malformed
check "malformed stanza: warning names it" grep -q 'var/lib/dpkg/status: stanza 2 (line 7, package broken): line without a field name, skipped' "$T/malformed.err"
same "malformed stanza: the rest is kept" "good 1.0 amd64
good2 2.0 amd64" "$(pkgs malformed)"
bad_case() { # IMAGE MESSAGE
    rm -f "$T/$1.spdx.json" "$T/$1.cdx.json"
    sbom "$1"
    rc=$?
    layer=$(jq -r '.manifests[0].digest' "$FX/$1/index.json")
    layer=$(jq -r '.layers[0].digest' "$FX/$1/blobs/sha256/${layer#sha256:}")
    if [ $rc -eq 1 ] && grep -q "layer $layer: $2" "$T/$1.err" &&
        [ ! -e "$T/$1.spdx.json" ] && [ ! -e "$T/$1.cdx.json" ]; then
        pass "$1: exit 1, '$2', no output"
    else
        fail "$1: rc=$rc $(cat "$T/$1.err")"
    fi
}
bad_case bad-gzip "gzip: corrupt data"
bad_case bad-trunc "var/lib/dpkg/status: Truncated tar archive"
bad_case bad-size "var/lib/dpkg/status: absurd size 1152921504606846976"
bad_case bomb "decompression bomb: ratio over 1000"
SIGIL_INFLATE=zlib sbom bad-gzip
check "bad-gzip with zlib" grep -q "gzip: invalid" "$T/bad-gzip.err"
SIGIL_INFLATE=zlib sbom bomb
check "bomb with zlib" grep -q "decompression bomb: ratio over 1000" "$T/bomb.err"
finish
