/*
 * Verifying cosign signatures on an image with a public key, failing
 * closed: the legacy sha256-<hex>.sig layers (cosign-format.md §2.4) and
 * cosign v3 Sigstore bundles among the OCI 1.1 referrers (§3.6). Each
 * candidate is checked in full (descriptor digest and size, signature
 * over the exact bytes, signed digest, type, required annotations) and
 * listed with its reason; SG_OK only when one passed. A registry error
 * with nothing passing is returned as that error, never as "verified".
 * Also the blob helpers behind verify-blob.
 */
#include "sigil/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define BUNDLE_MT_PREFIX      "application/vnd.dev.sigstore.bundle"
#define COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"
#define CERT_ANNOTATION       "dev.sigstore.cosign/certificate"

struct vctx {
    struct sg_verify_result *out;
    struct sg_oci_store *s;
    const char *digest;
    const struct sg_sign_key *k;
    const struct sg_verify_opts *opts;
    sg_err io_rc; /* first registry/IO error met */
    char io_msg[512];
};

static sg_err add_item(struct vctx *c,
                       int ok,
                       const char *reason,
                       const void *payload,
                       size_t len,
                       const char *source)
{
    struct sg_verify_item *v, *items;

    items = realloc(c->out->items, (c->out->n_items + 1) * sizeof(*items));
    if (!items)
        return sg_error_oom();
    c->out->items = items;
    v = &items[c->out->n_items];
    memset(v, 0, sizeof(*v));
    v->ok = ok;
    v->reason = reason ? strdup(reason) : NULL;
    v->source = strdup(source);
    if (payload) {
        v->payload = malloc(len + 1);
        if (v->payload) {
            memcpy(v->payload, payload, len);
            v->payload[len] = '\0';
            v->payload_len = len;
        }
    }
    c->out->n_items++;
    if ((reason && !v->reason) || !v->source || (payload && !v->payload))
        return sg_error_oom();
    return SG_OK;
}

/* Transport/registry trouble (not a verdict about a signature). */
static int is_io_error(sg_err rc)
{
    return rc == SG_ENET || rc == SG_EHTTP || rc == SG_EIO || rc == SG_EAUTH ||
           rc == SG_ENOMEM || rc == SG_EINTERNAL;
}

static void note_io(struct vctx *c, sg_err rc, const char *what)
{
    if (c->io_rc)
        return;
    c->io_rc = rc;
    snprintf(c->io_msg, sizeof(c->io_msg), "%s: %s", what, sg_error_last());
}

sg_err sg_verify_claims(const void *payload,
                        size_t len,
                        const char *digest,
                        const struct sg_verify_opts *opts)
{
    json_t *root = NULL, *crit, *img, *dg, *type, *optional;
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
        rc = sg_error_set(SG_EVERIFY,
                          "payload signs digest %s, not the image digest %s",
                          json_string_value(dg), digest);
        goto done;
    }
    if (!json_is_string(type) ||
        strcmp(json_string_value(type), SG_COSIGN_SIG_TYPE) != 0) {
        rc = sg_error_set(
            SG_EVERIFY, "payload type is '%s', not '" SG_COSIGN_SIG_TYPE "'",
            json_is_string(type) ? json_string_value(type) : "(missing)");
        goto done;
    }
    for (size_t i = 0; opts && i < opts->n_annotations; i++) {
        json_t *v = json_object_get(optional, opts->annotations[i].key);
        if (!json_is_string(v) ||
            strcmp(json_string_value(v), opts->annotations[i].value) != 0) {
            rc = sg_error_set(SG_EVERIFY,
                              "required annotation %s=%s is not in the "
                              "payload",
                              opts->annotations[i].key,
                              opts->annotations[i].value);
            goto done;
        }
    }
done:
    json_decref(root);
    return rc;
}

