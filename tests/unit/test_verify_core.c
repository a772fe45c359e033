/*
 * The verify core (verify/verify_int.h) against hostile artifacts on an
 * in-memory store: the bundle reader's media types and shapes; a cosign
 * signature statement is never an attestation (on the .att path and
 * among referrers, whatever the unsigned annotations say); untrusted
 * strings reach reasons escaped; failed items keep no payload and the
 * work of one verification is bounded; -a pairs are checked on the
 * subject that names the digest.
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

#include "verify/verify_int.h"
#define SIGIL_TEST_BUNDLE_REFERRER
#include "sign_memstore.h"

#define HEX "071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81"
#define IMG "sha256:" HEX
#define OTHER_HEX \
    "1111111111111111111111111111111111111111111111111111111111111111"
#define FORGED "x\n1 of 1 signature(s) verified\x1b[2K"

static struct sg_sign_key *key;

static int setup(void **state)
{
    (void)state;
    return sg_sign_key_generate(&key) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    sg_sign_key_free(key);
    return 0;
}

/* A DSSE envelope (JSON text, owned) over `statement`, signed by key. */
static char *envelope(const char *statement)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *out = NULL;

    assert_int_equal(sg_dsse_envelope_sign(&b, SG_INTOTO_PAYLOAD_TYPE,
                                           statement, strlen(statement), key),
                     SG_OK);
    assert_int_equal(sg_buf_take(&out, NULL, &b), SG_OK);
    return out;
}

