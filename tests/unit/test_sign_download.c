/*
 * sign/download.c: the `download signature` objects are built as jansson
 * trees, so hostile registry strings stay single string values; JSON
 * annotations (Bundle, RFC3161Timestamp) are parsed with duplicate keys
 * rejected; the store-level calls find, filter and report layers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sigil/sign.h"
#include "sign_memstore.h"

#define IMG \
    "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
#define MT_SS SG_MT_SIMPLESIGNING

static char layer_digest[] = "sha256:00";

/* A value that breaks out of a JSON string if pasted into one. */
static const char hostile[] =
    "x\",\"Cert\":\"X\\\"}\n{\"Base64Signature\":\"evil\\u0022 \x1b[2J";

static void set_kv(struct sg_oci_kv *kv, const char *k, const char *v)
{
    kv->key = (char *)(uintptr_t)k;
    kv->value = (char *)(uintptr_t)v;
}

/* Key names of o in order, joined by ','. */
static void keys_of(const json_t *o, char *out, size_t cap)
{
    const char *k;
    json_t *v;
    size_t n = 0;

    out[0] = '\0';
    json_object_foreach((json_t *)(uintptr_t)o, k, v)
    {
        size_t l = strlen(k);
        assert_true(n + l + 2 < cap);
        if (n)
            out[n++] = ',';
        memcpy(out + n, k, l + 1);
        n += l;
    }
}

static void signature__plain_has_cosign_keys(void **state)
{
    struct sg_oci_kv kv[1];
    struct sg_oci_descriptor d = { 0 };
    json_t *o = NULL;
    char keys[256];
    char *txt;

    (void)state;
    set_kv(&kv[0], SG_ANNOT_COSIGN_SIG, "MEUCIQ==");
    d.digest = layer_digest;
    d.annotations = kv;
    d.n_annotations = 1;
    assert_int_equal(sg_sign_download_signature(&o, &d, "abc", 3), SG_OK);
    txt = json_dumps(o, JSON_COMPACT);
    assert_string_equal(
        txt, "{\"Base64Signature\":\"MEUCIQ==\",\"Payload\":\"YWJj\"}");
    keys_of(o, keys, sizeof(keys));
    assert_string_equal(keys, "Base64Signature,Payload");
    free(txt);
    json_decref(o);
    /* No signature annotation: an empty string, as before. */
    d.n_annotations = 0;
    assert_int_equal(sg_sign_download_signature(&o, &d, "", 0), SG_OK);
    txt = json_dumps(o, JSON_COMPACT);
    assert_string_equal(txt, "{\"Base64Signature\":\"\",\"Payload\":\"\"}");
    free(txt);
    json_decref(o);
}

