/* Trusted root parsing (verify/sigstore_trust.c) against the real
 * public-good root and the conformance suite's custom roots. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include "sigstore_test_util.h"

/* The entry's key, decoded on first use. */
static EVP_PKEY *key_of(const struct sg_sigstore_log *l)
{
    EVP_PKEY *k = NULL;

    assert_int_equal(sg_sigstore_log_key(&k, l), SG_OK);
    assert_non_null(k);
    return k;
}

static void trust__production_root(void **state)
{
    struct sg_sigstore_trust *t = st_root(PROD_ROOT);
    int64_t start;

    (void)state;
    assert_int_equal(t->n_tlogs, 2);
    assert_int_equal(t->n_ctlogs, 2);
    assert_int_equal(t->n_cas, 2);
    assert_int_equal(t->n_tsas, 1);
    /* Rekor v1 (ECDSA P-256) and v2 (Ed25519) */
    /* decoded lazily: nothing before the first use, then cached */
    assert_null(atomic_load(&t->tlogs[0].key));
    assert_null(atomic_load(&t->cas[0].chain));
    assert_int_equal(EVP_PKEY_get_base_id(key_of(&t->tlogs[0])), EVP_PKEY_EC);
    assert_ptr_equal(key_of(&t->tlogs[0]), atomic_load(&t->tlogs[0].key));
    assert_null(atomic_load(&t->tlogs[1].key));
    assert_int_equal(EVP_PKEY_get_base_id(key_of(&t->tlogs[1])),
                     EVP_PKEY_ED25519);
    assert_int_equal(t->tlogs[0].id_len, 32);
    assert_string_equal(t->tlogs[0].base_url, "https://rekor.sigstore.dev");
    assert_int_equal(sg_sigstore_time_parse(&start, "2021-01-12T11:53:27Z"),
                     SG_OK);
    assert_true(t->tlogs[0].valid.start == start);
    assert_false(t->tlogs[0].valid.has_end);
    assert_ptr_equal(sg_sigstore_trust_tlog(t, t->tlogs[1].id, 32),
                     &t->tlogs[1]);
    assert_null(sg_sigstore_trust_tlog(t, t->tlogs[1].id, 31));
    {
        STACK_OF(X509) *c0 = NULL, *c1 = NULL;

        assert_int_equal(sg_sigstore_ca_chain(&c0, &t->cas[0]), SG_OK);
        assert_int_equal(sk_X509_num(c0), (int)t->cas[0].n_certs);
        assert_true(sk_X509_num(c0) >= 1);
        assert_int_equal(sg_sigstore_ca_chain(&c1, &t->cas[0]), SG_OK);
        assert_ptr_equal(c0, c1); /* cached */
    }
    sg_sigstore_trust_free(t);
}

/* Threads sharing one root race to decode the same entries: each sees
 * the one cached object (the losers' decodes are freed: ASan/LSan). */
struct race {
    const struct sg_sigstore_trust *t;
    EVP_PKEY *key;
    STACK_OF(X509) * chain;
    sg_err rc;
};

static void *race_main(void *arg)
{
    struct race *r = arg;

    r->rc = sg_sigstore_log_key(&r->key, &r->t->tlogs[0]);
    if (!r->rc)
        r->rc = sg_sigstore_ca_chain(&r->chain, &r->t->cas[1]);
    return NULL;
}

