/* Table test of the image reference parser: good references with their
 * normalised parts, bad ones with the message they must produce. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sigil/oci.h"

#define D256 \
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define D512                                                                  \
    "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce" \
    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"

struct good {
    const char *in;
    const char *registry, *repository, *tag, *digest;
    const char *canonical; /* sg_oci_ref_string */
};

static const struct good goods[] = {
    { "alpine", "docker.io", "library/alpine", "latest", NULL,
      "docker.io/library/alpine:latest" },
    { "alpine:3.19", "docker.io", "library/alpine", "3.19", NULL,
      "docker.io/library/alpine:3.19" },
    { "library/alpine", "docker.io", "library/alpine", "latest", NULL, NULL },
    { "docker.io/alpine", "docker.io", "library/alpine", "latest", NULL, NULL },
    { "index.docker.io/alpine", "docker.io", "library/alpine", "latest", NULL,
      NULL },
    { "index.docker.io/team/app:v1", "docker.io", "team/app", "v1", NULL,
      NULL },
    { "docker.io/library/alpine:edge", "docker.io", "library/alpine", "edge",
      NULL, NULL },
    { "ghcr.io/owner/repo/sub:1.0", "ghcr.io", "owner/repo/sub", "1.0", NULL,
      "ghcr.io/owner/repo/sub:1.0" },
    { "localhost/app", "localhost", "app", "latest", NULL, NULL },
    { "localhost:5000/app:dev", "localhost:5000", "app", "dev", NULL,
      "localhost:5000/app:dev" },
    { "127.0.0.1:5000/team/app", "127.0.0.1:5000", "team/app", "latest", NULL,
      NULL },
    { "[::1]:5000/app:x", "[::1]:5000", "app", "x", NULL, NULL },
    { "[fe80::1]/app", "[fe80::1]", "app", "latest", NULL, NULL },
    { "app@" D256, "docker.io", "library/app", NULL, D256,
      "docker.io/library/app@" D256 },
    { "reg.example.com/app:1@" D256, "reg.example.com", "app", "1", D256,
      "reg.example.com/app:1@" D256 },
    { "reg.example.com/app@" D512, "reg.example.com", "app", NULL, D512, NULL },
    { "a.b-c.example:443/x_y/z__w/q-r--s.t", "a.b-c.example:443",
      "x_y/z__w/q-r--s.t", "latest", NULL, NULL },
    { "Example.COM/app", "Example.COM", "app", "latest", NULL, NULL },
    { "app:_tag", "docker.io", "library/app", "_tag", NULL, NULL },
    { "app:V1.2-rc.3_x", "docker.io", "library/app", "V1.2-rc.3_x", NULL,
      NULL },
    { "my-registry:5000/app", "my-registry:5000", "app", "latest", NULL, NULL },
    { "localhost:5000/a/b/c/d:sha256-abc.sig", "localhost:5000", "a/b/c/d",
      "sha256-abc.sig", NULL, NULL },
    { "registry-1.docker.io/library/busybox", "docker.io", "library/busybox",
      "latest", NULL, NULL },
    { "0.0.0.0/x", "0.0.0.0", "x", "latest", NULL, NULL },
};

struct bad {
    const char *in;
    sg_err code;
    const char *msg; /* substring of the message */
};

static const struct bad bads[] = {
    { "", SG_EPARSE, "empty image reference" },
    { "UPPER", SG_EPARSE, "repository name must be lowercase" },
    { "docker.io/Library/alpine", SG_EPARSE,
      "repository name must be lowercase" },
    { "ghcr.io/Owner/app", SG_EPARSE, "repository name must be lowercase" },
    { "app:", SG_EPARSE, "empty tag" },
    { "app:-x", SG_EPARSE, "tag must start" },
    { "app:a/b", SG_EPARSE, "registry port must be a number" },
    { "app:a+b", SG_EPARSE, "invalid character '+' in tag" },
    { "app@sha256:abc", SG_EPARSE, "64 lower-case hex" },
    { "app@sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
      SG_EPARSE, "64 lower-case hex" },
    { "app@md5:d41d8cd98f00b204e9800998ecf8427e", SG_EUNSUPPORTED,
      "unsupported digest algorithm 'md5'" },
    { "app@", SG_EPARSE, "digest must be ALGORITHM:HEX" },
    { "app@nohex", SG_EPARSE, "digest must be ALGORITHM:HEX" },
    { "/app", SG_EPARSE, "empty path component" },
    { "app/", SG_EPARSE, "empty path component" },
    { "a//b", SG_EPARSE, "empty path component" },
    { "-app", SG_EPARSE, "must start and end" },
    { "app-", SG_EPARSE, "must start and end" },
    { "app..x", SG_EPARSE, "must start and end" },
    { "app___x", SG_EPARSE, "must start and end" },
    { "ap$p", SG_EPARSE, "invalid character '$'" },
    { "reg.io:abc/app", SG_EPARSE, "registry port must be a number" },
    { "reg.io:99999/app", SG_EPARSE, "port out of range" },
    { "reg.io:/app", SG_EPARSE, "registry port must be a number" },
    { "-reg.io/app", SG_EPARSE, "may not start or end with '-'" },
    { "reg..io/app", SG_EPARSE, "empty label" },
    { "reg.io./app", SG_EPARSE, "ends with '.'" },
    { "reg_x.io/app", SG_EPARSE, "invalid character '_' in registry host" },
    { "[::1/app", SG_EPARSE, "lacks ']'" },
    { "[zz::1]/app", SG_EPARSE, "invalid IPv6" },
    { "[::1]x/app", SG_EPARSE, "unexpected text after IPv6" },
    { "reg.io/", SG_EPARSE, "missing repository name" },
    { ":tag", SG_EPARSE, "missing repository name" },
    { "app name", SG_EPARSE, "whitespace or non-ASCII" },
    { "app:\xc3\xa9", SG_EPARSE, "whitespace or non-ASCII" },
    { "localhost:5000/app:a:b", SG_EPARSE,
      "invalid character ':' in repository name" },
};

