/* Rekor pieces (verify/sigstore_tlog.c): entry parsing, SET, RFC 6962
 * proofs (against a reference tree built here), checkpoints, body
 * matching, on real conformance bundles and the public-good root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/sha.h>
#include "sigstore_test_util.h"

static json_t *entry0(json_t *bundle)
{
    return json_array_get(
        json_object_get(json_object_get(bundle, "verificationMaterial"),
                        "tlogEntries"),
        0);
}

/* ------------------------------------------------------------------ */
/* Reference RFC 6962 tree (2.1.1 MTH, 2.1.3 PATH), recursive.           */

static void leaf_hash(unsigned char out[32], unsigned i)
{
    unsigned char in[2] = { 0, (unsigned char)i };

    SHA256(in, 2, out); /* leaf i is the one byte {i} */
}

static void mth(unsigned char out[32], unsigned lo, unsigned n)
{
    unsigned char in[65], l[32], r[32];
    unsigned k = 1;

    if (n == 1) {
        leaf_hash(out, lo);
        return;
    }
    while (k * 2 < n)
        k *= 2;
    mth(l, lo, k);
    mth(r, lo + k, n - k);
    in[0] = 1;
    memcpy(in + 1, l, 32);
    memcpy(in + 33, r, 32);
    SHA256(in, 65, out);
}

static void path(
    unsigned char (*out)[32], size_t *n, unsigned m, unsigned lo, unsigned size)
{
    unsigned k = 1;

    if (size == 1)
        return;
    while (k * 2 < size)
        k *= 2;
    if (m < k) {
        path(out, n, m, lo, k);
        mth(out[(*n)++], lo + k, size - k);
    } else {
        path(out, n, m - k, lo + k, size - k);
        mth(out[(*n)++], lo, k);
    }
}

static void merkle__every_index_of_small_trees(void **state)
{
    unsigned char proof[16][32], root[32];

    (void)state;
    for (unsigned size = 1; size <= 17; size++) {
        mth(root, 0, size);
        for (unsigned m = 0; m < size; m++) {
            unsigned char leaf = (unsigned char)m;
            size_t n = 0;

            path(proof, &n, m, 0, size);
            assert_int_equal(sg_sigstore_merkle_verify(
                                 &leaf, 1, m, size,
                                 (const unsigned char(*)[32])proof, n, root),
                             SG_OK);
            /* another leaf, another index, a flipped bit: all fail */
            leaf ^= 0x80;
            assert_int_equal(sg_sigstore_merkle_verify(
                                 &leaf, 1, m, size,
                                 (const unsigned char(*)[32])proof, n, root),
                             SG_EVERIFY);
            leaf ^= 0x80;
            if (n) {
                proof[n - 1][5] ^= 1;
                assert_int_equal(
                    sg_sigstore_merkle_verify(&leaf, 1, m, size,
                                              (const unsigned char(*)[32])proof,
                                              n, root),
                    SG_EVERIFY);
                proof[n - 1][5] ^= 1;
                if (m + 1 < size)
                    assert_int_equal(sg_sigstore_merkle_verify(
                                         &leaf, 1, m + 1, size,
                                         (const unsigned char(*)[32])proof, n,
                                         root),
                                     SG_EVERIFY);
            }
        }
    }
    assert_int_equal(sg_sigstore_merkle_verify("x", 1, 5, 5, NULL, 0, root),
                     SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "index 5 >= tree size 5"));
}

/* ------------------------------------------------------------------ */