static char *statement(const char *predicate_type)
{
    char *s = NULL;
    json_t *j = json_pack("{s:s,s:[{s:s,s:{s:s}}],s:s,s:{}}", "_type",
                          SG_INTOTO_STATEMENT_V1, "subject", "name",
                          "reg.io/app", "digest", "sha256", HEX,
                          "predicateType", predicate_type, "predicate");

    assert_non_null(j);
    s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

/* A key-based v0.3 bundle around the envelope of `st`. */
static char *bundle(const char *st, const char *media_type)
{
    char *env = envelope(st), *out;
    json_t *e = json_loads(env, 0, NULL);
    json_t *j = json_pack("{s:s,s:{s:{s:s}},s:o}", "mediaType", media_type,
                          "verificationMaterial", "publicKey", "hint", "k",
                          "dsseEnvelope", e);

    assert_non_null(j);
    out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    free(env);
    return out;
}

/* Store `bundle_json` as a referrer of IMG (fallback tag index), with
 * the referrer manifest's unsigned predicateType annotation `pt`. */
static void put_bundle_referrer(struct sg_oci_store *s,
                                const char *bundle_json,
                                const char *pt)
{
    memstore_put_bundle_referrer(s, bundle_json, strlen(bundle_json),
                                 "sha256-" HEX, pt);
}

static sg_err
verify_att(struct sg_oci_store *s, const char *type, char *reason, size_t cap)
{
    struct sg_attest_check c = { key, IMG, type, 0, NULL, NULL };
    struct sg_attest_result r;
    sg_err rc = sg_verify_image_attestations(&r, s, &c);

    reason[0] = '\0';
    for (size_t i = 0; i < r.n_items; i++) {
        if (!r.items[i].ok && !reason[0])
            snprintf(reason, cap, "%s", r.items[i].reason);
    }
    sg_attest_result_release(&r);
    return rc;
}

/* ------------------------------------------------------------------ */

static void bundle__media_types_and_shapes(void **state)
{
    static const char *ok[] = {
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    };
    struct sg_v_bundle b;
    char *st = statement("https://example.com/p"), *js;

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        js = bundle(st, ok[i]);
        assert_int_equal(sg_v_bundle_parse(&b, js, strlen(js), 0), SG_OK);
        assert_int_equal(b.version, i < 3 ? i + 1 : 3);
        assert_int_equal(b.content, SG_V_CONTENT_DSSE);
        assert_int_equal(b.material, SG_V_MATERIAL_PUBLIC_KEY);
        assert_string_equal(b.key_hint, "k");
        assert_non_null(b.env);
        sg_v_bundle_release(&b);
        free(js);
    }
    /* v0.4, v0.9: refused by name (escaped). */
    js = bundle(st, "application/vnd.dev.sigstore.bundle+json;version=0.9");
    assert_int_equal(sg_v_bundle_parse(&b, js, strlen(js), 0), SG_EUNSUPPORTED);
    assert_non_null(strstr(sg_error_last(), "version=0.9\" is not supported"));
    free(js);
    js = bundle(st, FORGED);
    assert_int_equal(sg_v_bundle_parse(&b, js, strlen(js), 0), SG_EUNSUPPORTED);
    assert_non_null(strstr(sg_error_last(), "x\\n1 of 1 signature(s) "
                                            "verified\\x1b[2K"));
    assert_null(strchr(sg_error_last(), '\n'));
    free(js);
    free(st);

    /* Message signature, v0.3 certificate; v0.1 chain; mixed shapes. */
    {
        const char *ms =
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
            "\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"AAEC\"},"
            "\"tlogEntries\":[{}],\"timestampVerificationData\":{}},"
            "\"messageSignature\":{\"messageDigest\":{\"algorithm\":"
            "\"SHA2_256\",\"digest\":\"AAEC\"},\"signature\":\"AAEC\"}}";
        const char *chain =
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;"
            "version=0.1\",\"verificationMaterial\":{\"x509CertificateChain\":"
            "{\"certificates\":[{\"rawBytes\":\"AAEC\"},{\"rawBytes\":\"AQ==\"}"
            "]}},\"messageSignature\":{\"signature\":\"AAEC\"}}";
        const char *bad[] = {
            /* certificate in v0.1 */
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;"
            "version=0.1\",\"verificationMaterial\":{\"certificate\":{"
            "\"rawBytes\":\"AAEC\"}},\"messageSignature\":{\"signature\":"
            "\"AAEC\"}}",
            /* two materials */
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
            "\"verificationMaterial\":{\"publicKey\":{},\"certificate\":{"
            "\"rawBytes\":\"AAEC\"}},\"messageSignature\":{\"signature\":"
            "\"AAEC\"}}",
            /* no content */
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
            "\"verificationMaterial\":{\"publicKey\":{}}}",
            /* duplicate key */
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
            "\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
            "\"verificationMaterial\":{\"publicKey\":{}},\"messageSignature\":"
            "{\"signature\":\"AAEC\"}}",
        };

        assert_int_equal(sg_v_bundle_parse(&b, ms, strlen(ms), 0), SG_OK);
        assert_int_equal(b.content, SG_V_CONTENT_MESSAGE_SIGNATURE);
        assert_int_equal(b.material, SG_V_MATERIAL_CERTIFICATE);
        assert_int_equal(b.n_certs, 1);
        assert_int_equal(b.certs[0].len, 3);
        assert_int_equal(b.digest_len, 3);
        assert_string_equal(b.digest_alg, "SHA2_256");
        assert_true(json_is_array(b.tlog_entries));
        assert_true(json_is_object(b.timestamp_data));
        sg_v_bundle_release(&b);
        assert_int_equal(sg_v_bundle_parse(&b, chain, strlen(chain), 0), SG_OK);
        assert_int_equal(b.material, SG_V_MATERIAL_CHAIN);
        assert_int_equal(b.n_certs, 2);
        assert_int_equal(b.version, 1);
        sg_v_bundle_release(&b);
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(sg_v_bundle_parse(&b, bad[i], strlen(bad[i]), 0),
                             SG_EPARSE);
    }
}

