/*
 * sg_sign_image / sg_verify_image on an in-memory store: a signature
 * verifies; each kind of tampering fails with a reason naming the cause;
 * registry errors are errors (never "verified"); keyless layers never
 * pass; the real cosign-08 .sig manifest verifies with its key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigil/verify.h"
#include "sign/sign_int.h"
#include "sign_memstore.h"

#define IMG \
    "sha256:071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81"
#define IMG2 \
    "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define SIGTAG \
    "sha256-071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81.sig"

static char vec[1024];
static struct sg_sign_key *key, *other;

static void readf(struct sg_buf *b, const char *dir, const char *name)
{
    char p[2048];

    snprintf(p, sizeof(p), "%s/%s/%s", vec, dir, name);
    sg_buf_init(b, 1 << 20);
    if (sg_file_read(b, p, 1 << 20) != SG_OK)
        fail_msg("cannot read %s: %s", p, sg_error_last());
}

static int setup(void **state)
{
    (void)state;
    if (sg_sign_key_generate(&key) || sg_sign_key_generate(&other))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sg_sign_key_free(key);
    sg_sign_key_free(other);
    return 0;
}

static const struct sg_sign_image_opts sopts = { NULL, 0, "reg.io/app" };

/* Verify IMG; returns rc and copies the first item's reason. */
static sg_err verify(struct sg_oci_store *s,
                     const struct sg_sign_key *k,
                     const struct sg_verify_opts *o,
                     char *reason,
                     size_t cap)
{
    struct sg_verify_result r;
    sg_err rc = sg_verify_image(&r, s, IMG, k, o);

    reason[0] = '\0';
    for (size_t i = 0; i < r.n_items; i++) {
        if (!r.items[i].ok && r.items[i].reason && !reason[0])
            snprintf(reason, cap, "%s", r.items[i].reason);
    }
    /* Passing items keep their payload; failed ones keep none. */
    for (size_t i = 0; i < r.n_items; i++) {
        if (r.items[i].ok)
            assert_non_null(strstr(r.items[i].payload, IMG));
        else
            assert_null(r.items[i].payload);
    }
    if (rc == SG_OK)
        assert_true(r.n_items >= 1);
    sg_verify_result_release(&r);
    return rc;
}

static void verify__signed_image_verifies(void **state)
{
    struct sg_oci_store *s = memstore_new();
    char why[640];

    (void)state;
    assert_int_equal(sg_sign_image(s, IMG, key, &sopts), SG_OK);
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_OK);
    /* Another key: fails, with the reason. */
    assert_int_equal(verify(s, other, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_non_null(strstr(why, "does not verify"));
    /* Signing again with the same key adds nothing (cosign dedup). */
    assert_int_equal(sg_sign_image(s, IMG, key, &sopts), SG_OK);
    {
        struct sg_verify_result r;
        assert_int_equal(sg_verify_image(&r, s, IMG, key, NULL), SG_OK);
        assert_int_equal(r.n_items, 1);
        sg_verify_result_release(&r);
    }
    /* A second signer appends. */
    assert_int_equal(sg_sign_image(s, IMG, other, &sopts), SG_OK);
    assert_int_equal(verify(s, other, NULL, why, sizeof(why)), SG_OK);
    sg_oci_store_free(s);
}

static void verify__no_signatures(void **state)
{
    struct sg_oci_store *s = memstore_new();
    char why[640];

    (void)state;
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "no signatures found"));
    sg_oci_store_free(s);
}

static void verify__registry_error_is_not_a_verdict(void **state)
{
    struct sg_oci_store *s = memstore_new();
    char why[640];

    (void)state;
    assert_int_equal(sg_sign_image(s, IMG, key, &sopts), SG_OK);
    memstore_of(s)->fail_gets = 1;
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_EHTTP);
    assert_non_null(strstr(sg_error_last(), "503"));
    sg_oci_store_free(s);
}

static void verify__annotations_required(void **state)
{
    const struct sg_sign_annotation a[] = { { "env", "prod" } };
    const struct sg_sign_annotation want_bad[] = { { "env", "dev" } };
    struct sg_sign_image_opts o = { a, 1, "reg.io/app" };
    struct sg_verify_opts vo, vbad;
    struct sg_oci_store *s = memstore_new();
    char why[640];

    (void)state;
    memset(&vo, 0, sizeof(vo));
    memset(&vbad, 0, sizeof(vbad));
    vo.annotations = a;
    vo.n_annotations = 1;
    vbad.annotations = want_bad;
    vbad.n_annotations = 1;
    assert_int_equal(sg_sign_image(s, IMG, key, &o), SG_OK);
    assert_int_equal(verify(s, key, &vo, why, sizeof(why)), SG_OK);
    assert_int_equal(verify(s, key, &vbad, why, sizeof(why)), SG_EVERIFY);
    assert_string_equal(why, "required annotation env=dev is not in the "
                             "payload");
    sg_oci_store_free(s);
}

/* Store a hand-made .sig layer: payload bytes and a signature over them. */
static void put_layer(struct sg_oci_store *s,
                      const char *payload,
                      const char *media_type,
                      const char *sig_b64,
                      const char *cert)
{
    struct sg_sign_annotation a[2] = {
        { "dev.cosignproject.cosign/signature", sig_b64 },
        { "dev.sigstore.cosign/certificate", cert }
    };
    assert_int_equal(sg_sign_append_layer(s, IMG, "sig", payload,
                                          strlen(payload), media_type, a,
                                          cert ? 2 : 1),
                     SG_OK);
}

