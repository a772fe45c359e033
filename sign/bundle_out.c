/*
 * Writing key-based Sigstore bundles v0.3 (no transparency log, no
 * certificate) as cosign v3 does (cosign-format.md §3.6): message
 * signature bundles for `sign-blob --bundle`, DSSE bundles for `sign
 * --new-bundle-format` (an in-toto Statement v1 with the cosign sign
 * predicate) and `attest --new-bundle-format`, and the OCI 1.1 referrer
 * manifest that stores a bundle next to an image (subject = the image,
 * the bundle as the single layer, the referrers tag fallback kept up to
 * date when the registry has no referrers API). What verify/bundle.c and
 * verify/sigstore_verify.c read.
 */
#include "sign_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/sha.h>

/* The bundle's top level: mediaType, verificationMaterial.publicKey.hint
 * (base64 of SHA-256 over the DER SubjectPublicKeyInfo, as cosign's
 * internal/key/svkeypair.go), then `content` under `content_name`
 * (stolen). No tlogEntries: nothing was logged. */
static sg_err bundle_dump(struct sg_buf *out,
                          const struct sg_sign_key *k,
                          const char *content_name,
                          json_t *content)
{
    struct sg_buf der = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  hint = SG_BUF_INIT(SG_BUF_NOLIMIT);
    unsigned char h[SHA256_DIGEST_LENGTH];
    json_t *b = NULL;
    sg_err rc;

    rc = content ? sg_sign_key_public_der(&der, k) : sg_error_oom();
    if (rc)
        goto done;
    SHA256((const unsigned char *)der.data, der.len, h);
    rc = sg_base64_encode(&hint, h, sizeof(h));
    if (rc)
        goto done;
    b = json_pack("{s:s, s:{s:{s:s}}, s:O}", "mediaType", SG_MT_SIGSTORE_BUNDLE,
                  "verificationMaterial", "publicKey", "hint", hint.data,
                  content_name, content);
    rc = sg_json_dump_buf(out, b, JSON_COMPACT | JSON_PRESERVE_ORDER);
done:
    json_decref(content);
    json_decref(b);
    sg_buf_release(&der);
    sg_buf_release(&hint);
    return rc;
}

sg_err sg_sign_bundle_message(struct sg_buf *out,
                              const struct sg_sign_key *k,
                              const void *data,
                              size_t len,
                              const void *sig,
                              size_t sig_len)
{
    struct sg_buf dig = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  s64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    unsigned char h[SHA256_DIGEST_LENGTH];
    json_t *ms;
    sg_err rc;

    SG_ASSERT_ARG(out && k && (data || !len) && sig && sig_len);
    SHA256(data, len, h);
    rc = sg_base64_encode(&dig, h, sizeof(h));
    if (!rc)
        rc = sg_base64_encode(&s64, sig, sig_len);
    if (rc)
        goto done;
    ms = json_pack("{s:{s:s, s:s}, s:s}", "messageDigest", "algorithm",
                   "SHA2_256", "digest", dig.data, "signature", s64.data);
    rc = bundle_dump(out, k, "messageSignature", ms);
done:
    sg_buf_release(&dig);
    sg_buf_release(&s64);
    return rc;
}

sg_err sg_sign_bundle_dsse(struct sg_buf *out,
                           const struct sg_sign_key *k,
                           const void *statement,
                           size_t len)
{
    struct sg_buf env = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *e = NULL, *sigs;
    sg_err rc;

    SG_ASSERT_ARG(out && k && statement);
    rc = sg_dsse_envelope_sign(&env, SG_INTOTO_PAYLOAD_TYPE, statement, len, k);
    if (!rc)
        rc = sg_json_parse(&e, env.data, env.len, 0, 0, "envelope");
    if (rc)
        goto done;
    /* protobuf JSON (what cosign v3 writes) leaves the empty keyid out */
    sigs = json_object_get(e, "signatures");
    for (size_t i = 0; i < json_array_size(sigs); i++) {
        json_t *s = json_array_get(sigs, i);
        const char *id = json_string_value(json_object_get(s, "keyid"));
        if (id && !id[0])
            json_object_del(s, "keyid");
    }
    rc = bundle_dump(out, k, "dsseEnvelope", e);
    e = NULL;
done:
    json_decref(e);
    sg_buf_release(&env);
    return rc;
}

/* The referrer manifest (ggcr's field order, as cosign pushes it). */
static json_t *referrer_manifest(const char *cfg_digest,
                                 const char *bundle_digest,
                                 size_t bundle_len,
                                 const char *predicate_type,
                                 const char *created,
                                 const char *subj_mt,
                                 const char *subj_digest,
                                 uint64_t subj_size)
{
    return json_pack(
        "{s:i, s:s, s:{s:s, s:i, s:s, s:s}, s:[{s:s, s:I, s:s}],"
        " s:{s:s, s:s, s:s}, s:{s:s, s:I, s:s}, s:s}",
        "schemaVersion", 2, "mediaType", SG_MT_OCI_MANIFEST, "config",
        "mediaType", SG_MT_OCI_EMPTY, "size", 2, "digest", cfg_digest,
        "artifactType", SG_MT_SIGSTORE_BUNDLE, "layers", "mediaType",
        SG_MT_SIGSTORE_BUNDLE, "size", (json_int_t)bundle_len, "digest",
        bundle_digest, "annotations", SG_ANNOT_BUNDLE_CONTENT, "dsse-envelope",
        SG_ANNOT_BUNDLE_PREDICATE_TYPE, predicate_type,
        "org.opencontainers.image.created", created, "subject", "mediaType",
        subj_mt, "size", (json_int_t)subj_size, "digest", subj_digest,
        "artifactType", SG_MT_SIGSTORE_BUNDLE);
}