static void classify__one_table(void **state)
{
    (void)state;
    assert_int_equal(sg_v_classify(SG_OK), SG_V_VERDICT);
    assert_int_equal(sg_v_classify(SG_EVERIFY), SG_V_VERDICT);
    assert_int_equal(sg_v_classify(SG_EPARSE), SG_V_VERDICT);
    assert_int_equal(sg_v_classify(SG_EDIGEST), SG_V_VERDICT);
    assert_int_equal(sg_v_classify(SG_ENET), SG_V_TRANSPORT);
    assert_int_equal(sg_v_classify(SG_EHTTP), SG_V_TRANSPORT);
    assert_int_equal(sg_v_classify(SG_EAUTH), SG_V_TRANSPORT);
    assert_int_equal(sg_v_classify(SG_EIO), SG_V_TRANSPORT);
    assert_int_equal(sg_v_classify(SG_ENOMEM), SG_V_FATAL);
    assert_int_equal(sg_v_classify(SG_EINVAL), SG_V_FATAL);
    assert_int_equal(sg_v_classify(SG_EINTERNAL), SG_V_FATAL);
}

static void escape__untrusted_text(void **state)
{
    char b[64], small[12];

    (void)state;
    assert_string_equal(sg_escape(b, sizeof(b), FORGED),
                        "x\\n1 of 1 signature(s) verified\\x1b[2K");
    /* idempotent */
    assert_string_equal(sg_escape(b, sizeof(b), "a\\x1b\\n"), "a\\x1b\\n");
    assert_string_equal(sg_escape(b, sizeof(b), "\r\t\x7f\xc2\x9b"),
                        "\\r\\t\\x7f\\xc2\\x9b");
    assert_string_equal(sg_escape(small, sizeof(small), "abcdefghijklmnop"),
                        "abcdefgh...");
    assert_string_equal(sg_escape(b, sizeof(b), NULL), "");
}

/* A cosign signature statement signed with the key, stored as an
 * attestation (.att layer): never an attestation. */
static void att__signature_statement_is_not_an_attestation(void **state)
{
    struct sg_oci_store *s = memstore_new();
    struct sg_attest_statement_opts o;
    char why[640];

    (void)state;
    memset(&o, 0, sizeof(o));
    o.type = SG_V_COSIGN_SIGN_PREDICATE;
    o.digest = IMG;
    o.version = 1;
    assert_int_equal(sg_attest_image(s, &o, "{}", 2, key), SG_OK);
    assert_int_equal(verify_att(s, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_non_null(strstr(why, "a cosign image signature, not an "
                                "attestation"));
    /* A real attestation beside it passes. */
    o.type = "https://example.com/review";
    assert_int_equal(sg_attest_image(s, &o, "{}", 2, key), SG_OK);
    assert_int_equal(verify_att(s, NULL, why, sizeof(why)), SG_OK);
    sg_oci_store_free(s);
}

/* The same statement as a referrer bundle whose unsigned manifest
 * annotation claims another predicate: decided from the statement. */
static void referrer__kind_from_signed_statement(void **state)
{
    struct sg_oci_store *s = memstore_new();
    struct sg_verify_result vr;
    char why[640], *st, *b;

    (void)state;
    st = statement(SG_V_COSIGN_SIGN_PREDICATE);
    b = bundle(st, "application/vnd.dev.sigstore.bundle.v0.3+json");
    put_bundle_referrer(s, b, "https://example.com/review");
    assert_int_equal(verify_att(s, NULL, why, sizeof(why)), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "no attestations found"));
    /* ... and it is an image signature for verify. */
    assert_int_equal(sg_verify_image(&vr, s, IMG, key, NULL), SG_OK);
    assert_int_equal(vr.n_items, 1);
    assert_non_null(strstr(vr.items[0].payload, SG_V_COSIGN_SIGN_PREDICATE));
    sg_verify_result_release(&vr);
    free(st);
    free(b);
    sg_oci_store_free(s);

    /* An attestation bundle annotated as a signature: not a signature. */
    s = memstore_new();
    st = statement("https://example.com/review");
    b = bundle(st, "application/vnd.dev.sigstore.bundle.v0.3+json");
    put_bundle_referrer(s, b, SG_V_COSIGN_SIGN_PREDICATE);
    assert_int_equal(sg_verify_image(&vr, s, IMG, key, NULL), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "no signatures found"));
    sg_verify_result_release(&vr);
    assert_int_equal(verify_att(s, NULL, why, sizeof(why)), SG_OK);
    free(st);
    free(b);
    sg_oci_store_free(s);
}

