/* Unit tests for sign/dsse.c, sign/attest.c and verify/attestverify.c:
 * predicate type names, statement build/parse (incl. a multi-megabyte
 * predicate), strict envelope parsing, and the five real cosign DSSE
 * envelopes in testdata/vectors (checked both independently with OpenSSL
 * over our PAE and through sigil's verifier). */
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
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sigil/sign.h"
#include "sigil/verify.h"

#define BLOB_DIGEST \
    "sha256:658781cd4ed9bca60dacd09f7bb914bb51502e8b5d619f57f39a1d652596cc24"
#define PAUSE2_DIGEST \
    "sha256:b31bfb4d0213f254d361e0079deaaebefa4f82ba7aa76ef82e90b4935ad5b105"
#define DSSE03_DIGEST \
    "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
#define IMG_DIGEST \
    "sha256:1111111111111111111111111111111111111111111111111111111111111111"

static void read_vector(struct sg_buf *b, const char *dir, const char *file)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/vectors/%s/%s", SG_TESTDATA_DIR, dir,
             file);
    sg_buf_init(b, 1 << 20);
    if (sg_file_read(b, path, 1 << 20) != SG_OK)
        fail_msg("%s: %s", path, sg_error_last());
}

/* Public key of cosign.pub or cert.pem, straight from OpenSSL. */
static EVP_PKEY *vector_pkey(const char *dir)
{
    struct sg_buf b;
    EVP_PKEY *k = NULL;
    BIO *bio;

    read_vector(&b, dir,
                strstr(dir, "03") || strstr(dir, "neg") ? "cert.pem"
                                                        : "cosign.pub");
    bio = BIO_new_mem_buf(b.data, (int)b.len);
    if (strstr(b.data, "CERTIFICATE")) {
        X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        assert_non_null(x);
        k = X509_get_pubkey(x);
        X509_free(x);
    } else {
        k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    }
    BIO_free(bio);
    sg_buf_release(&b);
    assert_non_null(k);
    return k;
}

