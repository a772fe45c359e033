/*
 * Reading cosign's legacy attachments back (`sigil tree`, `sigil
 * download`): the manifest at sha256-<hex>.<suffix> and its layers.
 * Everything here is unverified registry content. Output objects are
 * built as jansson trees, never by pasting strings into JSON text: a
 * signature annotation of `x","Cert":"y` must stay one string value.
 * JSON read from annotations is parsed with duplicate keys rejected.
 */
#include "sign_int.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

sg_err sg_sign_attached_manifest(struct sg_oci_manifest **out,
                                 struct sg_oci_store *s,
                                 const char *digest,
                                 const char *suffix,
                                 struct sg_buf *tag)
{
    struct sg_buf body = SG_BUF_INIT(sg_oci_store_ctx(s)->limits.manifest_max);
    char *mt = NULL;
    sg_err rc;

    *out = NULL;
    sg_buf_reset(tag);
    rc = sg_sign_tag_for(tag, digest, suffix);
    if (!rc)
        rc = sg_oci_store_get_manifest(s, tag->data, &body, &mt, NULL);
    if (rc == SG_ENOTFOUND) {
        sg_error_clear();
        rc = SG_OK;
    } else if (!rc) {
        rc = sg_oci_manifest_parse(out, body.data, body.len, mt,
                                   sg_oci_store_ctx(s));
        if (!rc && (*out)->is_index) {
            sg_oci_manifest_free(*out);
            *out = NULL;
            rc = sg_error_set(SG_EPARSE, "%s is an index", tag->data);
        }
    }
    free(mt);
    sg_buf_release(&body);
    return rc;
}

/* The attached manifest, or SG_ENOTFOUND "no <what> found (<tag>)". */
static sg_err attached_required(struct sg_oci_manifest **out,
                                struct sg_oci_store *s,
                                const char *digest,
                                const char *suffix,
                                const char *what,
                                struct sg_buf *tag)
{
    sg_err rc = sg_sign_attached_manifest(out, s, digest, suffix, tag);

    if (!rc && !*out)
        rc = sg_error_set(SG_ENOTFOUND, "no %s found (%s)", what, tag->data);
    return rc;
}

/* obj[key] = string value (NUL-free UTF-8: it came out of jansson). */
static sg_err set_str(json_t *obj, const char *key, const char *v, size_t len)
{
    json_t *j = json_stringn(v, len);

    if (!j || json_object_set_new(obj, key, j))
        return sg_error_set(SG_EPARSE, "%s: not a valid UTF-8 string", key);
    return SG_OK;
}

/* obj[key] = the JSON object in annotation `annot` of d, when present. */
static sg_err set_json_annotation(json_t *obj,
                                  const char *key,
                                  const struct sg_oci_descriptor *d,
                                  const char *annot)
{
    const char *v = sg_oci_descriptor_annotation(d, annot);
    json_t *j = NULL;
    sg_err rc;

    if (!v)
        return SG_OK;
    /* no length cap: v came out of a manifest already held to manifest_max */
    rc = sg_json_parse(&j, v, strlen(v), 0, 0, annot);
    if (rc)
        return rc;
    if (!json_is_object(j)) {
        json_decref(j);
        return sg_error_set(SG_EPARSE, "layer %s: %s is not a JSON object",
                            d->digest, annot);
    }
    if (json_object_set_new(obj, key, j))
        return sg_error_oom();
    return SG_OK;
}

sg_err sg_sign_download_signature(json_t **out,
                                  const struct sg_oci_descriptor *d,
                                  const void *payload,
                                  size_t len)
{
    const char *sig = sg_oci_descriptor_annotation(d, SG_ANNOT_COSIGN_SIG);
    const char *cert = sg_oci_descriptor_annotation(d, SG_ANNOT_COSIGN_CERT);
    const char *chain = sg_oci_descriptor_annotation(d, SG_ANNOT_COSIGN_CHAIN);
    struct sg_buf b64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *o = json_object();
    sg_err rc;

    *out = NULL;
    if (!o)
        return sg_error_oom();
    /* Key order is insertion order: cosign's SignedPayload field order. */
    rc = set_str(o, "Base64Signature", sig ? sig : "", sig ? strlen(sig) : 0);
    if (!rc)
        rc = sg_base64_encode(&b64, payload, len);
    if (!rc)
        rc = set_str(o, "Payload", b64.data, b64.len);
    if (!rc && cert)
        rc = set_str(o, "Cert", cert, strlen(cert));
    if (!rc && chain)
        rc = set_str(o, "Chain", chain, strlen(chain));
    if (!rc)
        rc = set_json_annotation(o, "Bundle", d, SG_ANNOT_COSIGN_BUNDLE);
    if (!rc)
        rc = set_json_annotation(o, "RFC3161Timestamp", d,
                                 SG_ANNOT_COSIGN_RFC3161);
    if (rc)
        json_decref(o);
    else
        *out = o;
    sg_buf_release(&b64);
    return rc;
}