/* Registry strings in reasons are escaped: no forged lines. */
static void reasons__escaped(void **state)
{
    struct sg_oci_store *s = memstore_new();
    struct sg_sign_annotation a = { SG_ANNOT_COSIGN_SIG, "AAAA" };
    struct sg_verify_result r;

    (void)state;
    assert_int_equal(
        sg_sign_append_layer(s, IMG, "sig", "{}", 2, FORGED, &a, 1), SG_OK);
    assert_int_equal(sg_verify_image(&r, s, IMG, key, NULL), SG_EVERIFY);
    assert_int_equal(r.n_items, 1);
    assert_non_null(strstr(r.items[0].reason, "media type x\\n1 of 1 "
                                              "signature(s) verified\\x1b[2K "
                                              "is not"));
    assert_null(strchr(r.items[0].reason, '\n'));
    assert_null(strchr(r.items[0].reason, '\x1b'));
    sg_verify_result_release(&r);
    sg_oci_store_free(s);
}

/* 16 .sig layers all pointing at one 1 MiB blob: failed items keep no
 * payload, and the run stops at the budget, never passing. */
static void budget__many_layers_one_blob(void **state)
{
    struct sg_oci_store *s = memstore_new();
    struct sg_sign_annotation a = { SG_ANNOT_COSIGN_SIG, "AAAA" };
    struct sg_v_ctx c;
    char *big = malloc(1u << 20);
    sg_err rc;

    (void)state;
    memset(big, ' ', 1u << 20);
    big[0] = '{';
    big[(1u << 20) - 1] = '}';
    for (int i = 0; i < 16; i++) {
        char v[8];

        snprintf(v, sizeof(v), "AAA%c", 'A' + i); /* distinct layers */
        a.value = v;
        assert_int_equal(sg_sign_append_layer(s, IMG, "sig", big, 1u << 20,
                                              SG_MT_SIMPLESIGNING, &a, 1),
                         SG_OK);
    }
    sg_v_ctx_init(&c, SG_V_SIGNATURE, s, IMG, key);
    c.work_bytes_max = 4u << 20;
    rc = sg_v_run(&c);
    assert_int_equal(rc, SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "exceed the work limit"));
    assert_true(c.res.n_items >= 1 && c.res.n_items < 4);
    for (size_t i = 0; i < c.res.n_items; i++) {
        assert_false(c.res.items[i].ok);
        assert_null(c.res.items[i].payload);
    }
    sg_v_ctx_release(&c);

    /* The default budget: the same store is checked in full. */
    sg_v_ctx_init(&c, SG_V_SIGNATURE, s, IMG, key);
    assert_int_equal(sg_v_run(&c), SG_EVERIFY);
    sg_v_ctx_release(&c);

    /* A candidate cap. */
    sg_v_ctx_init(&c, SG_V_SIGNATURE, s, IMG, key);
    c.candidates_max = 3;
    assert_int_equal(sg_v_run(&c), SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "more than 3"));
    sg_v_ctx_release(&c);
    free(big);
    sg_oci_store_free(s);
}

/* -a pairs are read from the subject that names the digest. */
static void annotations__right_subject(void **state)
{
    struct sg_sign_annotation want = { "env", "prod" };
    struct sg_v_ctx c;
    char *pt = NULL;
    int other;
    const char *wrong =
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":["
        "{\"digest\":{\"sha256\":\"" OTHER_HEX "\"},\"annotations\":{\"env\":"
        "\"prod\"}},{\"digest\":{\"sha256\":\"" HEX "\"}}],\"predicateType\":"
        "\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}";
    const char *right =
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":["
        "{\"digest\":{\"sha256\":\"" OTHER_HEX "\"}},{\"digest\":{\"sha256\":"
        "\"" HEX "\"},\"annotations\":{\"env\":\"prod\"}}],\"predicateType\":"
        "\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}";

    (void)state;
    sg_v_ctx_init(&c, SG_V_SIGNATURE, NULL, IMG, key);
    c.annotations = &want;
    c.n_annotations = 1;
    assert_int_equal(sg_v_check_statement(&c, (const unsigned char *)wrong,
                                          strlen(wrong), &pt, &other),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "required annotation env=prod"));
    assert_int_equal(sg_v_check_statement(&c, (const unsigned char *)right,
                                          strlen(right), &pt, &other),
                     SG_OK);
    assert_string_equal(pt, SG_V_COSIGN_SIGN_PREDICATE);
    free(pt);
    sg_v_ctx_release(&c);
}

