#!/bin/bash
# Go binaries in an image (testdata/fixtures/go.sh builds OUT/image: an
# OCI layout, layer 1 = usr/bin/app1 + usr/bin/esbuild, layer 2 = a
# whiteout of usr/bin/esbuild + usr/local/bin/buf, layer 3 =
# opt/app1-vcs). `sigil sbom` must report exactly the modules
# `go version -m` lists for each surviving binary, nothing of esbuild,
# the main module → module DEPENDS_ON edges, and valid SPDX/CycloneDX.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

G=$SG_FIXTURES/go
IMG=$G/image
[ -f "$IMG/index.json" ] ||
    skip_all "$IMG missing: generated fixture (sh testdata/make-fixtures.sh build/dev/fixtures; scripts/test.sh does it)"
T=$(tmpdir)

# Expected "path<TAB>name<TAB>version" lines from a `go version -m` file,
# with sigil's rules: a replacement reports the => line's path and
# version (also a directory: "./local (devel)"); "(devel)" main + vcs →
# v0.0.0-<vcs.time digits>-<revision[:12]>; the toolchain as stdlib.
expect_set() { # file in-image-path
    awk -F'\t' -v p="$2" '
    NR == 1 { n = split($0, a, " "); print p "\tstdlib\t" a[n]; next }
    $2 == "=>" { pend = p "\t" $3 "\t" $4; next }
    { if (pend != "") print pend; pend = "" }
    $2 == "dep" { pend = p "\t" $3 "\t" $4 }
    $2 == "mod" { mainp = $3; mainv = $4 }
    $2 == "build" && $3 ~ /^vcs.revision=/ { rev = substr($3, 14, 12) }
    $2 == "build" && $3 ~ /^vcs.time=/ { t = substr($3, 10); gsub(/[^0-9]/, "", t) }
    END { if (pend != "") print pend
          if (mainp != "") {
              if (mainv == "(devel)" && rev != "") mainv = "v0.0.0-" t "-" rev
              print p "\t" mainp "\t" mainv } }' "$1"
}

"$SIGIL" sbom "oci-dir:$IMG" -o spdx-json >"$T/sbom.spdx.json" 2>"$T/err"
check "sbom exits 0" test $? -eq 0
"$SIGIL" sbom "oci-dir:$IMG" -o cyclonedx-json >"$T/sbom.cdx.json" 2>>"$T/err"
check "sbom cyclonedx exits 0" test $? -eq 0

# (path, name, version) of every Go package, from the SPDX comment
jq -r '.packages[] | select(.externalRefs[]?.referenceLocator | startswith("pkg:golang/"))
       | [(.comment | capture("path: (?<p>[^;]*)").p), .name, .versionInfo] | @tsv' \
    "$T/sbom.spdx.json" | sort -u >"$T/got"
{
    expect_set "$G/bin/app1-nocgo.expect" /usr/bin/app1
    expect_set "$G/bin/buf.expect" /usr/local/bin/buf
    expect_set "$G/bin/app1-vcs.expect" /opt/app1-vcs
} | sort -u >"$T/want"
if diff -u "$T/want" "$T/got" >"$T/d"; then
    pass "Go packages per binary = go version -m (whiteout respected)"
else
    cat "$T/d" >&2
    fail "Go packages per binary differ from go version -m"
fi
check "nothing from the whited-out esbuild" \
    test "$(grep -c -e esbuild -e go1.20.12 "$T/got")" -eq 0
check "no warnings" test ! -s "$T/err"

# main module DEPENDS_ON each of its modules (app1-vcs: 5 deps + stdlib)
n=$(jq -r '(.packages | map({(.SPDXID): .}) | add) as $p
    | .relationships[] | select(.relationshipType == "DEPENDS_ON")
    | select($p[.spdxElementId].name == "example.com/app1"
             and $p[.spdxElementId].versionInfo != "(devel)")
    | $p[.relatedSpdxElement].name' "$T/sbom.spdx.json" | sort | tr '\n' ' ')
check "app1-vcs DEPENDS_ON its modules ($n)" test "$n" = \
    "./local example.com/greet example.com/indirectdep example.com/newer example.com/pseudo stdlib "

# purls and h1 sums survive into the documents
check "golang purl" grep -q '"pkg:golang/connectrpc.com/connect@v1.15.0"' "$T/sbom.spdx.json"
check "CycloneDX lists buf's module" \
    test "$(jq '[.components[] | select(.purl == "pkg:golang/connectrpc.com/connect@v1.15.0")] | length' "$T/sbom.cdx.json")" -eq 1

check "SPDX validates" $PY "$SG_SOURCE_DIR/tests/schema_validate.py" spdx "$T/sbom.spdx.json"
check "CycloneDX validates" $PY "$SG_SOURCE_DIR/tests/schema_validate.py" cyclonedx "$T/sbom.cdx.json"

# go.mod in a dir: source, against `go mod edit -json` (Go's own parser):
# requires with module replacements applied, directory replacements kept.
SRC=$SG_SOURCE_DIR/testdata/go/app1
(cd "$SRC" && GOFLAGS= GOPROXY=off go mod edit -json) | jq -r '
    .Replace as $r | .Require[] | . as $q
    | ([$r[]? | select(.Old.Path == $q.Path and (.Old.Version // $q.Version) == $q.Version)] | first) as $x
    | if $x and ($x.New.Version // "") != "" then "\($x.New.Path)\t\($x.New.Version)"
      else "\($q.Path)\t\($q.Version)" end' | sort >"$T/gomod.want"
"$SIGIL" sbom "dir:$SRC" -o spdx-json >"$T/dir.json" 2>"$T/dir.err"
check "sbom dir: exits 0" test $? -eq 0
jq -r '.packages[] | select(.externalRefs[]?.referenceLocator | startswith("pkg:golang/"))
       | select(.comment | test("path: /?go.mod")) | [.name, .versionInfo] | @tsv' \
    "$T/dir.json" | sort -u >"$T/gomod.got"
if diff -u "$T/gomod.want" "$T/gomod.got" >"$T/d2" && test -s "$T/gomod.want"; then
    pass "go.mod packages = go mod edit -json ($(wc -l <"$T/gomod.want"))"
else
    cat "$T/d2" >&2
    fail "go.mod packages differ from go mod edit -json"
fi
finish