static char *sign_b64(const struct sg_sign_key *k, const char *msg)
{
    struct sg_buf sig = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  b64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *out = NULL;

    assert_int_equal(sg_sign_key_sign(&sig, k, msg, strlen(msg)), SG_OK);
    assert_int_equal(sg_base64_encode(&b64, sig.data, sig.len), SG_OK);
    assert_int_equal(sg_buf_take(&out, NULL, &b64), SG_OK);
    sg_buf_release(&sig);
    return out;
}

static void verify__tampering_is_named(void **state)
{
    struct sg_buf p = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  p2 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_oci_store *s;
    char why[640], d[SG_DIGEST_STR_MAX];
    char *sig, *sig2;

    (void)state;
    assert_int_equal(sg_sign_payload_build(&p, "reg.io/app", IMG, NULL, 0),
                     SG_OK);
    assert_int_equal(sg_sign_payload_build(&p2, "reg.io/app", IMG2, NULL, 0),
                     SG_OK);
    sig = sign_b64(key, p.data);
    sig2 = sign_b64(key, p2.data);

    /* Flipped payload byte in the stored blob: digest mismatch. */
    s = memstore_new();
    put_layer(s, p.data, SG_MT_SIMPLESIGNING, sig, NULL);
    assert_int_equal(sg_sha256_digest(d, p.data, p.len), SG_OK);
    p.data[10] ^= 1;
    memstore_set_blob(s, d, p.data, p.len);
    p.data[10] ^= 1;
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_non_null(strstr(why, "content has digest"));
    sg_oci_store_free(s);

    /* A valid signature for another digest. */
    s = memstore_new();
    put_layer(s, p2.data, SG_MT_SIMPLESIGNING, sig2, NULL);
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_non_null(strstr(why, "payload signs digest " IMG2));
    sg_oci_store_free(s);

    /* Truncated base64. */
    s = memstore_new();
    sig[strlen(sig) - 3] = '\0';
    put_layer(s, p.data, SG_MT_SIMPLESIGNING, sig, NULL);
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_string_equal(why, "signature annotation is not valid base64");
    sg_oci_store_free(s);
    free(sig);
    sig = sign_b64(key, p.data);

    /* Wrong media type. */
    s = memstore_new();
    put_layer(s, p.data, "application/octet-stream", sig, NULL);
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_non_null(strstr(why, "media type application/octet-stream"));
    sg_oci_store_free(s);

    /* Keyless layer beside nothing else: never passes. */
    s = memstore_new();
    put_layer(s, p.data, SG_MT_SIMPLESIGNING, sig, "-----BEGIN CERT...");
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_non_null(strstr(why, "not checkable with a key"));
    sg_oci_store_free(s);

    free(sig);
    free(sig2);
    sg_buf_release(&p);
    sg_buf_release(&p2);
}

/* The real .sig manifest of cosign-08 with its payload and config. */
static void verify__cosign_vector_manifest(void **state)
{
    struct sg_buf man, payload, cfg, pub;
    struct sg_oci_store *s = memstore_new();
    struct sg_sign_key *k = NULL;
    char why[640];

    (void)state;
    readf(&man, "cosign-08", "sig-manifest.json");
    readf(&payload, "cosign-08", "payload.json");
    readf(&cfg, "cosign-08", "sig-config.json");
    readf(&pub, "cosign-08", "cosign.pub");
    assert_int_equal(
        sg_oci_store_put_blob_buf(s, payload.data, payload.len, NULL), SG_OK);
    assert_int_equal(sg_oci_store_put_blob_buf(s, cfg.data, cfg.len, NULL),
                     SG_OK);
    assert_int_equal(sg_oci_store_put_manifest(s, SIGTAG, SG_MT_OCI_MANIFEST,
                                               man.data, man.len, NULL),
                     SG_OK);
    assert_int_equal(sg_sign_key_load_public(&k, pub.data, pub.len), SG_OK);
    assert_int_equal(verify(s, k, NULL, why, sizeof(why)), SG_OK);
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_EVERIFY);
    /* A new signature appended to cosign's manifest keeps cosign's. */
    assert_int_equal(sg_sign_image(s, IMG, key, &sopts), SG_OK);
    assert_int_equal(verify(s, k, NULL, why, sizeof(why)), SG_OK);
    assert_int_equal(verify(s, key, NULL, why, sizeof(why)), SG_OK);
    sg_sign_key_free(k);
    sg_buf_release(&man);
    sg_buf_release(&payload);
    sg_buf_release(&cfg);
    sg_buf_release(&pub);
    sg_oci_store_free(s);
}

static void verify__blob_helper(void **state)
{
    char *sig = sign_b64(key, "hello");

    (void)state;
    assert_int_equal(sg_verify_blob(key, "hello", 5, sig, strlen(sig)), SG_OK);
    assert_int_equal(sg_verify_blob(key, "hellp", 5, sig, strlen(sig)),
                     SG_EVERIFY);
    assert_int_equal(sg_verify_blob(key, "hello", 5, sig, strlen(sig) - 2),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "not valid base64"));
    free(sig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verify__signed_image_verifies),
        cmocka_unit_test(verify__no_signatures),
        cmocka_unit_test(verify__registry_error_is_not_a_verdict),
        cmocka_unit_test(verify__annotations_required),
        cmocka_unit_test(verify__tampering_is_named),
        cmocka_unit_test(verify__cosign_vector_manifest),
        cmocka_unit_test(verify__blob_helper),
    };

    snprintf(vec, sizeof(vec), "%s/vectors", SG_TESTDATA_DIR);
    return cmocka_run_group_tests_name("verify", tests, setup, teardown);
}
