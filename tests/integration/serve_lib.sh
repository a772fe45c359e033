# Shared by the `sigil serve` integration tests (sourced after lib.sh):
# AdmissionReview bodies, response fields and the key policies. The test
# defines C (curl with its CA and timeout) and URL before calling review.

# mkpod UID IMAGE [N]: a Pod AdmissionReview (CREATE, namespace team-a)
# with N containers (default 1); IMAGE may hold {i}, replaced by the
# container's index.
mkpod() {
    $PY - "$1" "$2" "${3:-1}" <<'PYEOF'
import json, sys
uid, pat, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
pod = {"metadata": {"name": "p"}, "spec": {"containers": [
    {"name": "c%d" % i, "image": pat.replace("{i}", str(i))} for i in range(n)]}}
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
  "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
              "resource": {"group": "", "version": "v1", "resource": "pods"},
              "namespace": "team-a", "operation": "CREATE", "object": pod}}))
PYEOF
}

# review PATH FILE: POST FILE to $URL$PATH, the answer on stdout.
review() { C -H 'Content-Type: application/json' --data-binary "@$2" "$URL$1"; }

# field FILE EXPR: a Python expression over the parsed response `r`.
field() { $PY -c "import json,sys; r=json.load(open(sys.argv[1]))['response']; print($2)" "$1" 2>&1; }

# key_policies DIR PUBKEY SIGNED_GLOB WARNED_GLOB: DIR/signed.yaml (the
# key on SIGNED_GLOB, enforce) and DIR/warned.yaml (on WARNED_GLOB, warn).
key_policies() {
    mkdir -p "$1"
    _pem=$(sed 's/^/        /' "$2")
    for _m in enforce warn; do
        if [ $_m = enforce ]; then _n=signed-by-test-key _g=$3 _f=signed; else _n=warned-images _g=$4 _f=warned; fi
        cat >"$1/$_f.yaml" <<YAML
apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: $_n
spec:
  mode: $_m
  images:
  - glob: "$_g"
  authorities:
  - name: test-key
    key:
      data: |
$_pem
YAML
    done
}
