/*
 * Payloads and cosign storage: the payload builder reproduces real cosign
 * payloads byte for byte, the config blob matches cosign's (1 and 3
 * layers), tags are computed as cosign does, and appending to the .sig
 * tag keeps existing layers, skips duplicates and survives concurrent
 * writers (simulated through hooks of an in-memory store).
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

#include "sigil/sign.h"
#include "sign/sign_int.h"
#include "sign_memstore.h"

#define IMG \
    "sha256:071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81"
#define SIGTAG \
    "sha256-071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81.sig"
#define MT_SS "application/vnd.dev.cosign.simplesigning.v1+json"
#define SIGA  "dev.cosignproject.cosign/signature"

static char vec[1024];

static void readf(struct sg_buf *b, const char *dir, const char *name)
{
    char p[2048];

    snprintf(p, sizeof(p), "%s/%s/%s", vec, dir, name);
    sg_buf_init(b, 1 << 20);
    if (sg_file_read(b, p, 1 << 20) != SG_OK)
        fail_msg("cannot read %s: %s", p, sg_error_last());
}

static void payload__reproduces_cosign_bytes(void **state)
{
    struct sg_buf want, got = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    readf(&want, "cosign-08", "payload.json");
    assert_int_equal(sg_sign_payload_build(
                         &got,
                         "index.docker.io/securesystemsengineering/testimage",
                         IMG, NULL, 0),
                     SG_OK);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    sg_buf_release(&want);
    sg_buf_release(&got);
}

static void payload__annotations_sorted_escaped_last_wins(void **state)
{
    const struct sg_sign_annotation a[] = {
        { "z", "1" }, { "a", "<b>&\"\\\n\x01" }, { "z", "2" }, { "m", "\xff" }
    };
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *want =
        "{\"critical\":{\"identity\":{\"docker-reference\":\"r.io/x\"},"
        "\"image\":{\"docker-manifest-digest\":\"" IMG "\"},"
        "\"type\":\"cosign container image signature\"},"
        "\"optional\":{\"a\":\"\\u003cb\\u003e\\u0026\\\"\\\\\\n\\u0001\","
        "\"m\":\"\\ufffd\",\"z\":\"2\"}}";

    (void)state;
    assert_int_equal(sg_sign_payload_build(&got, "r.io/x", IMG, a, 4), SG_OK);
    assert_string_equal(got.data, want);
    sg_buf_reset(&got);
    assert_int_equal(sg_sign_payload_build(&got, "r.io/x", "sha256:12", a, 4),
                     SG_EINVAL);
    sg_buf_release(&got);
}

/* -a parsing, one function for sign, verify and attest: cosign's split,
 * no empty keys, bounded count and length. */
static void annotation__parse_split_and_bounds(void **state)
{
    struct sg_sign_annotation a[SG_SIGN_ANNOTATIONS_MAX];
    char arg[SG_SIGN_ANNOTATION_LEN_MAX + 16];
    size_t n = 0;

    (void)state;
    snprintf(arg, sizeof(arg), "%s", "a=1,b=x=y");
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].key, "a");
    assert_string_equal(a[0].value, "1");
    assert_string_equal(a[1].key, "b");
    assert_string_equal(a[1].value, "x=y");
    snprintf(arg, sizeof(arg), "%s", "");
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_OK);
    assert_int_equal(n, 2);
    snprintf(arg, sizeof(arg), "%s", "c=");
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_OK);
    assert_int_equal(n, 3);
    assert_string_equal(a[2].value, "");
    /* empty key, missing '=', empty part */
    snprintf(arg, sizeof(arg), "%s", "=v");
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_EPARSE);
    assert_string_equal(sg_error_last(), "unable to parse annotation: =v");
    snprintf(arg, sizeof(arg), "%s", "k=x,y");
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_EPARSE);
    assert_string_equal(sg_error_last(), "unable to parse annotation: y");
    assert_int_equal(n, 4); /* k=x was taken before y failed */
    n = 3;
    snprintf(arg, sizeof(arg), "%s", "d=1,,e=2");
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_EPARSE);
    /* too long */
    n = 0;
    memset(arg, 'v', sizeof(arg) - 1);
    arg[sizeof(arg) - 1] = '\0';
    arg[0] = 'k';
    arg[1] = '=';
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_ELIMIT);
    assert_string_equal(sg_error_last(),
                        "annotation \"k\" longer than 4096 bytes");
    assert_int_equal(n, 0);
    arg[SG_SIGN_ANNOTATION_LEN_MAX] = '\0'; /* exactly the limit */
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_OK);
    assert_int_equal(n, 1);
    /* too many */
    n = 0;
    for (int i = 0; i < SG_SIGN_ANNOTATIONS_MAX; i++) {
        snprintf(arg, sizeof(arg), "%s", "k=v");
        assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_OK);
    }
    snprintf(arg, sizeof(arg), "%s", "k=v");
    assert_int_equal(sg_sign_annotation_parse(a, &n, arg), SG_ELIMIT);
    assert_string_equal(sg_error_last(), "more than 64 annotations");
    assert_int_equal(n, SG_SIGN_ANNOTATIONS_MAX);
}

