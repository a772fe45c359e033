/* Manifest, index and config parsing; platform parsing and index
 * selection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sigil/oci.h"

#define H1 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define H2 "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define D1 "sha256:" H1
#define D2 "sha256:" H2

static const struct sg_ctx *parse_ctx; /* NULL: defaults */

static sg_err parse(const char *json, struct sg_oci_manifest **m)
{
    return sg_oci_manifest_parse(m, json, strlen(json), NULL, parse_ctx);
}

static void manifest__image(void **state)
{
    struct sg_oci_manifest *m = NULL;
    const char *j =
        "{\"schemaVersion\":2,\"mediaType\":\"" SG_MT_OCI_MANIFEST "\","
        "\"config\":{\"mediaType\":\"" SG_MT_OCI_CONFIG "\",\"digest\":\"" D1
        "\",\"size\":7},"
        "\"layers\":[{\"mediaType\":\"" SG_MT_OCI_LAYER_GZIP
        "\",\"digest\":\"" D2 "\",\"size\":32,"
        "\"annotations\":{\"k\":\"v\"}}],"
        "\"subject\":{\"mediaType\":\"" SG_MT_OCI_MANIFEST "\",\"digest\":\"" D1
        "\",\"size\":3},\"annotations\":{\"a\":\"b\"},"
        "\"unknownField\":[1,2]}";

    (void)state;
    assert_int_equal(parse(j, &m), SG_OK);
    assert_false(m->is_index);
    assert_string_equal(m->media_type, SG_MT_OCI_MANIFEST);
    assert_string_equal(m->config.digest, D1);
    assert_int_equal(m->config.size, 7);
    assert_int_equal(m->n_layers, 1);
    assert_string_equal(m->layers[0].digest, D2);
    assert_int_equal(m->layers[0].size, 32);
    assert_string_equal(sg_oci_descriptor_annotation(&m->layers[0], "k"), "v");
    assert_null(sg_oci_descriptor_annotation(&m->layers[0], "x"));
    assert_non_null(m->subject);
    assert_string_equal(m->subject->digest, D1);
    assert_string_equal(sg_oci_manifest_annotation(m, "a"), "b");
    {
        struct sg_oci_descriptor c;
        assert_int_equal(sg_oci_descriptor_copy(&c, &m->layers[0]), SG_OK);
        assert_string_equal(c.digest, D2);
        assert_string_equal(sg_oci_descriptor_annotation(&c, "k"), "v");
        sg_oci_descriptor_release(&c);
    }
    sg_oci_manifest_free(m);
}

static void manifest__media_type_from_transport_and_shape(void **state)
{
    struct sg_oci_manifest *m = NULL;
    const char *img = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\","
                      "\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}";
    const char *idx = "{\"schemaVersion\":2,\"manifests\":[]}";

    (void)state;
    assert_int_equal(sg_oci_manifest_parse(&m, img, strlen(img),
                                           SG_MT_DOCKER_MANIFEST, NULL),
                     SG_OK);
    assert_string_equal(m->media_type, SG_MT_DOCKER_MANIFEST);
    sg_oci_manifest_free(m);
    assert_int_equal(parse(img, &m), SG_OK);
    assert_string_equal(m->media_type, SG_MT_OCI_MANIFEST);
    sg_oci_manifest_free(m);
    assert_int_equal(parse(idx, &m), SG_OK);
    assert_true(m->is_index);
    assert_int_equal(m->n_layers, 0);
    sg_oci_manifest_free(m);
}

struct bad {
    const char *json;
    sg_err code;
    const char *msg;
};

