/*
 * Keyless image checks (verify/keyless.c) on an in-memory store: the
 * policy is checked before anything is fetched (identity, issuer,
 * regexps, trusted root); a real cosign v3 keyless attestation bundle
 * (public-good Fulcio/Rekor, testdata/keyless-image/PROVENANCE.md)
 * verifies as a referrer of its subject against the vendored public-good
 * root, and fails for another identity, with a key, and for another
 * digest; a legacy layer's malformed annotations fail with their reason.
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

#define D3_HEX \
    "732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
#define D3        "sha256:" D3_HEX
#define BUNDLE_MT "application/vnd.dev.sigstore.bundle.v0.3+json"

static char root_path[4096], bundle_path[4096];

static int setup(void **state)
{
    const char *src = getenv("SG_SOURCE_DIR");

    (void)state;
    if (!src)
        return -1;
    snprintf(root_path, sizeof(root_path),
             "%s/testdata/sigstore-conformance/"
             "trusted_root.production.json",
             src);
    snprintf(bundle_path, sizeof(bundle_path),
             "%s/testdata/keyless-image/dsse-03/bundle.sigstore.json", src);
    return 0;
}

static struct sg_keyless_policy policy(const char *identity)
{
    struct sg_keyless_policy p;

    memset(&p, 0, sizeof(p));
    p.trusted_root_path = root_path;
    p.id.identity = identity;
    p.id.issuer = "https://github.com/login/oauth";
    return p;
}

/* The dsse-03 bundle as a referrer of `subject_hex` (fallback tag). */
static struct sg_oci_store *store_with_bundle(const char *subject_hex)
{
    struct sg_oci_store *s = memstore_new();
    struct sg_buf b = SG_BUF_INIT(1u << 20), tag = SG_BUF_INIT(128);

    assert_int_equal(sg_file_read(&b, bundle_path, 1u << 20), SG_OK);
    assert_int_equal(sg_buf_addf(&tag, "sha256-%s", subject_hex), SG_OK);
    memstore_put_bundle_referrer(s, b.data, b.len, tag.data, NULL);
    sg_buf_release(&b);
    sg_buf_release(&tag);
    return s;
}

static sg_err run_att(struct sg_oci_store *s,
                      const char *digest,
                      const struct sg_sign_key *k,
                      const struct sg_keyless_policy *p,
                      char *reason,
                      size_t cap)
{
    struct sg_attest_check c;
    struct sg_attest_result r;
    sg_err rc;

    memset(&c, 0, sizeof(c));
    c.key = k;
    c.digest = digest;
    c.type = "custom";
    c.keyless = p;
    rc = sg_verify_image_attestations(&r, s, &c);
    reason[0] = '\0';
    for (size_t i = 0; i < r.n_items; i++)
        if (!r.items[i].ok)
            snprintf(reason, cap, "%s", r.items[i].reason);
    if (rc == SG_OK) {
        assert_int_equal(r.n_items, 1);
        assert_non_null(strstr(r.items[0].statement, D3_HEX));
    }
    sg_attest_result_release(&r);
    return rc;
}

static void real_v3_attestation_bundle(void **state)
{
    struct sg_keyless_policy p = policy("cody@soyland.com");
    struct sg_oci_store *s = store_with_bundle(D3_HEX);
    struct sg_sign_key *k = NULL;
    char reason[1024];

    (void)state;
    assert_int_equal(run_att(s, D3, NULL, &p, reason, sizeof(reason)), SG_OK);

    p.id.identity = NULL;
    p.id.identity_regexp = "@soyland\\.com$";
    assert_int_equal(run_att(s, D3, NULL, &p, reason, sizeof(reason)), SG_OK);

    p = policy("someone@example.com");
    assert_int_equal(run_att(s, D3, NULL, &p, reason, sizeof(reason)),
                     SG_EVERIFY);
    assert_non_null(strstr(reason, "keyless: certificate identity "
                                   "cody@soyland.com does not match"));

    /* a key never passes it (a key and a policy together are API misuse) */
    assert_int_equal(sg_sign_key_generate(&k), SG_OK);
    assert_int_equal(run_att(s, D3, k, NULL, reason, sizeof(reason)),
                     SG_EVERIFY);
    assert_non_null(strstr(reason, "never passes a --key check"));
    p = policy("cody@soyland.com");
    sg_sign_key_free(k);
    sg_oci_store_free(s);

    /* stored as a referrer of another digest: the statement's subject is
     * not that image */
    s = store_with_bundle("1111111111111111111111111111111111111111111111111111"
                          "111111111111");
    assert_int_equal(run_att(s,
                             "sha256:1111111111111111111111111111111111111111"
                             "111111111111111111111111",
                             NULL, &p, reason, sizeof(reason)),
                     SG_EVERIFY);
    assert_non_null(strstr(reason, "keyless: artifact digest is not a subject "
                                   "of the statement"));
    sg_oci_store_free(s);
}