/* One layer of the .sig manifest. */
static sg_err check_layer(struct vctx *c,
                          const struct sg_oci_descriptor *d,
                          const char *source)
{
    struct sg_buf payload = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  sig = SG_BUF_INIT(64 * 1024);
    const char *b64 = sg_oci_descriptor_annotation(d, SG_ANNOT_COSIGN_SIG);
    char reason[640];
    sg_err rc;

    reason[0] = '\0';
    if (strcmp(d->media_type, SG_MT_SIMPLESIGNING) != 0) {
        snprintf(reason, sizeof(reason),
                 "media type %s is not a cosign simple-signing payload",
                 d->media_type);
        goto fail;
    }
    if (sg_oci_descriptor_annotation(d, CERT_ANNOTATION)) {
        snprintf(reason, sizeof(reason),
                 "certificate-based (keyless) signature: not checkable with "
                 "a key");
        goto fail;
    }
    if (!b64 || !b64[0]) {
        snprintf(reason, sizeof(reason), "layer has no signature annotation");
        goto fail;
    }
    rc = sg_oci_store_get_blob_buf(c->s, d, &payload,
                                   sg_limits_default()->small_blob_max);
    if (rc) {
        if (is_io_error(rc))
            note_io(c, rc, source);
        snprintf(reason, sizeof(reason), "payload blob: %s", sg_error_last());
        goto fail;
    }
    if (sg_base64_decode(&sig, b64, strlen(b64)) != SG_OK) {
        snprintf(reason, sizeof(reason),
                 "signature annotation is not valid base64");
        goto fail;
    }
    rc = sg_sign_key_verify(c->k, payload.data, payload.len, sig.data, sig.len);
    if (rc) {
        snprintf(reason, sizeof(reason), "%s", sg_error_last());
        goto fail;
    }
    rc = sg_verify_claims(payload.data, payload.len, c->digest, c->opts);
    if (rc) {
        snprintf(reason, sizeof(reason), "%s", sg_error_last());
        goto fail;
    }
    rc = add_item(c, 1, NULL, payload.data, payload.len, source);
    goto done;
fail:
    rc = add_item(c, 0, reason, payload.len ? payload.data : NULL, payload.len,
                  source);
done:
    sg_buf_release(&payload);
    sg_buf_release(&sig);
    return rc;
}

static sg_err check_legacy(struct vctx *c)
{
    struct sg_buf tag = SG_BUF_INIT(256), body = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  src = SG_BUF_INIT(512);
    struct sg_oci_manifest *m = NULL;
    char *mt = NULL;
    sg_err rc;

    rc = sg_sign_tag_for(&tag, c->digest, "sig");
    if (rc)
        return rc;
    rc = sg_oci_store_get_manifest(c->s, tag.data, &body, &mt, NULL);
    if (rc == SG_ENOTFOUND) {
        sg_error_clear();
        rc = SG_OK;
        goto done;
    }
    if (rc) {
        if (is_io_error(rc) || rc == SG_EUNSUPPORTED) {
            note_io(c, rc, tag.data);
            rc = SG_OK;
        } else {
            char reason[600];
            snprintf(reason, sizeof(reason), "%s", sg_error_last());
            rc = add_item(c, 0, reason, NULL, 0, tag.data);
        }
        goto done;
    }
    rc = sg_oci_manifest_parse(&m, body.data, body.len, mt);
    if (!rc && m->is_index)
        rc = sg_error_set(SG_EPARSE, "an index, not a signature manifest");
    if (rc) {
        char reason[600];
        snprintf(reason, sizeof(reason), "malformed signature manifest: %s",
                 sg_error_last());
        rc = add_item(c, 0, reason, NULL, 0, tag.data);
        goto done;
    }
    for (size_t i = 0; !rc && i < m->n_layers; i++) {
        sg_buf_reset(&src);
        rc = sg_buf_addf(&src, "%s layer %zu", tag.data, i);
        if (!rc)
            rc = check_layer(c, &m->layers[i], src.data);
    }
done:
    sg_oci_manifest_free(m);
    free(mt);
    sg_buf_release(&tag);
    sg_buf_release(&body);
    sg_buf_release(&src);
    return rc;
}

/* The subject annotations of a cosign v3 sign statement must hold the
 * required -a pairs. */
static int statement_has_annotations(const unsigned char *st,
                                     size_t len,
                                     const struct sg_verify_opts *o,
                                     char *why,
                                     size_t cap)
{
    json_t *root = NULL, *ann;
    int ok = 1;

    if (!o || !o->n_annotations)
        return 1;
    if (sg_json_parse(&root, st, len, 0, 0, "statement") != SG_OK)
        return 0;
    ann = json_object_get(json_array_get(json_object_get(root, "subject"), 0),
                          "annotations");
    for (size_t i = 0; ok && i < o->n_annotations; i++) {
        json_t *v = json_object_get(ann, o->annotations[i].key);
        if (!json_is_string(v) ||
            strcmp(json_string_value(v), o->annotations[i].value) != 0) {
            snprintf(why, cap,
                     "required annotation %s=%s is not in the statement",
                     o->annotations[i].key, o->annotations[i].value);
            ok = 0;
        }
    }
    json_decref(root);
    return ok;
}

