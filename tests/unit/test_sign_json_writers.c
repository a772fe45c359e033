/*
 * The sign writers that used to paste strings into JSON text and now
 * build jansson trees (sg_json_dump_buf) must still write the same bytes:
 * the DSSE envelope (cosign v2 layout), the "custom" predicate, the
 * legacy .sbom manifest and the cosign.key JSON. Expected bytes were
 * taken from the string-pasting writers before the change.
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

#define IMG_HEX \
    "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
#define IMG "sha256:" IMG_HEX

static void digest_of(char *out, size_t cap, const void *p, size_t len)
{
    struct sg_digester *d = NULL;

    assert_int_equal(sg_digester_create(&d, "sha256"), SG_OK);
    assert_int_equal(sg_digester_update(d, p, len), SG_OK);
    assert_int_equal(sg_digester_final(d, out, cap), SG_OK);
    sg_digester_free(d);
}

static void dump__helper_compact_and_failure(void **state)
{
    struct sg_buf b = SG_BUF_INIT(32);
    json_t *v = json_pack("{s:s,s:[i]}", "k", "a\"<&>\n", "n", 1);

    (void)state;
    assert_int_equal(sg_json_dump_buf(&b, v, 0), SG_OK);
    assert_string_equal(b.data, "{\"k\":\"a\\\"<&>\\n\",\"n\":[1]}");
    /* Past the buffer's max: SG_ELIMIT, buffer released. */
    sg_buf_reset(&b);
    assert_int_equal(sg_buf_adds(&b, "0123456789abcdef"), SG_OK);
    assert_int_equal(sg_json_dump_buf(&b, v, 0), SG_ELIMIT);
    assert_int_equal(b.len, 0);
    assert_int_equal(sg_json_dump_buf(&b, NULL, 0), SG_ENOMEM);
    json_decref(v);
    sg_buf_release(&b);
}

static void envelope__cosign_v2_layout(void **state)
{
    struct sg_sign_key *k = NULL;
    struct sg_buf env = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf sig = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf pae = SG_BUF_INIT(SG_BUF_NOLIMIT);
    static const char head[] =
        "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":"
        "\"eyJhIjoiPCYifQ==\",\"signatures\":[{\"keyid\":\"\",\"sig\":\"";
    const char *p;

    (void)state;
    assert_int_equal(sg_sign_key_generate(&k), SG_OK);
    assert_int_equal(sg_dsse_envelope_sign(&env, SG_INTOTO_PAYLOAD_TYPE,
                                           "{\"a\":\"<&\"}", 10, k),
                     SG_OK);
    assert_int_equal(strncmp(env.data, head, strlen(head)), 0);
    p = env.data + strlen(head);
    assert_true(env.len > strlen(head) + 4);
    assert_string_equal(env.data + env.len - 4, "\"}]}");
    assert_int_equal(sg_base64_decode(&sig, p, env.len - strlen(head) - 4),
                     SG_OK);
    assert_int_equal(
        sg_sign_dsse_pae(&pae, SG_INTOTO_PAYLOAD_TYPE, "{\"a\":\"<&\"}", 10),
        SG_OK);
    assert_int_equal(
        sg_sign_key_verify(k, pae.data, pae.len, sig.data, sig.len), SG_OK);
    /* A payload type that is not UTF-8 is refused. */
    sg_buf_reset(&env);
    assert_int_equal(sg_dsse_envelope_sign(&env, "\xff", "x", 1, k), SG_EINVAL);
    sg_sign_key_free(k);
    sg_buf_release(&env);
    sg_buf_release(&sig);
    sg_buf_release(&pae);
}

