/* Registry auth parsers: WWW-Authenticate challenges, Link headers and
 * token server answers (exact fields, and the errors for bad input). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_int.h"
#include "oci/registry_int.h"

static void challenge__bearer_with_all_params(void **state)
{
    struct sg_oci__challenge c;

    (void)state;
    assert_int_equal(sg_oci__challenge_parse(
                         &c, "Bearer realm=\"https://auth.docker.io/token\","
                             "service=\"registry.docker.io\","
                             "scope=\"repository:samalba/my-app:pull,push\""),
                     SG_OK);
    assert_string_equal(c.scheme, "Bearer");
    assert_string_equal(c.realm, "https://auth.docker.io/token");
    assert_string_equal(c.service, "registry.docker.io");
    assert_string_equal(c.scope, "repository:samalba/my-app:pull,push");
    sg_oci__challenge_release(&c);
}

static void challenge__case_spaces_escapes_and_several_scopes(void **state)
{
    struct sg_oci__challenge c;

    (void)state;
    assert_int_equal(
        sg_oci__challenge_parse(
            &c, "  bearer  Realm = \"http://127.0.0.1:5001/t?x=\\\"1\\\"\" ,"
                " scope=\"repository:a:pull repository:b/c:pull,push\","
                " error=\"insufficient_scope\""),
        SG_OK);
    assert_string_equal(c.scheme, "Bearer");
    assert_string_equal(c.realm, "http://127.0.0.1:5001/t?x=\"1\"");
    assert_null(c.service);
    assert_string_equal(c.scope, "repository:a:pull repository:b/c:pull,push");
    sg_oci__challenge_release(&c);
}

static void challenge__basic_and_unquoted(void **state)
{
    struct sg_oci__challenge c;

    (void)state;
    assert_int_equal(sg_oci__challenge_parse(&c, "Basic realm=sigil-test"),
                     SG_OK);
    assert_string_equal(c.scheme, "Basic");
    assert_string_equal(c.realm, "sigil-test");
    sg_oci__challenge_release(&c);
    assert_int_equal(sg_oci__challenge_parse(&c, "Basic"), SG_OK);
    assert_string_equal(c.scheme, "Basic");
    assert_null(c.realm);
    sg_oci__challenge_release(&c);
}

static void challenge__bad_input_is_rejected(void **state)
{
    static const struct {
        const char *in;
        sg_err rc;
        const char *msg;
    } bad[] = {
        { "Negotiate abc", SG_EUNSUPPORTED,
          "WWW-Authenticate: unsupported scheme 'Negotiate'" },
        { "", SG_EUNSUPPORTED, "WWW-Authenticate: unsupported scheme ''" },
        { "Bearer service=\"x\"", SG_EPARSE,
          "WWW-Authenticate: Bearer without realm" },
        { "Bearer realm=\"https://a", SG_EPARSE,
          "WWW-Authenticate: unterminated quoted value" },
        { "Bearer realm=\"a\",realm=\"b\"", SG_EPARSE,
          "WWW-Authenticate: duplicate 'realm'" },
        { "Bearer realm=\"a\" x", SG_EPARSE,
          "WWW-Authenticate: expected ',' after 'realm'" },
        { "Bearer realm=\"a\",@", SG_EPARSE,
          "WWW-Authenticate: unexpected character" },
    };
    struct sg_oci__challenge c;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sg_oci__challenge_parse(&c, bad[i].in), bad[i].rc);
        assert_string_equal(sg_error_last(), bad[i].msg);
        assert_null(c.scheme);
        assert_null(c.realm);
    }
}

static void link__next_found_among_others(void **state)
{
    char *next = NULL;

    (void)state;
    assert_int_equal(
        sg_oci__link_next(&next, "</v2/r/tags/list?n=2&last=b>; rel=\"next\""),
        SG_OK);
    assert_string_equal(next, "/v2/r/tags/list?n=2&last=b");
    free(next);
    assert_int_equal(sg_oci__link_next(&next,
                                       "<https://x/prev>; rel=prev, "
                                       "<https://x/n?last=c>;title=\"a, b\";"
                                       " rel=\"first next\""),
                     SG_OK);
    assert_string_equal(next, "https://x/n?last=c");
    free(next);
    assert_int_equal(sg_oci__link_next(&next, "<https://x/p>; rel=\"prev\""),
                     SG_OK);
    assert_null(next);
    assert_int_equal(sg_oci__link_next(&next, ""), SG_OK);
    assert_null(next);
}

static void link__malformed(void **state)
{
    char *next = NULL;

    (void)state;
    assert_int_equal(sg_oci__link_next(&next, "/v2/x; rel=next"), SG_EPARSE);
    assert_string_equal(sg_error_last(), "Link: expected '<'");
    assert_int_equal(sg_oci__link_next(&next, "</v2/x; rel=next"), SG_EPARSE);
    assert_string_equal(sg_error_last(), "Link: unterminated '<'");
    assert_int_equal(sg_oci__link_next(&next, "<>; rel=next"), SG_EPARSE);
    assert_string_equal(sg_error_last(), "Link: empty URL");
    assert_int_equal(sg_oci__link_next(&next, "<a> junk"), SG_EPARSE);
    assert_null(next);
}

static sg_err token(char **t, const char *json)
{
    return sg_oci__token_parse(t, json, strlen(json), SG_LIMIT_TOKEN_MAX);
}

static void token__token_or_access_token(void **state)
{
    char *t = NULL;

    (void)state;
    assert_int_equal(token(&t, "{\"token\":\"abc\",\"expires_in\":300}"),
                     SG_OK);
    assert_string_equal(t, "abc");
    free(t);
    assert_int_equal(token(&t, "{\"access_token\":\"xyz\"}"), SG_OK);
    assert_string_equal(t, "xyz");
    free(t);
    assert_int_equal(token(&t, "{\"token\":\"\",\"access_token\":\"q\"}"),
                     SG_OK);
    assert_string_equal(t, "q");
    free(t);
    assert_int_equal(token(&t, "{\"expires_in\":3}"), SG_EPARSE);
    assert_string_equal(sg_error_last(),
                        "token response: no 'token' or 'access_token'");
    assert_int_equal(token(&t, "{\"token\":\"a\\nb\"}"), SG_EPARSE);
    assert_string_equal(sg_error_last(),
                        "token response: control character in token");
    assert_int_equal(token(&t, "[]"), SG_EPARSE);
    assert_null(t);
}

static void token__size_limit(void **state)
{
    const char *json = "{\"token\":\"0123456789abcdef\"}";
    char *t = NULL;

    (void)state;
    assert_int_equal(sg_oci__token_parse(&t, json, strlen(json), 16),
                     SG_ELIMIT);
    assert_null(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(challenge__bearer_with_all_params),
        cmocka_unit_test(challenge__case_spaces_escapes_and_several_scopes),
        cmocka_unit_test(challenge__basic_and_unquoted),
        cmocka_unit_test(challenge__bad_input_is_rejected),
        cmocka_unit_test(link__next_found_among_others),
        cmocka_unit_test(link__malformed),
        cmocka_unit_test(token__token_or_access_token),
        cmocka_unit_test(token__size_limit),
    };

    return cmocka_run_group_tests_name("oci_auth", tests, NULL, NULL);
}
