#!/bin/bash
# sigil against docker-registry with `auth: token` and the JWT token
# server in tests/integration/tokenserver.py: anonymous pulls, pushes
# with credentials, tokens reused per scope, `token` vs `access_token`
# answers, RS256 keys, identity tokens (OAuth2 refresh-token POST), and
# the failures (wrong password, push without credentials).
. "$SG_SOURCE_DIR/tests/integration/lib.sh"

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
    "$@" >"$W/out" 2>"$W/err"
    _rc=$?
    if [ "$_rc" -eq 1 ] && grep -qF -- "$_pat" "$W/err"; then
        pass "$_d"
    else
        fail "$_d (exit $_rc, stderr: $(cat "$W/err"))"
    fi
}

start_registry_token alice wonderland
TLOG=$TOKEN_DIR/token.log

# ---- push needs credentials
expect_err "anonymous push refused" \
    "authentication failed for $REG: access to repository:demo:pull,push denied" \
    $SIGIL copy "oci-dir:$DEMO" "$REG/demo:v1" </dev/null
: >"$TLOG"
out=$(printf 'wonderland' | $SIGIL copy -u alice --password-stdin \
    "oci-dir:$DEMO" "$REG/demo:v1")
check "push with credentials" [ "$out" = "$want" ]
check "token asked with Basic credentials" grep -q \
    "^GET basic repository:demo:pull,push" "$TLOG"
n=$(grep -c "pull,push" "$TLOG")
check "push token fetched once and reused ($n)" [ "$n" -eq 1 ]
got=$(skopeo inspect --raw --tls-verify=false --creds alice:wonderland \
    "docker://$REG/demo:v1" | sha256sum)
check "skopeo sees the pushed digest" [ "sha256:${got%% *}" = "$want" ]

# ---- anonymous pull (the token server grants pull to anyone)
: >"$TLOG"
out=$($SIGIL copy "$REG/demo:v1" "oci-dir:$W/anon:v1")
check "anonymous pull" [ "$out" = "$want" ]
check "pulled blobs identical" diff -r "$DEMO/blobs" "$W/anon/blobs"
n=$(wc -l <"$TLOG")
check "one anonymous token for the whole pull ($n)" [ "$n" -eq 1 ]
check "anonymous token asked for pull" grep -qx \
    "GET anonymous repository:demo:pull" "$TLOG"

# ---- wrong credentials: one clear error, no retry loop
: >"$TLOG"
expect_err "wrong password" \
    "authentication failed for $REG: token server answered HTTP 401: UNAUTHORIZED: invalid username or password" \
    sh -c "printf bad | $SIGIL digest -u alice --password-stdin $REG/demo:v1"
n=$(wc -l <"$TLOG")
check "wrong password asked once ($n)" [ "$n" -eq 1 ]

# ---- identity token from config.json → OAuth2 refresh-token POST
mkdir -p "$W/dc"
printf '{"auths":{"%s":{"identitytoken":"refresh-me"}}}' "$REG" \
    >"$W/dc/config.json"
: >"$TLOG"
out=$(DOCKER_CONFIG=$W/dc $SIGIL copy "oci-dir:$DEMO" "$REG/idtok:v1")
check "push with an identity token" [ "$out" = "$want" ]
check "refresh-token POST used" grep -q "^POST refresh repository:idtok" \
    "$TLOG"
printf '{"auths":{"%s":{"identitytoken":"stale"}}}' "$REG" \
    >"$W/dc/config.json"
expect_err "stale identity token" \
    "authentication failed for $REG: token server answered HTTP 401" \
    env DOCKER_CONFIG="$W/dc" $SIGIL copy "oci-dir:$DEMO" "$REG/idtok:v2"

# ---- a token server answering access_token only, signing with RS256
start_registry_token bob builder --field access_token --alg RS256
out=$(printf 'builder' | $SIGIL copy -u bob --password-stdin \
    "oci-dir:$DEMO" "$REG/demo:v1")
check "access_token answers (RS256)" [ "$out" = "$want" ]
check "anonymous digest (access_token)" \
    [ "$($SIGIL digest "$REG/demo:v1")" = "$want" ]

finish
