#!/bin/bash
# `sigil serve` with keyless ClusterImagePolicy authorities, end to end:
# the real sigil binary, a real docker-registry on loopback, images signed
# keylessly by keyless_pki.py's test Fulcio/CT/Rekor (keyless_lib.sh,
# independent of sigil), curl posting AdmissionReviews. The test root is
# given as --trust-root test=FILE: right identity (exact, regexp, one of
# several, legacy .sig and v0.3 bundle, attestation) allowed; wrong
# subject, issuer or regexp denied 403 with the verify core's reason; no
# trustRootRef uses the built-in public-good root, which does not trust
# the test CA; warn mode allows with the reason; source[].oci reads the
# signature from another repository; an unmapped trustRootRef refuses
# the policy at start and on reload (the old set stays in force), and so
# does a broken trusted-root file, which is reloaded when it changes;
# --trusted-root, else $SIGSTORE_TRUSTED_ROOT, replaces the built-in
# default.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/serve_lib.sh"
. "$SG_SOURCE_DIR/tests/integration/sign_lib.sh"

S=$SIGIL
unset SIGSTORE_TRUSTED_ROOT # the default root must be the built-in one
T=$(tmpdir)
. "$SG_SOURCE_DIR/tests/integration/keyless_lib.sh"
cd "$T" || exit 1
start_registry
keyless_init || { fail "mint the test PKI"; finish; }

for r in ok re multi subj iss reneg def warn ok2 ok3; do
    put_case "kl/$r/app" sig ok || fail "setup kl/$r/app"
done
put_case kl/bundle/app bsig ok || fail "setup kl/bundle/app"
put_case kl/att/app att ok || fail "setup kl/att/app"
# unsigned copies of the same image: one whose signatures come from
# kl/ok/app (source[].oci), one without
for r in src nosig; do
    $S copy -q --insecure-registry "$REG" "oci-dir:$T/demo" "$REG/kl/$r/app:v1" >/dev/null ||
        fail "push kl/$r/app"
done

# --- policies -----------------------------------------------------------
mkdir pol roots
cp "$PKI/trusted_root.json" roots/test.json
# pol NAME GLOB-REPO AUTHORITY-YAML [MODE]
pol() {
    {
        printf 'apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\n'
        printf 'metadata:\n  name: %s\nspec:\n' "$1"
        [ -n "${4:-}" ] && printf '  mode: %s\n' "$4"
        printf '  images:\n  - glob: "%s/kl/%s/**"\n  authorities:\n%s\n' "$REG" "$2" "$3"
    } >"pol/$1.yaml"
}
ident() { printf '      - {issuer: "%s", subject: "%s"}' "$1" "$2"; }
KL="  - name: ci\n    keyless:\n      trustRootRef: test\n      identities:\n"
pol right ok "$(printf "$KL")
$(ident "$KL_ISS" "$KL_ID")"
pol bundle bundle "$(printf "$KL")
$(ident "$KL_ISS" "$KL_ID")"
pol regexp re "$(printf "$KL")
      - issuerRegExp: 'actions\\.githubusercontent\\.com\$'
        subjectRegExp: '^https://github\\.com/org/'"
pol multi multi "$(printf "$KL")
$(ident "$KL_ISS" "https://github.com/evil/repo/.github/workflows/ci.yml@refs/heads/main")
$(ident "$KL_ISS" "$KL_ID")"
pol wrong-subject subj "$(printf "$KL")
$(ident "$KL_ISS" "https://github.com/evil/repo/.github/workflows/ci.yml@refs/heads/main")"
pol wrong-issuer iss "$(printf "$KL")
$(ident "https://accounts.google.com" "$KL_ID")"
pol wrong-regexp reneg "$(printf "$KL")
      - {issuer: '$KL_ISS', subjectRegExp: '^https://github\\.com/evil/'}"
pol builtin-root def "  - name: ci
    keyless:
      identities:
