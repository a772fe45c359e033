# Helpers for the sign/verify integration tests (sourced after lib.sh).
#
#   push_blob REPO FILE             upload FILE as a blob (POST + PUT)
#   push_manifest REPO REF FILE [CT] PUT a manifest by tag or digest
#   get_manifest REPO REF           print a manifest
#   mk_sig_manifest OUT LAYER...    write a cosign .sig manifest to OUT and
#                                   push its config + payloads to $MKREPO;
#                                   LAYER = payload_file:sig_b64_file[:media]
#   blob_path DIGEST                the registry's storage file for a blob
#   expect NAME RC_WANT PATTERN CMD...   run CMD; check its exit code and
#                                   that stderr+stdout matches PATTERN
set -u

push_blob() {
    repo=$1
    f=$2
    d="sha256:$(sha256sum "$f" | cut -d' ' -f1)"
    loc=$(curl -s -o /dev/null -w '%header{location}' -X POST \
        "http://$REG/v2/$repo/blobs/uploads/")
    case "$loc" in http*) ;; *) loc="http://$REG$loc" ;; esac
    case "$loc" in *\?*) sep='&' ;; *) sep='?' ;; esac
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
        -H 'Content-Type: application/octet-stream' --data-binary "@$f" \
        "$loc${sep}digest=$d")
    [ "$code" = 201 ] || { echo "push_blob $f: HTTP $code" >&2; return 1; }
}

push_manifest() {
    ct=${4:-application/vnd.oci.image.manifest.v1+json}
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
        -H "Content-Type: $ct" --data-binary "@$3" \
        "http://$REG/v2/$1/manifests/$2")
    [ "$code" = 201 ] || { echo "push_manifest $3: HTTP $code" >&2; return 1; }
}

get_manifest() {
    curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REG/v2/$1/manifests/$2"
}

blob_path() {
    hex=${1#sha256:}
    echo "$REG_DIR/data/docker/registry/v2/blobs/sha256/$(echo "$hex" | cut -c1-2)/$hex/data"
}

# mk_sig_manifest OUT payload:sigfile[:mediatype]...  (an independent
# builder of cosign's layout, written with python's json, not sigil)
mk_sig_manifest() {
    out=$1
    shift
    $PY - "$out" "$@" <<'PYEOF'
import hashlib, json, sys
out = sys.argv[1]
layers, ids = [], []
for spec in sys.argv[2:]:
    parts = spec.split(":")
    payload, sigf = parts[0], parts[1]
    mt = ":".join(parts[2:]) or "application/vnd.dev.cosign.simplesigning.v1+json"
    data = open(payload, "rb").read()
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    sig = open(sigf).read().strip()
    layers.append({"mediaType": mt, "size": len(data), "digest": d,
                   "annotations": {"dev.cosignproject.cosign/signature": sig}})
    ids.append(d)
cfg = {"architecture": "", "created": "0001-01-01T00:00:00Z",
       "history": [{"created": "0001-01-01T00:00:00Z"} for _ in ids],
       "os": "", "rootfs": {"type": "layers", "diff_ids": ids}, "config": {}}
cb = json.dumps(cfg, separators=(",", ":")).encode()
open(out + ".config", "wb").write(cb)
m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
     "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                "size": len(cb), "digest": "sha256:" + hashlib.sha256(cb).hexdigest()},
     "layers": layers}
open(out, "w").write(json.dumps(m, separators=(",", ":")))
PYEOF
    push_blob "$MKREPO" "$out.config" || return 1
    for spec in "$@"; do
        push_blob "$MKREPO" "${spec%%:*}" || return 1
    done
}

# expect NAME RC PATTERN CMD...: exit code RC and output matching PATTERN
expect() {
    name=$1
    want=$2
    pat=$3
    shift 3
    got_out=$("$@" 2>&1)
    got=$?
    if [ "$got" = "$want" ] && printf '%s' "$got_out" | grep -qE -- "$pat"; then
        pass "$name"
    else
        fail "$name (exit $got, want $want; output: $got_out)"
    fi
}
