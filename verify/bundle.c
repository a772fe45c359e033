/*
 * The one reader of Sigstore bundles (protobuf-specs Bundle, JSON form)
 * for every verify path. Untrusted input: strict JSON (duplicate keys
 * rejected, bounded size and depth), known media types only, exactly
 * one content and one kind of verification material. Only the shape is
 * checked here; signatures, certificates and log entries are checked by
 * the core (verify/core.c) and the keyless module.
 *
 * Media types: v0.1 and v0.2 are "application/vnd.dev.sigstore.bundle+
 * json;version=0.N"; v0.3 is "application/vnd.dev.sigstore.bundle.v0.3
 * +json" (the older spelling "...bundle+json;version=0.3" is accepted
 * too, as sigstore-go does). v0.1/v0.2 carry x509CertificateChain, v0.3
 * carries a single certificate; both may carry a publicKey hint.
 */
#include "verify_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const struct {
    const char *mt;
    unsigned version;
} bundle_types[] = {
    { "application/vnd.dev.sigstore.bundle+json;version=0.1", 1 },
    { "application/vnd.dev.sigstore.bundle+json;version=0.2", 2 },
    { "application/vnd.dev.sigstore.bundle+json;version=0.3", 3 },
    { "application/vnd.dev.sigstore.bundle.v0.3+json", 3 },
};

void sg_v_bundle_release(struct sg_v_bundle *b)
{
    for (size_t i = 0; i < b->n_certs; i++)
        free(b->certs[i].data);
    free(b->certs);
    free(b->digest);
    free(b->signature);
    sg_dsse_envelope_free(b->env);
    json_decref(b->root);
    memset(b, 0, sizeof(*b));
}

/* Decode the base64 string member `name` of o into a new allocation. */
static sg_err b64_member(unsigned char **out,
                         size_t *len,
                         const json_t *o,
                         const char *name,
                         size_t max,
                         const char *what)
{
    const json_t *v = json_object_get(o, name);
    struct sg_buf b = SG_BUF_INIT(max);
    char *p = NULL;
    sg_err rc;

    if (!json_is_string(v) || !json_string_length(v))
        return sg_error_set(SG_EPARSE, "bundle: %s.%s: not a non-empty string",
                            what, name);
    rc = sg_base64_decode(&b, json_string_value(v), json_string_length(v));
    if (rc) {
        sg_buf_release(&b);
        return sg_error_set(rc == SG_ENOMEM ? rc : SG_EPARSE,
                            "bundle: %s.%s: not valid base64 (at most %zu "
                            "bytes)",
                            what, name, max);
    }
    *len = b.len;
    rc = sg_buf_take(&p, NULL, &b);
    *out = (unsigned char *)p;
    return rc;
}

static sg_err add_cert(struct sg_v_bundle *b, const json_t *c, const char *what)
{
    struct sg_v_der *p;

    if (b->n_certs >= SG_V_CERTS_MAX)
        return sg_error_set(SG_ELIMIT, "bundle: more than %u certificates",
                            SG_V_CERTS_MAX);
    if (!json_is_object(c))
        return sg_error_set(SG_EPARSE, "bundle: %s: not an object", what);
    p = realloc(b->certs, (b->n_certs + 1) * sizeof(*p));
    if (!p)
        return sg_error_oom();
    b->certs = p;
    p = &b->certs[b->n_certs];
    memset(p, 0, sizeof(*p));
    b->n_certs++;
    return b64_member(&p->data, &p->len, c, "rawBytes", SG_V_CERT_MAX, what);
}

static sg_err read_material(struct sg_v_bundle *b, const json_t *vm)
{
    const json_t *pk, *cert, *chain, *certs, *v;
    int n;
    sg_err rc;

    if (!json_is_object(vm))
        return sg_error_set(SG_EPARSE, "bundle: no verificationMaterial");
    pk = json_object_get(vm, "publicKey");
    cert = json_object_get(vm, "certificate");
    chain = json_object_get(vm, "x509CertificateChain");
    n = (pk != NULL) + (cert != NULL) + (chain != NULL);
    if (n != 1)
        return sg_error_set(SG_EPARSE,
                            "bundle: verificationMaterial must hold exactly "
                            "one of publicKey, certificate, "
                            "x509CertificateChain (%d found)",
                            n);
    v = json_object_get(vm, "tlogEntries");
    if (v && !json_is_array(v))
        return sg_error_set(SG_EPARSE, "bundle: tlogEntries: not an array");
    b->tlog_entries = v;
    v = json_object_get(vm, "timestampVerificationData");
    if (v && !json_is_object(v))
        return sg_error_set(SG_EPARSE,
                            "bundle: timestampVerificationData: not an "
                            "object");
    b->timestamp_data = v;
    if (pk) {
        if (!json_is_object(pk))
            return sg_error_set(SG_EPARSE, "bundle: publicKey: not an object");
        v = json_object_get(pk, "hint");
        if (v && !json_is_string(v))
            return sg_error_set(SG_EPARSE,
                                "bundle: publicKey.hint: not a string");
        b->key_hint = json_string_value(v);
        b->material = SG_V_MATERIAL_PUBLIC_KEY;
        return SG_OK;
    }
    if (cert) {
        if (b->version < 3)
            return sg_error_set(SG_EPARSE,
                                "bundle: certificate in a v0.%u bundle "
                                "(v0.3 only)",
                                b->version);
        b->material = SG_V_MATERIAL_CERTIFICATE;
        return add_cert(b, cert, "certificate");
    }
    if (b->version >= 3)
        return sg_error_set(SG_EPARSE, "bundle: x509CertificateChain in a "
                                       "v0.3 bundle (certificate expected)");
    b->material = SG_V_MATERIAL_CHAIN;
    certs = json_object_get(chain, "certificates");
    if (!json_is_array(certs) || !json_array_size(certs))
        return sg_error_set(SG_EPARSE, "bundle: x509CertificateChain."
                                       "certificates: not a non-empty array");
    rc = SG_OK;
    for (size_t i = 0; !rc && i < json_array_size(certs); i++)
        rc = add_cert(b, json_array_get(certs, i), "x509CertificateChain");
    return rc;
}

