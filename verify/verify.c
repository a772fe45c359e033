/*
 * Image signatures with a public key (sigil verify) and the blob helper
 * behind verify-blob. The candidates (referrer bundles, .sig layers) are
 * found and checked by the verify core (core.c); this file holds the
 * claim checks of the simple-signing payload (cosign-format.md §2.4).
 */
#include "verify_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

sg_err sg_verify_claims(const void *payload,
                        size_t len,
                        const char *digest,
                        const struct sg_verify_opts *opts)
{
    json_t *root = NULL, *crit, *img, *dg, *type, *optional;
    char e1[200], e2[200];
    sg_err rc;

    rc = sg_json_parse(&root, payload, len, 0, 0, "payload");
    if (rc)
        return rc;
    crit = json_object_get(root, "critical");
    img = json_object_get(crit, "image");
    dg = json_object_get(img, "docker-manifest-digest");
    type = json_object_get(crit, "type");
    optional = json_object_get(root, "optional");
    if (!json_is_object(crit) || !json_is_string(dg)) {
        rc = sg_error_set(SG_EPARSE, "payload has no "
                                     "critical.image.docker-manifest-digest");
        goto done;
    }
    if (strcmp(json_string_value(dg), digest) != 0) {
        rc = sg_error_set(
            SG_EVERIFY, "payload signs digest %s, not the image digest %s",
            sg_escape(e1, sizeof(e1), json_string_value(dg)), digest);
        goto done;
    }
    if (!json_is_string(type) ||
        strcmp(json_string_value(type), SG_COSIGN_SIG_TYPE) != 0) {
        rc = sg_error_set(
            SG_EVERIFY, "payload type is '%s', not '" SG_COSIGN_SIG_TYPE "'",
            json_is_string(type)
                ? sg_escape(e1, sizeof(e1), json_string_value(type))
                : "(missing)");
        goto done;
    }
    for (size_t i = 0; opts && i < opts->n_annotations; i++) {
        json_t *v = json_object_get(optional, opts->annotations[i].key);
        if (!json_is_string(v) ||
            strcmp(json_string_value(v), opts->annotations[i].value) != 0) {
            rc = sg_error_set(
                SG_EVERIFY, "required annotation %s=%s is not in the payload",
                sg_escape(e1, sizeof(e1), opts->annotations[i].key),
                sg_escape(e2, sizeof(e2), opts->annotations[i].value));
            goto done;
        }
    }
done:
    json_decref(root);
    return rc;
}

sg_err sg_verify_image(struct sg_verify_result *out,
                       struct sg_oci_store *s,
                       const char *digest,
                       const struct sg_sign_key *k,
                       const struct sg_verify_opts *opts)
{
    struct sg_v_ctx c;
    sg_err rc, erc;

    struct sg_v_keyless_opts *kl = NULL;

    memset(out, 0, sizeof(*out));
    SG_ASSERT_ARG(!k != !(opts && opts->keyless));
    if (opts && opts->keyless) {
        rc = sg_v_keyless_opts_new(&kl, opts->keyless);
        if (rc)
            return rc;
    }
    sg_v_ctx_init(&c, SG_V_SIGNATURE, s, digest, k);
    c.keyless = kl;
    if (opts) {
        c.annotations = opts->annotations;
        c.n_annotations = opts->n_annotations;
        c.docker_reference = opts->docker_reference;
        if (opts->ctx)
            c.ctx = opts->ctx;
    }
    rc = sg_v_run(&c);
    erc = sg_v_export_signatures(&c, out);
    sg_v_ctx_release(&c);
    sg_v_keyless_opts_free(kl);
    return erc ? erc : rc;
}

sg_err sg_verify_blob(const struct sg_sign_key *k,
                      const void *data,
                      size_t len,
                      const char *sig_b64,
                      size_t sig_len)
{
    struct sg_buf sig = SG_BUF_INIT(1024 * 1024);
    sg_err rc;

    if (sg_base64_decode(&sig, sig_b64, sig_len) != SG_OK) {
        sg_buf_release(&sig);
        return sg_error_set(SG_EVERIFY, "signature is not valid base64 "
                                        "(truncated or corrupted?)");
    }
    rc = sg_sign_key_verify(k, data, len, sig.data, sig.len);
    sg_buf_release(&sig);
    return rc;
}