static void statement__custom_predicate_bytes(void **state)
{
    struct sg_attest_statement_opts o = { 0 };
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    o.type = "custom";
    o.digest = IMG;
    o.version = 1;
    o.timestamp = 1700000000;
    assert_int_equal(sg_attest_statement_build(&b, &o, "hi \"x\"\n\\<&>", 11),
                     SG_OK);
    assert_string_equal(
        b.data,
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{"
        "\"digest\":{\"sha256\":\"" IMG_HEX
        "\"}}],\"predicateType\":\"https://cosign.sigstore.dev/attestation/"
        "v1\",\"predicate\":{\"Data\":\"hi \\\"x\\\"\\n\\\\<&>\","
        "\"Timestamp\":\"2023-11-14T22:13:20Z\"}}");
    sg_buf_reset(&b);
    assert_int_equal(sg_attest_statement_build(&b, &o, "\xc3(", 2), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "not valid UTF-8"));
    sg_buf_release(&b);
}

static void attach__sbom_manifest_bytes(void **state)
{
    struct sg_oci_store *s = memstore_new();
    static const char sbom[] = "{\"spdxVersion\":\"SPDX-2.3\"}";
    struct sg_buf cfg = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char layer[SG_DIGEST_STR_MAX], cfgd[SG_DIGEST_STR_MAX], want[1024];
    const char *ids[1] = { layer };
    const struct mem_obj *m;

    (void)state;
    digest_of(layer, sizeof(layer), sbom, strlen(sbom));
    assert_int_equal(sg_sign__sig_config(&cfg, ids, 1, NULL), SG_OK);
    digest_of(cfgd, sizeof(cfgd), cfg.data, cfg.len);
    assert_int_equal(
        sg_attach_sbom(s, IMG, sbom, strlen(sbom), "text/spdx+json"), SG_OK);
    m = memstore_manifest(s, memstore_tag(s, "sha256-" IMG_HEX ".sbom"));
    assert_non_null(m);
    snprintf(want, sizeof(want),
             "{\"schemaVersion\":2,\"mediaType\":\"" SG_MT_OCI_MANIFEST
             "\",\"config\":{\"mediaType\":\"" SG_MT_OCI_CONFIG
             "\",\"size\":%zu,\"digest\":\"%s\"},\"layers\":[{\"mediaType\":"
             "\"text/spdx+json\",\"size\":%zu,\"digest\":\"%s\"}]}",
             cfg.len, cfgd, strlen(sbom), layer);
    assert_string_equal(m->data, want);
    sg_buf_release(&cfg);
    sg_oci_store_free(s);
}

static void key__cosign_json_layout(void **state)
{
    struct sg_sign_key *k = NULL, *back = NULL;
    struct sg_buf pem = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf json = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *body, *end;
    static const char head[] =
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":32768,\"r\":8,"
        "\"p\":1},\"salt\":\"";

    (void)state;
    assert_int_equal(sg_sign_key_generate(&k), SG_OK);
    assert_int_equal(sg_sign__encrypt_with(&pem, k, "pw", 2, 32768), SG_OK);
    body = strstr(pem.data, "-----\n");
    end = strstr(pem.data, "\n-----END");
    assert_non_null(body);
    assert_non_null(end);
    body += 6;
    assert_int_equal(sg_base64_decode(&json, body, (size_t)(end - body)),
                     SG_OK);
    assert_int_equal(strncmp(json.data, head, strlen(head)), 0);
    assert_non_null(strstr(json.data, "\"},\"cipher\":{\"name\":\"nacl/"
                                      "secretbox\",\"nonce\":\""));
    assert_non_null(strstr(json.data, "\"},\"ciphertext\":\""));
    assert_string_equal(json.data + json.len - 2, "\"}");
    assert_int_equal(
        sg_sign_key_load_private(&back, pem.data, pem.len, "pw", 2), SG_OK);
    sg_sign_key_free(back);
    sg_sign_key_free(k);
    sg_buf_release(&pem);
    sg_buf_release(&json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dump__helper_compact_and_failure),
        cmocka_unit_test(envelope__cosign_v2_layout),
        cmocka_unit_test(statement__custom_predicate_bytes),
        cmocka_unit_test(attach__sbom_manifest_bytes),
        cmocka_unit_test(key__cosign_json_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