static void signature__hostile_annotation_stays_one_value(void **state)
{
    struct sg_oci_kv kv[3];
    struct sg_oci_descriptor d = { 0 };
    json_t *o = NULL, *back;
    char keys[256];
    char *txt;

    (void)state;
    set_kv(&kv[0], SG_ANNOT_COSIGN_SIG, hostile);
    set_kv(&kv[1], SG_ANNOT_COSIGN_CERT, hostile);
    set_kv(&kv[2], SG_ANNOT_COSIGN_CHAIN, "\"]}");
    d.digest = layer_digest;
    d.annotations = kv;
    d.n_annotations = 3;
    assert_int_equal(sg_sign_download_signature(&o, &d, "p", 1), SG_OK);
    txt = json_dumps(o, JSON_COMPACT);
    assert_non_null(txt);
    assert_null(strchr(txt, '\n')); /* one line */
    back = json_loads(txt, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(back);
    keys_of(back, keys, sizeof(keys));
    assert_string_equal(keys, "Base64Signature,Payload,Cert,Chain");
    assert_string_equal(
        json_string_value(json_object_get(back, "Base64Signature")), hostile);
    assert_string_equal(json_string_value(json_object_get(back, "Cert")),
                        hostile);
    assert_string_equal(json_string_value(json_object_get(back, "Chain")),
                        "\"]}");
    free(txt);
    json_decref(back);
    json_decref(o);
}

static void signature__json_annotations(void **state)
{
    struct sg_oci_kv kv[2];
    struct sg_oci_descriptor d = { 0 };
    json_t *o = NULL;
    char *txt;

    (void)state;
    d.digest = layer_digest;
    d.annotations = kv;
    d.n_annotations = 2;
    set_kv(&kv[0], SG_ANNOT_COSIGN_BUNDLE,
           "{\"SignedEntryTimestamp\":\"U0VU\",\"Payload\":{\"logIndex\":2}}");
    set_kv(&kv[1], SG_ANNOT_COSIGN_RFC3161,
           "{\"SignedRFC3161Timestamp\":\"VA==\"}");
    assert_int_equal(sg_sign_download_signature(&o, &d, "", 0), SG_OK);
    txt = json_dumps(o, JSON_COMPACT);
    assert_string_equal(
        txt, "{\"Base64Signature\":\"\",\"Payload\":\"\",\"Bundle\":{"
             "\"SignedEntryTimestamp\":\"U0VU\",\"Payload\":{\"logIndex\":2}},"
             "\"RFC3161Timestamp\":{\"SignedRFC3161Timestamp\":\"VA==\"}}");
    free(txt);
    json_decref(o);
    /* Duplicate keys, non-objects and broken JSON are refused. */
    set_kv(&kv[0], SG_ANNOT_COSIGN_BUNDLE, "{\"Payload\":{},\"Payload\":1}");
    assert_int_equal(sg_sign_download_signature(&o, &d, "", 0), SG_EPARSE);
    assert_null(o);
    assert_non_null(strstr(sg_error_last(), "duplicate"));
    set_kv(&kv[0], SG_ANNOT_COSIGN_BUNDLE, "[]");
    assert_int_equal(sg_sign_download_signature(&o, &d, "", 0), SG_EPARSE);
    set_kv(&kv[0], SG_ANNOT_COSIGN_BUNDLE, "{\"a\":\"x\"},\"Cert\":\"X\"}");
    assert_int_equal(sg_sign_download_signature(&o, &d, "", 0), SG_EPARSE);
    assert_null(o);
}

static sg_err append(struct sg_oci_store *s,
                     const char *suffix,
                     const char *data,
                     const char *key,
                     const char *value)
{
    const struct sg_sign_annotation a = { key, value };
    return sg_sign_append_layer(s, IMG, suffix, data, strlen(data), MT_SS, &a,
                                1);
}

static void signatures__store_round_trip(void **state)
{
    struct sg_oci_store *s = memstore_new();
    json_t *arr = NULL;

    (void)state;
    assert_int_equal(sg_sign_download_signatures(&arr, s, IMG), SG_ENOTFOUND);
    assert_non_null(strstr(sg_error_last(), "no signature found (sha256-"));
    assert_null(arr);
    assert_int_equal(append(s, "sig", "one", SG_ANNOT_COSIGN_SIG, hostile),
                     SG_OK);
    assert_int_equal(append(s, "sig", "two", SG_ANNOT_COSIGN_SIG, "QQ=="),
                     SG_OK);
    assert_int_equal(sg_sign_download_signatures(&arr, s, IMG), SG_OK);
    assert_int_equal(json_array_size(arr), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(arr, 0), "Base64Signature")),
                        hostile);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(arr, 1), "Payload")),
        "dHdv");
    json_decref(arr);
    sg_oci_store_free(s);
}

struct seen {
    char text[256];
};

static sg_err collect(const struct sg_oci_descriptor *d,
                      const void *blob,
                      size_t len,
                      void *payload)
{
    struct seen *c = payload;
    size_t n = strlen(c->text);

    (void)d;
    assert_true(n + len + 2 < sizeof(c->text));
    if (n)
        c->text[n++] = ',';
    memcpy(c->text + n, blob, len);
    c->text[n + len] = '\0';
    return SG_OK;
}

static void attestations__filter_by_predicate_type(void **state)
{
    struct sg_oci_store *s = memstore_new();
    struct seen c = { "" };
    struct sg_buf sbom = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    assert_int_equal(sg_sign_download_attestations(s, IMG, NULL, collect, &c),
                     SG_ENOTFOUND);
    assert_int_equal(append(s, "att", "A", SG_ANNOT_PREDICATE_TYPE, "t:1"),
                     SG_OK);
    assert_int_equal(append(s, "att", "B", SG_ANNOT_PREDICATE_TYPE, "t:2"),
                     SG_OK);
    assert_int_equal(sg_sign_download_attestations(s, IMG, NULL, collect, &c),
                     SG_OK);
    assert_string_equal(c.text, "A,B");
    c.text[0] = '\0';
    assert_int_equal(sg_sign_download_attestations(s, IMG, "t:2", collect, &c),
                     SG_OK);
    assert_string_equal(c.text, "B");
    /* The legacy .sbom tag wants exactly one layer. */
    assert_int_equal(sg_sign_download_sbom(&sbom, s, IMG), SG_ENOTFOUND);
    assert_int_equal(append(s, "sbom", "S1", "k", "v"), SG_OK);
    assert_int_equal(sg_sign_download_sbom(&sbom, s, IMG), SG_OK);
    assert_string_equal(sbom.data, "S1");
    sg_buf_reset(&sbom);
    assert_int_equal(append(s, "sbom", "S2", "k", "v"), SG_OK);
    assert_int_equal(sg_sign_download_sbom(&sbom, s, IMG), SG_EPARSE);
    assert_non_null(
        strstr(sg_error_last(), "has 2 layers, expected exactly 1"));
    sg_buf_release(&sbom);
    sg_oci_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signature__plain_has_cosign_keys),
        cmocka_unit_test(signature__hostile_annotation_stays_one_value),
        cmocka_unit_test(signature__json_annotations),
        cmocka_unit_test(signatures__store_round_trip),
        cmocka_unit_test(attestations__filter_by_predicate_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
