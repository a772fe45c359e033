/*
 * What sign/bundle_out.c writes is what the verify side reads: a
 * sign-blob message bundle through the bundle reader (verify/bundle.c)
 * and sg_sigstore_verify() in key mode (no tlog entry: only with
 * ignore_tlog); sign/attest --new-bundle-format DSSE bundles stored as
 * referrers of an image in an in-memory store (no referrers API: the
 * sha256-<hex> tag index) and accepted by sg_verify_image /
 * sg_verify_image_attestations, refused with another key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "verify/verify_int.h"
#include "verify/sigstore_int.h"
#include "sigstore_test_util.h"
#include "sign_memstore.h"

static struct sg_sign_key *key, *other;

static int setup(void **state)
{
    (void)state;
    return sg_sign_key_generate(&key) || sg_sign_key_generate(&other) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    sg_sign_key_free(key);
    sg_sign_key_free(other);
    return 0;
}

static EVP_PKEY *evp_of(const struct sg_sign_key *k)
{
    struct sg_buf der = SG_BUF_INIT(SG_BUF_NOLIMIT);
    EVP_PKEY *p = NULL;

    assert_int_equal(sg_sign_key_public_der(&der, k), SG_OK);
    assert_int_equal(
        sg_sigstore_key_der(&p, (unsigned char *)der.data, der.len), SG_OK);
    sg_buf_release(&der);
    return p;
}

/* base64(sha256(DER SPKI)) of k, into out (owned). */
static char *hint_of(const struct sg_sign_key *k)
{
    struct sg_buf der = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    unsigned char h[32];
    char *out = NULL;

    assert_int_equal(sg_sign_key_public_der(&der, k), SG_OK);
    SHA256((unsigned char *)der.data, der.len, h);
    assert_int_equal(sg_base64_encode(&b, h, 32), SG_OK);
    assert_int_equal(sg_buf_take(&out, NULL, &b), SG_OK);
    sg_buf_release(&der);
    return out;
}

static sg_err verify_msg(const json_t *bundle,
                         const char *data,
                         const struct sg_sign_key *k,
                         int ignore_tlog)
{
    struct sg_sigstore_trust *root = NULL;
    struct sg_sigstore_policy pol = { 0 };
    struct sg_sigstore_artifact art = { 0 };
    struct sg_sigstore_result res = { 0 };
    char p[1024];
    sg_err rc;

    st_path(p, sizeof(p), PROD_ROOT);
    assert_int_equal(sg_sigstore_trust_load(&root, p), SG_OK);
    pol.key = evp_of(k);
    pol.ignore_tlog = ignore_tlog;
    art.data = (const unsigned char *)data;
    art.len = strlen(data);
    rc = sg_sigstore_verify(root, bundle, &art, &pol, &res);
    if (!rc) {
        assert_int_equal(res.version_minor, 3);
        assert_false(res.is_dsse);
    }
    sg_sigstore_result_release(&res);
    EVP_PKEY_free(pol.key);
    sg_sigstore_trust_free(root);
    return rc;
}