static sg_err read_message_signature(struct sg_v_bundle *b, const json_t *ms)
{
    const json_t *md, *alg;
    sg_err rc;

    if (!json_is_object(ms))
        return sg_error_set(SG_EPARSE,
                            "bundle: messageSignature: not an object");
    b->content = SG_V_CONTENT_MESSAGE_SIGNATURE;
    md = json_object_get(ms, "messageDigest");
    if (md) {
        alg = json_object_get(md, "algorithm");
        if (!json_is_object(md) || !json_is_string(alg))
            return sg_error_set(SG_EPARSE, "bundle: messageDigest needs an "
                                           "algorithm and a digest");
        b->digest_alg = json_string_value(alg);
        rc = b64_member(&b->digest, &b->digest_len, md, "digest", 64,
                        "messageDigest");
        if (rc)
            return rc;
    }
    return b64_member(&b->signature, &b->signature_len, ms, "signature",
                      64 * 1024, "messageSignature");
}

/* Read the bundle held in b->root (owned by b). */
static sg_err bundle_read(struct sg_v_bundle *b)
{
    const json_t *mt, *ms, *dsse;
    char esc[160];
    sg_err rc;

    if (!json_is_object(b->root)) {
        rc = sg_error_set(SG_EPARSE, "bundle: not a JSON object");
        goto done;
    }
    mt = json_object_get(b->root, "mediaType");
    b->media_type = json_string_value(mt);
    for (size_t i = 0;
         b->media_type && i < sizeof(bundle_types) / sizeof(bundle_types[0]);
         i++) {
        if (strcmp(b->media_type, bundle_types[i].mt) == 0)
            b->version = bundle_types[i].version;
    }
    if (!b->version) {
        rc = sg_error_set(
            SG_EUNSUPPORTED,
            "bundle media type \"%s\" is not supported (v0.1, v0.2, v0.3)",
            b->media_type ? sg_escape(esc, sizeof(esc), b->media_type)
                          : "(missing)");
        goto done;
    }
    rc = read_material(b, json_object_get(b->root, "verificationMaterial"));
    if (rc)
        goto done;
    ms = json_object_get(b->root, "messageSignature");
    dsse = json_object_get(b->root, "dsseEnvelope");
    if ((ms != NULL) == (dsse != NULL)) {
        rc = sg_error_set(SG_EPARSE, "bundle must hold exactly one of "
                                     "messageSignature, dsseEnvelope");
        goto done;
    }
    if (ms) {
        rc = read_message_signature(b, ms);
    } else {
        b->content = SG_V_CONTENT_DSSE;
        b->dsse = dsse;
        rc = sg_dsse_envelope_from_json(&b->env, dsse);
        if (rc)
            rc = sg_error_prefix(rc, "bundle envelope");
    }
done:
    if (rc)
        sg_v_bundle_release(b);
    return rc;
}

sg_err sg_v_bundle_parse(struct sg_v_bundle *b,
                         const void *data,
                         size_t len,
                         size_t max)
{
    sg_err rc;

    memset(b, 0, sizeof(*b));
    rc = sg_json_parse(&b->root, data, len, max ? max : SG_V_BUNDLE_MAX, 0,
                       "bundle");
    return rc ? rc : bundle_read(b);
}

sg_err sg_v_bundle_from_json(struct sg_v_bundle *b, const struct json_t *root)
{
    memset(b, 0, sizeof(*b));
    /* the reader only reads: the reference keeps root alive with b */
    b->root = json_incref((json_t *)(uintptr_t)root);
    return bundle_read(b);
}