static int ossl_verify(
    EVP_PKEY *k, const void *msg, size_t len, const void *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
         EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static struct sg_dsse_envelope *parse_vector(const char *dir)
{
    struct sg_buf b;
    struct sg_dsse_envelope *e = NULL;

    read_vector(&b, dir, "envelope.json");
    if (sg_dsse_envelope_parse(&e, b.data, b.len, 0) != SG_OK)
        fail_msg("%s: %s", dir, sg_error_last());
    sg_buf_release(&b);
    return e;
}

static void predicate_types__as_cosign(void **state)
{
    (void)state;
    assert_string_equal(sg_attest_predicate_uri("spdxjson"),
                        "https://spdx.dev/Document");
    assert_string_equal(sg_attest_predicate_uri("spdx"),
                        "https://spdx.dev/Document");
    assert_string_equal(sg_attest_predicate_uri("cyclonedx"),
                        "https://cyclonedx.org/bom");
    assert_string_equal(sg_attest_predicate_uri("slsaprovenance"),
                        "https://slsa.dev/provenance/v0.2");
    assert_string_equal(sg_attest_predicate_uri("slsaprovenance1"),
                        "https://slsa.dev/provenance/v1");
    assert_string_equal(sg_attest_predicate_uri("vuln"),
                        "https://cosign.sigstore.dev/attestation/vuln/v1");
    assert_string_equal(sg_attest_predicate_uri("custom"),
                        "https://cosign.sigstore.dev/attestation/v1");
    assert_string_equal(sg_attest_predicate_uri("openvex"),
                        "https://openvex.dev/ns");
    assert_string_equal(sg_attest_predicate_uri("https://x.example/p/v1"),
                        "https://x.example/p/v1");
    assert_true(sg_attest_type_valid("https://x.example/p/v1"));
    assert_true(sg_attest_type_valid("cyclonedx"));
    assert_false(sg_attest_type_valid("spdx-json"));
    assert_false(sg_attest_type_valid("http://a b"));
    assert_false(sg_attest_type_valid(""));
}

static void statement__build_and_parse(void **state)
{
    struct sg_attest_statement_opts o = { .type = "spdxjson",
                                          .subject_name = "reg.example/app",
                                          .digest = IMG_DIGEST };
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_intoto_statement *st = NULL;
    const char *pred = "\n  {\"spdxVersion\": \"SPDX-2.3\", \"n\": 1.50}\n";
    json_t *root;

    (void)state;
    assert_int_equal(sg_attest_statement_build(&b, &o, pred, strlen(pred)),
                     SG_OK);
    assert_string_equal(
        b.data,
        "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"subject\":[{"
        "\"name\":\"reg.example/app\",\"digest\":{\"sha256\":\"1111111111"
        "111111111111111111111111111111111111111111111111111111\"}}],"
        "\"predicateType\":\"https://spdx.dev/Document\",\"predicate\":{"
        "\"spdxVersion\": \"SPDX-2.3\", \"n\": 1.50}}");
    assert_int_equal(sg_intoto_statement_parse(&st, b.data, b.len, NULL),
                     SG_OK);
    assert_string_equal(st->type, SG_INTOTO_STATEMENT_V01);
    assert_string_equal(st->predicate_type, "https://spdx.dev/Document");
    assert_int_equal(st->n_subjects, 1);
    assert_string_equal(st->subjects[0].name, "reg.example/app");
    assert_true(sg_intoto_statement_has_digest(st, IMG_DIGEST));
    assert_false(sg_intoto_statement_has_digest(st, BLOB_DIGEST));
    sg_intoto_statement_free(st);

    /* v1, custom (string Data + fixed timestamp) */
    sg_buf_reset(&b);
    o.type = "custom";
    o.version = 1;
    o.timestamp = 1700000000;
    assert_int_equal(sg_attest_statement_build(&b, &o, "hi \"x\"\n", 7), SG_OK);
    root = json_loads(b.data, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "_type")),
                        "https://in-toto.io/Statement/v1");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(root, "predicate"), "Data")),
                        "hi \"x\"\n");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(root, "predicate"), "Timestamp")),
                        "2023-11-14T22:13:20Z");
    json_decref(root);

    /* spdx: the file as a JSON string */
    sg_buf_reset(&b);
    o.type = "spdx";
    assert_int_equal(sg_attest_statement_build(&b, &o, "SPDXVersion: 2", 14),
                     SG_OK);
    assert_non_null(strstr(b.data, "\"predicate\":\"SPDXVersion: 2\"}"));

    /* object types need one JSON object */
    sg_buf_reset(&b);
    o.type = "cyclonedx";
    assert_int_equal(sg_attest_statement_build(&b, &o, "[1]", 3), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "JSON object"));
    sg_buf_release(&b);
    assert_int_equal(sg_attest_statement_build(&b, &o, "{} {}", 5), SG_EPARSE);
    sg_buf_release(&b);
    o.type = "sbom";
    assert_int_equal(sg_attest_statement_build(&b, &o, "{}", 2), SG_EINVAL);
    assert_non_null(strstr(sg_error_last(), "unknown predicate type"));
    sg_buf_release(&b);
}

static void statement__multi_megabyte_predicate(void **state)
{
    struct sg_attest_statement_opts o = { .type = "cyclonedx",
                                          .subject_name = "r/app",
                                          .digest = IMG_DIGEST };
    struct sg_buf pred = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_intoto_statement *st = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(sg_buf_adds(&pred, "{\"components\":["), SG_OK);
    while (pred.len < 6u * 1024 * 1024) {
        assert_int_equal(sg_buf_addf(&pred,
                                     "%s{\"name\":\"pkg%zu\","
                                     "\"version\":\"1.%zu\"}",
                                     n ? "," : "", n, n),
                         SG_OK);
        n++;
    }
    assert_int_equal(sg_buf_adds(&pred, "]}"), SG_OK);
    assert_int_equal(sg_attest_statement_build(&b, &o, pred.data, pred.len),
                     SG_OK);
    assert_true(b.len > pred.len);
    assert_int_equal(sg_intoto_statement_parse(&st, b.data, b.len, NULL),
                     SG_OK);
    assert_string_equal(st->predicate_type, "https://cyclonedx.org/bom");
    sg_intoto_statement_free(st);
    sg_buf_release(&pred);
    sg_buf_release(&b);
}