static void message_bundle__read_and_verified_in_key_mode(void **state)
{
    static const char data[] = "an artifact\n";
    struct sg_buf sig = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_v_bundle b;
    unsigned char h[32];
    char *hint = hint_of(key);
    json_t *j = NULL;

    (void)state;
    assert_int_equal(sg_sign_key_sign(&sig, key, data, strlen(data)), SG_OK);
    assert_int_equal(sg_sign_bundle_message(&out, key, data, strlen(data),
                                            sig.data, sig.len),
                     SG_OK);
    /* the shared bundle reader */
    assert_int_equal(sg_v_bundle_parse(&b, out.data, out.len, 0), SG_OK);
    assert_int_equal(b.version, 3);
    assert_string_equal(b.media_type, SG_MT_SIGSTORE_BUNDLE);
    assert_int_equal(b.material, SG_V_MATERIAL_PUBLIC_KEY);
    assert_int_equal(b.content, SG_V_CONTENT_MESSAGE_SIGNATURE);
    assert_string_equal(b.key_hint, hint);
    assert_string_equal(b.digest_alg, "SHA2_256");
    SHA256((const unsigned char *)data, strlen(data), h);
    assert_int_equal(b.digest_len, 32);
    assert_memory_equal(b.digest, h, 32);
    assert_int_equal(b.signature_len, sig.len);
    assert_memory_equal(b.signature, sig.data, sig.len);
    assert_null(b.tlog_entries);
    sg_v_bundle_release(&b);

    /* sg_sigstore_verify, key mode */
    assert_int_equal(sg_json_parse(&j, out.data, out.len, 0, 0, "t"), SG_OK);
    assert_int_equal(verify_msg(j, data, key, 1), SG_OK);
    assert_int_equal(verify_msg(j, data, key, 0), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "no transparency log entry"));
    assert_int_equal(verify_msg(j, "an artifacT\n", key, 1), SG_EVERIFY);
    assert_int_equal(verify_msg(j, data, other, 1), SG_EVERIFY);
    json_decref(j);
    free(hint);
    sg_buf_release(&sig);
    sg_buf_release(&out);
}

static void dsse_bundle__no_keyid_and_verifies(void **state)
{
    static const char st[] = "{\"_type\":\"https://in-toto.io/Statement/v1\","
                             "\"subject\":[{\"digest\":{\"sha256\":\"00\"}}],"
                             "\"predicateType\":\"x:y\",\"predicate\":{}}";
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_v_bundle b;
    json_t *sig0;

    (void)state;
    assert_int_equal(sg_sign_bundle_dsse(&out, key, st, strlen(st)), SG_OK);
    assert_int_equal(sg_v_bundle_parse(&b, out.data, out.len, 0), SG_OK);
    assert_int_equal(b.content, SG_V_CONTENT_DSSE);
    assert_int_equal(b.material, SG_V_MATERIAL_PUBLIC_KEY);
    assert_string_equal(b.env->payload_type, SG_INTOTO_PAYLOAD_TYPE);
    assert_int_equal(b.env->payload_len, strlen(st));
    assert_memory_equal(b.env->payload, st, strlen(st));
    sig0 = json_array_get(json_object_get(b.dsse, "signatures"), 0);
    assert_null(json_object_get(sig0, "keyid"));
    assert_int_equal(sg_dsse_envelope_verify(b.env, key), SG_OK);
    assert_int_equal(sg_dsse_envelope_verify(b.env, other), SG_EVERIFY);
    sg_v_bundle_release(&b);
    sg_buf_release(&out);
}

/* An image manifest in s; its digest (owned). */
static char *put_image(struct sg_oci_store *s)
{
    static const char m[] =
        "{\"schemaVersion\":2,\"mediaType\":"
        "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
        "\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
        "\"size\":2,\"digest\":\"sha256:"
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},"
        "\"layers\":[]}";
    char *d = NULL;

    assert_int_equal(sg_oci_store_put_blob_buf(s, "{}", 2, NULL), SG_OK);
    assert_int_equal(sg_oci_store_put_manifest(s, "v1", SG_MT_OCI_MANIFEST, m,
                                               strlen(m), &d),
                     SG_OK);
    return d;
}