static void tag__as_cosign(void **state)
{
    struct sg_buf t = SG_BUF_INIT(256);

    (void)state;
    assert_int_equal(sg_sign_tag_for(&t, IMG, "sig"), SG_OK);
    assert_string_equal(t.data, SIGTAG);
    sg_buf_reset(&t);
    assert_int_equal(sg_sign_tag_for(&t, IMG, "att"), SG_OK);
    assert_string_equal(t.data + t.len - 4, ".att");
    sg_buf_reset(&t);
    assert_int_equal(sg_sign_tag_for(&t, IMG, NULL), SG_OK);
    assert_int_equal(t.len, 71);
    sg_buf_reset(&t);
    assert_int_equal(sg_sign_tag_for(&t, "latest", "sig"), SG_EINVAL);
    sg_buf_release(&t);
}

static void config__matches_cosign_for_1_and_3_layers(void **state)
{
    const char *ids1[] = {
        "sha256:d8ee807d96efe7441b132967ad94eaffbc0172a763e69f2cd8df8f583f0ba0d4"
    };
    struct sg_buf want, got = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *root;
    const char *ids3[3];

    (void)state;
    readf(&want, "cosign-08", "sig-config.json");
    assert_int_equal(sg_sign__sig_config(&got, ids1, 1, NULL), SG_OK);
    assert_int_equal(got.len, 233);
    assert_memory_equal(got.data, want.data, want.len);
    sg_buf_release(&want);
    sg_buf_reset(&got);
    readf(&want, "cosign-10", "sig-config.json");
    root = json_loadb(want.data, want.len, 0, NULL);
    assert_non_null(root);
    for (size_t i = 0; i < 3; i++)
        ids3[i] = json_string_value(json_array_get(
            json_object_get(json_object_get(root, "rootfs"), "diff_ids"), i));
    assert_int_equal(sg_sign__sig_config(&got, ids3, 3, NULL), SG_OK);
    assert_int_equal(got.len, 451);
    assert_memory_equal(got.data, want.data, want.len);
    json_decref(root);
    sg_buf_release(&want);
    sg_buf_release(&got);
}

/* Layers of the manifest at the .sig tag: their signature annotations,
 * in order, joined by ','. */
static void sig_layers(struct sg_oci_store *s, char *out, size_t cap)
{
    const char *d = memstore_tag(s, SIGTAG);
    const struct mem_obj *o;
    json_t *root, *layers;

    out[0] = '\0';
    assert_non_null(d);
    o = memstore_manifest(s, d);
    assert_non_null(o);
    root = json_loadb(o->data, o->len, 0, NULL);
    assert_non_null(root);
    layers = json_object_get(root, "layers");
    for (size_t i = 0; i < json_array_size(layers); i++) {
        json_t *a = json_object_get(json_array_get(layers, i), "annotations");
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", i ? "," : "",
                 json_string_value(json_object_get(a, SIGA)));
    }
    json_decref(root);
}

static sg_err append(struct sg_oci_store *s, const char *sig)
{
    const struct sg_sign_annotation a = { SIGA, sig };
    return sg_sign_append_layer(s, IMG, "sig", "payload", 7, MT_SS, &a, 1);
}

