/* sg_sigstore_verify() end to end on real conformance bundles, plus the
 * pieces it is made of: chain at a time, SCT, RFC 3161, identity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include "sigstore_test_util.h"

#define ID \
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define ISS "https://token.actions.githubusercontent.com"

struct fx {
    struct sg_buf a;
    struct sg_sigstore_artifact art;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    st_read(&f->a, CASES "a.txt");
    f->art.data = (unsigned char *)f->a.data;
    f->art.len = f->a.len;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    sg_buf_release(&f->a);
    free(f);
    return 0;
}

static sg_err run(const char *bundle_rel,
                  const char *root_rel,
                  const struct sg_sigstore_artifact *art,
                  const struct sg_sigstore_policy *pol,
                  struct sg_sigstore_result *res)
{
    json_t *b = st_json(bundle_rel);
    struct sg_sigstore_trust *t = st_root(root_rel ? root_rel : PROD_ROOT);
    sg_err rc = sg_sigstore_verify(t, b, art, pol, res);

    sg_sigstore_trust_free(t);
    json_decref(b);
    return rc;
}

static void verify__happy_v03_artifact_and_digest(void **state)
{
    struct fx *f = *state;
    struct sg_sigstore_policy pol = { .id = { .identity = ID, .issuer = ISS } };
    struct sg_sigstore_artifact dg = { 0 };
    struct sg_sigstore_result r;

    assert_int_equal(run(CASES "happy-path-v0.3/bundle.sigstore.json", NULL,
                         &f->art, &pol, &r),
                     SG_OK);
    assert_int_equal(r.version_minor, 3);
    assert_false(r.is_dsse);
    assert_true(r.signed_time == 1710869186); /* the SET's integratedTime */
    assert_string_equal(r.san, ID);
    assert_string_equal(r.issuer, ISS);
    sg_sigstore_result_release(&r);

    SHA256(f->art.data, f->art.len, dg.sha256);
    assert_int_equal(
        run(CASES "happy-path-v0.3/bundle.sigstore.json", NULL, &dg, &pol, &r),
        SG_OK);
    sg_sigstore_result_release(&r);
    dg.sha256[31] ^= 1;
    assert_int_equal(
        run(CASES "happy-path-v0.3/bundle.sigstore.json", NULL, &dg, &pol, &r),
        SG_EVERIFY);
    assert_null(r.san);
}

static void verify__identity_policy(void **state)
{
    struct fx *f = *state;
    struct sg_sigstore_policy pol = { .id = { .identity = ID "x",
                                              .issuer = ISS } };
    struct sg_sigstore_result r;
    const char *bundle = CASES "happy-path-v0.2/bundle.sigstore.json";

    assert_int_equal(run(bundle, NULL, &f->art, &pol, &r), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "expected identity"));
    pol.id.identity = ID;
    pol.id.issuer = "https://accounts.google.com";
    assert_int_equal(run(bundle, NULL, &f->art, &pol, &r), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "expected OIDC issuer"));
    /* regexps are unanchored (RE2 / cosign semantics) */
    pol.id.identity = NULL;
    pol.id.identity_regexp = "sigstore-conformance/extremely-dangerous";
    pol.id.issuer = NULL;
    pol.id.issuer_regexp =
        "^https://token\\.actions\\.githubusercontent\\.com$";
    assert_int_equal(run(bundle, NULL, &f->art, &pol, &r), SG_OK);
    sg_sigstore_result_release(&r);
    pol.id.identity_regexp = "^sigstore-conformance";
    assert_int_equal(run(bundle, NULL, &f->art, &pol, &r), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "expected regexp"));
    pol.id.identity_regexp = ".*";
    pol.id.gh_workflow_repository =
        "sigstore-conformance/extremely-dangerous-public-oidc-beacon";
    assert_int_equal(run(bundle, NULL, &f->art, &pol, &r), SG_OK);
    sg_sigstore_result_release(&r);
    pol.id.gh_workflow_repository = "someone/else";
    assert_int_equal(run(bundle, NULL, &f->art, &pol, &r), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "GitHub workflow"));
}

static void verify__key_and_keyless_never_cross(void **state)
{
    struct fx *f = *state;
    struct sg_sigstore_policy pol = { .id = { .identity = ID, .issuer = ISS } };
    struct sg_sigstore_result r;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

    assert_non_null(k);
    assert_int_equal(run(CASES "managed-key-happy-path/bundle.sigstore.json",
                         NULL, &f->art, &pol, &r),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "key-based"));
    pol.key = k;
    assert_int_equal(run(CASES "happy-path-v0.3/bundle.sigstore.json", NULL,
                         &f->art, &pol, &r),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "keyless"));
    /* a key-based bundle with another key */
    assert_int_equal(run(CASES "managed-key-happy-path/bundle.sigstore.json",
                         NULL, &f->art, &pol, &r),
                     SG_EVERIFY);
    EVP_PKEY_free(k);
}