/* Keyless material never passes a key check: the hook fails closed. */
static void keyless__hook_fails_closed(void **state)
{
    struct sg_oci_store *s = memstore_new();
    char *st = statement(SG_V_COSIGN_SIGN_PREDICATE), *b, *p;
    struct sg_verify_result r;
    json_t *j;

    (void)state;
    b = bundle(st, "application/vnd.dev.sigstore.bundle.v0.3+json");
    j = json_loads(b, 0, NULL);
    json_object_set_new(json_object_get(j, "verificationMaterial"),
                        "certificate", json_pack("{s:s}", "rawBytes", "AAEC"));
    json_object_del(json_object_get(j, "verificationMaterial"), "publicKey");
    p = json_dumps(j, JSON_COMPACT);
    put_bundle_referrer(s, p, "x");
    assert_int_equal(sg_verify_image(&r, s, IMG, key, NULL), SG_EVERIFY);
    assert_int_equal(r.n_items, 1);
    assert_non_null(strstr(r.items[0].reason, "never passes a --key check"));
    sg_verify_result_release(&r);
    json_decref(j);
    free(p);
    free(b);
    free(st);
    sg_oci_store_free(s);
}

static char warned[512];

static void log_hook(enum sg_log_level level, const char *msg, void *payload)
{
    (void)payload;
    if (level == SG_LOG_WARN)
        snprintf(warned, sizeof(warned), "%s", msg);
}

/* A referrers fallback tag holding a manifest, not an index: a warning,
 * and the other candidates are still checked. */
static void referrers__fallback_manifest_ignored(void **state)
{
    struct sg_oci_store *s = memstore_new();
    struct sg_attest_statement_opts o;
    struct sg_verify_result vr;
    const char *man =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
        "manifest.v1+json\",\"config\":{\"mediaType\":\"application/"
        "vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"sha256:"
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"}"
        ",\"layers\":[]}";
    char why[640];

    (void)state;
    assert_int_equal(sg_oci_store_put_manifest(s, "sha256-" HEX,
                                               SG_MT_OCI_MANIFEST, man,
                                               strlen(man), NULL),
                     SG_OK);
    s->ctx.log = log_hook; /* the store's ctx: no global hook */
    warned[0] = '\0';
    /* Nothing else: "no signatures", not a registry error. */
    assert_int_equal(sg_verify_image(&vr, s, IMG, key, NULL), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "no signatures found"));
    sg_verify_result_release(&vr);
    /* The store (oci/referrers.c) or the core warns, whichever sees it. */
    assert_non_null(strstr(warned, "index"));
    assert_non_null(strstr(warned, "ignored"));
    /* An attestation in .att still verifies. */
    memset(&o, 0, sizeof(o));
    o.type = "https://example.com/review";
    o.digest = IMG;
    assert_int_equal(sg_attest_image(s, &o, "{}", 2, key), SG_OK);
    assert_int_equal(verify_att(s, NULL, why, sizeof(why)), SG_OK);
    sg_oci_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bundle__media_types_and_shapes),
        cmocka_unit_test(classify__one_table),
        cmocka_unit_test(escape__untrusted_text),
        cmocka_unit_test(att__signature_statement_is_not_an_attestation),
        cmocka_unit_test(referrer__kind_from_signed_statement),
        cmocka_unit_test(reasons__escaped),
        cmocka_unit_test(budget__many_layers_one_blob),
        cmocka_unit_test(annotations__right_subject),
        cmocka_unit_test(keyless__hook_fails_closed),
        cmocka_unit_test(referrers__fallback_manifest_ignored),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
