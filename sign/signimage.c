/*
 * Signing an image as `cosign sign --key` does (legacy format): the
 * simple-signing payload for the digest, a signature with the key, and a
 * layer appended to sha256-<hex>.sig. An existing layer with the same
 * payload whose signature verifies with this key counts as already signed
 * (cosign's duplicate detection, cosign-format.md §2.3).
 */
#include "sign_int.h"

#include <stdlib.h>
#include <string.h>

#define MT_SIMPLESIGNING SG_MT_SIMPLESIGNING

struct dup_ctx {
    const char *payload_digest;
    const struct sg_buf *payload;
    const struct sg_sign_key *k;
};

static int same_signature(const char *digest,
                          const char *media_type,
                          const char *sig,
                          void *payload)
{
    struct dup_ctx *c = payload;
    struct sg_buf raw = SG_BUF_INIT(64 * 1024);
    int same = 0;

    if (!sig || strcmp(digest, c->payload_digest) != 0 ||
        strcmp(media_type, MT_SIMPLESIGNING) != 0)
        return 0;
    if (sg_base64_decode(&raw, sig, strlen(sig)) == SG_OK)
        same = sg_sign_key_verify(c->k, c->payload->data, c->payload->len,
                                  raw.data, raw.len) == SG_OK;
    sg_error_clear();
    sg_buf_release(&raw);
    return same;
}

sg_err sg_sign_image_payload(struct sg_buf *out,
                             struct sg_oci_store *s,
                             const char *digest,
                             const struct sg_sign_image_opts *opts)
{
    struct sg_buf ref = SG_BUF_INIT(4096);
    const struct sg_oci_ref *r;
    const char *dref = opts ? opts->docker_reference : NULL;
    sg_err rc = SG_OK;

    if (!dref) {
        r = sg_oci_store_ref(s);
        if (r->registry && strcmp(r->registry, "docker.io") == 0)
            /* what cosign writes (ggcr's Repository.Name()) */
            rc = sg_buf_addf(&ref, "index.docker.io/%s",
                             r->repository ? r->repository : "");
        else if (r->registry && r->registry[0])
            rc = sg_oci_ref_repo_name(&ref, r);
        else if (r->repository)
            rc = sg_buf_adds(&ref, r->repository);
        if (rc) {
            sg_buf_release(&ref);
            return rc;
        }
        dref = ref.data;
    }
    rc = sg_sign_payload_build(out, dref, digest,
                               opts ? opts->annotations : NULL,
                               opts ? opts->n_annotations : 0);
    sg_buf_release(&ref);
    return rc;
}

sg_err sg_sign_image(struct sg_oci_store *s,
                     const char *digest,
                     const struct sg_sign_key *k,
                     const struct sg_sign_image_opts *opts)
{
    struct sg_buf payload = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  sig = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  b64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char pdigest[SG_DIGEST_STR_MAX];
    struct sg_sign_annotation a;
    struct sg_sign__layer l = { .digest = digest,
                                .suffix = "sig",
                                .media_type = MT_SIMPLESIGNING,
                                .annotations = &a,
                                .n_annotations = 1 };
    struct dup_ctx dup;
    int appended = 0;
    sg_err rc;

    if (!sg_digest_valid(digest))
        return sg_error_set(SG_EINVAL, "not a digest: %s", digest);
    rc = sg_sign_image_payload(&payload, s, digest, opts);
    if (!rc)
        rc = sg_sign_key_sign(&sig, k, payload.data, payload.len);
    if (!rc)
        rc = sg_base64_encode(&b64, sig.data, sig.len);
    if (!rc)
        rc = sg_sha256_digest(pdigest, payload.data, payload.len);
    if (rc)
        goto done;
    a.key = "dev.cosignproject.cosign/signature";
    a.value = b64.data;
    dup.payload_digest = pdigest;
    dup.payload = &payload;
    dup.k = k;
    l.data = payload.data;
    l.len = payload.len;
    rc = sg_sign__append_layer_ex(s, &l, same_signature, &dup, &appended);
    if (!rc && !appended)
        sg_info(sg_oci_store_ctx(s),
                "%s: already signed with this key and payload", digest);
done:
    sg_buf_release(&payload);
    sg_buf_release(&sig);
    sg_buf_release(&b64);
    return rc;
}