sg_err sg_sign_bundle_store(struct sg_oci_store *s,
                            const char *digest,
                            const void *bundle,
                            size_t len,
                            const char *predicate_type,
                            long long created,
                            char **manifest_digest_out)
{
    struct sg_buf m = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *cfg_digest = NULL, *bundle_digest = NULL, *subj_mt = NULL,
         *mdigest = NULL;
    char when[32];
    uint64_t subj_size = 0;
    /* sg_oci_descriptor holds mutable strings: local copies */
    char mt_manifest[] = SG_MT_OCI_MANIFEST,
         mt_bundle[] = SG_MT_SIGSTORE_BUNDLE,
         k_content[] = SG_ANNOT_BUNDLE_CONTENT, v_content[] = "dsse-envelope",
         k_ptype[] = SG_ANNOT_BUNDLE_PREDICATE_TYPE, *ptype = NULL;
    struct sg_oci_kv ann[2];
    struct sg_oci_descriptor d;
    time_t t = (time_t)created;
    struct tm tm;
    json_t *j = NULL;
    sg_err rc;

    SG_ASSERT_ARG(s && digest && bundle && predicate_type);
    if (manifest_digest_out)
        *manifest_digest_out = NULL;
    if (!sg_digest_valid(digest))
        return sg_error_set(SG_EINVAL, "not a digest: %.80s", digest);
    if (created < 0 || !gmtime_r(&t, &tm) ||
        !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
        return sg_error_set(SG_EINVAL, "creation time %lld is out of range",
                            created);
    ptype = strdup(predicate_type);
    if (!ptype)
        return sg_error_oom();
    /* the subject descriptor: what the image manifest is in the store */
    rc = sg_oci_store_head_manifest(s, digest, &subj_mt, NULL, &subj_size);
    if (!rc)
        rc = sg_oci_store_put_blob_buf(s, "{}", 2, &cfg_digest);
    if (!rc)
        rc = sg_oci_store_put_blob_buf(s, bundle, len, &bundle_digest);
    if (rc)
        goto done;
    j = referrer_manifest(cfg_digest, bundle_digest, len, predicate_type, when,
                          subj_mt ? subj_mt : SG_MT_OCI_MANIFEST, digest,
                          subj_size);
    rc = sg_json_dump_buf(&m, j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!rc)
        rc = sg_oci_store_put_manifest(s, NULL, SG_MT_OCI_MANIFEST, m.data,
                                       m.len, &mdigest);
    if (rc)
        goto done;
    /* without a referrers API: the sha256-<hex> index (dist-spec) */
    memset(&d, 0, sizeof(d));
    d.media_type = mt_manifest;
    d.digest = mdigest;
    d.size = m.len;
    d.artifact_type = mt_bundle;
    ann[0].key = k_content;
    ann[0].value = v_content;
    ann[1].key = k_ptype;
    ann[1].value = ptype;
    d.annotations = ann;
    d.n_annotations = 2;
    rc = sg_oci_store_add_referrer(s, digest, &d);
    if (!rc && manifest_digest_out) {
        *manifest_digest_out = mdigest;
        mdigest = NULL;
    }
done:
    json_decref(j);
    sg_buf_release(&m);
    free(cfg_digest);
    free(bundle_digest);
    free(subj_mt);
    free(mdigest);
    free(ptype);
    return rc;
}

/* Sign `statement` into a DSSE bundle and store it as a referrer. */
static sg_err store_statement(struct sg_oci_store *s,
                              const char *digest,
                              const struct sg_sign_key *k,
                              const struct sg_buf *statement,
                              const char *predicate_type,
                              long long created)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    rc = sg_sign_bundle_dsse(&b, k, statement->data, statement->len);
    if (!rc)
        rc = sg_sign_bundle_store(s, digest, b.data, b.len, predicate_type,
                                  created, NULL);
    sg_buf_release(&b);
    return rc;
}

sg_err sg_sign_image_bundle(struct sg_oci_store *s,
                            const char *digest,
                            const struct sg_sign_key *k,
                            const struct sg_sign_image_opts *opts,
                            long long created)
{
    struct sg_buf st = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    struct sg_attest_statement_opts o;
    sg_err rc;

    SG_ASSERT_ARG(s && digest && k);
    memset(&o, 0, sizeof(o));
    o.type = SG_COSIGN_SIGN_PREDICATE;
    o.digest = digest;
    o.version = 1;
    if (opts) {
        o.annotations = opts->annotations;
        o.n_annotations = opts->n_annotations;
    }
    /* cosign: subject without a name, -a in its annotations, predicate {} */
    rc = sg_attest_statement_build(&st, &o, "{}", 2);
    if (!rc)
        rc = store_statement(s, digest, k, &st, SG_COSIGN_SIGN_PREDICATE,
                             created);
    sg_buf_release(&st);
    return rc;
}

sg_err sg_attest_image_bundle(struct sg_oci_store *s,
                              const struct sg_attest_statement_opts *o,
                              const void *predicate,
                              size_t len,
                              const struct sg_sign_key *k)
{
    struct sg_buf st = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX);
    sg_err rc;

    SG_ASSERT_ARG(s && o && o->type && o->digest && k);
    rc = sg_attest_statement_build(&st, o, predicate, len);
    if (!rc)
        rc = store_statement(s, o->digest, k, &st,
                             sg_attest_predicate_uri(o->type), o->timestamp);
    sg_buf_release(&st);
    return rc;
}
