/*
 * Keys against real cosign artifacts (testdata/vectors): every enckey-*
 * loads with its password (enckey-03, SEC1 inside, is refused as cosign
 * refuses it) and yields exactly the public key derived independently;
 * wrong passwords, bad scrypt parameters; all 12 cosign-* triples verify
 * and the neg-* ones fail; sign/verify round trips for every key type.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sigil/sign.h"
#include "sign/sign_int.h"

static char vec[1024];

static void readf(struct sg_buf *b, const char *dir, const char *name)
{
    char p[2048];

    snprintf(p, sizeof(p), "%s/%s/%s", vec, dir, name);
    sg_buf_init(b, 1 << 20);
    if (sg_file_read(b, p, 1 << 20) != SG_OK)
        fail_msg("cannot read %s: %s", p, sg_error_last());
}

static int exists(const char *dir, const char *name)
{
    char p[2048];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s/%s", vec, dir, name);
    f = fopen(p, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

static void load_enc(const char *dir, struct sg_sign_key **k, sg_err want)
{
    struct sg_buf key, pw;
    sg_err rc;

    readf(&key, dir, "cosign.key");
    readf(&pw, dir, "password.txt");
    if (pw.len && pw.data[pw.len - 1] == '\n')
        pw.data[--pw.len] = '\0';
    rc = sg_sign_key_load_private(k, key.data, key.len, pw.data, pw.len);
    if (rc != want)
        fail_msg("%s: got %s (%s), want %s", dir, sg_err_name(rc),
                 sg_error_last(), sg_err_name(want));
    sg_buf_release(&key);
    sg_buf_release(&pw);
}

static void keys__vectors_load_with_their_passwords(void **state)
{
    static const char *const dirs[] = { "enckey-01", "enckey-02", "enckey-04",
                                        "enckey-05", "enckey-06", "enckey-07",
                                        "enckey-08" };
    static const char *const types[] = { "ecdsa-p256", "ecdsa-p256",
                                         "ecdsa-p256", "ecdsa-p256",
                                         "ecdsa-p256", "ed25519",
                                         "rsa" };
    (void)state;
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        struct sg_sign_key *k = NULL;
        struct sg_buf pub = SG_BUF_INIT(SG_BUF_NOLIMIT), want;
        struct sg_buf sig = SG_BUF_INIT(SG_BUF_NOLIMIT);

        load_enc(dirs[i], &k, SG_OK);
        assert_string_equal(sg_sign_key_type(k), types[i]);
        assert_int_equal(sg_sign_key_public_pem(&pub, k), SG_OK);
        readf(&want, dirs[i], "derived-public.pem");
        assert_string_equal(pub.data, want.data);
        sg_buf_release(&want);
        if (exists(dirs[i], "cosign.pub")) {
            readf(&want, dirs[i], "cosign.pub");
            assert_string_equal(pub.data, want.data);
            sg_buf_release(&want);
        }
        /* The loaded key signs; its public half verifies. */
        assert_int_equal(sg_sign_key_sign(&sig, k, "msg", 3), SG_OK);
        assert_int_equal(sg_sign_key_verify(k, "msg", 3, sig.data, sig.len),
                         SG_OK);
        assert_int_equal(sg_sign_key_verify(k, "msh", 3, sig.data, sig.len),
                         SG_EVERIFY);
        sg_buf_release(&sig);
        sg_buf_release(&pub);
        sg_sign_key_free(k);
    }
}

static void keys__sec1_plaintext_is_refused_like_cosign(void **state)
{
    struct sg_sign_key *k = NULL;

    (void)state;
    load_enc("enckey-03", &k, SG_EPARSE);
    assert_null(k);
    assert_non_null(strstr(sg_error_last(), "not PKCS#8"));
}

static void keys__wrong_password_says_so(void **state)
{
    struct sg_buf key;
    struct sg_sign_key *k = NULL;

    (void)state;
    readf(&key, "enckey-01", "cosign.key");
    assert_int_equal(
        sg_sign_key_load_private(&k, key.data, key.len, "hellp", 5), SG_EAUTH);
    assert_string_equal(sg_error_last(), "incorrect password for private key");
    assert_null(k);
    /* An empty-password key with a password given: also wrong. */
    sg_buf_release(&key);
    readf(&key, "enckey-05", "cosign.key");
    assert_int_equal(sg_sign_key_load_private(&k, key.data, key.len, "x", 1),
                     SG_EAUTH);
    sg_buf_release(&key);
}

