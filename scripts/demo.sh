#!/bin/sh
# The main job on the bundled image, with no server and no network:
# install what is missing (build tools, libraries, jq), build (release),
# then on a copy of the bundled OCI layout: make the SBOM, attest it and
# sign the image in one pass,
# then verify the signature and the attestation, with a throwaway key.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --build-only
cmake --preset release >/dev/null
cmake --build build/release -j"$(nproc)" --target sigil
SIGIL=$(pwd)/build/release/src/sigil
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The bundled image stays untouched: sign a copy of it.
IMG="oci-dir:$work/demo:latest"
echo "== sigil copy oci-dir:testdata/images/demo:latest $IMG"
$SIGIL copy oci-dir:testdata/images/demo:latest "$IMG"

echo "== throwaway key pair (COSIGN_PASSWORD)"
export COSIGN_PASSWORD=demo-only
(cd "$work" && $SIGIL generate-key-pair)

echo "== sigil sbom $IMG --attest --sign (one pass)"
$SIGIL sbom "$IMG" -o table -o "spdx-json=$work/sbom.spdx.json" \
    -o "cyclonedx-json=$work/sbom.cdx.json" \
    --attest --sign --key "$work/cosign.key"

echo "== sigil verify"
$SIGIL verify --key "$work/cosign.pub" "$IMG" >/dev/null
echo "== sigil verify-attestation --type spdxjson"
$SIGIL verify-attestation --key "$work/cosign.pub" --type spdxjson "$IMG" \
    >"$work/statement.json"
echo "verified statement for $(jq -r '.subject[0].digest.sha256' "$work/statement.json")"
echo "== sigil tree"
$SIGIL tree "$IMG"
