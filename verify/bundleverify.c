/*
 * Keyless and Sigstore-bundle verification of blobs (verify-blob --bundle,
 * verify-blob-attestation --bundle): the public entry point over the
 * shared bundle reader (bundle.c) and the keyless checks
 * (sigstore_verify.c). Also reads cosign's older sign-blob --bundle file
 * ({base64Signature, cert, rekorBundle}) by restating it as the v0.1
 * bundle it is equivalent to, so one checking path serves both.
 * Everything read here is untrusted; nothing touches the network.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "sigstore_int.h"
#include "verify_int.h"

extern const unsigned char sg_verify__builtin_root[];
extern const size_t sg_verify__builtin_root_len;
extern const char sg_verify__builtin_root_date[];

const unsigned char *sg_verify_trust_builtin(size_t *len, const char **date)
{
    *len = sg_verify__builtin_root_len;
    if (date)
        *date = sg_verify__builtin_root_date;
    return sg_verify__builtin_root;
}

void sg_verify_bundle_result_release(struct sg_verify_bundle_result *r)
{
    free(r->san);
    free(r->issuer);
    free(r->predicate_type);
    memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */
/* cosign's older bundle (cosign sign-blob --bundle before v3):         */
/*   { "base64Signature": B64, "cert": B64(PEM) (keyless only),         */
/*     "rekorBundle": { "SignedEntryTimestamp": B64,                    */
/*       "Payload": { "body": B64, "integratedTime": N, "logIndex": N,  */
/*                    "logID": HEX } } }                                */
/* restated as a v0.1 bundle: messageSignature, x509CertificateChain    */
/* (or a publicKey hint), one tlog entry with its inclusion promise.    */
/* The SET, body match, chain at integratedTime and identity are then   */
/* checked exactly as for any v0.1 bundle.                              */

static int is_old_bundle(const json_t *j)
{
    return json_is_object(j) && !json_object_get(j, "mediaType") &&
           json_object_get(j, "base64Signature");
}

/* The leaf DER of `cert` (base64 of a PEM certificate), base64-encoded. */
static sg_err old_cert_b64(struct sg_buf *out, const json_t *cert)
{
    struct sg_buf pem = SG_BUF_INIT(1u << 20);
    BIO *bio = NULL;
    X509 *x = NULL;
    unsigned char *der = NULL;
    int n;
    sg_err rc = SG_OK;

    if (!json_is_string(cert) ||
        sg_base64_decode(&pem, json_string_value(cert),
                         json_string_length(cert)) ||
        !pem.len) {
        rc = sg_error_set(SG_EPARSE, "cosign bundle: cert is not base64");
        goto done;
    }
    bio = BIO_new_mem_buf(pem.data, (int)pem.len);
    x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    n = x ? i2d_X509(x, &der) : -1;
    if (n <= 0) {
        rc = sg_error_set(SG_EPARSE, "cosign bundle: cert is not a PEM "
                                     "certificate");
        goto done;
    }
    rc = sg_base64_encode(out, der, (size_t)n);
done:
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(bio);
    sg_buf_release(&pem);
    return rc;
}

/* kind and apiVersion of the entry body (base64 JSON). */
static sg_err old_body_kind(json_t **kv, const char *body_b64, size_t len)
{
    struct sg_buf body = SG_BUF_INIT(SG_V_BUNDLE_MAX);
    json_t *b = NULL;
    const char *kind, *ver;
    sg_err rc;

    rc = sg_base64_decode(&body, body_b64, len);
    if (rc) {
        rc = sg_error_set(SG_EPARSE, "cosign bundle: Payload.body is not "
                                     "base64");
        goto done;
    }
    rc = sg_json_parse(&b, body.data, body.len, SG_V_BUNDLE_MAX, 0,
                       "cosign bundle: Payload.body");
    if (rc)
        goto done;
    kind = json_string_value(json_object_get(b, "kind"));
    ver = json_string_value(json_object_get(b, "apiVersion"));
    if (!kind || !ver) {
        rc = sg_error_set(SG_EPARSE, "cosign bundle: Payload.body has no "
                                     "kind and apiVersion");
        goto done;
    }
    *kv = json_pack("{s:s, s:s}", "kind", kind, "version", ver);
    if (!*kv)
        rc = sg_error_oom();
done:
    json_decref(b);
    sg_buf_release(&body);
    return rc;
}

