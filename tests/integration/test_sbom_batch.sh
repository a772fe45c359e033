#!/bin/bash
# sigil sbom batch mode on a real registry (docker-registry on 127.0.0.1):
# several images in one process, --from-file (stdin too), output file
# templates, one missing image and one corrupt blob named on one line each
# while the others are written (each identical to its single-image run),
# template collisions refused, --shard partitions (checked against an
# independent SHA-256 computation), sigil ls piped into batch mode,
# --attest --sign per image checked with verify-attestation, and
# --catalogers.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/attest_lib.sh"

FX=$SG_FIXTURES
[ -f "$FX/sbom/dpkg-real/index.json" ] && [ -f "$FX/go/image/index.json" ] ||
    skip_all "fixtures missing (testdata/make-fixtures.sh)"
T=$(tmpdir)
export SOURCE_DATE_EPOCH=1700000000
start_registry
INS="--insecure-registry $REG"
COMPOSE="$PY $SG_SOURCE_DIR/tests/integration/compose_image.py"

# Images sharing base layers: dpkg-real's and the Go image's layers under
# small distinct top layers, and plain fixture images.
$COMPOSE "$T/i-debgo" --id debgo "$FX/sbom/dpkg-real" "$FX/go/image" >/dev/null
$COMPOSE "$T/i-deb1" --id deb1 "$FX/sbom/dpkg-real" >/dev/null
$COMPOSE "$T/i-deb2" --id deb2 "$FX/sbom/dpkg-real" >/dev/null
$COMPOSE "$T/i-corrupt" --id corrupt "$FX/sbom/apk" >/dev/null
push() { "$SIGIL" copy -q $INS "oci-dir:$1" "$REG/$2" >/dev/null || fail "push $2"; }
push "$T/i-debgo" batch/debgo:v1
push "$T/i-deb1" batch/deb:v1
push "$T/i-deb1" batch/deb:latest
push "$T/i-deb2" batch/deb:v2
push "$FX/sbom/apk" batch/apk:v1
push "$FX/sbom/distroless" batch/distroless:v1
push "$T/i-corrupt" batch/corrupt:v1
# corrupt the corrupt image's own top layer in the registry's storage
cl=$(jq -r '.layers[-1].digest' "$T/i-corrupt/blobs/sha256/$(jq -r '.manifests[0].digest' "$T/i-corrupt/index.json" | cut -d: -f2)")
printf 'X' | dd of="$(blob_path "$cl")" bs=1 seek=100 conv=notrunc 2>/dev/null
check "corrupted blob no longer matches its digest" \
    test "sha256:$(sha256sum "$(blob_path "$cl")" | cut -d' ' -f1)" != "$cl"

GOOD="batch/debgo:v1 batch/deb:v1 batch/deb:v2 batch/apk:v1 batch/distroless:v1"
# single-image runs: the reference each batch output must equal
for r in $GOOD batch/deb:latest; do
    f=$(echo "$r" | tr '/:' '__')
    "$SIGIL" sbom $INS --no-cache "$REG/$r" -o "spdx-json=$T/single-$f.spdx.json" \
        -o "cyclonedx-json=$T/single-$f.cdx.json" 2>/dev/null || fail "single $r"
done

# --- a list with a missing image and a corrupt blob ----------------------
{
    echo "# the batch list"
    for r in batch/debgo:v1 batch/deb:v1; do echo "$REG/$r"; done
    echo
    echo "   $REG/batch/missing:v1   "
    echo "$REG/batch/corrupt:v1"
    for r in batch/deb:v2 batch/apk:v1 batch/distroless:v1; do echo "$REG/$r"; done
} >"$T/list.txt"
"$SIGIL" sbom $INS --cache-dir "$T/cache" --from-file "$T/list.txt" --jobs 2 \
    -o "spdx-json=$T/out/{repo}_{tag}.spdx.json" \
    -o "cyclonedx-json=$T/out/{repo}_{tag}.cdx.json" >"$T/b.out" 2>"$T/b.err"
rc=$?
check "batch with failures exits 1" test $rc -eq 1
check "nothing on stdout" test ! -s "$T/b.out"
check "the missing image is named on one line" \
    test "$(grep -c "^sigil: $REG/batch/missing:v1: " "$T/b.err")" -eq 1
check "the corrupt image is named on one line, with the digest error" \
    grep -q "^sigil: $REG/batch/corrupt:v1: .*$cl" "$T/b.err"