/* What cosign v3 prints for a verified bundle: a synthesized payload. */
static sg_err bundle_payload(struct sg_buf *out, struct vctx *c)
{
    const char *ref =
        c->opts && c->opts->docker_reference ? c->opts->docker_reference : "";
    json_t *o =
        json_pack("{s:{s:{s:s},s:{s:s},s:s},s:n}", "critical", "identity",
                  "docker-reference", ref, "image", "docker-manifest-digest",
                  c->digest, "type", COSIGN_SIGN_PREDICATE, "optional");
    char *s;
    sg_err rc;

    if (!o)
        return sg_error_oom();
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return sg_error_oom();
    rc = sg_buf_adds(out, s);
    free(s);
    return rc;
}

/* One Sigstore bundle blob (untrusted). Sets *skip for bundles that are
 * not image signatures (attestations). */
static sg_err check_bundle(struct vctx *c,
                           const void *data,
                           size_t len,
                           char *why,
                           size_t cap,
                           int *skip)
{
    json_t *root = NULL, *mt, *vm, *dsse;
    struct sg_dsse_envelope *env = NULL;
    struct sg_intoto_statement *st = NULL;
    sg_err rc = SG_EVERIFY;

    *skip = 0;
    if (sg_json_parse(&root, data, len, 0, 0, "bundle") != SG_OK) {
        snprintf(why, cap, "%s", sg_error_last());
        return SG_EPARSE;
    }
    mt = json_object_get(root, "mediaType");
    vm = json_object_get(root, "verificationMaterial");
    dsse = json_object_get(root, "dsseEnvelope");
    if (!json_is_string(mt) ||
        (strcmp(json_string_value(mt),
                "application/vnd.dev.sigstore.bundle.v0.3+json") != 0 &&
         strcmp(json_string_value(mt),
                "application/vnd.dev.sigstore.bundle+json;version=0.3") != 0)) {
        snprintf(why, cap,
                 "bundle media type %s is not supported (v0.3 "
                 "required)",
                 json_is_string(mt) ? json_string_value(mt) : "(missing)");
        goto done;
    }
    if (!json_is_object(dsse)) {
        if (json_is_object(json_object_get(root, "messageSignature")))
            *skip = 1; /* a blob signature, not an image signature */
        else
            snprintf(why, cap, "bundle has no dsseEnvelope");
        goto done;
    }
    if (sg_dsse_envelope_from_json(&env, dsse) != SG_OK) {
        snprintf(why, cap, "bundle envelope: %s", sg_error_last());
        goto done;
    }
    if (strcmp(env->payload_type, SG_INTOTO_PAYLOAD_TYPE) != 0) {
        snprintf(why, cap, "envelope payloadType %s is not in-toto",
                 env->payload_type);
        goto done;
    }
    if (sg_intoto_statement_parse(&st, env->payload, env->payload_len) !=
        SG_OK) {
        snprintf(why, cap, "bundle statement: %s", sg_error_last());
        goto done;
    }
    if (!st->predicate_type ||
        strcmp(st->predicate_type, COSIGN_SIGN_PREDICATE) != 0) {
        *skip = 1; /* an attestation: verify-attestation's business */
        goto done;
    }
    if (json_is_object(json_object_get(vm, "certificate")) ||
        json_is_object(json_object_get(vm, "x509CertificateChain"))) {
        snprintf(why, cap,
                 "certificate-based (keyless) bundle: not "
                 "checkable with a key");
        goto done;
    }
    if (sg_dsse_envelope_verify(env, c->k) != SG_OK) {
        snprintf(why, cap,
                 "bundle signature does not verify with the given "
                 "key");
        goto done;
    }
    if (!sg_intoto_statement_has_digest(st, c->digest)) {
        snprintf(why, cap,
                 "bundle statement does not name the image digest "
                 "%s",
                 c->digest);
        goto done;
    }
    if (!statement_has_annotations(env->payload, env->payload_len, c->opts, why,
                                   cap))
        goto done;
    rc = SG_OK;
done:
    sg_intoto_statement_free(st);
    sg_dsse_envelope_free(env);
    json_decref(root);
    return rc;
}