static sg_err old_to_v01(json_t **out, const json_t *j)
{
    static const char mt[] = "application/vnd.dev.sigstore.bundle+json;"
                             "version=0.1";
    const json_t *rb = json_object_get(j, "rekorBundle");
    const json_t *pl = json_object_get(rb, "Payload");
    const json_t *set = json_object_get(rb, "SignedEntryTimestamp");
    const json_t *sig = json_object_get(j, "base64Signature");
    const json_t *body = json_object_get(pl, "body");
    const json_t *it = json_object_get(pl, "integratedTime");
    const json_t *li = json_object_get(pl, "logIndex");
    const char *lid = json_string_value(json_object_get(pl, "logID"));
    unsigned char id[64];
    struct sg_buf idb = SG_BUF_INIT(128), cert = SG_BUF_INIT(1u << 20);
    json_t *kv = NULL, *vm = NULL, *entry = NULL;
    char num[32];
    size_t idlen;
    sg_err rc;

    *out = NULL;
    if (!json_is_string(sig) || !json_is_object(rb) || !json_is_string(set) ||
        !json_is_string(body) || !json_is_integer(it) || !json_is_integer(li) ||
        !lid)
        return sg_error_set(SG_EPARSE,
                            "cosign bundle: needs base64Signature and "
                            "rekorBundle {SignedEntryTimestamp, Payload "
                            "{body, integratedTime, logIndex, logID}}");
    idlen = strlen(lid);
    if (idlen % 2 || idlen / 2 > sizeof(id) || !idlen ||
        sg_hex_decode(id, idlen / 2, lid, idlen))
        return sg_error_set(SG_EPARSE, "cosign bundle: logID is not hex");
    rc = sg_base64_encode(&idb, id, idlen / 2);
    if (!rc)
        rc = old_body_kind(&kv, json_string_value(body),
                           json_string_length(body));
    if (rc)
        goto done;
    /* logIndex as a decimal string, as protobuf JSON writes int64 */
    snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(li));
    entry = json_pack("{s:s, s:{s:s%}, s:O, s:I, s:{s:O}, s:O}", "logIndex",
                      num, "logId", "keyId", idb.data, idb.len, "kindVersion",
                      kv, "integratedTime", (json_int_t)json_integer_value(it),
                      "inclusionPromise", "signedEntryTimestamp", set,
                      "canonicalizedBody", body);
    if (!entry) {
        rc = sg_error_oom();
        goto done;
    }
    if (json_object_get(j, "cert")) {
        rc = old_cert_b64(&cert, json_object_get(j, "cert"));
        if (rc)
            goto done;
        vm = json_pack("{s:{s:[{s:s%}]}, s:[O]}", "x509CertificateChain",
                       "certificates", "rawBytes", cert.data, cert.len,
                       "tlogEntries", entry);
    } else {
        vm = json_pack("{s:{s:s}, s:[O]}", "publicKey", "hint", "",
                       "tlogEntries", entry);
    }
    if (vm)
        *out = json_pack("{s:s, s:O, s:{s:O}}", "mediaType", mt,
                         "verificationMaterial", vm, "messageSignature",
                         "signature", sig);
    if (!*out)
        rc = sg_error_oom();
done:
    json_decref(vm);
    json_decref(entry);
    json_decref(kv);
    sg_buf_release(&idb);
    sg_buf_release(&cert);
    return rc;
}

/* ------------------------------------------------------------------ */