static void image_bundles__stored_as_referrers_and_verified(void **state)
{
    struct sg_oci_store *s = memstore_new();
    struct sg_sign_annotation an = { "env", "prod" }, bad = { "env", "dev" };
    struct sg_sign_image_opts so = { &an, 1, NULL };
    struct sg_verify_opts vo = { &an, 1, NULL, NULL, NULL, NULL };
    struct sg_attest_statement_opts ao;
    struct sg_verify_result vr;
    struct sg_attest_result ar;
    struct sg_attest_check ac;
    struct sg_oci_manifest *idx = NULL, *m = NULL;
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *d = put_image(s), tag[80], *md = NULL;

    (void)state;
    snprintf(tag, sizeof(tag), "sha256-%s", d + 7);
    assert_int_equal(sg_sign_image_bundle(s, d, key, &so, 1700000000), SG_OK);

    /* the fallback index lists it, with artifactType and annotations */
    assert_int_equal(sg_oci_store_get_manifest(s, tag, &body, NULL, NULL),
                     SG_OK);
    assert_int_equal(
        sg_oci_manifest_parse(&idx, body.data, body.len, SG_MT_OCI_INDEX, NULL),
        SG_OK);
    assert_int_equal(idx->n_layers, 1);
    assert_string_equal(idx->layers[0].artifact_type, SG_MT_SIGSTORE_BUNDLE);
    assert_string_equal(sg_oci_descriptor_annotation(
                            &idx->layers[0], SG_ANNOT_BUNDLE_PREDICATE_TYPE),
                        SG_COSIGN_SIGN_PREDICATE);
    /* the referrer manifest */
    sg_buf_reset(&body);
    md = idx->layers[0].digest;
    assert_int_equal(sg_oci_store_get_manifest(s, md, &body, NULL, NULL),
                     SG_OK);
    assert_int_equal(sg_oci_manifest_parse(&m, body.data, body.len, NULL, NULL),
                     SG_OK);
    assert_string_equal(m->artifact_type, SG_MT_SIGSTORE_BUNDLE);
    assert_non_null(m->subject);
    assert_string_equal(m->subject->digest, d);
    assert_string_equal(m->config.media_type, SG_MT_OCI_EMPTY);
    assert_int_equal(m->n_layers, 1);
    assert_string_equal(m->layers[0].media_type, SG_MT_SIGSTORE_BUNDLE);
    assert_string_equal(
        sg_oci_manifest_annotation(m, "org.opencontainers.image.created"),
        "2023-11-14T22:13:20Z");
    assert_string_equal(sg_oci_manifest_annotation(m, SG_ANNOT_BUNDLE_CONTENT),
                        "dsse-envelope");

    /* verify reads it; -a is on the subject; another key fails */
    assert_int_equal(sg_verify_image(&vr, s, d, key, &vo), SG_OK);
    assert_int_equal(vr.n_items, 1);
    sg_verify_result_release(&vr);
    vo.annotations = &bad;
    assert_int_equal(sg_verify_image(&vr, s, d, key, &vo), SG_EVERIFY);
    sg_verify_result_release(&vr);
    assert_int_equal(sg_verify_image(&vr, s, d, other, NULL), SG_EVERIFY);
    sg_verify_result_release(&vr);

    /* attest: a second referrer, read by verify-attestation only */
    memset(&ao, 0, sizeof(ao));
    ao.type = "cyclonedx";
    ao.subject_name = "reg.io/app";
    ao.digest = d;
    ao.timestamp = 1700000000;
    assert_int_equal(sg_attest_image_bundle(s, &ao, "{\"a\":1}", 7, key),
                     SG_OK);
    memset(&ac, 0, sizeof(ac));
    ac.key = key;
    ac.digest = d;
    ac.type = "cyclonedx";
    assert_int_equal(sg_verify_image_attestations(&ar, s, &ac), SG_OK);
    assert_int_equal(ar.n_items, 1);
    assert_true(ar.items[0].ok);
    sg_attest_result_release(&ar);
    ac.key = other;
    assert_int_equal(sg_verify_image_attestations(&ar, s, &ac), SG_EVERIFY);
    sg_attest_result_release(&ar);
    /* the signature still verifies with both kinds among the referrers */
    assert_int_equal(sg_verify_image(&vr, s, d, key, NULL), SG_OK);
    assert_int_equal(vr.n_items, 1);
    sg_verify_result_release(&vr);

    sg_oci_manifest_free(idx);
    sg_oci_manifest_free(m);
    sg_buf_release(&body);
    free(d);
    sg_oci_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_bundle__read_and_verified_in_key_mode),
        cmocka_unit_test(dsse_bundle__no_keyid_and_verifies),
        cmocka_unit_test(image_bundles__stored_as_referrers_and_verified),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