static const struct bad bads[] = {
    { "{\"schemaVersion\":1,\"fsLayers\":[]}", SG_EUNSUPPORTED,
      "schema1 manifests are not supported (deprecated)" },
    { "{\"schemaVersion\":2,\"mediaType\":\"" SG_MT_DOCKER_SCHEMA1 "\"}",
      SG_EUNSUPPORTED, "schema1 manifests are not supported" },
    { "{\"schemaVersion\":2,\"mediaType\":\"application/x-foo\"}",
      SG_EUNSUPPORTED, "unsupported media type \"application/x-foo\"" },
    { "{\"schemaVersion\":3}", SG_EPARSE, "schemaVersion must be 2" },
    { "{\"schemaVersion\":2,\"schemaVersion\":2}", SG_EPARSE, "manifest" },
    { "[1]", SG_EPARSE, "not a JSON object" },
    { "{", SG_EPARSE, "invalid JSON" },
    { "{\"schemaVersion\":2,\"layers\":[]}", SG_EPARSE,
      "manifest: config: missing" },
    { "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":"
      "\"sha256:abc\",\"size\":1}}",
      SG_EPARSE, "config: malformed digest" },
    { "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
      "\",\"size\":-1}}",
      SG_EPARSE, "\"size\" must be a non-negative integer" },
    { "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1}}",
      SG_EPARSE, "missing \"mediaType\"" },
    { "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
      "\",\"size\":1},\"layers\":{}}",
      SG_EPARSE, "\"layers\" must be an array" },
    { "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":"
      "\"" D1 "\",\"size\":1,\"platform\":\"linux\"}]}",
      SG_EPARSE, "index: manifests[0]: platform must be an object" },
    { "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":"
      "\"" D1 "\",\"size\":1,\"annotations\":{\"a\":1}}]}",
      SG_EPARSE, "annotation \"a\" must be a string" },
    { "{\"schemaVersion\":2,\"mediaType\":\"" SG_MT_OCI_INDEX "\"}", SG_EPARSE,
      "missing \"manifests\"" },
};

static void manifest__bad_input_is_rejected_with_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        struct sg_oci_manifest *m = (void *)1;
        sg_err rc = parse(bads[i].json, &m);
        if (rc != bads[i].code)
            fail_msg("#%zu: got %s (%s)", i, sg_err_name(rc), sg_error_last());
        if (!strstr(sg_error_last(), bads[i].msg))
            fail_msg("#%zu: '%s' lacks '%s'", i, sg_error_last(), bads[i].msg);
        assert_null(m);
    }
    {
        struct sg_oci_manifest *m = NULL;
        const char *ct = SG_MT_DOCKER_SCHEMA1;
        assert_int_equal(sg_oci_manifest_parse(&m, "{}", 2, ct, NULL),
                         SG_EUNSUPPORTED);
    }
}

static void manifest__limits(void **state)
{
    struct sg_ctx c;
    struct sg_limits *lim = &c.limits;
    struct sg_oci_manifest *m = NULL;
    const char *idx =
        "{\"schemaVersion\":2,\"manifests\":["
        "{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1},"
        "{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1},"
        "{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1}]}";

    (void)state;
    sg_ctx_init(&c);
    parse_ctx = &c;
    lim->descriptors_max = 2;
    assert_int_equal(parse(idx, &m), SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "3 manifests, limit is 2"));
    lim->descriptors_max = 3;
    assert_int_equal(parse(idx, &m), SG_OK);
    sg_oci_manifest_free(m);
    lim->manifest_max = 10;
    assert_int_equal(parse(idx, &m), SG_ELIMIT);
    parse_ctx = NULL;
}

static const char *index_json =
    "{\"schemaVersion\":2,\"mediaType\":\"" SG_MT_OCI_INDEX "\","
    "\"manifests\":["
    "{\"mediaType\":\"" SG_MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
    "1111111111111111111111111111111111111111111111111111111111111111\","
    "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\","
    "\"variant\":\"v6\"}},"
    "{\"mediaType\":\"" SG_MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
    "2222222222222222222222222222222222222222222222222222222222222222\","
    "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\","
    "\"variant\":\"v7\"}},"
    "{\"mediaType\":\"" SG_MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
    "3333333333333333333333333333333333333333333333333333333333333333\","
    "\"size\":1,\"platform\":{\"os\":\"unknown\",\"architecture\":"
    "\"unknown\"}},"
    "{\"mediaType\":\"" SG_MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
    "4444444444444444444444444444444444444444444444444444444444444444\","
    "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
    "\"variant\":\"v8\"}},"
    "{\"mediaType\":\"" SG_MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
    "5555555555555555555555555555555555555555555555555555555555555555\","
    "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}"
    "]}";