/* Malformed or unsupported evidence is a failed verification. */
static sg_err as_verdict(sg_err rc)
{
    return rc == SG_EPARSE || rc == SG_EUNSUPPORTED || rc == SG_ELIMIT
               ? SG_EVERIFY
               : rc;
}

/* verify-blob-attestation: the statement's claims, on the core's rules. */
static sg_err check_attestation(struct sg_verify_bundle_result *out,
                                const struct sg_v_bundle *b,
                                const unsigned char sha[32],
                                const struct sg_verify_bundle_opts *o)
{
    struct sg_v_ctx c;
    char digest[SG_DIGEST_STR_MAX];
    int other = 0;
    sg_err rc;

    if (b->content != SG_V_CONTENT_DSSE)
        return sg_error_set(SG_EVERIFY, "bundle holds a message signature, "
                                        "not an attestation (DSSE)");
    memcpy(digest, "sha256:", 7);
    sg_hex_encode(digest + 7, sha, 32);
    sg_v_ctx_init(&c, SG_V_ATTESTATION, NULL, digest, NULL);
    c.type = o->type;
    c.predicate_uri = o->type ? sg_attest_predicate_uri(o->type) : NULL;
    rc = sg_v_check_statement(&c, b->env->payload, b->env->payload_len,
                              &out->predicate_type, &other);
    sg_v_ctx_release(&c);
    return rc;
}

sg_err sg_verify_blob_bundle(struct sg_verify_bundle_result *out,
                             const void *bundle,
                             size_t bundle_len,
                             const void *data,
                             size_t len,
                             const unsigned char *sha256,
                             const struct sg_verify_bundle_opts *o)
{
    struct sg_v_bundle b;
    struct sg_sigstore_policy pol;
    struct sg_sigstore_artifact art;
    struct sg_sigstore_result res = { 0 };
    struct sg_buf der = SG_BUF_INIT(1u << 20);
    json_t *j = NULL, *v01 = NULL;
    int old = 0;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    memset(&b, 0, sizeof(b));
    memset(&pol, 0, sizeof(pol));
    memset(&art, 0, sizeof(art));
    SG_ASSERT_ARG(o && o->root && (data || sha256));
    if (!o->key == !o->identity)
        return sg_error_set(SG_EINVAL, "give either a key or an identity "
                                       "policy");
    if (o->identity) {
        pol.id = *o->identity;
    } else {
        rc = sg_sign_key_public_der(&der, o->key);
        if (!rc)
            rc = sg_sigstore_key_der(&pol.key, (unsigned char *)der.data,
                                     der.len);
        if (rc)
            goto done;
        pol.ignore_tlog = o->ignore_tlog;
    }
    pol.now = (int64_t)o->now;
    art.data = data;
    art.len = len;
    if (!data)
        memcpy(art.sha256, sha256, 32);
    else
        SHA256(data, len, art.sha256);

    rc = sg_json_parse(&j, bundle, bundle_len, SG_V_BUNDLE_MAX, 0, "bundle");
    if (rc)
        goto done;
    if (is_old_bundle(j)) {
        old = 1;
        rc = old_to_v01(&v01, j);
        if (rc)
            goto done;
    }
    rc = sg_v_bundle_from_json(&b, v01 ? v01 : j);
    if (!rc)
        rc = sg_sigstore_verify_bundle(o->root, &b, &art, &pol, &res);
    if (!rc && o->attestation)
        rc = check_attestation(out, &b, art.sha256, o);
    if (rc)
        goto done;
    out->version_minor = old ? 0 : res.version_minor;
    out->is_dsse = res.is_dsse;
    out->signed_time = res.signed_time;
    out->san = res.san;
    out->issuer = res.issuer;
    res.san = res.issuer = NULL;
done:
    if (rc) {
        rc = as_verdict(rc);
        sg_verify_bundle_result_release(out);
    }
    sg_sigstore_result_release(&res);
    sg_v_bundle_release(&b);
    json_decref(v01);
    json_decref(j);
    EVP_PKEY_free(pol.key);
    sg_buf_release(&der);
    return rc;
}