static void verify__rekor_v2_with_tsa_and_dsse(void **state)
{
    struct fx *f = *state;
    struct sg_sigstore_policy pol = { .id = { .identity = ID, .issuer = ISS } };
    struct sg_sigstore_result r;

    assert_int_equal(run(CASES "rekor2-happy-path/bundle.sigstore.json",
                         CASES "rekor2-happy-path/trusted_root.json", &f->art,
                         &pol, &r),
                     SG_OK);
    assert_true(r.signed_time > 1749729000 && r.signed_time < 1749730000);
    sg_sigstore_result_release(&r);
    /* same bundle, production root: the log is unknown there */
    assert_int_equal(run(CASES "rekor2-happy-path/bundle.sigstore.json", NULL,
                         &f->art, &pol, &r),
                     SG_EVERIFY);
    assert_int_equal(run(CASES "rekor2-no-timestamp_fail/bundle.sigstore.json",
                         CASES "rekor2-no-timestamp_fail/trusted_root.json",
                         &f->art, &pol, &r),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "RFC 3161"));
    assert_int_equal(run(CASES
                         "happy-path-intoto-in-dsse-v3/bundle.sigstore.json",
                         NULL, &f->art, &pol, &r),
                     SG_OK);
    assert_true(r.is_dsse);
    assert_string_equal(r.payload_type, "application/vnd.in-toto+json");
    sg_sigstore_result_release(&r);
}

static void verify__reasons_of_failing_cases(void **state)
{
    struct fx *f = *state;
    struct sg_sigstore_policy pol = { .id = { .identity = ID, .issuer = ISS } };
    struct sg_sigstore_result r;
    static const struct {
        const char *name, *why;
    } cases[] = {
        { "set-invalid-signature_fail", "signed entry timestamp" },
        { "checkpoint-bad-keyhint_fail", "key hint" },
        { "invalid-checkpoint-signature_fail", "checkpoint signature" },
        { "inclusion-proof-corrupted-hash_fail", "root hash" },
        { "invalid-ct-key_fail", "SCT" },
        { "bundle-with-root-cert_fail", "root certificate" },
        { "intoto-set-outside-signing-cert-validity_fail", "expired" },
        { "message-digest-mismatch_fail", "messageDigest" },
        { "bundle-from-wrong-instance_fail", "log in the trusted root" },
        { "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
          "RFC 3161" },
    };
    char b[256], t[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(b, sizeof(b), CASES "%s/bundle.sigstore.json", cases[i].name);
        snprintf(t, sizeof(t), CASES "%s/trusted_root.json", cases[i].name);
        {
            char p[1024];
            FILE *fp;
            st_path(p, sizeof(p), t);
            fp = fopen(p, "r");
            if (fp)
                fclose(fp);
            assert_int_not_equal(run(b, fp ? t : NULL, &f->art, &pol, &r),
                                 SG_OK);
        }
        if (!strstr(sg_error_last(), cases[i].why))
            fail_msg("%s: got '%s', want '%s'", cases[i].name, sg_error_last(),
                     cases[i].why);
    }
}

static void identity__regex_errors(void **state)
{
    int m = 1;

    (void)state;
    assert_int_equal(sg_sigstore_regex_match(&m, "a(", "a"), SG_EINVAL);
    assert_non_null(strstr(sg_error_last(), "bad regular expression"));
    assert_int_equal(sg_sigstore_regex_match(&m, "b", "abc"), SG_OK);
    assert_int_equal(m, 1);
    assert_int_equal(sg_sigstore_regex_match(&m, "^b", "abc"), SG_OK);
    assert_int_equal(m, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verify__happy_v03_artifact_and_digest),
        cmocka_unit_test(verify__identity_policy),
        cmocka_unit_test(verify__key_and_keyless_never_cross),
        cmocka_unit_test(verify__rekor_v2_with_tsa_and_dsse),
        cmocka_unit_test(verify__reasons_of_failing_cases),
        cmocka_unit_test(identity__regex_errors),
    };

    return cmocka_run_group_tests_name("sigstore_verify", tests, setup,
                                       teardown);
}