static void trust__decode_once_across_threads(void **state)
{
    struct sg_sigstore_trust *t = st_root(PROD_ROOT);
    struct race r[4];
    pthread_t th[4];

    (void)state;
    for (int i = 0; i < 4; i++) {
        r[i] = (struct race){ .t = t };
        assert_int_equal(pthread_create(&th[i], NULL, race_main, &r[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(r[i].rc, SG_OK);
        assert_ptr_equal(r[i].key, atomic_load(&t->tlogs[0].key));
        assert_ptr_equal(r[i].chain, atomic_load(&t->cas[1].chain));
    }
    assert_non_null(r[0].key);
    assert_int_equal(sk_X509_num(r[0].chain), (int)t->cas[1].n_certs);
    sg_sigstore_trust_free(t);
}

static void trust__pkcs1_rsa_ctlog_and_null_end(void **state)
{
    /* rekor2-happy-path's root carries a PKCS#1 RSA CT log key;
     * trust-root-tlog-validity-end-inclusive has "end": null */
    struct sg_sigstore_trust *t =
        st_root(CASES "rekor2-happy-path/trusted_root.json");
    struct sg_sigstore_trust *u = st_root(
        CASES "trust-root-tlog-validity-end-inclusive/trusted_root.json");

    (void)state;
    assert_int_equal(EVP_PKEY_get_base_id(key_of(&t->ctlogs[0])), EVP_PKEY_RSA);
    assert_true(t->ctlogs[0].valid.has_end);
    assert_false(u->tlogs[1].valid.has_end);
    sg_sigstore_trust_free(t);
    sg_sigstore_trust_free(u);
}

static void trust__missing_start_refused(void **state)
{
    struct sg_sigstore_trust *t = NULL;
    char p[1024];

    (void)state;
    st_path(p, sizeof(p),
            CASES
            "trust-root-tlog-missing-validity-start_fail/trusted_root.json");
    assert_int_equal(sg_sigstore_trust_load(&t, p), SG_EPARSE);
    assert_null(t);
    assert_non_null(strstr(sg_error_last(), "validFor.start is required"));
}

static sg_err parse(const char *s, struct sg_sigstore_trust **t)
{
    return sg_sigstore_trust_parse(t, s, strlen(s));
}

static void trust__bad_documents(void **state)
{
    struct sg_sigstore_trust *t = NULL;

    (void)state;
    assert_int_equal(parse("{\"mediaType\":\"x\"}", &t), SG_EUNSUPPORTED);
    assert_int_equal(
        parse("{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;"
              "version=0.1\",\"tlogs\":[],\"tlogs\":[]}",
              &t),
        SG_EPARSE); /* duplicate key */
    assert_int_equal(
        parse("{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;"
              "version=0.2\",\"tlogs\":[{\"logId\":{\"keyId\":\"AAAA\"},"
              "\"publicKey\":{\"rawBytes\":\"AAAA\",\"validFor\":"
              "{\"start\":\"2021-01-01T00:00:00Z\"}}}]}",
              &t),
        SG_EPARSE); /* not a key */
    assert_non_null(strstr(sg_error_last(), "tlogs[0]"));
    /* one DER SEQUENCE that is no key: found when the key is first used */
    assert_int_equal(
        parse("{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;"
              "version=0.2\",\"tlogs\":[{\"logId\":{\"keyId\":\"AAAA\"},"
              "\"publicKey\":{\"rawBytes\":\"MAMCAQA=\",\"validFor\":"
              "{\"start\":\"2021-01-01T00:00:00Z\"}}}]}",
              &t),
        SG_OK);
    {
        EVP_PKEY *k = NULL;

        assert_int_equal(sg_sigstore_log_key(&k, &t->tlogs[0]), SG_EPARSE);
        assert_null(k);
        assert_non_null(strstr(sg_error_last(), "not an SPKI"));
    }
    sg_sigstore_trust_free(t);
    t = NULL;
    assert_int_equal(
        parse("{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;"
              "version=0.2\"}",
              &t),
        SG_OK); /* empty root is well-formed; verification then fails */
    assert_int_equal(t->n_tlogs + t->n_cas, 0);
    sg_sigstore_trust_free(t);
}

static void trust__time_and_range(void **state)
{
    struct sg_sigstore_range r = { 0 };
    int64_t v;

    (void)state;
    assert_int_equal(sg_sigstore_time_parse(&v, "1970-01-02T00:00:01Z"), SG_OK);
    assert_true(v == 86401);
    assert_int_equal(sg_sigstore_time_parse(&v, "2022-12-31T23:59:59.999000Z"),
                     SG_OK);
    assert_true(v == 1672531199);
    assert_int_equal(sg_sigstore_time_parse(&v, "2022-12-31T23:59:59+01:00"),
                     SG_EPARSE);
    assert_int_equal(sg_sigstore_time_parse(&v, "2022-13-31T23:59:59Z"),
                     SG_EPARSE);
    assert_int_equal(sg_sigstore_time_parse(&v, "2022-12-31"), SG_EPARSE);
    r.start = 10;
    r.end = 20;
    r.has_end = 1;
    assert_false(sg_sigstore_range_has(&r, 9));
    assert_true(sg_sigstore_range_has(&r, 10));
    assert_true(sg_sigstore_range_has(&r, 20)); /* end is inclusive */
    assert_false(sg_sigstore_range_has(&r, 21));
    r.has_end = 0;
    assert_true(sg_sigstore_range_has(&r, INT64_MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trust__production_root),
        cmocka_unit_test(trust__decode_once_across_threads),
        cmocka_unit_test(trust__pkcs1_rsa_ctlog_and_null_end),
        cmocka_unit_test(trust__missing_start_refused),
        cmocka_unit_test(trust__bad_documents),
        cmocka_unit_test(trust__time_and_range),
    };

    return cmocka_run_group_tests_name("sigstore_trust", tests, NULL, NULL);
}