static void policy_checked_first(void **state)
{
    struct sg_keyless_policy p = policy("x");
    struct sg_v_keyless_opts *o = NULL;

    (void)state;
    p.id.identity = NULL;
    assert_int_equal(sg_v_keyless_opts_new(&o, &p), SG_EINVAL);
    assert_non_null(strstr(sg_error_last(), "--certificate-identity or "
                                            "--certificate-identity-regexp "
                                            "is required"));
    p = policy("x");
    p.id.issuer = NULL;
    assert_int_equal(sg_v_keyless_opts_new(&o, &p), SG_EINVAL);
    assert_non_null(strstr(sg_error_last(), "--certificate-oidc-issuer or"));
    p = policy(NULL);
    p.id.identity_regexp = "(unclosed";
    assert_int_equal(sg_v_keyless_opts_new(&o, &p), SG_EINVAL);
    assert_non_null(strstr(sg_error_last(), "--certificate-identity-regexp"));
    p = policy("x");
    p.trusted_root_path = NULL;
    assert_int_equal(sg_v_keyless_opts_new(&o, &p), SG_EINVAL);
    assert_non_null(strstr(sg_error_last(), "needs a trusted root"));
    p.trusted_root_data = "{\"mediaType\":\"x\"}";
    p.trusted_root_len = strlen(p.trusted_root_data);
    assert_int_not_equal(sg_v_keyless_opts_new(&o, &p), SG_OK);
    assert_non_null(strstr(sg_error_last(), "trusted root"));
    assert_null(o);
    p = policy("x");
    assert_int_equal(sg_v_keyless_opts_new(&o, &p), SG_OK);
    sg_v_keyless_opts_free(o);
}

/* A legacy .sig layer's annotations, straight through the hook. */
static sg_err legacy(const char *cert, const char *bundle, const char *chain)
{
    struct sg_keyless_policy p = policy("x");
    struct sg_oci_kv kv[4];
    struct sg_oci_descriptor d;
    struct sg_v_keyless_opts *o = NULL;
    struct sg_v_ctx c;
    size_t n = 0;
    sg_err rc;

    const char *src[4][2] = { { SG_ANNOT_COSIGN_SIG, "MEUCIQ==" },
                              { SG_ANNOT_COSIGN_CERT, cert },
                              { SG_ANNOT_COSIGN_BUNDLE, bundle },
                              { SG_ANNOT_COSIGN_CHAIN, chain } };

    memset(&d, 0, sizeof(d));
    for (size_t i = 0; i < 4; i++) {
        if (!src[i][1])
            continue;
        kv[n].key = strdup(src[i][0]);
        kv[n].value = strdup(src[i][1]);
        assert_true(kv[n].key && kv[n].value);
        n++;
    }
    d.annotations = kv;
    d.n_annotations = n;
    assert_int_equal(sg_v_keyless_opts_new(&o, &p), SG_OK);
    sg_v_ctx_init(&c, SG_V_SIGNATURE, NULL, D3, NULL);
    c.keyless = o;
    rc = sg_v_keyless_check(&c, NULL, &d, NULL, "{}", 2, NULL);
    sg_v_ctx_release(&c);
    sg_v_keyless_opts_free(o);
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    return rc;
}

static void legacy_annotations(void **state)
{
    static const char pem[] =
        "-----BEGIN CERTIFICATE-----\n"
        "MIIBcjCCARmgAwIBAgIUEPCXj2EZEvwhZRjkULExFs5VofowCgYIKoZIzj0EAwIw\n"
        "DzENMAsGA1UEAwwEdGVzdDAeFw0yNjEyMDIxNjQ2MDhaFw0zNjExMjkxNjQ2MDha\n"
        "MA8xDTALBgNVBAMMBHRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR3Y+5x\n"
        "/feIDgCAmBz7sp/u5QjWfr7HI0xwvHH3n1dbLxxFEK7DkuQL0JIegf5AlO/EXgLk\n"
        "kWX1G7nih6ydydNUo1MwUTAdBgNVHQ4EFgQURqhaHRvDEcqKhro9QqtMwrCczMow\n"
        "HwYDVR0jBBgwFoAURqhaHRvDEcqKhro9QqtMwrCczMowDwYDVR0TAQH/BAUwAwEB\n"
        "/zAKBggqhkjOPQQDAgNHADBEAiANIwkDlIU9cEVU4NtXjklZhre8hSDbJV/7aqeh\n"
        "02oJLAIgPE9BpNGyCP1MUyVjzQEhTLLugVwo2upuh5pVaUPQP5Y=\n"
        "-----END CERTIFICATE-----\n";
    sg_err rc;

    (void)state;
    rc = legacy(pem, NULL, NULL);
    assert_int_equal(rc, SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "no Rekor bundle annotation"));
    rc = legacy("not a certificate", "{}", NULL);
    assert_int_equal(rc, SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "certificate annotation is not a "
                                            "PEM certificate"));
    rc = legacy(pem, "{}", "garbage");
    assert_int_equal(rc, SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "chain annotation is not"));
    rc = legacy(pem, "{\"SignedEntryTimestamp\":\"AA==\"}", NULL);
    assert_int_equal(rc, SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "bundle annotation: needs"));
    rc = legacy(pem, "{\"a\":1,\"a\":2}", NULL);
    assert_int_equal(rc, SG_EPARSE);
    rc = legacy(pem,
                "{\"SignedEntryTimestamp\":\"AA==\",\"Payload\":{\"body\":"
                "\"e30=\",\"integratedTime\":1,\"logIndex\":1,\"logID\":"
                "\"zz\"}}",
                NULL);
    assert_int_equal(rc, SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "logID is not hex"));
    /* well-formed: the whole Sigstore check runs and fails closed (the
     * log is not in the root) */
    rc = legacy(pem,
                "{\"SignedEntryTimestamp\":\"AA==\",\"Payload\":{\"body\":"
                "\"eyJraW5kIjoiaGFzaGVkcmVrb3JkIiwiYXBpVmVyc2lvbiI6IjAuMC4xIn0="
                "\",\"integratedTime\":1,\"logIndex\":1,\"logID\":\"00ff\"}}",
                pem);
    assert_int_equal(rc, SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "keyless: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_v3_attestation_bundle),
        cmocka_unit_test(policy_checked_first),
        cmocka_unit_test(legacy_annotations),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
