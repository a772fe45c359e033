#!/bin/bash
# Key commands through the real binary: every testdata/vectors/enckey-* key
# gives (via public-key) exactly the independently derived public key,
# enckey-03 (SEC1 inside) is refused with the reason, wrong passwords say
# so; import-key-pair for PKCS#8/SEC1/PKCS#1/encrypted PKCS#8 from the
# openssl CLI, with weak keys refused; imported keys sign and verify.
. "$SG_SOURCE_DIR/tests/integration/lib.sh"
. "$SG_SOURCE_DIR/tests/integration/sign_lib.sh"

S=$SIGIL
V=$SG_TESTDATA/vectors
T=$(tmpdir)
cd "$T" || exit 1

for n in 01 02 04 05 06 07 08; do
    pw=$(cat "$V/enckey-$n/password.txt")
    COSIGN_PASSWORD=$pw $S public-key --key "$V/enckey-$n/cosign.key" >pub.$n 2>err.$n
    check "enckey-$n loads; public key equals derived-public.pem" cmp pub.$n "$V/enckey-$n/derived-public.pem"
done
expect "enckey-03 (SEC1 plaintext) refused like cosign" 1 "not PKCS#8" \
    env COSIGN_PASSWORD=hello $S public-key --key "$V/enckey-03/cosign.key"
expect "wrong password" 1 "incorrect password for private key" \
    env COSIGN_PASSWORD=wrong $S public-key --key "$V/enckey-01/cosign.key"
export ENVKEY
ENVKEY=$(cat "$V/enckey-05/cosign.key")
check "env://VAR key" env COSIGN_PASSWORD= $S public-key --key env://ENVKEY --outfile env.pub
check "env:// key gives the same public key" cmp env.pub "$V/enckey-05/derived-public.pem"

export COSIGN_PASSWORD=imp
printf 'data\n' >data
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa8.pem 2>/dev/null
openssl pkey -in rsa8.pem -traditional -out rsa1.pem
openssl ecparam -name prime256v1 -genkey -noout -out sec1.pem 2>/dev/null
openssl ecparam -name secp384r1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out p384.pem
openssl genpkey -algorithm ed25519 -out ed.pem
openssl pkcs8 -topk8 -in sec1.pem -passout pass:imp -out enc8.pem 2>/dev/null
for k in rsa8 rsa1 sec1 p384 ed enc8; do
    check "import-key-pair $k" $S import-key-pair -q --key $k.pem --output-key-prefix imp-$k
    check "import $k: cosign.key is the SIGSTORE label" grep -q 'BEGIN ENCRYPTED SIGSTORE PRIVATE KEY' imp-$k.key
    $S sign-blob --key imp-$k.key --output-signature $k.sig data 2>/dev/null
    check "import $k: signs, and verifies with the .pub" $S verify-blob --key imp-$k.pub --signature $k.sig data
done
base64 -d rsa8.sig >rsa8.der
check "openssl verifies an RSA PKCS#1 v1.5 SHA-256 signature" \
    openssl dgst -sha256 -verify imp-rsa8.pub -signature rsa8.der data
openssl ecparam -name secp224r1 -genkey -noout -out p224.pem 2>/dev/null
expect "P-224 refused" 1 "unsupported ECDSA curve" $S import-key-pair --key p224.pem --output-key-prefix bad
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pem 2>/dev/null
expect "RSA-1024 refused" 1 "RSA key size 1024" $S import-key-pair --key rsa1024.pem --output-key-prefix bad
check "nothing written for refused keys" test ! -e bad.key
expect "import refuses to overwrite" 1 "already exists" $S import-key-pair --key ed.pem --output-key-prefix imp-ed
expect "public key as private key" 1 "unsupported PEM type 'PUBLIC KEY'" $S sign-blob --key imp-ed.pub data

finish