static sg_err check_referrer(struct vctx *c, const struct sg_oci_descriptor *d)
{
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  blob = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  shown = SG_BUF_INIT(SG_BUF_NOLIMIT), src = SG_BUF_INIT(512);
    struct sg_oci_manifest *m = NULL;
    char *mt = NULL;
    char why[640];
    int skip = 0;
    sg_err rc;

    why[0] = '\0';
    rc = sg_buf_addf(&src, "referrer %s", d->digest);
    if (rc)
        return rc;
    rc = sg_oci_store_get_manifest(c->s, d->digest, &body, &mt, NULL);
    if (!rc)
        rc = sg_oci_manifest_parse(&m, body.data, body.len, mt);
    if (rc) {
        if (is_io_error(rc))
            note_io(c, rc, src.data);
        snprintf(why, sizeof(why), "%s", sg_error_last());
        goto fail;
    }
    if (m->is_index || m->n_layers != 1 ||
        strncmp(m->layers[0].media_type, BUNDLE_MT_PREFIX,
                strlen(BUNDLE_MT_PREFIX)) != 0) {
        rc = SG_OK; /* not a bundle manifest: not a candidate */
        goto done;
    }
    rc = sg_oci_store_get_blob_buf(c->s, &m->layers[0], &blob,
                                   sg_limits_default()->small_blob_max);
    if (rc) {
        if (is_io_error(rc))
            note_io(c, rc, src.data);
        snprintf(why, sizeof(why), "bundle blob: %s", sg_error_last());
        goto fail;
    }
    rc = check_bundle(c, blob.data, blob.len, why, sizeof(why), &skip);
    if (skip) {
        rc = SG_OK;
        goto done;
    }
    if (rc)
        goto fail;
    rc = bundle_payload(&shown, c);
    if (!rc)
        rc = add_item(c, 1, NULL, shown.data, shown.len, src.data);
    goto done;
fail:
    rc = add_item(c, 0, why, NULL, 0, src.data);
done:
    sg_oci_manifest_free(m);
    free(mt);
    sg_buf_release(&body);
    sg_buf_release(&blob);
    sg_buf_release(&shown);
    sg_buf_release(&src);
    return rc;
}

static sg_err check_referrers(struct vctx *c)
{
    struct sg_buf idx = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_oci_manifest *m = NULL;
    sg_err rc;

    rc = sg_oci_store_referrers(c->s, c->digest, NULL, &idx);
    if (rc == SG_ENOTFOUND || rc == SG_EUNSUPPORTED) {
        sg_error_clear();
        rc = SG_OK;
        goto done;
    }
    if (rc) {
        note_io(c, rc, "referrers");
        rc = SG_OK;
        goto done;
    }
    if (!idx.len)
        goto done;
    rc = sg_oci_manifest_parse(&m, idx.data, idx.len, SG_MT_OCI_INDEX);
    if (rc) {
        note_io(c, SG_EPARSE, "referrers index");
        rc = SG_OK;
        goto done;
    }
    for (size_t i = 0; !rc && i < m->n_layers; i++) {
        const struct sg_oci_descriptor *d = &m->layers[i];
        if (!d->artifact_type || strncmp(d->artifact_type, BUNDLE_MT_PREFIX,
                                         strlen(BUNDLE_MT_PREFIX)) != 0)
            continue;
        rc = check_referrer(c, d);
    }
done:
    sg_oci_manifest_free(m);
    sg_buf_release(&idx);
    return rc;
}

sg_err sg_verify_image(struct sg_verify_result *out,
                       struct sg_oci_store *s,
                       const char *digest,
                       const struct sg_sign_key *k,
                       const struct sg_verify_opts *opts)
{
    struct vctx c;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.s = s;
    c.digest = digest;
    c.k = k;
    c.opts = opts;
    if (!sg_digest_valid(digest))
        return sg_error_set(SG_EINVAL, "verify: not a digest: %s", digest);
    rc = check_referrers(&c);
    if (!rc)
        rc = check_legacy(&c);
    if (rc)
        return rc;
    for (size_t i = 0; i < out->n_items; i++) {
        if (out->items[i].ok)
            return SG_OK;
    }
    if (c.io_rc)
        return sg_error_set(c.io_rc, "%s", c.io_msg);
    if (!out->n_items)
        return sg_error_set(SG_EVERIFY, "no signatures found for %s", digest);
    return sg_error_set(SG_EVERIFY,
                        "no valid signatures for %s (%zu "
                        "checked)",
                        digest, out->n_items);
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
