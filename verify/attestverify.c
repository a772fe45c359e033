/*
 * verify-attestation: DSSE/in-toto attestations on images and blobs
 * (cosign-format.md §3.4, §3.6), checked on the verify core's shared
 * path (core.c): envelope shape, payloadType, signature over PAE with
 * the envelope's own payloadType, then the signed statement: it must
 * parse, name the digest, not be a cosign image signature, and carry
 * the wanted predicate type. Fails closed: only SG_OK means verified.
 */
#include "verify_int.h"

#include <stdlib.h>
#include <string.h>

static void ctx_for(struct sg_v_ctx *v,
                    struct sg_oci_store *s,
                    const struct sg_attest_check *c)
{
    sg_v_ctx_init(v, SG_V_ATTESTATION, s, c->digest, c->key);
    v->type = c->type;
    v->predicate_uri = c->type ? sg_attest_predicate_uri(c->type) : NULL;
    v->flags = c->flags;
    if (c->ctx)
        v->ctx = c->ctx;
}

sg_err sg_verify_attestation_envelope(struct sg_attest_item *item,
                                      const void *env,
                                      size_t len,
                                      const struct sg_attest_check *c)
{
    struct sg_v_ctx v;
    struct sg_v_item it;
    sg_err rc;

    SG_ASSERT_ARG(c && c->key && c->digest);
    memset(&it, 0, sizeof(it));
    ctx_for(&v, NULL, c);
    rc = sg_v_check_envelope(&v, env, len, item ? &it : NULL);
    if (item) {
        free(item->statement);
        free(item->predicate_type);
        free(item->envelope);
        item->statement = it.payload;
        item->statement_len = it.payload_len;
        item->predicate_type = it.predicate_type;
        item->envelope = it.envelope;
        item->envelope_len = it.envelope_len;
    }
    sg_v_ctx_release(&v);
    return rc;
}

sg_err sg_verify_image_attestations(struct sg_attest_result *out,
                                    struct sg_oci_store *s,
                                    const struct sg_attest_check *c)
{
    struct sg_v_keyless_opts *kl = NULL;
    struct sg_v_ctx v;
    sg_err rc, erc;

    memset(out, 0, sizeof(*out));
    SG_ASSERT_ARG(s && c && (!c->key != !c->keyless) && c->digest);
    if (c->keyless) {
        rc = sg_v_keyless_opts_new(&kl, c->keyless);
        if (rc)
            return rc;
    }
    ctx_for(&v, s, c);
    v.keyless = kl;
    rc = sg_v_run(&v);
    erc = sg_v_export_attestations(&v, out);
    sg_v_ctx_release(&v);
    sg_v_keyless_opts_free(kl);
    return erc ? erc : rc;
}