static void keys__scrypt_params_outside_cosigns_set_are_refused(void **state)
{
    static const char *const bad[] = {
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":16384,\"r\":8,\"p\":1},"
        "\"salt\":\"AAAA\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":"
        "\"AAAA\"},\"ciphertext\":\"AAAA\"}",
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1048576,\"r\":8,\"p\":"
        "1},\"salt\":\"AAAA\"},\"cipher\":{\"name\":\"nacl/secretbox\","
        "\"nonce\":\"AAAA\"},\"ciphertext\":\"AAAA\"}",
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":65536,\"r\":16,\"p\":"
        "1},\"salt\":\"AAAA\"},\"cipher\":{\"name\":\"nacl/secretbox\","
        "\"nonce\":\"AAAA\"},\"ciphertext\":\"AAAA\"}",
    };
    struct sg_buf plain = SG_BUF_INIT(SG_BUF_NOLIMIT);

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(
            sg_sign__decrypt_cosign_key(&plain, bad[i], strlen(bad[i]), "", 0),
            SG_EUNSUPPORTED);
        assert_non_null(
            strstr(sg_error_last(), "N must be 32768, 65536 or 131072"));
    }
    {
        const char *j = "{\"kdf\":{\"name\":\"pbkdf2\",\"params\":{}},"
                        "\"cipher\":{}}";
        assert_int_equal(
            sg_sign__decrypt_cosign_key(&plain, j, strlen(j), "", 0),
            SG_EUNSUPPORTED);
    }
    assert_int_equal(sg_sign__decrypt_cosign_key(&plain, "{", 1, "", 0),
                     SG_EPARSE);
}

static void keys__generate_encrypt_load_round_trip(void **state)
{
    struct sg_sign_key *k = NULL, *k2 = NULL, *pub = NULL;
    struct sg_buf enc = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  pem = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  pem2 = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  sig = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  json = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *body, *end;

    (void)state;
    assert_int_equal(sg_sign_key_generate(&k), SG_OK);
    assert_string_equal(sg_sign_key_type(k), "ecdsa-p256");
    assert_int_equal(sg_sign_key_encrypt(&enc, k, "pw\0x", 4), SG_OK);
    assert_memory_equal(enc.data,
                        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n", 47);
    /* The JSON inside: Go field order, N=65536, 32-byte salt, 24-byte
     * nonce. */
    body = enc.data + 47;
    end = strstr(body, "-----END");
    assert_non_null(end);
    assert_int_equal(sg_base64_decode(&json, body, (size_t)(end - body)),
                     SG_OK);
    {
        const char *w = "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":"
                        "65536,\"r\":8,\"p\":1},\"salt\":\"";
        assert_memory_equal(json.data, w, strlen(w));
    }
    assert_non_null(strstr(json.data, "\"cipher\":{\"name\":\"nacl/secretbox\","
                                      "\"nonce\":\""));
    /* Password bytes, including a NUL, matter. */
    assert_int_equal(sg_sign_key_load_private(&k2, enc.data, enc.len, "pw", 2),
                     SG_EAUTH);
    assert_int_equal(
        sg_sign_key_load_private(&k2, enc.data, enc.len, "pw\0x", 4), SG_OK);
    assert_int_equal(sg_sign_key_public_pem(&pem, k), SG_OK);
    assert_int_equal(sg_sign_key_public_pem(&pem2, k2), SG_OK);
    assert_string_equal(pem.data, pem2.data);
    assert_memory_equal(pem.data,
                        "-----BEGIN PUBLIC KEY-----\n"
                        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
                        63);
    assert_int_equal(sg_sign_key_load_public(&pub, pem.data, pem.len), SG_OK);
    assert_false(sg_sign_key_is_private(pub));
    assert_int_equal(sg_sign_key_sign(&sig, k2, "payload", 7), SG_OK);
    assert_true(sig.len >= 68 && sig.len <= 72 && sig.data[0] == 0x30);
    assert_int_equal(sg_sign_key_verify(pub, "payload", 7, sig.data, sig.len),
                     SG_OK);
    sig.data[sig.len - 1] ^= 1;
    assert_int_equal(sg_sign_key_verify(pub, "payload", 7, sig.data, sig.len),
                     SG_EVERIFY);
    /* Public keys cannot sign. */
    assert_int_equal(sg_sign_key_sign(&sig, pub, "x", 1), SG_EINVAL);
    sg_sign_key_free(k);
    sg_sign_key_free(k2);
    sg_sign_key_free(pub);
    sg_buf_release(&enc);
    sg_buf_release(&pem);
    sg_buf_release(&pem2);
    sg_buf_release(&sig);
    sg_buf_release(&json);
}

/* Every key type: unencrypted PKCS#8 PEM from OpenSSL, sign, verify. */
static void keys__all_types_sign_and_verify(void **state)
{
    struct {
        const char *alg;
        const char *param;
        const char *type;
    } t[] = { { "EC", "P-384", "ecdsa-p384" },
              { "EC", "P-521", "ecdsa-p521" },
              { "RSA", NULL, "rsa" },
              { "ED25519", NULL, "ed25519" } };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        EVP_PKEY *p = t[i].param
                          ? EVP_PKEY_Q_keygen(NULL, NULL, t[i].alg, t[i].param)
                      : strcmp(t[i].alg, "RSA") == 0
                          ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
                          : EVP_PKEY_Q_keygen(NULL, NULL, t[i].alg);
        BIO *bio = BIO_new(BIO_s_mem());
        char *data = NULL;
        long n;
        struct sg_sign_key *k = NULL, *k2 = NULL;
        struct sg_buf sig = SG_BUF_INIT(SG_BUF_NOLIMIT),
                      enc = SG_BUF_INIT(SG_BUF_NOLIMIT);

        assert_non_null(p);
        assert_int_equal(
            PEM_write_bio_PrivateKey(bio, p, NULL, NULL, 0, NULL, NULL), 1);
        n = BIO_get_mem_data(bio, &data);
        assert_int_equal(sg_sign_key_load_private(&k, data, (size_t)n, NULL, 0),
                         SG_OK);
        assert_string_equal(sg_sign_key_type(k), t[i].type);
        assert_int_equal(sg_sign_key_sign(&sig, k, "abc", 3), SG_OK);
        assert_int_equal(sg_sign_key_verify(k, "abc", 3, sig.data, sig.len),
                         SG_OK);
        assert_int_equal(sg_sign_key_verify(k, "abd", 3, sig.data, sig.len),
                         SG_EVERIFY);
        /* cosign.key round trip (N=32768 to keep the test fast). */
        assert_int_equal(sg_sign__encrypt_with(&enc, k, "p", 1, 32768), SG_OK);
        assert_int_equal(
            sg_sign_key_load_private(&k2, enc.data, enc.len, "p", 1), SG_OK);
        assert_int_equal(sg_sign_key_verify(k2, "abc", 3, sig.data, sig.len),
                         SG_OK);
        sg_sign_key_free(k);
        sg_sign_key_free(k2);
        sg_buf_release(&sig);
        sg_buf_release(&enc);
        BIO_free(bio);
        EVP_PKEY_free(p);
    }
}