static void statement__rejects_malformed(void **state)
{
    static const char *const bad[] = {
        "[]",
        "{\"_type\":\"https://in-toto.io/Statement/v0.2\",\"subject\":[{"
        "\"digest\":{}}],\"predicateType\":\"x\",\"predicate\":{}}",
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],"
        "\"predicateType\":\"x\",\"predicate\":{}}",
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{"
        "\"digest\":{\"sha256\":\"ABC\"}}],\"predicateType\":\"x\","
        "\"predicate\":{}}",
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{"
        "\"digest\":{}}],\"predicateType\":7,\"predicate\":{}}",
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{"
        "\"digest\":{}}],\"predicateType\":\"x\"}",
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{}],"
        "\"predicateType\":\"x\",\"predicate\":{}}",
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"_type\":\"x\"}",
    };
    /* a bad subject: the message names it and what is wrong */
    static const struct {
        const char *subject, *msg;
    } subj[] = {
        { "[{\"digest\":{}},7]", "statement: subject[1]: not an object" },
        { "[{\"name\":1,\"digest\":{}}]",
          "statement: subject[0]: name is not a string" },
        { "[{\"name\":\"n\"}]", "statement: subject[0]: no digest object" },
        { "[{\"digest\":{\"sha256\":\"ABC\"}}]",
          "statement: subject[0]: digest sha256 is not 64 lower-case hex "
          "digits" },
    };
    struct sg_intoto_statement *st = NULL;
    char doc[512];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(
            sg_intoto_statement_parse(&st, bad[i], strlen(bad[i]), NULL),
            SG_EPARSE);
        assert_null(st);
    }
    for (size_t i = 0; i < sizeof(subj) / sizeof(subj[0]); i++) {
        snprintf(doc, sizeof(doc),
                 "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":"
                 "%s,\"predicateType\":\"x\",\"predicate\":{}}",
                 subj[i].subject);
        assert_int_equal(sg_intoto_statement_parse(&st, doc, strlen(doc), NULL),
                         SG_EPARSE);
        assert_null(st);
        assert_string_equal(sg_error_last(), subj[i].msg);
    }
}

static void envelope__rejects_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{\"payloadType\":\"t\",\"payload\":\"e30=\"}",
        "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[]}",
        "{\"payloadType\":\"t\",\"payload\":\"e30\",\"signatures\":[{"
        "\"sig\":\"AAAA\"}]}",
        "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[{"
        "\"sig\":\"\"}]}",
        "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[{"
        "\"sig\":7}]}",
        "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[{"
        "\"keyid\":1,\"sig\":\"AAAA\"}]}",
        "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[\"x\"]}",
        "{\"payloadType\":\"\",\"payload\":\"e30=\",\"signatures\":[{"
        "\"sig\":\"AAAA\"}]}",
        "{\"payloadType\":\"t\",\"payloadType\":\"u\",\"payload\":\"e30=\","
        "\"signatures\":[{\"sig\":\"AAAA\"}]}",
        "{\"payloadType\":\"t\\u0000x\",\"payload\":\"e30=\",\"signatures\":"
        "[{\"sig\":\"AAAA\"}]}",
    };
    struct sg_dsse_envelope *e = NULL;
    struct sg_buf many = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sg_err rc = sg_dsse_envelope_parse(&e, bad[i], strlen(bad[i]), 0);
        if (rc == SG_OK)
            fail_msg("case %zu accepted", i);
        assert_null(e);
    }
    assert_int_equal(sg_buf_adds(&many, "{\"payloadType\":\"t\",\"payload\":"
                                        "\"e30=\",\"signatures\":["),
                     SG_OK);
    for (int i = 0; i < 65; i++)
        assert_int_equal(sg_buf_adds(&many, i ? ",{\"sig\":\"AAAA\"}"
                                              : "{\"sig\":\"AAAA\"}"),
                         SG_OK);
    assert_int_equal(sg_buf_adds(&many, "]}"), SG_OK);
    assert_int_equal(sg_dsse_envelope_parse(&e, many.data, many.len, 0),
                     SG_ELIMIT);
    assert_int_equal(sg_dsse_envelope_parse(&e, many.data, many.len, 100),
                     SG_ELIMIT);
    sg_buf_release(&many);
}

/* All five real envelopes parse; an independent OpenSSL check over the
 * PAE that sigil builds verifies them; neg-dsse-01 does not verify; the
 * raw body without PAE never verifies. */