static void entry__parse_and_set(void **state)
{
    json_t *b = st_json(CASES "happy-path-v0.3/bundle.sigstore.json");
    struct sg_sigstore_trust *t = st_root(PROD_ROOT);
    struct sg_sigstore_tlog_entry e;
    const struct sg_sigstore_log *log;

    (void)state;
    assert_int_equal(sg_sigstore_tlog_entry_parse(&e, entry0(b)), SG_OK);
    assert_string_equal(e.kind, "hashedrekord");
    assert_string_equal(e.version, "0.0.1");
    assert_true(e.integrated_time == 1710869186);
    assert_true(e.has_proof);
    assert_true(e.tree_size == 75408393);
    assert_non_null(e.checkpoint);
    log = sg_sigstore_trust_tlog(t, e.log_id, e.log_id_len);
    assert_ptr_equal(log, &t->tlogs[0]);
    assert_int_equal(sg_sigstore_set_verify(&e, log), SG_OK);
    assert_int_equal(sg_sigstore_merkle_verify(
                         e.body.data, e.body.len, (uint64_t)e.proof_index,
                         e.tree_size, (const unsigned char(*)[32])e.hashes,
                         e.n_hashes, e.root_hash),
                     SG_OK);
    e.integrated_time++; /* the SET covers the time */
    assert_int_equal(sg_sigstore_set_verify(&e, log), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "signed entry timestamp"));
    e.integrated_time--;
    e.body.data[10] ^= 1; /* and the body */
    assert_int_equal(sg_sigstore_set_verify(&e, log), SG_EVERIFY);
    sg_sigstore_tlog_entry_release(&e);
    sg_sigstore_trust_free(t);
    json_decref(b);
}

static void entry__negative_index_refused(void **state)
{
    json_t *b =
        st_json(CASES "bundle-negative-log-index_fail/bundle.sigstore.json");
    struct sg_sigstore_tlog_entry e;

    (void)state;
    assert_int_equal(sg_sigstore_tlog_entry_parse(&e, entry0(b)), SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "logIndex: negative"));
    json_decref(b);
}

/* ------------------------------------------------------------------ */

static void checkpoint_of(const char *bundle_rel, char **out)
{
    json_t *b = st_json(bundle_rel);
    const char *s = json_string_value(json_object_get(
        json_object_get(json_object_get(entry0(b), "inclusionProof"),
                        "checkpoint"),
        "envelope"));

    *out = strdup(s);
    json_decref(b);
}

static void checkpoint__rekor_v1_ecdsa(void **state)
{
    struct sg_sigstore_trust *t = st_root(PROD_ROOT);
    struct sg_sigstore_checkpoint cp;
    char *note;

    (void)state;
    checkpoint_of(CASES "happy-path-v0.3/bundle.sigstore.json", &note);
    assert_int_equal(
        sg_sigstore_checkpoint_verify(&cp, note, strlen(note), &t->tlogs[0]),
        SG_OK);
    assert_string_equal(cp.origin, "rekor.sigstore.dev - 2605736670972794746");
    assert_true(cp.size == 75408393);
    /* signed by the other log's key: no line with its key hint */
    assert_int_equal(
        sg_sigstore_checkpoint_verify(&cp, note, strlen(note), &t->tlogs[1]),
        SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "key hint"));
    /* the size line is signed */
    note[strlen(cp.origin) + 1] = '9';
    assert_int_equal(
        sg_sigstore_checkpoint_verify(&cp, note, strlen(note), &t->tlogs[0]),
        SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "does not verify"));
    free(note);
    sg_sigstore_trust_free(t);
}

static void checkpoint__rekor_v2_ed25519_witness_ignored(void **state)
{
    struct sg_sigstore_trust *t =
        st_root(CASES "rekor2-checkpoint-origin-not-first/trusted_root.json");
    struct sg_sigstore_checkpoint cp;
    char *note;
    const struct sg_sigstore_log *log;
    static const unsigned char id[4] = { 0xf3, 0x0d, 0x5a, 0x99 };

    (void)state;
    log = NULL;
    for (size_t i = 0; i < t->n_tlogs; i++)
        if (!memcmp(t->tlogs[i].id, id, 4))
            log = &t->tlogs[i];
    assert_non_null(log);
    {
        EVP_PKEY *k = NULL;

        assert_int_equal(sg_sigstore_log_key(&k, log), SG_OK);
        assert_int_equal(EVP_PKEY_get_base_id(k), EVP_PKEY_ED25519);
    }
    checkpoint_of(
        CASES "rekor2-checkpoint-origin-not-first/bundle.sigstore.json", &note);
    assert_non_null(strstr(note, "\xe2\x80\x94 witness.example "));
    assert_int_equal(
        sg_sigstore_checkpoint_verify(&cp, note, strlen(note), log), SG_OK);
    assert_string_equal(cp.origin, "log2025-alpha1.rekor.sigstage.dev");
    assert_true(cp.size == 736);
    free(note);
    sg_sigstore_trust_free(t);
}