static void append__creates_appends_and_dedups(void **state)
{
    struct sg_oci_store *s = memstore_new();
    char got[256];
    const struct mem_obj *o;
    struct sg_buf want;

    (void)state;
    assert_int_equal(append(s, "AAAA"), SG_OK);
    sig_layers(s, got, sizeof(got));
    assert_string_equal(got, "AAAA");
    /* The exact manifest cosign writes for one layer. */
    o = memstore_manifest(s, memstore_tag(s, SIGTAG));
    readf(&want, "cosign-08", "sig-config.json"); /* just for the size */
    assert_string_equal(
        o->data,
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
        "manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci."
        "image.config.v1+json\",\"size\":233,\"digest\":\"sha256:"
        "0e59174978b9ea9f06de3fdd4781338cd141a4ff9c09580e5447a804d2ec9943\"},"
        "\"layers\":[{\"mediaType\":\"" MT_SS "\",\"size\":7,\"digest\":"
        "\"sha256:239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935"
        "e5\",\"annotations\":{\"" SIGA "\":\"AAAA\"}}]}");
    sg_buf_release(&want);
    assert_int_equal(append(s, "BBBB"), SG_OK);
    assert_int_equal(append(s, "AAAA"), SG_OK); /* identical: not again */
    sig_layers(s, got, sizeof(got));
    assert_string_equal(got, "AAAA,BBBB");
    sg_oci_store_free(s);
}

static int hook_fired;

/* Another signer appends between our read and our write. */
static void writer_after_get(struct sg_oci_store *s, void *arg)
{
    (void)arg;
    if (hook_fired++)
        return;
    assert_int_equal(append(s, "OTHER"), SG_OK);
}

static void append__tag_moved_before_put_is_retried(void **state)
{
    struct sg_oci_store *s = memstore_new();
    char got[256];

    (void)state;
    assert_int_equal(append(s, "FIRST"), SG_OK);
    hook_fired = 0;
    memstore_of(s)->after_get = writer_after_get;
    assert_int_equal(append(s, "MINE"), SG_OK);
    memstore_of(s)->after_get = NULL;
    sig_layers(s, got, sizeof(got));
    assert_string_equal(got, "FIRST,OTHER,MINE");
    sg_oci_store_free(s);
}

static char *stale_tag;

/* Another signer that read the tag before our PUT overwrites it after:
 * its manifest lacks our layer. */
static void stale_writer_after_put(struct sg_oci_store *s, void *arg)
{
    (void)arg;
    if (hook_fired++)
        return;
    memstore_set_tag(s, SIGTAG, stale_tag);
    assert_int_equal(append(s, "STALE"), SG_OK);
}

static void append__overwritten_after_put_is_redone(void **state)
{
    struct sg_oci_store *s = memstore_new();
    char got[256];

    (void)state;
    assert_int_equal(append(s, "FIRST"), SG_OK);
    stale_tag = strdup(memstore_tag(s, SIGTAG));
    hook_fired = 0;
    memstore_of(s)->after_put = stale_writer_after_put;
    assert_int_equal(append(s, "MINE"), SG_OK);
    memstore_of(s)->after_put = NULL;
    sig_layers(s, got, sizeof(got));
    assert_string_equal(got, "FIRST,STALE,MINE");
    free(stale_tag);
    sg_oci_store_free(s);
}