static void vectors__pae_checked_with_openssl(void **state)
{
    static const struct {
        const char *dir;
        const char *ptype;
        int ok;
    } v[] = {
        { "dsse-01", SG_INTOTO_PAYLOAD_TYPE, 1 },
        { "dsse-02", SG_INTOTO_PAYLOAD_TYPE, 1 },
        { "dsse-03", SG_INTOTO_PAYLOAD_TYPE, 1 },
        { "dsse-04", "https://example.com/CodeReview/v1", 1 },
        { "dsse-05", "cosign.sigstore.dev/attestation/v1", 1 },
        { "neg-dsse-01", SG_INTOTO_PAYLOAD_TYPE, 0 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct sg_dsse_envelope *e = parse_vector(v[i].dir);
        struct sg_buf pae = SG_BUF_INIT(SG_BUF_NOLIMIT);
        EVP_PKEY *k = vector_pkey(v[i].dir);
        int ok;

        assert_string_equal(e->payload_type, v[i].ptype);
        assert_int_equal(e->n_sigs, 1);
        assert_int_equal(
            sg_sign_dsse_pae(&pae, e->payload_type, e->payload, e->payload_len),
            SG_OK);
        ok = ossl_verify(k, pae.data, pae.len, e->sigs[0].sig,
                         e->sigs[0].sig_len);
        if (ok != v[i].ok)
            fail_msg("%s: PAE verify %d", v[i].dir, ok);
        assert_false(ossl_verify(k, e->payload, e->payload_len, e->sigs[0].sig,
                                 e->sigs[0].sig_len));
        EVP_PKEY_free(k);
        sg_buf_release(&pae);
        sg_dsse_envelope_free(e);
    }
}

static struct sg_sign_key *load_pub(const char *dir)
{
    struct sg_buf b;
    struct sg_sign_key *k = NULL;

    read_vector(&b, dir,
                strstr(dir, "03") || strstr(dir, "neg") ? "cert.pem"
                                                        : "cosign.pub");
    if (sg_sign_key_load_public(&k, b.data, b.len) != SG_OK)
        fail_msg("%s: %s", dir, sg_error_last());
    sg_buf_release(&b);
    return k;
}

static sg_err check_vector(const char *dir,
                           const char *digest,
                           const char *type,
                           unsigned flags,
                           struct sg_attest_item *it)
{
    struct sg_buf b;
    struct sg_sign_key *k = load_pub(dir);
    struct sg_attest_check c = { k, digest, type, flags, NULL, NULL };
    sg_err rc;

    read_vector(&b, dir, "envelope.json");
    rc = sg_verify_attestation_envelope(it, b.data, b.len, &c);
    sg_buf_release(&b);
    sg_sign_key_free(k);
    return rc;
}

static void vectors__sigil_verifier(void **state)
{
    struct sg_attest_item it;

    (void)state;
    memset(&it, 0, sizeof(it));
    assert_int_equal(
        check_vector("dsse-01", BLOB_DIGEST, "slsaprovenance", 0, &it), SG_OK);
    assert_string_equal(it.predicate_type, "https://slsa.dev/provenance/v0.2");
    assert_non_null(strstr(it.statement, "\"name\":\"blob\""));
    free(it.predicate_type);
    free(it.statement);
    free(it.envelope);
    assert_int_equal(check_vector("dsse-02", BLOB_DIGEST, NULL, 0, NULL),
                     SG_OK);
    assert_int_equal(check_vector("dsse-03", DSSE03_DIGEST, "custom", 0, NULL),
                     SG_OK);

    /* wrong digest, wrong type: reasons */
    assert_int_equal(check_vector("dsse-01", IMG_DIGEST, NULL, 0, NULL),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "does not match"));
    assert_int_equal(check_vector("dsse-01", BLOB_DIGEST, "cyclonedx", 0, NULL),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(),
                           "predicate type is https://slsa.dev/provenance/"
                           "v0.2, not https://cyclonedx.org/bom"));
    /* another key */
    assert_int_equal(check_vector("dsse-04", BLOB_DIGEST, NULL, 0, NULL),
                     SG_EVERIFY);

    /* old payloadType: rejected with the reason, accepted with the flag */
    assert_int_equal(check_vector("dsse-04", PAUSE2_DIGEST, NULL, 0, NULL),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "payloadType is "
                                            "\"https://example.com/"
                                            "CodeReview/v1\""));
    assert_non_null(strstr(sg_error_last(), "--allow-legacy-payload-type"));
    assert_int_equal(check_vector("dsse-05", PAUSE2_DIGEST, NULL, 0, NULL),
                     SG_EVERIFY);
    assert_int_equal(check_vector("dsse-04", PAUSE2_DIGEST,
                                  "https://example.com/CodeReview/v1",
                                  SG_ATTEST_ALLOW_LEGACY_PAYLOAD_TYPE, NULL),
                     SG_OK);
    assert_int_equal(check_vector("dsse-05", PAUSE2_DIGEST,
                                  "cosign.sigstore.dev/attestation/v1",
                                  SG_ATTEST_ALLOW_LEGACY_PAYLOAD_TYPE, NULL),
                     SG_OK);

    /* the edited envelope fails */
    assert_int_equal(check_vector("neg-dsse-01",
                                  "sha256:a1e82f6a5f6dfc735165d3442e7cc5a6"
                                  "15f72abac3db19452481f5f3c90fbfa8",
                                  NULL, 0, NULL),
                     SG_EVERIFY);
}