/* Fetch d's blob into b (reset first), at most SG_ATTEST_ENVELOPE_MAX. */
static sg_err fetch_layer(struct sg_buf *b,
                          struct sg_oci_store *s,
                          const struct sg_oci_descriptor *d)
{
    sg_buf_reset(b);
    return sg_oci_store_get_blob_buf(s, d, b, SG_ATTEST_ENVELOPE_MAX);
}

/* Each layer of the attached manifest at `suffix` (SG_ENOTFOUND "no <what>
 * found" without one) whose predicateType annotation is predicate_uri
 * (NULL: every layer), fetched one at a time, to cb. */
static sg_err each_layer(struct sg_oci_store *s,
                         const char *digest,
                         const char *suffix,
                         const char *what,
                         const char *predicate_uri,
                         sg_sign_download_fn cb,
                         void *payload)
{
    struct sg_oci_manifest *m = NULL;
    struct sg_buf blob = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_buf tag = SG_BUF_INIT(256);
    sg_err rc;

    rc = attached_required(&m, s, digest, suffix, what, &tag);
    for (size_t i = 0; !rc && i < m->n_layers; i++) {
        const struct sg_oci_descriptor *d = &m->layers[i];
        const char *pt =
            sg_oci_descriptor_annotation(d, SG_ANNOT_PREDICATE_TYPE);

        /* The annotation is unsigned: this is a filter, not a check. */
        if (predicate_uri && (!pt || strcmp(pt, predicate_uri) != 0))
            continue;
        rc = fetch_layer(&blob, s, d);
        if (!rc)
            rc = cb(d, blob.data, blob.len, payload);
    }
    sg_oci_manifest_free(m);
    sg_buf_release(&blob);
    sg_buf_release(&tag);
    return rc;
}

static sg_err append_signature(const struct sg_oci_descriptor *d,
                               const void *blob,
                               size_t len,
                               void *payload)
{
    json_t *o = NULL;
    sg_err rc = sg_sign_download_signature(&o, d, blob, len);

    if (!rc && json_array_append_new(payload, o))
        rc = sg_error_oom();
    return rc;
}

sg_err sg_sign_download_signatures(json_t **out,
                                   struct sg_oci_store *s,
                                   const char *digest)
{
    json_t *arr = json_array();
    sg_err rc;

    *out = NULL;
    if (!arr)
        return sg_error_oom();
    rc = each_layer(s, digest, "sig", "signature", NULL, append_signature, arr);
    if (rc)
        json_decref(arr);
    else
        *out = arr;
    return rc;
}

sg_err sg_sign_download_attestations(struct sg_oci_store *s,
                                     const char *digest,
                                     const char *predicate_uri,
                                     sg_sign_download_fn cb,
                                     void *payload)
{
    return each_layer(s, digest, "att", "attestation", predicate_uri, cb,
                      payload);
}

sg_err sg_sign_download_sbom(struct sg_buf *out,
                             struct sg_oci_store *s,
                             const char *digest)
{
    struct sg_oci_manifest *m = NULL;
    struct sg_buf tag = SG_BUF_INIT(256);
    sg_err rc;

    rc = attached_required(&m, s, digest, "sbom", "sbom", &tag);
    if (!rc && m->n_layers != 1)
        rc = sg_error_set(SG_EPARSE, "%s has %zu layers, expected exactly 1",
                          tag.data, m->n_layers);
    if (!rc)
        rc = sg_oci_store_get_blob_buf(s, &m->layers[0], out,
                                       SG_ATTEST_ENVELOPE_MAX);
    sg_oci_manifest_free(m);
    sg_buf_release(&tag);
    return rc;
}