$(ident "$KL_ISS" "$KL_ID")"
pol warned warn "$(printf "$KL")
$(ident "$KL_ISS" "https://github.com/evil/repo/.github/workflows/ci.yml@refs/heads/main")" warn
pol attested att "$(printf "$KL")
$(ident "$KL_ISS" "$KL_ID")
    attestations:
    - {name: sbom, predicateType: https://cyclonedx.org/bom}"
pol elsewhere src "$(printf "$KL")
$(ident "$KL_ISS" "$KL_ID")
    source:
    - oci: $REG/kl/ok/app"
pol unsigned nosig "$(printf "$KL")
$(ident "$KL_ISS" "$KL_ID")"
pol later ok2 "$(printf "$KL")
$(ident "$KL_ISS" "$KL_ID")"
pol later3 ok3 "$(printf "$KL")
$(ident "$KL_ISS" "$KL_ID")"

# --- an unmapped trustRootRef refuses the policy at start ---------------
mkdir badpol
sed 's/trustRootRef: test/trustRootRef: nope/' pol/right.yaml >badpol/right.yaml
$S serve --policy badpol --insecure-http --listen 127.0.0.1:$(free_port) \
    --trust-root test=roots/test.json >bad.out 2>&1
rc=$?
check "unmapped trustRootRef: serve exits non-zero at start (rc=$rc)" test "$rc" != 0
check "unmapped trustRootRef: the message names the policy and the ref" \
    grep -q 'ClusterImagePolicy right: authorities\[\].keyless.trustRootRef: no trusted root named \\\?"nope\\\?"' bad.out
$S serve --policy pol --insecure-http --trust-root test >bad2.out 2>&1
check "--trust-root without =FILE: usage error (exit 2)" test $? = 2
check "--trust-root without =FILE: says NAME=FILE" grep -q 'expected NAME=FILE' bad2.out

# --- the server ------------------------------------------------------------
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
$S serve --policy pol --insecure-http --listen 127.0.0.1:$PORT \
    --insecure-registry "$REG" --trust-root test=roots/test.json 2>server.log &
SPID=$!
at_exit "kill $SPID 2>/dev/null"
for _ in $(seq 100); do
    [ "$(curl -s "$URL/readyz")" = ready ] && break
    sleep 0.1
done
check "readyz with keyless policies" test "$(curl -s "$URL/readyz")" = ready
[ "$(curl -s "$URL/readyz")" = ready ] || { cat server.log >&2; finish; }

C() { curl -s --max-time 30 "$@"; }
verdict() { mkpod "$1" "$REG/kl/$2/app:v1" >"$1.json" && review /validate "$1.json" >"$1.out"; }
msg() { field "$1.out" 'r["status"]["message"]'; }
# allowed NAME REPO: allowed, no warning
allowed() {
    verdict "$1" "$2"
    check "$3: allowed ($(field "$1.out" r))" \
        test "$(field "$1.out" 'r["allowed"], r["uid"], "warnings" in r')" = "True $1 False"
}
# denied NAME REPO WHAT PATTERN: denied 403, message names the policy and
# matches PATTERN (grep -E)
denied() {
    verdict "$1" "$2"
    check "$4: denied 403 ($(field "$1.out" r))" \
        test "$(field "$1.out" 'r["allowed"], r["status"]["code"], r["uid"]')" = "False 403 $1"
    check "$4: the reason names policy $3 and says why" \
        grep -Eq "policy $3: authority ci: $5" <<<"$(msg "$1")"
}

allowed u-ok ok "right identity (exact subject and issuer), legacy .sig"
allowed u-bundle bundle "right identity, v0.3 bundle referrer"
allowed u-re re "identity by subjectRegExp and issuerRegExp"
allowed u-multi multi "second of two identities matches"
allowed u-att att "keyless attestation (predicateType cyclonedx)"
allowed u-src src "signature read from source[].oci"
denied u-subj subj wrong-subject "wrong subject" \
    "keyless: certificate identity https://github.com/org/repo/\S+ does not match the expected identity https://github.com/evil/"
denied u-iss iss wrong-issuer "wrong issuer" \
    "keyless: certificate OIDC issuer https://token.actions.githubusercontent.com does not match the expected OIDC issuer https://accounts.google.com"
denied u-reneg reneg wrong-regexp "anchored regexp for another org" \
    "keyless: certificate identity \S+ does not match the expected regexp \^https://github\\\\\.com/evil/"
denied u-def def builtin-root "no trustRootRef: the built-in root does not trust the test CA" \
    "keyless: "
denied u-nosig nosig unsigned "unsigned copy (no source)" "no signatures found"
verdict u-warn warn
check "warn mode, wrong subject: allowed with one warning ($(field u-warn.out r))" \
    test "$(field u-warn.out 'r["allowed"], len(r["warnings"])')" = "True 1"
check "warn mode: the warning names the policy and the identity mismatch" \
    grep -q "policy warned: authority ci: keyless: certificate identity .* does not match the expected identity" \
    <<<"$(field u-warn.out 'r["warnings"][0]')"

gen() { C "$URL/metrics" | sed -n 's/^sigil_policy_generation //p'; }
# wait_log PATTERN: until server.log has PATTERN (bounded)
wait_log() {
    for _ in $(seq 150); do
        grep -q "$1" server.log && return 0
        sleep 0.1
    done
    return 1
}
g0=$(gen)
check "one policy generation loaded ($g0)" test "$g0" = 1

# --- reload: an unmapped trustRootRef is refused, the old set stays ----
cp badpol/right.yaml pol/zz-unmapped.yaml
sed -i 's/name: right/name: unmapped/' pol/zz-unmapped.yaml
check "reload with an unmapped trustRootRef: refused, logged" \
    wait_log 'not loaded.*no trusted root named .*nope'
check "the old generation stays in force ($(gen))" test "$(gen)" = "$g0"
allowed u-ok2 ok2 "after the refused reload, a new image under the old set"
rm pol/zz-unmapped.yaml
check "reload without it: generation 2" wait_log 'generation 2"'

# --- a broken trusted root is refused; mended, it is reloaded ------------
echo '{"mediaType": "x"}' >roots/test.json.new && mv roots/test.json.new roots/test.json
check "broken trusted root: reload refused naming the file" \
    wait_log 'not loaded (test: trusted root roots/test.json'
check "the old generation stays in force ($(gen))" test "$(gen)" = 2
allowed u-ok3 ok3 "while the new root is broken, the old one verifies"
cp "$PKI/trusted_root.json" roots/test.json.new && mv roots/test.json.new roots/test.json
check "mended trusted root: reloaded as generation 3" wait_log 'generation 3"'

check "server still serving" test "$(C "$URL/healthz")" = ok
kill -TERM $SPID
wait $SPID
rc=$?
check "SIGTERM: exit 0 (rc=$rc)" test $rc = 0
[ $rc = 0 ] || tail -30 server.log >&2

# --- the default root: --trusted-root, else $SIGSTORE_TRUSTED_ROOT ------
# (policy builtin-root has no trustRootRef; the test root verifies it)
for how in flag env; do
    PORT=$(free_port)
    URL=http://127.0.0.1:$PORT
    if [ $how = flag ]; then
        $S serve --policy pol --insecure-http --listen 127.0.0.1:$PORT \
            --insecure-registry "$REG" --trust-root test=roots/test.json \
            --trusted-root "$PKI/trusted_root.json" 2>server-$how.log &
    else
        SIGSTORE_TRUSTED_ROOT=$PKI/trusted_root.json \
            $S serve --policy pol --insecure-http --listen 127.0.0.1:$PORT \
            --insecure-registry "$REG" --trust-root test=roots/test.json 2>server-$how.log &
    fi
    SPID=$!
    at_exit "kill $SPID 2>/dev/null"
    for _ in $(seq 100); do
        [ "$(curl -s "$URL/readyz")" = ready ] && break
        sleep 0.1
    done
    allowed u-def-$how def "no trustRootRef, default root from the $how"
    kill -TERM $SPID
    wait $SPID
done
finish