/* cosign keeps a recorded creation time across appends (§11.4). */
static void append__keeps_recorded_created_time(void **state)
{
    static const char cfg[] =
        "{\"architecture\":\"\",\"created\":\"2023-02-17T09:25:33.91047962-"
        "08:00\",\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],\"os\":"
        "\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:239f59ed"
        "55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5\"]},\"config"
        "\":{}}";
    struct sg_oci_store *s = memstore_new();
    struct sg_buf man = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *cd = NULL;
    const struct mem_obj *o;
    json_t *root;
    struct sg_oci_descriptor d;
    struct sg_buf got = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    assert_int_equal(sg_oci_store_put_blob_buf(s, cfg, strlen(cfg), &cd),
                     SG_OK);
    assert_int_equal(sg_oci_store_put_blob_buf(s, "payload", 7, NULL), SG_OK);
    assert_int_equal(
        sg_buf_addf(
            &man,
            "{\"schemaVersion\":2,\"mediaType\":\"" SG_MT_OCI_MANIFEST
            "\",\"config\":{\"mediaType\":\"" SG_MT_OCI_CONFIG
            "\",\"size\":%zu,\"digest\":\"%s\"},\"layers\":[{"
            "\"mediaType\":\"" MT_SS "\",\"size\":7,\"digest\":\"sha256:"
            "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935"
            "e5\",\"annotations\":{\"" SIGA "\":\"OLD\"}}]}",
            strlen(cfg), cd),
        SG_OK);
    assert_int_equal(sg_oci_store_put_manifest(s, SIGTAG, SG_MT_OCI_MANIFEST,
                                               man.data, man.len, NULL),
                     SG_OK);
    assert_int_equal(append(s, "NEW"), SG_OK);
    o = memstore_manifest(s, memstore_tag(s, SIGTAG));
    root = json_loadb(o->data, o->len, 0, NULL);
    memset(&d, 0, sizeof(d));
    d.digest = (char *)(uintptr_t)json_string_value(
        json_object_get(json_object_get(root, "config"), "digest"));
    d.size = (uint64_t)json_integer_value(
        json_object_get(json_object_get(root, "config"), "size"));
    assert_int_equal(sg_oci_store_get_blob_buf(s, &d, &got, 1 << 20), SG_OK);
    assert_non_null(strstr(got.data, "\"created\":\"2023-02-17T09:25:33."
                                     "91047962-08:00\",\"history\":[{"));
    json_decref(root);
    free(cd);
    sg_buf_release(&man);
    sg_buf_release(&got);
    sg_oci_store_free(s);
}

static void append__registry_error_is_an_error(void **state)
{
    struct sg_oci_store *s = memstore_new();

    (void)state;
    memstore_of(s)->fail_gets = 1;
    assert_int_equal(append(s, "X"), SG_EHTTP);
    sg_oci_store_free(s);
}

/* What is at the tag goes through the OCI manifest parser: an index is
 * refused by name, a malformed layer annotation is a parse error. */
static void append__only_onto_an_image_manifest(void **state)
{
    struct sg_oci_store *s = memstore_new();
    static const char idx[] =
        "{\"schemaVersion\":2,\"mediaType\":"
        "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
    static const char bad[] =
        "{\"schemaVersion\":2,\"mediaType\":"
        "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
        "\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
        "\"size\":2,\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94"
        "fb4fc21fe77e8310c060f61caaff8a\"},\"layers\":[{\"mediaType\":\"x\","
        "\"size\":1,\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94"
        "fb4fc21fe77e8310c060f61caaff8a\",\"annotations\":{\"k\":1}}]}";

    (void)state;
    assert_int_equal(sg_oci_store_put_manifest(s, SIGTAG, SG_MT_OCI_INDEX, idx,
                                               strlen(idx), NULL),
                     SG_OK);
    assert_int_equal(append(s, "X"), SG_EUNSUPPORTED);
    assert_string_equal(sg_error_last(),
                        SIGTAG ": holds application/vnd.oci.image.index."
                               "v1+json, not an image manifest");
    assert_int_equal(sg_oci_store_put_manifest(s, SIGTAG, SG_MT_OCI_MANIFEST,
                                               bad, strlen(bad), NULL),
                     SG_OK);
    assert_int_equal(append(s, "X"), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "annotation \"k\" must be a"));
    sg_oci_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(payload__reproduces_cosign_bytes),
        cmocka_unit_test(payload__annotations_sorted_escaped_last_wins),
        cmocka_unit_test(annotation__parse_split_and_bounds),
        cmocka_unit_test(tag__as_cosign),
        cmocka_unit_test(append__only_onto_an_image_manifest),
        cmocka_unit_test(config__matches_cosign_for_1_and_3_layers),
        cmocka_unit_test(append__creates_appends_and_dedups),
        cmocka_unit_test(append__tag_moved_before_put_is_retried),
        cmocka_unit_test(append__overwritten_after_put_is_redone),
        cmocka_unit_test(append__keeps_recorded_created_time),
        cmocka_unit_test(append__registry_error_is_an_error),
    };

    snprintf(vec, sizeof(vec), "%s/vectors", SG_TESTDATA_DIR);
    return cmocka_run_group_tests_name("sign_payload", tests, NULL, NULL);
}
