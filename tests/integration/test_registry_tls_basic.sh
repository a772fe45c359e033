#!/bin/bash
# sigil against docker-registry with TLS (a CA this test makes) and
# htpasswd Basic auth: --ca-file, --insecure-registry, credentials from
# --username/--password-stdin, docker config.json `auths` (bare host and
# URL keys, $DOCKER_CONFIG and ~/.docker), a credential helper
# (credHelpers and credsStore), and the failures: unknown CA, no
# credentials, wrong credentials.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

start_registry_tls_basic alice 's3cret:pw'
W=$(tmpdir)
DEMO=$SG_SOURCE_DIR/testdata/images/demo
want=$(jq -r '.manifests[0].digest' "$DEMO/index.json")
export HOME=$W/home
unset DOCKER_CONFIG
mkdir -p "$HOME"

expect_err() {
    _d=$1
    _pat=$2
    shift 2
    "$@" >"$W/out" 2>"$W/err" </dev/null
    _rc=$?
    if [ "$_rc" -eq 1 ] && grep -qF -- "$_pat" "$W/err"; then
        pass "$_d"
    else
        fail "$_d (exit $_rc, stderr: $(cat "$W/err"))"
    fi
}

# ---- --username/--password-stdin with --ca-file
out=$(printf 's3cret:pw\n' | $SIGIL copy --ca-file "$REG_CA" \
    --username alice --password-stdin "oci-dir:$DEMO" "$REG/demo:v1")
check "push with --ca-file and --password-stdin" [ "$out" = "$want" ]
got=$(skopeo inspect --raw --tls-verify=false --creds 'alice:s3cret:pw' \
    "docker://$REG/demo:v1" | sha256sum)
check "skopeo sees the pushed digest" [ "sha256:${got%% *}" = "$want" ]
out=$(printf 's3cret:pw' | $SIGIL digest --insecure-registry "$REG" \
    -u alice --password-stdin "$REG/demo:v1")
check "--insecure-registry (unverified TLS)" [ "$out" = "$want" ]
out=$(printf 's3cret:pw' | $SIGIL copy --ca-file "$REG_CA" -u alice \
    --password-stdin "$REG/demo:v1" "oci-dir:$W/pulled:v1")
check "pull with credentials" [ "$out" = "$want" ]
check "pulled blobs identical" diff -r "$DEMO/blobs" "$W/pulled/blobs"

# ---- failures
expect_err "unknown CA" "SSL certificate problem" \
    $SIGIL digest -u alice --password-stdin "$REG/demo:v1"
expect_err "no credentials" "authentication required by $REG" \
    $SIGIL digest --ca-file "$REG_CA" "$REG/demo:v1"
printf 'nope' >"$W/pw"
expect_err "wrong password" "authentication failed for $REG: credentials refused" \
    $SIGIL digest --ca-file "$REG_CA" -u alice --password-stdin \
    "$REG/demo:v1" <"$W/pw"
"$SIGIL" digest --ca-file "$REG_CA" -u alice --password-stdin \
    "$REG/demo:v1" <"$W/pw" >/dev/null 2>&1
check "wrong password exits 1" [ $? -eq 1 ]
printf 'nope' | $SIGIL copy --ca-file "$REG_CA" -u alice --password-stdin \
    "$REG/demo:v1" "oci-dir:$W/denied:v1" >/dev/null 2>&1
check "nothing pulled with wrong credentials" \
    [ "$(jq '.manifests | length' "$W/denied/index.json" 2>/dev/null ||
        echo 0)" = 0 ]

# ---- docker config.json auths
auth=$(printf 'alice:s3cret:pw' | base64)
mkdir -p "$HOME/.docker"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$auth" \
    >"$HOME/.docker/config.json"
out=$($SIGIL digest --ca-file "$REG_CA" "$REG/demo:v1" 2>"$W/err")
check "~/.docker/config.json auths" [ "$out" = "$want" ]
mkdir -p "$W/dc"
printf '{"auths":{"https://%s/v1/":{"username":"alice","password":"s3cret:pw"}}}' \
    "$REG" >"$W/dc/config.json"
out=$(DOCKER_CONFIG=$W/dc $SIGIL digest --ca-file "$REG_CA" "$REG/demo:v1")
check "\$DOCKER_CONFIG auths with a URL key" [ "$out" = "$want" ]
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" \
    "$(printf 'alice:bad' | base64)" >"$W/dc/config.json"
expect_err "config.json with a wrong password" \
    "authentication failed for $REG" \
    env DOCKER_CONFIG="$W/dc" $SIGIL digest --ca-file "$REG_CA" "$REG/demo:v1"
printf '{"auths":' >"$W/dc/config.json"
expect_err "broken config.json" "$W/dc/config.json" \
    env DOCKER_CONFIG="$W/dc" $SIGIL digest --ca-file "$REG_CA" "$REG/demo:v1"

# ---- credential helper docker-credential-sgtest (credHelpers/credsStore)
mkdir -p "$W/bin"
cat >"$W/bin/docker-credential-sgtest" <<EOF
#!/bin/sh
[ "\$1" = get ] || exit 2
read -r server
echo "\$1 \$server" >>"$W/helper.log"
if [ "\$server" = "$REG" ]; then
    printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret:pw"}' "\$server"
else
    echo "credentials not found in native keychain"
    exit 1
fi
EOF
chmod +x "$W/bin/docker-credential-sgtest"
printf '{"credHelpers":{"%s":"sgtest"},"auths":{"%s":{"auth":"%s"}}}' \
    "$REG" "$REG" "$(printf 'alice:bad' | base64)" >"$W/dc/config.json"
out=$(PATH=$W/bin:$PATH DOCKER_CONFIG=$W/dc $SIGIL digest --ca-file "$REG_CA" \
    "$REG/demo:v1")
check "credHelpers (wins over auths)" [ "$out" = "$want" ]
check "helper was asked for this registry" grep -qx "get $REG" \
    "$W/helper.log"
printf '{"credsStore":"sgtest"}' >"$W/dc/config.json"
: >"$W/helper.log"
out=$(PATH=$W/bin:$PATH DOCKER_CONFIG=$W/dc $SIGIL digest --ca-file "$REG_CA" \
    "$REG/demo:v1")
check "credsStore" [ "$out" = "$want" ]
check "store was asked" grep -qx "get $REG" "$W/helper.log"
printf '{"credsStore":"sgmissing"}' >"$W/dc/config.json"
expect_err "missing helper: anonymous, then refused" \
    "authentication required by $REG" \
    env PATH="$W/bin:$PATH" DOCKER_CONFIG="$W/dc" $SIGIL digest \
    --ca-file "$REG_CA" "$REG/demo:v1"

finish