check "summary line" grep -qx "sigil sbom: 7 images: 5 ok, 2 failed" "$T/b.err"
check "no other error lines" \
    test "$(grep -v '^sigil: warning' "$T/b.err" | grep -vc '^sigil sbom: ')" -eq 2
for r in $GOOD; do
    f=$(echo "$r" | tr '/:' '__')
    repo=$(echo "${r%:*}" | tr '/' '_')
    tag=${r#*:}
    check "$r: spdx identical to its single-image run" \
        cmp -s "$T/out/${repo}_$tag.spdx.json" "$T/single-$f.spdx.json"
    check "$r: cyclonedx identical to its single-image run" \
        cmp -s "$T/out/${repo}_$tag.cdx.json" "$T/single-$f.cdx.json"
done
check "exactly the good images' files, no temp files" \
    test "$(ls "$T/out" | wc -l)" -eq 10
check "no file for the failed ones" test ! -e "$T/out/batch_corrupt_v1.spdx.json"
check "batch documents valid SPDX 2.3" \
    $PY "$SG_SOURCE_DIR/tests/schema_validate.py" spdx "$T/out/batch_debgo_v1.spdx.json"
check "batch documents valid CycloneDX" \
    $PY "$SG_SOURCE_DIR/tests/schema_validate.py" cyclonedx "$T/out/batch_debgo_v1.cdx.json"

# all good: exit 0; -q prints nothing at all
printf '%s\n' $GOOD | sed "s|^|$REG/|" >"$T/good.txt"
"$SIGIL" sbom -q $INS --no-cache --from-file "$T/good.txt" --jobs 3 \
    -o "spdx-json=$T/q/{index}.json" >"$T/q.out" 2>"$T/q.err"
check "all good: exit 0" test $? -eq 0
check "-q: nothing on stderr" test ! -s "$T/q.err"

# --- --from-file - (stdin) and the placeholders ---------------------------
printf '%s\n' "$REG/batch/deb:v2" "$REG/batch/apk:v1" |
    "$SIGIL" sbom $INS --no-cache --from-file - \
        -o "spdx-json=$T/ph/{index}-{registry}-{repo}-{tag}-{digest}.json" \
        -o "table=$T/ph/{name}.txt" 2>"$T/ph.err"
check "stdin list: exit 0" test $? -eq 0
d0=$("$SIGIL" digest $INS "$REG/batch/deb:v2" | tr ':' '_')
d1=$("$SIGIL" digest $INS "$REG/batch/apk:v1" | tr ':' '_')
r_=$(echo "$REG" | tr ':' '_')
want=$(printf '%s\n' "0-$r_-batch_deb-v2-$d0.json" "1-$r_-batch_apk-v1-$d1.json" \
    "${r_}_batch_deb_v2.txt" "${r_}_batch_apk_v1.txt" | sort)
check "file names from {index} {registry} {repo} {tag} {digest} {name}" \
    test "$(ls "$T/ph" | sort)" = "$want"
check "{digest} file is the single-image document" \
    cmp -s "$T/ph/0-$r_-batch_deb-v2-$d0.json" "$T/single-batch_deb_v2.spdx.json"

# --- templates that would make two images write one file: refused -------
expect_usage() { # DESCRIPTION PATTERN CMD...
    _d=$1 _p=$2
    shift 2
    "$@" >"$T/u.out" 2>"$T/u.err"
    _rc=$?
    if [ $_rc -eq 2 ] && grep -q -- "$_p" "$T/u.err"; then pass "$_d"; else
        fail "$_d (exit $_rc)"; cat "$T/u.err" >&2
    fi
}
rm -rf "$T/x"
expect_usage "no placeholder for two images" "would both write $T/x/a.json" \
    "$SIGIL" sbom $INS --no-cache "$REG/batch/deb:v1" "$REG/batch/apk:v1" -o "spdx-json=$T/x/a.json"
expect_usage "{repo}_{digest}: two tags of one digest" \
    "$REG/batch/deb:v1 and $REG/batch/deb:latest would both write" \
    "$SIGIL" sbom $INS --no-cache "$REG/batch/deb:v1" "$REG/batch/deb:latest" \
    -o "spdx-json=$T/x/{repo}_{digest}.json"
expect_usage "two outputs to one file" "two outputs of" \
    "$SIGIL" sbom $INS --no-cache "$REG/batch/deb:v1" "$REG/batch/apk:v1" \
    -o "spdx-json=$T/x/{tag}{repo}.json" -o "cyclonedx-json=$T/x/{tag}{repo}.json"
expect_usage "unknown placeholder" "unknown placeholder" \
    "$SIGIL" sbom $INS "$REG/batch/deb:v1" "$REG/batch/apk:v1" -o "spdx-json=$T/x/{image}.json"
expect_usage "stdout in batch mode" "several images are written to files" \
    "$SIGIL" sbom $INS "$REG/batch/deb:v1" "$REG/batch/apk:v1" -o spdx-json
expect_usage "bad --shard" "--shard: K/N" \
    "$SIGIL" sbom $INS --shard 3/3 "$REG/batch/deb:v1" -o "spdx-json=$T/x/{index}.json"
expect_usage "--from-file - with --password-stdin" "both read stdin" \
    sh -c "echo pw | '$SIGIL' sbom $INS --password-stdin -u u --from-file - -o 'spdx-json=$T/x/{index}.json'"
check "refused runs wrote nothing" test ! -e "$T/x"
# {repo}_{digest} is fine when the digests differ
"$SIGIL" sbom $INS --no-cache "$REG/batch/deb:v1" "$REG/batch/deb:v2" \
    -o "spdx-json=$T/rd/{repo}_{digest}.json" 2>/dev/null
check "{repo}_{digest} with distinct digests: exit 0, two files" \
    test $? -eq 0 -a "$(ls "$T/rd" | wc -l)" -eq 2

# --- --shard K/3: disjoint, covering, as SHA-256(ref) mod 3 says ----------
for r in batch/debgo:v1 batch/deb:v1 batch/deb:latest batch/deb:v2 batch/apk:v1 \
    batch/distroless:v1 batch/debgo:v1; do echo "$REG/$r"; done >"$T/shard.txt"
for k in 0 1 2; do
    "$SIGIL" sbom -q $INS --no-cache --from-file "$T/shard.txt" --shard "$k/3" \
        -o "spdx-json=$T/shard/$k/{index}.json" 2>/dev/null ||
        fail "shard $k/3 exit status"
    mkdir -p "$T/shard/$k"
    ls "$T/shard/$k" | sed 's/\.json$//' | sort -n >"$T/shard.$k"
done
check "shards are disjoint" \
    test -z "$(cat "$T/shard.0" "$T/shard.1" "$T/shard.2" | sort | uniq -d)"
check "shards cover the list" \
    test "$(cat "$T/shard.0" "$T/shard.1" "$T/shard.2" | sort -n | tr '\n' ' ')" = "0 1 2 3 4 5 6 "
check "each image in the shard SHA-256(ref) mod 3 names (independent)" \
    $PY - "$T/shard.txt" "$T/shard" <<'PYEOF'
import hashlib, os, sys
refs = [l.strip() for l in open(sys.argv[1]) if l.strip()]
for k in range(3):
    want = {i for i, r in enumerate(refs)
            if int.from_bytes(hashlib.sha256(r.encode()).digest()[:8], "big") % 3 == k}
    got = {int(f[:-5]) for f in os.listdir("%s/%d" % (sys.argv[2], k))}
    if want != got:
        sys.exit("shard %d: want %s got %s" % (k, sorted(want), sorted(got)))
PYEOF

# --- sigil ls, piped into batch mode --------------------------------------
"$SIGIL" ls $INS "$REG/batch/deb" >"$T/ls.out" 2>"$T/ls.err"
check "ls exit 0" test $? -eq 0
curl -fsS "http://$REG/v2/batch/deb/tags/list" | jq -r '.tags[]' >"$T/ls.curl"
check "ls prints the registry's tags (as curl sees them)" cmp -s "$T/ls.out" "$T/ls.curl"
check "ls: three tags" test "$(sort "$T/ls.out" | tr '\n' ' ')" = "latest v1 v2 "
"$SIGIL" ls --full-ref $INS "$REG/batch/deb" >"$T/lsf.out"
check "ls --full-ref" test "$(sort "$T/lsf.out" | tr '\n' ' ')" = \
    "$REG/batch/deb:latest $REG/batch/deb:v1 $REG/batch/deb:v2 "
"$SIGIL" ls --full-ref $INS "$REG/batch/deb" |
    "$SIGIL" sbom $INS --no-cache --from-file - -o "spdx-json=$T/fromls/{tag}.spdx.json" 2>"$T/fromls.err"
check "ls | sbom --from-file -: exit 0" test $? -eq 0
for t in latest v1 v2; do
    check "ls | sbom: $t identical to its single-image run" \
        cmp -s "$T/fromls/$t.spdx.json" "$T/single-batch_deb_$t.spdx.json"
done
"$SIGIL" ls $INS "$REG/batch/nothere" >"$T/ls2.out" 2>"$T/ls2.err"
check "ls of an unknown repository: exit 1, nothing printed" \
    test $? -eq 1 -a ! -s "$T/ls2.out"
check "ls: repository unknown named" grep -q "repository unknown: batch/nothere" "$T/ls2.err"
"$SIGIL" ls $INS "$REG/batch/deb:v1" >/dev/null 2>"$T/ls3.err"
check "ls REPO:TAG is a usage error" test $? -eq 2

# --- --attest --sign per image --------------------------------------------
make_keys "$T"
"$SIGIL" sbom $INS --no-cache "$REG/batch/apk:v1" "$REG/batch/distroless:v1" \
    "$REG/batch/missing:v1" --attest --sign --key "$T/k.pem" \
    -o "spdx-json=$T/att/{repo}.spdx.json" >"$T/att.out" 2>"$T/att.err"
check "attest batch with a missing image: exit 1" test $? -eq 1
check "attest batch: summary" grep -qx "sigil sbom: 3 images: 2 ok, 1 failed" "$T/att.err"
for r in apk distroless; do
    "$SIGIL" verify-attestation -q $INS --key "$T/k.pub" --type spdxjson \
        "$REG/batch/$r:v1" >"$T/va-$r.out" 2>"$T/va-$r.err"
    check "$r: verify-attestation exit 0" test $? -eq 0
    jq -S .predicate "$T/va-$r.out" >"$T/va-$r.pred"
    jq -S . "$T/att/batch_$r.spdx.json" >"$T/att-$r.sorted"
    check "$r: attested SBOM equals its written file" cmp -s "$T/va-$r.pred" "$T/att-$r.sorted"
    "$SIGIL" verify -q $INS --key "$T/k.pub" "$REG/batch/$r:v1" >/dev/null 2>&1
    check "$r: image signature verifies" test $? -eq 0
    "$SIGIL" verify-attestation -q $INS --key "$T/k2.pub" --type spdxjson \
        "$REG/batch/$r:v1" >/dev/null 2>&1
    check "$r: another key does not verify" test $? -eq 3
done

# --- --catalogers ----------------------------------------------------------
purl_types() { # SPDX file -> sorted unique purl types
    jq -r '.packages[].externalRefs[]? | select(.referenceType == "purl") |
        .referenceLocator | split(":")[1] | split("/")[0]' "$1" | sort -u | tr '\n' ' '
}
check "default: deb, golang and the oci root" \
    test "$(purl_types "$T/single-batch_debgo_v1.spdx.json")" = "deb golang oci "
"$SIGIL" sbom $INS --no-cache "$REG/batch/debgo:v1" --catalogers go -o "spdx-json=$T/cat-go.json" 2>/dev/null
check "--catalogers go: only Go modules" test "$(purl_types "$T/cat-go.json")" = "golang oci "
check "--catalogers go: every Go package of the full run" test \
    "$(jq '[.packages[] | select(.externalRefs[]? | .referenceLocator | startswith("pkg:golang/"))] | length' "$T/cat-go.json")" = \
    "$(jq '[.packages[] | select(.externalRefs[]? | .referenceLocator | startswith("pkg:golang/"))] | length' "$T/single-batch_debgo_v1.spdx.json")"
"$SIGIL" sbom $INS --no-cache "$REG/batch/debgo:v1" "$REG/batch/deb:v1" --catalogers dpkg \
    -o "spdx-json=$T/cat/{repo}.json" 2>/dev/null
check "--catalogers dpkg in batch mode: only deb" \
    test "$(purl_types "$T/cat/batch_debgo.json")" = "deb oci "
check "--catalogers dpkg,go,all = default" \
    sh -c "'$SIGIL' sbom $INS --no-cache '$REG/batch/debgo:v1' --catalogers dpkg,go,all 2>/dev/null | cmp -s - '$T/single-batch_debgo_v1.spdx.json'"
expect_usage "--catalogers unknown name" 'unknown cataloger "rust"' \
    "$SIGIL" sbom $INS "$REG/batch/debgo:v1" --catalogers go,rust
check "help sbom names the catalogers" \
    sh -c "'$SIGIL' help sbom | tr -s ' \n' ' ' | grep -q 'dpkg, apk, rpm, go, python, node (or javascript), java, all'"

finish