/* Sign with sigil, check with OpenSSL over a PAE built here; and an
 * envelope whose signature covers the raw payload is rejected. */
static void envelope__sign_round_trip(void **state)
{
    struct sg_sign_key *priv = NULL, *pub = NULL;
    struct sg_buf pem = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf env = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf st = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf pae = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_attest_statement_opts o = { .type = "spdxjson",
                                          .subject_name = "r/app",
                                          .digest = IMG_DIGEST };
    struct sg_attest_check c = { NULL, IMG_DIGEST, "spdxjson", 0, NULL, NULL };
    struct sg_dsse_envelope *e = NULL;
    EVP_PKEY *ok_key;
    BIO *bio;

    (void)state;
    assert_int_equal(sg_sign_key_generate(&priv), SG_OK);
    assert_int_equal(sg_sign_key_public_pem(&pem, priv), SG_OK);
    assert_int_equal(sg_sign_key_load_public(&pub, pem.data, pem.len), SG_OK);
    assert_int_equal(sg_attest_statement_build(&st, &o, "{\"a\":1}", 7), SG_OK);
    assert_int_equal(sg_dsse_envelope_sign(&env, SG_INTOTO_PAYLOAD_TYPE,
                                           st.data, st.len, priv),
                     SG_OK);
    assert_non_null(strstr(env.data, "\"signatures\":[{\"keyid\":\"\","));
    c.key = pub;
    assert_int_equal(
        sg_verify_attestation_envelope(NULL, env.data, env.len, &c), SG_OK);

    bio = BIO_new_mem_buf(pem.data, (int)pem.len);
    ok_key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(ok_key);
    assert_int_equal(sg_dsse_envelope_parse(&e, env.data, env.len, 0), SG_OK);
    assert_memory_equal(e->payload, st.data, st.len);
    assert_int_equal(sg_buf_addf(&pae,
                                 "DSSEv1 28 application/vnd.in-toto+"
                                 "json %zu ",
                                 st.len),
                     SG_OK);
    assert_int_equal(sg_buf_add(&pae, st.data, st.len), SG_OK);
    assert_true(ossl_verify(ok_key, pae.data, pae.len, e->sigs[0].sig,
                            e->sigs[0].sig_len));
    sg_dsse_envelope_free(e);
    EVP_PKEY_free(ok_key);

    /* signature over the raw statement (no PAE) */
    {
        struct sg_buf sig = SG_BUF_INIT(SG_BUF_NOLIMIT);
        struct sg_buf bad = SG_BUF_INIT(SG_BUF_NOLIMIT);

        assert_int_equal(sg_sign_key_sign(&sig, priv, st.data, st.len), SG_OK);
        assert_int_equal(sg_buf_adds(&bad, "{\"payloadType\":\"application/"
                                           "vnd.in-toto+json\",\"payload\":\""),
                         SG_OK);
        assert_int_equal(sg_base64_encode(&bad, st.data, st.len), SG_OK);
        assert_int_equal(sg_buf_adds(&bad, "\",\"signatures\":[{\"sig\":\""),
                         SG_OK);
        assert_int_equal(sg_base64_encode(&bad, sig.data, sig.len), SG_OK);
        assert_int_equal(sg_buf_adds(&bad, "\"}]}"), SG_OK);
        assert_int_equal(
            sg_verify_attestation_envelope(NULL, bad.data, bad.len, &c),
            SG_EVERIFY);
        assert_non_null(strstr(sg_error_last(), "PAE"));
        sg_buf_release(&sig);
        sg_buf_release(&bad);
    }
    sg_sign_key_free(priv);
    sg_sign_key_free(pub);
    sg_buf_release(&pem);
    sg_buf_release(&env);
    sg_buf_release(&st);
    sg_buf_release(&pae);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(predicate_types__as_cosign),
        cmocka_unit_test(statement__build_and_parse),
        cmocka_unit_test(statement__multi_megabyte_predicate),
        cmocka_unit_test(statement__rejects_malformed),
        cmocka_unit_test(envelope__rejects_malformed),
        cmocka_unit_test(vectors__pae_checked_with_openssl),
        cmocka_unit_test(vectors__sigil_verifier),
        cmocka_unit_test(envelope__sign_round_trip),
    };

    return cmocka_run_group_tests_name("attest", tests, NULL, NULL);
}