static void ref__good_references_normalise(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
        const struct good *g = &goods[i];
        struct sg_oci_ref r, c;
        struct sg_buf s = SG_BUF_INIT(SG_BUF_NOLIMIT);
        sg_err rc = sg_oci_ref_parse(&r, g->in);

        if (rc)
            fail_msg("'%s': %s", g->in, sg_error_last());
        assert_string_equal(r.registry, g->registry);
        assert_string_equal(r.repository, g->repository);
        if (g->tag)
            assert_string_equal(r.tag, g->tag);
        else
            assert_null(r.tag);
        if (g->digest)
            assert_string_equal(r.digest, g->digest);
        else
            assert_null(r.digest);
        if (g->canonical) {
            assert_int_equal(sg_oci_ref_string(&s, &r), SG_OK);
            assert_string_equal(s.data, g->canonical);
        }
        /* copy round trip and canonical form re-parses to itself */
        assert_int_equal(sg_oci_ref_copy(&c, &r), SG_OK);
        assert_string_equal(c.repository, r.repository);
        sg_buf_reset(&s);
        assert_int_equal(sg_oci_ref_string(&s, &r), SG_OK);
        sg_oci_ref_release(&c);
        assert_int_equal(sg_oci_ref_parse(&c, s.data), SG_OK);
        assert_string_equal(c.registry, r.registry);
        assert_string_equal(c.repository, r.repository);
        sg_oci_ref_release(&c);
        sg_oci_ref_release(&r);
        sg_buf_release(&s);
    }
}

static void ref__bad_references_say_why(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        const struct bad *b = &bads[i];
        struct sg_oci_ref r;
        sg_err rc = sg_oci_ref_parse(&r, b->in);

        if (rc != b->code)
            fail_msg("'%s': got %s (%s), want %s", b->in, sg_err_name(rc),
                     sg_error_last(), sg_err_name(b->code));
        if (!strstr(sg_error_last(), b->msg))
            fail_msg("'%s': message '%s' lacks '%s'", b->in, sg_error_last(),
                     b->msg);
        assert_null(r.registry);
        assert_null(r.repository);
        assert_null(r.tag);
        assert_null(r.digest);
    }
}

static void ref__limits(void **state)
{
    char big[400];
    char tag[200];
    struct sg_oci_ref r;

    (void)state;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(sg_oci_ref_parse(&r, big), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "longer than 255"));
    memcpy(tag, "app:", 4);
    memset(tag + 4, 't', 129);
    tag[133] = '\0';
    assert_int_equal(sg_oci_ref_parse(&r, tag), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "tag longer than 128"));
    tag[132] = '\0'; /* exactly 128 */
    assert_int_equal(sg_oci_ref_parse(&r, tag), SG_OK);
    sg_oci_ref_release(&r);
}

static void ref__api_host_and_repo_name(void **state)
{
    struct sg_oci_ref r;
    struct sg_buf s = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    assert_int_equal(sg_oci_ref_parse(&r, "busybox"), SG_OK);
    assert_string_equal(sg_oci_ref_api_host(&r), "registry-1.docker.io");
    assert_int_equal(sg_oci_ref_repo_name(&s, &r), SG_OK);
    assert_string_equal(s.data, "docker.io/library/busybox");
    sg_oci_ref_release(&r);
    sg_buf_release(&s);
    assert_int_equal(sg_oci_ref_parse(&r, "localhost:5000/x"), SG_OK);
    assert_string_equal(sg_oci_ref_api_host(&r), "localhost:5000");
    sg_oci_ref_release(&r);
    sg_oci_ref_release(&r); /* idempotent */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ref__good_references_normalise),
        cmocka_unit_test(ref__bad_references_say_why),
        cmocka_unit_test(ref__limits),
        cmocka_unit_test(ref__api_host_and_repo_name),
    };

    return cmocka_run_group_tests_name("oci_ref", tests, NULL, NULL);
}
