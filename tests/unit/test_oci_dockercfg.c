/* docker config.json lookups and credential-helper answers: which entry
 * wins for which host, exact decoded credentials, and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sigil/oci.h"

/* "alice:s3cr:et" */
#define AUTH_ALICE "YWxpY2U6czNjcjpldA=="

static sg_err lookup(struct sg_oci_credentials *c,
                     char **helper,
                     const char *json,
                     const char *host)
{
    return sg_oci_docker_config_lookup(c, helper, json, strlen(json), host);
}

static void dockercfg__auth_field_and_url_keys(void **state)
{
    const char *cfg =
        "{\"auths\":{"
        "\"https://index.docker.io/v1/\":{\"auth\":\"" AUTH_ALICE "\"},"
        "\"http://127.0.0.1:5000\":{\"username\":\"bob\",\"password\":\"pw\"},"
        "\"ghcr.io\":{\"auth\":\"Ym9iOg==\"}}}";
    struct sg_oci_credentials c;
    char *helper = NULL;

    (void)state;
    assert_int_equal(lookup(&c, &helper, cfg, "docker.io"), SG_OK);
    assert_string_equal(c.username, "alice");
    assert_string_equal(c.password, "s3cr:et");
    assert_null(helper);
    sg_oci_credentials_release(&c);

    assert_int_equal(lookup(&c, &helper, cfg, "127.0.0.1:5000"), SG_OK);
    assert_string_equal(c.username, "bob");
    assert_string_equal(c.password, "pw");
    sg_oci_credentials_release(&c);

    assert_int_equal(lookup(&c, &helper, cfg, "ghcr.io"), SG_OK);
    assert_string_equal(c.username, "bob");
    assert_string_equal(c.password, "");
    sg_oci_credentials_release(&c);

    /* no entry, no store: anonymous */
    assert_int_equal(lookup(&c, &helper, cfg, "127.0.0.1:5001"), SG_OK);
    assert_null(c.username);
    assert_null(c.password);
    assert_null(helper);
}

static void dockercfg__tokens(void **state)
{
    const char *cfg = "{\"auths\":{"
                      "\"a.example\":{\"identitytoken\":\"idtok\"},"
                      "\"b.example\":{\"registrytoken\":\"regtok\"}}}";
    struct sg_oci_credentials c;
    char *helper = NULL;

    (void)state;
    assert_int_equal(lookup(&c, &helper, cfg, "a.example"), SG_OK);
    assert_string_equal(c.username, "<token>");
    assert_string_equal(c.password, "idtok");
    assert_null(c.registry_token);
    sg_oci_credentials_release(&c);
    assert_int_equal(lookup(&c, &helper, cfg, "b.example"), SG_OK);
    assert_null(c.username);
    assert_string_equal(c.registry_token, "regtok");
    sg_oci_credentials_release(&c);
}

static void dockercfg__helpers_precedence(void **state)
{
    const char *cfg =
        "{\"auths\":{\"h1\":{\"auth\":\"" AUTH_ALICE "\"},\"h3\":{}},"
        "\"credHelpers\":{\"h1\":\"pass\",\"https://h2\":\"gcr\"},"
        "\"credsStore\":\"desktop\"}";
    struct sg_oci_credentials c;
    char *helper = NULL;

    (void)state;
    /* credHelpers beats both auths and credsStore */
    assert_int_equal(lookup(&c, &helper, cfg, "h1"), SG_OK);
    assert_string_equal(helper, "pass");
    assert_null(c.username);
    free(helper);
    assert_int_equal(lookup(&c, &helper, cfg, "h2"), SG_OK);
    assert_string_equal(helper, "gcr");
    free(helper);
    /* empty auths entry (docker login with a store): the store */
    assert_int_equal(lookup(&c, &helper, cfg, "h3"), SG_OK);
    assert_string_equal(helper, "desktop");
    assert_null(c.username);
    free(helper);
    assert_int_equal(lookup(&c, &helper, cfg, "elsewhere"), SG_OK);
    assert_string_equal(helper, "desktop");
    free(helper);
}

static void dockercfg__bad_input(void **state)
{
    static const struct {
        const char *json;
        const char *msg;
    } bad[] = {
        { "[]", "config.json: not a JSON object" },
        { "{\"auths\":[]}", "config.json: auths: not an object" },
        { "{\"credHelpers\":1}", "config.json: credHelpers: not an object" },
        { "{\"auths\":{\"h\":{\"auth\":\"!!\"}}}",
          "auths[\"h\"].auth: invalid base64" },
        { "{\"auths\":{\"h\":{\"auth\":\"YWxpY2U=\"}}}",
          "auths[\"h\"].auth: not user:password" },
        { "{\"auths\":{\"h\":3}}", "auths[\"h\"]: not an object" },
        { "{\"credsStore\":\"../../bin/sh\"}",
          "config.json: credsStore: invalid helper name" },
        { "{\"credHelpers\":{\"h\":\"a b\"}}",
          "config.json: credHelpers: invalid helper name" },
    };
    struct sg_oci_credentials c;
    char *helper = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(lookup(&c, &helper, bad[i].json, "h"), SG_EPARSE);
        assert_string_equal(sg_error_last(), bad[i].msg);
        assert_null(c.username);
        assert_null(helper);
    }
    assert_int_equal(lookup(&c, &helper, "{\"auths\":{}, \"auths\":{}}", "h"),
                     SG_EPARSE);
}

static void cred_helper__answers(void **state)
{
    struct sg_oci_credentials c;
    const char *ok = "{\"ServerURL\":\"h\",\"Username\":\"u\","
                     "\"Secret\":\"s\"}";
    const char *tok = "{\"Username\":\"<token>\",\"Secret\":\"rt\"}";

    (void)state;
    assert_int_equal(sg_oci_cred_helper_parse(&c, ok, strlen(ok)), SG_OK);
    assert_string_equal(c.username, "u");
    assert_string_equal(c.password, "s");
    sg_oci_credentials_release(&c);
    assert_int_equal(sg_oci_cred_helper_parse(&c, tok, strlen(tok)), SG_OK);
    assert_string_equal(c.username, "<token>");
    assert_string_equal(c.password, "rt");
    sg_oci_credentials_release(&c);
    assert_int_equal(sg_oci_cred_helper_parse(&c, "{\"Username\":\"u\"}", 16),
                     SG_EPARSE);
    assert_null(c.username);
    assert_int_equal(sg_oci_cred_helper_parse(&c, "credentials not found", 21),
                     SG_EPARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dockercfg__auth_field_and_url_keys),
        cmocka_unit_test(dockercfg__tokens),
        cmocka_unit_test(dockercfg__helpers_precedence),
        cmocka_unit_test(dockercfg__bad_input),
        cmocka_unit_test(cred_helper__answers),
    };

    return cmocka_run_group_tests_name("oci_dockercfg", tests, NULL, NULL);
}