static void keys__weak_keys_are_refused(void **state)
{
    EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    EVP_PKEY *q = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-224");
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;
    struct sg_sign_key *k = NULL;

    (void)state;
    PEM_write_bio_PrivateKey(bio, p, NULL, NULL, 0, NULL, NULL);
    n = BIO_get_mem_data(bio, &data);
    assert_int_equal(sg_sign_key_load_private(&k, data, (size_t)n, NULL, 0),
                     SG_EUNSUPPORTED);
    assert_non_null(strstr(sg_error_last(), "RSA key size 1024"));
    BIO_reset(bio);
    PEM_write_bio_PUBKEY(bio, q);
    n = BIO_get_mem_data(bio, &data);
    assert_int_equal(sg_sign_key_load_public(&k, data, (size_t)n),
                     SG_EUNSUPPORTED);
    assert_non_null(strstr(sg_error_last(), "curve"));
    assert_int_equal(sg_sign_key_load_private(&k, "junk", 4, NULL, 0),
                     SG_EPARSE);
    {
        const char *foo = "-----BEGIN FOO-----\nAA==\n-----END FOO-----\n";
        assert_int_equal(sg_sign_key_load_public(&k, foo, strlen(foo)),
                         SG_EUNSUPPORTED);
    }
    BIO_free(bio);
    EVP_PKEY_free(p);
    EVP_PKEY_free(q);
}

/* payload.json + signature.b64 against cosign.pub or cert.pem. */
static sg_err check_triple(const char *dir)
{
    struct sg_buf payload, sigb64, key, sig = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_sign_key *k = NULL;
    int cert = !exists(dir, "cosign.pub");
    sg_err rc;

    readf(&payload, dir, "payload.json");
    readf(&sigb64, dir, "signature.b64");
    readf(&key, dir, cert ? "cert.pem" : "cosign.pub");
    rc = sg_sign_key_load_public(&k, key.data, key.len);
    if (rc)
        fail_msg("%s: key: %s", dir, sg_error_last());
    assert_int_equal(sg_sign_key_is_cert(k), cert);
    rc = sg_base64_decode(&sig, sigb64.data, sigb64.len);
    if (!rc)
        rc =
            sg_sign_key_verify(k, payload.data, payload.len, sig.data, sig.len);
    sg_sign_key_free(k);
    sg_buf_release(&payload);
    sg_buf_release(&sigb64);
    sg_buf_release(&key);
    sg_buf_release(&sig);
    return rc;
}

static void keys__cosign_triples_verify_negatives_fail(void **state)
{
    char d[32];

    (void)state;
    for (int i = 1; i <= 12; i++) {
        snprintf(d, sizeof(d), "cosign-%02d", i);
        if (check_triple(d) != SG_OK)
            fail_msg("%s does not verify: %s", d, sg_error_last());
    }
    assert_int_equal(check_triple("neg-01"), SG_EVERIFY);
    assert_int_equal(check_triple("neg-02"), SG_EVERIFY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys__vectors_load_with_their_passwords),
        cmocka_unit_test(keys__sec1_plaintext_is_refused_like_cosign),
        cmocka_unit_test(keys__wrong_password_says_so),
        cmocka_unit_test(keys__scrypt_params_outside_cosigns_set_are_refused),
        cmocka_unit_test(keys__generate_encrypt_load_round_trip),
        cmocka_unit_test(keys__all_types_sign_and_verify),
        cmocka_unit_test(keys__weak_keys_are_refused),
        cmocka_unit_test(keys__cosign_triples_verify_negatives_fail),
    };

    snprintf(vec, sizeof(vec), "%s/vectors", SG_TESTDATA_DIR);
    return cmocka_run_group_tests_name("sign_keys", tests, NULL, NULL);
}