static char select_digit(const struct sg_oci_manifest *idx, const char *p)
{
    struct sg_oci_platform want;
    const struct sg_oci_descriptor *d = NULL;
    sg_err rc;

    assert_int_equal(sg_oci_platform_parse(&want, p), SG_OK);
    rc = sg_oci_index_select(&d, idx, &want);
    sg_oci_platform_release(&want);
    if (rc)
        return 0;
    return d->digest[7];
}

static void platform__select(void **state)
{
    struct sg_oci_manifest *idx = NULL;
    struct sg_oci_platform want, host;
    const struct sg_oci_descriptor *d = NULL;

    (void)state;
    assert_int_equal(parse(index_json, &idx), SG_OK);
    assert_int_equal(select_digit(idx, "linux/arm/v6"), '1');
    assert_int_equal(select_digit(idx, "linux/arm/v7"), '2');
    assert_int_equal(select_digit(idx, "linux/arm"), '2');   /* arm ≡ v7 */
    assert_int_equal(select_digit(idx, "linux/arm64"), '4'); /* ≡ v8 */
    assert_int_equal(select_digit(idx, "linux/arm64/v8"), '4');
    assert_int_equal(select_digit(idx, "linux/amd64"), '5');
    assert_int_equal(select_digit(idx, "linux/x86_64"), '5');
    assert_int_equal(select_digit(idx, "linux/arm/v5"), 0);
    assert_int_equal(select_digit(idx, "unknown/unknown"), 0);

    assert_int_equal(sg_oci_platform_parse(&want, "windows/amd64"), SG_OK);
    assert_int_equal(sg_oci_index_select(&d, idx, &want), SG_ENOTFOUND);
    assert_string_equal(sg_error_last(),
                        "no image for platform windows/amd64 in the index; "
                        "available: linux/arm/v6, linux/arm/v7, "
                        "linux/arm64/v8, linux/amd64");
    sg_oci_platform_release(&want);

    assert_int_equal(sg_oci_platform_host(&host), SG_OK);
    assert_string_equal(host.os, "linux");
    assert_non_null(host.architecture);
    sg_oci_platform_release(&host);
    sg_oci_manifest_free(idx);
}

static void platform__parse(void **state)
{
    struct sg_oci_platform p;
    static const char *const bad[] = { "",           "linux",
                                       "linux/",     "/amd64",
                                       "linux//v7",  "linux/arm/v7/x",
                                       "linux/arm/", "Linux/amd64" };

    (void)state;
    assert_int_equal(sg_oci_platform_parse(&p, "linux/arm/v7"), SG_OK);
    assert_string_equal(p.os, "linux");
    assert_string_equal(p.architecture, "arm");
    assert_string_equal(p.variant, "v7");
    sg_oci_platform_release(&p);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (sg_oci_platform_parse(&p, bad[i]) != SG_EPARSE)
            fail_msg("'%s' accepted", bad[i]);
        assert_null(p.os);
    }
}

static void config__parse(void **state)
{
    struct sg_oci_config *c = NULL;
    const char *j = "{\"architecture\":\"amd64\",\"os\":\"linux\","
                    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1
                    "\",\"" D2 "\"]},\"config\":{}}";

    (void)state;
    assert_int_equal(sg_oci_config_parse(&c, j, strlen(j), NULL), SG_OK);
    assert_string_equal(c->os, "linux");
    assert_string_equal(c->architecture, "amd64");
    assert_null(c->variant);
    assert_int_equal(c->n_diff_ids, 2);
    assert_string_equal(c->diff_ids[1], D2);
    sg_oci_config_free(c);
    j = "{\"rootfs\":{\"diff_ids\":[\"nope\"]}}";
    assert_int_equal(sg_oci_config_parse(&c, j, strlen(j), NULL), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "diff_ids[0]: not a digest"));
    assert_null(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(manifest__image),
        cmocka_unit_test(manifest__media_type_from_transport_and_shape),
        cmocka_unit_test(manifest__bad_input_is_rejected_with_reason),
        cmocka_unit_test(manifest__limits),
        cmocka_unit_test(platform__select),
        cmocka_unit_test(platform__parse),
        cmocka_unit_test(config__parse),
    };

    return cmocka_run_group_tests_name("oci_manifest", tests, NULL, NULL);
}
