#!/bin/bash
# Node.js packages in an image (testdata/fixtures/node.sh builds OUT/app,
# a real Express app installed with `npm ci`, and OUT/image: that app in
# layer 1 with an older debug and an extra left-pad, layer 2 upgrading
# debug, whiting out left-pad and an opaque global node_modules).
# `sigil sbom` must report exactly what `npm ls --all --json` lists for
# the same tree, the lock's DEPENDS_ON edges resolved through nested
# node_modules, scoped purls, the app as an application, valid
# SPDX/CycloneDX; hostile package.json/lock files only warn.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

N=$SG_FIXTURES/node
IMG=$N/image
[ -f "$IMG/index.json" ] ||
    skip_all "$IMG missing: generated fixture (sh testdata/make-fixtures.sh build/dev/fixtures; scripts/test.sh does it)"
command -v npm >/dev/null || skip_all "npm missing"
T=$(tmpdir)

# (name, version) pairs, one "name@version" a line, of the npm packages
# of an SPDX document.
spdx_npm() {
    jq -r '.packages[] | select(any(.externalRefs[]?; .referenceLocator | startswith("pkg:npm/")))
           | "\(.name)@\(.versionInfo)"' "$1" | sort -u
}
# npm's own view of the installed tree: the project and every package
# below it (deduped entries repeat a version already listed).
npm_ls() {
    (cd "$1" && npm ls --all --json --offline 2>/dev/null) | jq -r '
        "\(.name)@\(.version)",
        (.. | objects | .dependencies? // empty | to_entries[]
         | select(.value.version != null)   # missing optional/peer deps
         | "\(.value.name // .key)@\(.value.version)")' | sort -u
}
# DEPENDS_ON edges "from -> to" (name@version) of an SPDX document.
spdx_edges() {
    jq -r '(.packages | map({(.SPDXID): "\(.name)@\(.versionInfo)"}) | add) as $p
        | .relationships[] | select(.relationshipType == "DEPENDS_ON")
        | "\($p[.spdxElementId]) -> \($p[.relatedSpdxElement])"' "$1" | sort
}

"$SIGIL" sbom "oci-dir:$IMG" -o spdx-json >"$T/sbom.spdx.json" 2>"$T/err"
check "sbom exits 0" test $? -eq 0
"$SIGIL" sbom "oci-dir:$IMG" -o cyclonedx-json >"$T/sbom.cdx.json" 2>>"$T/err"
check "sbom cyclonedx exits 0" test $? -eq 0
check "no warnings" test ! -s "$T/err"
cat "$T/err" >&2

# The squashed image = the npm ci tree + the global left-pad re-added
# above the opaque directory; debug@4.3.7 (upgraded), the app's left-pad
# (whited out) and lodash (under the opaque directory) are gone.
npm_ls "$N/app" >"$T/npm"
{ cat "$T/npm"; echo left-pad@1.3.0; } | sort -u >"$T/want"
spdx_npm "$T/sbom.spdx.json" >"$T/got"
if diff -u "$T/want" "$T/got" >"$T/d" && [ "$(wc -l <"$T/want")" -ge 70 ]; then
    pass "npm packages = npm ls --all + left-pad ($(wc -l <"$T/got"))"
else
    cat "$T/d" >&2
    fail "npm packages differ from npm ls --all"
fi
check "debug 2.6.9 and 4.4.0 side by side, no 4.3.7" \
    test "$(grep '^debug@' "$T/got" | tr '\n' ' ')" = "debug@2.6.9 debug@4.4.0 "
check "nothing of lodash (opaque directory)" test "$(grep -c lodash "$T/got")" -eq 0
check "each package once in SPDX" test \
    "$(jq '[.packages[] | select(.externalRefs[]?.referenceLocator | startswith("pkg:npm/"))] | length' "$T/sbom.spdx.json")" \
    -eq "$(wc -l <"$T/want")"
