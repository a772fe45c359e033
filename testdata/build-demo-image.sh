#!/bin/bash
# Build the bundled demo image testdata/images/demo/ (an OCI image layout,
# tag "latest") by hand, without docker: a reproducible two-layer
# linux/amd64 image.
#
#   layer 1: a small Debian 12 root taken from THIS machine: os-release,
#            debian_version, var/lib/dpkg/status with the stanzas of the
#            packages below, their copyright files, a few /usr/bin tools
#            (with the merged-/usr bin -> usr/bin symlink).
#   layer 2: deletes usr/bin/echo (a .wh. whiteout) and adds an app.
#
# Reproducible: fixed mtimes, sorted entries, uid/gid 0, gzip -n. Run it
# again on the same machine and the digests do not change.
#
# usage: testdata/build-demo-image.sh [OUTDIR]   (default: testdata/images/demo)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/images/demo}
epoch=1704067200 # 2024-01-01T00:00:00Z
created=2024-01-01T00:00:00Z
pkgs="base-files libc6 zlib1g bash coreutils dpkg tar gzip libssl3
ca-certificates openssl sed grep debianutils libzstd1 liblzma5 libbz2-1.0
libacl1 libselinux1 libpcre2-8-0 libattr1 ncurses-base"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- layer 1: Debian root ------------------------------------------------
r1=$work/l1
mkdir -p "$r1/etc" "$r1/usr/lib" "$r1/usr/bin" "$r1/var/lib/dpkg" \
    "$r1/usr/share/doc" "$r1/tmp" "$r1/root"
cp /usr/lib/os-release "$r1/usr/lib/os-release"
ln -s ../usr/lib/os-release "$r1/etc/os-release"
cp /etc/debian_version "$r1/etc/debian_version"
ln -s usr/bin "$r1/bin"
ln -s usr/lib "$r1/lib"
for b in cat echo true ls; do cp /usr/bin/$b "$r1/usr/bin/$b"; done
: >"$r1/var/lib/dpkg/status"
for p in $pkgs; do
    # the package's stanza, verbatim, from this machine's dpkg database
    awk -v pkg="$p" 'BEGIN { RS = ""; ORS = "\n\n" }
        $0 ~ "(^|\n)Package: " pkg "\n" { print }' /var/lib/dpkg/status \
        >>"$r1/var/lib/dpkg/status"
    mkdir -p "$r1/usr/share/doc/$p"
    cp "/usr/share/doc/$p/copyright" "$r1/usr/share/doc/$p/copyright"
done
n=$(grep -c '^Package: ' "$r1/var/lib/dpkg/status")
[ "$n" -eq "$(echo $pkgs | wc -w)" ] || { echo "status has $n stanzas" >&2; exit 1; }
chmod 1777 "$r1/tmp"
chmod 700 "$r1/root"

# ---- layer 2: the change ---------------------------------------------------
r2=$work/l2
mkdir -p "$r2/usr/bin" "$r2/opt/app" "$r2/etc"
: >"$r2/usr/bin/.wh.echo"
cat >"$r2/opt/app/run.sh" <<'APP'
#!/bin/sh
# sigil demo application
cat /etc/app.conf
APP
chmod 755 "$r2/opt/app/run.sh"
printf 'greeting=hello from the sigil demo image\n' >"$r2/etc/app.conf"

mktar() { # DIR OUT.tar
    (cd "$1" && find . -mindepth 1 -exec touch -h -d @$epoch {} + &&
        tar --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
            --mtime=@$epoch -cf "$2" $(ls -A | LC_ALL=C sort))
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

rm -rf "$out"
mkdir -p "$out/blobs/sha256"
blob() { # FILE -> prints digest hex, moves into blobs
    h=$(sha "$1")
    cp "$1" "$out/blobs/sha256/$h"
    echo "$h"
}

mktar "$r1" "$work/l1.tar"
mktar "$r2" "$work/l2.tar"
diff1=$(sha "$work/l1.tar")
diff2=$(sha "$work/l2.tar")
gzip -n -9 "$work/l1.tar"
gzip -n -9 "$work/l2.tar"
l1=$(blob "$work/l1.tar.gz")
l2=$(blob "$work/l2.tar.gz")
l1s=$(size "$work/l1.tar.gz")
l2s=$(size "$work/l2.tar.gz")

cat >"$work/config.json" <<CFG
{"architecture":"amd64","os":"linux","created":"$created","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/opt/app/run.sh"],"WorkingDir":"/","Labels":{"org.opencontainers.image.title":"sigil-demo"}},"rootfs":{"type":"layers","diff_ids":["sha256:$diff1","sha256:$diff2"]},"history":[{"created":"$created","created_by":"build-demo-image.sh: debian root"},{"created":"$created","created_by":"build-demo-image.sh: app layer"}]}
CFG
printf '%s' "$(cat "$work/config.json")" >"$work/config.min.json"
cfg=$(blob "$work/config.min.json")
cfgs=$(size "$work/config.min.json")

printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$cfg\",\"size\":$cfgs},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$l1\",\"size\":$l1s},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$l2\",\"size\":$l2s}],\"annotations\":{\"org.opencontainers.image.created\":\"$created\",\"org.opencontainers.image.title\":\"sigil-demo\"}}" \
    >"$work/manifest.json"
man=$(blob "$work/manifest.json")
mans=$(size "$work/manifest.json")

printf '%s' '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$man\",\"size\":$mans,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}" \
    >"$out/index.json"
echo "sha256:$man"