static void checkpoint__malformed(void **state)
{
    struct sg_sigstore_checkpoint cp;
    static const char *bad[] = {
        "origin\n12\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n", /* no
                                                                         blank
                                                                       */
        "\n12\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n",   /* origin */
        "o\n012\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n", /* zero */
        "o\n12\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGU=\n\n",     /* 29 B */
        "o\n12\n\n",                                                /* hash */
        "o\n-1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(
            sg_sigstore_checkpoint_parse(&cp, bad[i], strlen(bad[i])),
            SG_EPARSE);
    /* found by fuzz_checkpoint: NULs made an empty-looking origin */
    assert_int_equal(sg_sigstore_checkpoint_parse(&cp, "\0\0o\n12\nx\n\n", 10),
                     SG_EPARSE);
    assert_non_null(strstr(sg_error_last(), "control character 0x00 at 0"));
    {
        static const char ok[] =
            "o\n12\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\nextra\n\n";
        assert_int_equal(sg_sigstore_checkpoint_parse(&cp, ok, strlen(ok)),
                         SG_OK);
    }
    assert_true(cp.size == 12);
}

/* ------------------------------------------------------------------ */

static void body__hashedrekord_fields_must_match(void **state)
{
    json_t *b = st_json(CASES "happy-path-v0.3/bundle.sigstore.json");
    struct sg_sigstore_tlog_entry e;
    struct sg_sigstore_signed g = { 0 };
    struct sg_buf sig = SG_BUF_INIT(4096), cert = SG_BUF_INIT(1 << 16), a;
    const json_t *vm = json_object_get(b, "verificationMaterial");
    const char *s64 = json_string_value(
        json_object_get(json_object_get(b, "messageSignature"), "signature"));
    const char *c64 = json_string_value(
        json_object_get(json_object_get(vm, "certificate"), "rawBytes"));

    (void)state;
    st_read(&a, CASES "a.txt");
    assert_int_equal(sg_base64_decode(&sig, s64, strlen(s64)), SG_OK);
    assert_int_equal(sg_base64_decode(&cert, c64, strlen(c64)), SG_OK);
    assert_int_equal(sg_sigstore_tlog_entry_parse(&e, entry0(b)), SG_OK);
    g.sig = (unsigned char *)sig.data;
    g.sig_len = sig.len;
    g.cert_der = (unsigned char *)cert.data;
    g.cert_der_len = cert.len;
    SHA256((unsigned char *)a.data, a.len, g.digest);
    assert_int_equal(sg_sigstore_body_match(&e, &g), SG_OK);
    g.digest[0] ^= 1;
    assert_int_equal(sg_sigstore_body_match(&e, &g), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "digest differs"));
    g.digest[0] ^= 1;
    sig.data[sig.len - 1] ^= 1;
    assert_int_equal(sg_sigstore_body_match(&e, &g), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "signature differs"));
    sig.data[sig.len - 1] ^= 1;
    g.cert_der_len--;
    assert_int_equal(sg_sigstore_body_match(&e, &g), SG_EVERIFY);
    assert_non_null(strstr(sg_error_last(), "certificate/key differs"));
    g.cert_der_len++;
    snprintf(e.version, sizeof(e.version), "0.0.2"); /* body: 0.0.1 */
    assert_int_equal(sg_sigstore_body_match(&e, &g), SG_EVERIFY);
    sg_sigstore_tlog_entry_release(&e);
    sg_buf_release(&sig);
    sg_buf_release(&cert);
    sg_buf_release(&a);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merkle__every_index_of_small_trees),
        cmocka_unit_test(entry__parse_and_set),
        cmocka_unit_test(entry__negative_index_refused),
        cmocka_unit_test(checkpoint__rekor_v1_ecdsa),
        cmocka_unit_test(checkpoint__rekor_v2_ed25519_witness_ignored),
        cmocka_unit_test(checkpoint__malformed),
        cmocka_unit_test(body__hashedrekord_fields_must_match),
    };

    return cmocka_run_group_tests_name("sigstore_tlog", tests, NULL, NULL);
}