# layer 2's diffID, from the image config
l2=$(jq -r '.manifests[0].digest' "$IMG/index.json" | sed 's,:,/,')
l2=$(jq -r '.config.digest' "$IMG/blobs/$l2" | sed 's,:,/,')
l2=$(jq -r '.rootfs.diff_ids[1]' "$IMG/blobs/$l2")
check "left-pad credited to layer 2 (re-added above the opaque dir)" test \
    "$(jq -r '.packages[] | select(.name == "left-pad") | .comment' "$T/sbom.spdx.json")" = \
    "layer: $l2; path: /usr/local/lib/node_modules/left-pad/package.json"
check "debug@4.4.0 credited to layer 2 (the upgrade)" test \
    "$(jq -r '.packages[] | select(.name == "debug" and .versionInfo == "4.4.0") | .comment' "$T/sbom.spdx.json")" = \
    "layer: $l2; path: /app/node_modules/debug/package.json"

# all-layers: the same live set, plus what the lower layer had and the
# image lost (debug@4.3.7 upgraded, lodash under the opaque directory),
# marked deleted and credited to layer 1.
l1=$(jq -r '.manifests[0].digest' "$IMG/index.json" | sed 's,:,/,')
l1=$(jq -r '.config.digest' "$IMG/blobs/$l1" | sed 's,:,/,')
l1=$(jq -r '.rootfs.diff_ids[0]' "$IMG/blobs/$l1")
"$SIGIL" sbom "oci-dir:$IMG" --scope all-layers -o spdx-json >"$T/all.json" 2>"$T/all.err"
check "all-layers exits 0, no warnings" test $? -eq 0 -a ! -s "$T/all.err"
jq -r '.packages[] | select(any(.externalRefs[]?; .referenceLocator | startswith("pkg:npm/")))
       | select((.comment // "") | test("deleted") | not) | "\(.name)@\(.versionInfo)"' \
    "$T/all.json" | sort -u >"$T/all.live"
check "all-layers: the live set unchanged" diff -u "$T/want" "$T/all.live"
check "all-layers: debug@4.3.7 and lodash deleted, from layer 1" test \
    "$(jq -r '.packages[] | select((.comment // "") | test("deleted")) | "\(.name)@\(.versionInfo) \(.comment)"' "$T/all.json" | tr '\n' '|')" = \
    "debug@4.3.7 layer: $l1; path: /app/node_modules/debug/package.json; deleted or replaced in a later layer|lodash@4.17.21 layer: $l1; path: /usr/local/lib/node_modules/lodash/package.json; deleted or replaced in a later layer|"

# purls (scoped: %40scope), application, licences
check "scoped purl" grep -q '"pkg:npm/%40babel/code-frame@7.26.2"' "$T/sbom.spdx.json"
check "plain purl" grep -q '"pkg:npm/express@4.21.2"' "$T/sbom.spdx.json"
check "every scoped package has a %40 purl" test \
    "$(jq '[.packages[] | select(.name | startswith("@")) | .externalRefs[] | select(.referenceType == "purl") | select(.referenceLocator | startswith("pkg:npm/%40"))] | length' "$T/sbom.spdx.json")" \
    -eq "$(grep -c '^@' "$T/want")"
check "the app is the APPLICATION (SPDX)" test \
    "$(jq -r '.packages[] | select(.name == "sigil-node-fixture") | .primaryPackagePurpose' "$T/sbom.spdx.json")" = APPLICATION
check "the app is an application (CycloneDX)" test \
    "$(jq -r '.components[] | select(.name == "sigil-node-fixture") | .type' "$T/sbom.cdx.json")" = application
check "libraries are LIBRARY" test \
    "$(jq '[.packages[] | select(.externalRefs[]?.referenceLocator | startswith("pkg:npm/")) | select(.primaryPackagePurpose == "LIBRARY")] | length' "$T/sbom.spdx.json")" \
    -eq "$(($(wc -l <"$T/want") - 1))"
# Licences: what each installed package.json declares (string form; the
# fixture has no legacy "licenses" arrays) = licenseDeclared.
(cd "$N/app" && for f in node_modules/*/package.json node_modules/@*/*/package.json \
    node_modules/*/node_modules/*/package.json; do
    [ -f "$f" ] && jq -r '"\(.name)@\(.version)\t\(.license)"' "$f"
done; jq -r '"\(.name)@\(.version)\t\(.license)"' package.json) | sort -u >"$T/lic.want"
jq -r '.packages[] | select(.externalRefs[]?.referenceLocator | startswith("pkg:npm/"))
       | select(.name != "left-pad") | "\(.name)@\(.versionInfo)\t\(.licenseDeclared)"' \
    "$T/sbom.spdx.json" | sort -u >"$T/lic.got"
if diff -u "$T/lic.want" "$T/lic.got" >"$T/d" && [ -s "$T/lic.want" ]; then
    pass "licences = package.json \"license\" ($(wc -l <"$T/lic.got"))"
else
    cat "$T/d" >&2
    fail "licences differ from package.json"
fi

# DEPENDS_ON: the lock's edges, each dependency looked up in the nearest
# node_modules up the dependent's path (Node's require()), computed here
# from package-lock.json independently of sigil (entries not installed,
# e.g. optional ones for another platform, are no edge).
$PY - "$N/app" >"$T/edges.want" <<'PYEOF'
import json, os, sys
app = sys.argv[1]
lock = json.load(open(app + "/package-lock.json"))
pk = lock["packages"]
def nv(k):
    e = pk[k]
    return "%s@%s" % (e.get("name") or k.rsplit("node_modules/", 1)[-1],
                      e.get("version"))
edges = set()
for k, e in pk.items():
    names = set()
    for f in ("dependencies", "optionalDependencies", "peerDependencies") + \
            (("devDependencies",) if k == "" else ()):
        names |= set(e.get(f, {}))
    src = "%s@%s" % (lock["name"], lock["version"]) if k == "" else nv(k)
    for n in names:
        cur = k
        while True:
            c = (cur + "/" if cur else "") + "node_modules/" + n
            if c in pk and os.path.exists(app + "/" + c + "/package.json"):
                edges.add("%s -> %s" % (src, nv(c)))
                break
            if not cur:
                break
            i = cur.rfind("/node_modules/")
            cur = cur[:i] if i >= 0 else ""
print("\n".join(sorted(edges)))
PYEOF
spdx_edges "$T/sbom.spdx.json" >"$T/edges.got"
if diff -u "$T/edges.want" "$T/edges.got" >"$T/d" && [ "$(wc -l <"$T/edges.want")" -ge 100 ]; then
    pass "DEPENDS_ON = the lock's edges ($(wc -l <"$T/edges.got"))"
else
    cat "$T/d" >&2
    fail "DEPENDS_ON edges differ from the lock"
fi
for e in "sigil-node-fixture@1.0.0 -> express@4.21.2" \
    "sigil-node-fixture@1.0.0 -> debug@4.4.0" \
    "sigil-node-fixture@1.0.0 -> @babel/code-frame@7.26.2" \
    "express@4.21.2 -> debug@2.6.9" \
    "debug@4.4.0 -> ms@2.1.3" \
    "debug@2.6.9 -> ms@2.0.0" \
    "@babel/code-frame@7.26.2 -> @babel/helper-validator-identifier@7.29.7"; do
    check "edge $e" grep -qxF "$e" "$T/edges.got"
done
check "CycloneDX carries the edges" test \
    "$(jq '[.dependencies[] | select(.ref | startswith("npm-")) | .dependsOn | length] | add' "$T/sbom.cdx.json")" \
    -eq "$(wc -l <"$T/edges.want")"

check "SPDX validates" $PY "$SG_SOURCE_DIR/tests/schema_validate.py" spdx "$T/sbom.spdx.json"
check "CycloneDX validates" $PY "$SG_SOURCE_DIR/tests/schema_validate.py" cyclonedx "$T/sbom.cdx.json"

# The same tree as a dir: source: exactly npm ls.
"$SIGIL" sbom "dir:$N/app" -o spdx-json >"$T/dir.json" 2>"$T/dir.err"
check "sbom dir: exits 0" test $? -eq 0
spdx_npm "$T/dir.json" >"$T/dir.got"
check "dir: packages = npm ls --all" diff -u "$T/npm" "$T/dir.got"

# Hostile input, as dir: sources: warned, skipped, the rest catalogued.
H=$T/hostile
mkdir -p "$H/p/node_modules/ok" "$H/p/node_modules/huge" \
    "$H/p/node_modules/big" "$H/p/node_modules/deep" "$H/p/node_modules/bad"
echo '{"name":"p","version":"1.0.0","dependencies":{"ok":"1"}}' >"$H/p/package.json"
echo '{"name":"ok","version":"1.2.3","license":"MIT"}' >"$H/p/node_modules/ok/package.json"
truncate -s 100M "$H/p/node_modules/huge/package.json" # sparse: 100 MB
$PY -c 'import sys; sys.stdout.write("{\"name\":\"big\",\"version\":\"1.0.0\",\"description\":\"" + "x" * (17 << 20) + "\"}")' \
    >"$H/p/node_modules/big/package.json"
$PY -c 'import sys; sys.stdout.write("{\"a\":" * 100000 + "1" + "}" * 100000)' \
    >"$H/p/node_modules/deep/package.json"
printf '{"name": "bad", "version": ' >"$H/p/node_modules/bad/package.json"
printf '{"lockfileVersion": 3, "packages": {"": {"dependencies": {"ok": ' >"$H/p/package-lock.json"
"$SIGIL" sbom "dir:$H/p" -o spdx-json >"$T/h.json" 2>"$T/h.err"
check "hostile: exits 0" test $? -eq 0
check "hostile: the good packages remain" test \
    "$(spdx_npm "$T/h.json" | tr '\n' ' ')" = "ok@1.2.3 p@1.0.0 "
check "hostile: 100 MB package.json skipped with a warning" \
    grep -q 'node_modules/huge/package.json: larger than' "$T/h.err"
check "hostile: 17 MB package.json over pkg-meta-max" \
    grep -q 'node_modules/big/package.json: larger than 16777216 bytes' "$T/h.err"
check "hostile: deep JSON warned" grep -q 'node_modules/deep/package.json.*skipped' "$T/h.err"
check "hostile: truncated package.json warned" grep -q 'node_modules/bad/package.json.*skipped' "$T/h.err"
check "hostile: malformed lock warned" grep -q 'package-lock.json.*skipped' "$T/h.err"
check "hostile: the app still DEPENDS_ON ok (package.json, no usable lock)" \
    test "$(spdx_edges "$T/h.json")" = "p@1.0.0 -> ok@1.2.3"
check "hostile: SPDX validates" $PY "$SG_SOURCE_DIR/tests/schema_validate.py" spdx "$T/h.json"
# convert and diff read npm packages back: scoped names, the application
"$SIGIL" convert "$T/sbom.spdx.json" -o cyclonedx-json >"$T/conv.cdx.json"
check "convert: SPDX -> CycloneDX equal to the direct CycloneDX (diff)" \
    "$SIGIL" diff "$T/sbom.cdx.json" "$T/conv.cdx.json"
check "convert: the project stays the application, scoped names kept" test \
    "$($PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["components"]
print(" ".join(sorted(x["name"] for x in c if x["type"]=="application")),
      sum(1 for x in c if x["name"].startswith("@") and x["purl"].startswith("pkg:npm/%40")))' "$T/conv.cdx.json")" \
    = "sigil-node-fixture $($PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["components"]
print(sum(1 for x in c if x["name"].startswith("@")))' "$T/sbom.cdx.json")"
finish
