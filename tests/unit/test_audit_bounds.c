/*
 * Untrusted-input bounds found in the input audit: each case feeds a
 * crafted input that was unbounded (in work or bytes) before the fix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sigil/oci.h"
#include "sigil/sign.h"
#include "sbom/sbom_int.h"

/* SPDX document with n packages and every DEPENDS_ON edge between them
 * (n*n - n distinct edges), each edge written twice. */
static char *spdx_dense(size_t n, size_t *len_out)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    rc = sg_buf_adds(&b, "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"x\","
                         "\"packages\":[");
    for (size_t i = 0; !rc && i < n; i++)
        rc = sg_buf_addf(&b,
                         "%s{\"name\":\"p%zu\",\"SPDXID\":\"P%zu\","
                         "\"versionInfo\":\"1\",\"externalRefs\":[{"
                         "\"referenceType\":\"purl\",\"referenceLocator\":"
                         "\"pkg:generic/p%zu@1\"}]}",
                         i ? "," : "", i, i, i);
    if (!rc)
        rc = sg_buf_adds(&b, "],\"relationships\":[");
    for (int twice = 0; !rc && twice < 2; twice++)
        for (size_t i = 0; !rc && i < n; i++)
            for (size_t j = 0; !rc && j < n; j++)
                if (i != j)
                    rc = sg_buf_addf(&b,
                                     "%s{\"spdxElementId\":\"P%zu\","
                                     "\"relationshipType\":\"DEPENDS_ON\","
                                     "\"relatedSpdxElement\":\"P%zu\"}",
                                     twice || i || j > 1 ? "," : "", i, j);
    if (!rc)
        rc = sg_buf_adds(&b, "]}");
    assert_int_equal(rc, SG_OK);
    *len_out = b.len;
    return b.data;
}

/* sbomread.c add_edge scanned every edge already added: quadratic in the
 * number of relationships of an untrusted document (160k edges took
 * tens of seconds). Now a sort. No timed assertion here (speed belongs in
 * bench/); the exact edge set and order are checked. */
static void test_sbomread_many_edges(void **state)
{
    const size_t n = 400;
    struct sg_sbom *s = NULL;
    size_t len;
    char *doc = spdx_dense(n, &len);

    (void)state;
    assert_int_equal(sg_sbom_read(&s, doc, len), SG_OK);
    assert_int_equal(s->n_pkgs, n);
    assert_int_equal(s->n_rels, n * n - n); /* the repeats are dropped */
    /* document order kept: first edge P0 -> P1, last P399 -> P398 */
    assert_int_equal(s->rels[0].from, 0);
    assert_int_equal(s->rels[0].to, 1);
    assert_int_equal(s->rels[0].type, SG_REL_DEPENDS_ON);
    assert_int_equal(s->rels[s->n_rels - 1].from, n - 1);
    assert_int_equal(s->rels[s->n_rels - 1].to, n - 2);
    sg_sbom_free(s);
    free(doc);
}

/* ustar header of one regular file "blob" of `size` bytes. */
static void tar_header(unsigned char h[512], size_t size)
{
    unsigned sum = 0;

    memset(h, 0, 512);
    memcpy(h, "blob", 4);
    memcpy(h + 100, "0000644", 7);
    memcpy(h + 108, "0000000", 7);
    memcpy(h + 116, "0000000", 7);
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    memcpy(h + 136, "00000000000", 11);
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

/* A tar holding one file "blob" of `size` zero bytes; with zstd, as one
 * zstd frame: a raw block for the header, then RLE blocks of zeros for
 * the data, its padding and the two end blocks (~4 bytes per 128 KiB). */
static void write_tar(const char *path, size_t size, int zstd)
{
    unsigned char h[512];
    size_t zeros = (size + 511) / 512 * 512 + 1024;
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    tar_header(h, size);
    if (!zstd) {
        assert_int_equal(fwrite(h, 1, 512, f), 512);
        for (size_t i = 0; i < zeros; i++)
            assert_int_equal(fputc(0, f), 0);
    } else {
        /* magic, descriptor (no size, no checksum), window 2 MiB */
        static const unsigned char fh[] = {
            0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58
        };
        unsigned bh = 512u << 3; /* raw block */

        assert_int_equal(fwrite(fh, 1, sizeof(fh), f), sizeof(fh));
        assert_int_equal(fputc((int)(bh & 0xff), f), (int)(bh & 0xff));
        assert_int_equal(fputc((int)(bh >> 8 & 0xff), f),
                         (int)(bh >> 8 & 0xff));
        assert_int_equal(fputc((int)(bh >> 16), f), (int)(bh >> 16));
        assert_int_equal(fwrite(h, 1, 512, f), 512);
        while (zeros) {
            size_t n = zeros < 131072u ? zeros : 131072u;
            zeros -= n;
            bh = (unsigned)n << 3 | 1u << 1 | (zeros ? 0u : 1u); /* RLE */
            assert_int_equal(fputc((int)(bh & 0xff), f), (int)(bh & 0xff));
            assert_int_equal(fputc((int)(bh >> 8 & 0xff), f),
                             (int)(bh >> 8 & 0xff));
            assert_int_equal(fputc((int)(bh >> 16), f), (int)(bh >> 16));
            assert_int_equal(fputc(0, f), 0);
        }
    }
    assert_int_equal(fclose(f), 0);
}

/* oci/archive.c index_tar hashed every byte a gzip/zstd docker-archive
 * decompressed to, with no bound: a few KiB of zstd can expand to
 * gigabytes. Now ratio_max (after 8 MiB) and image_bytes_max apply. */
static void test_archive_bomb(void **state)
{
    char path[] = "/tmp/sg_audit_bombXXXXXX", spec[64];
    struct sg_oci_store *s = NULL;
    int fd = mkstemp(path);
    sg_err rc;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_tar(path, 32u * 1024u * 1024u, 1); /* ~1 KiB of zstd */
    snprintf(spec, sizeof(spec), "docker-archive:%s", path);
    rc = sg_oci_store_open(&s, spec, NULL, 0);
    assert_int_equal(rc, SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "decompression bomb: ratio over "
                                            "1000"));
    assert_null(s);
    unlink(path);
}

static void test_archive_total_limit(void **state)
{
    char path[] = "/tmp/sg_audit_totalXXXXXX", spec[64];
    struct sg_ctx ctx;
    struct sg_oci_registry_opts opts;
    struct sg_oci_store *s = NULL;
    int fd = mkstemp(path);
    sg_err rc;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_tar(path, 5000, 0);
    snprintf(spec, sizeof(spec), "docker-archive:%s", path);
    sg_ctx_init(&ctx);
    ctx.limits.image_bytes_max = 4096;
    memset(&opts, 0, sizeof(opts));
    opts.ctx = &ctx;
    rc = sg_oci_store_open(&s, spec, &opts, 0);
    assert_int_equal(rc, SG_ELIMIT);
    assert_non_null(
        strstr(sg_error_last(), "content exceeds the limit of 4096 bytes"));
    assert_null(s);
    unlink(path);
}

/* An "ENCRYPTED PRIVATE KEY" PEM with the given PBES2 key derivation and
 * junk ciphertext (never reached: the work factor is refused first). */
static char *pkcs8_pem(X509_ALGOR *alg, size_t *len)
{
    static const unsigned char junk[48] = { 1 };
    X509_SIG *sig = X509_SIG_new();
    X509_ALGOR *a;
    ASN1_OCTET_STRING *d;
    BIO *bio = BIO_new(BIO_s_mem());
    char *mem, *out;
    long n;

    assert_non_null(alg);
    assert_non_null(sig);
    X509_SIG_getm(sig, &a, &d);
    assert_int_equal(X509_ALGOR_copy(a, alg), 1);
    assert_int_equal(ASN1_OCTET_STRING_set(d, junk, sizeof(junk)), 1);
    assert_int_equal(PEM_write_bio_PKCS8(bio, sig), 1);
    n = BIO_get_mem_data(bio, &mem);
    out = malloc((size_t)n + 1);
    assert_non_null(out);
    memcpy(out, mem, (size_t)n);
    out[n] = '\0';
    *len = (size_t)n;
    BIO_free(bio);
    X509_SIG_free(sig);
    X509_ALGOR_free(alg);
    return out;
}

/* sign/keys.c handed PKCS#8 encrypted keys to OpenSSL, which runs the
 * PBKDF2 iteration count / scrypt cost the file names: 2^31 - 1
 * iterations kept it busy for hours. */
static void test_pkcs8_work_factor(void **state)
{
    unsigned char salt[16] = { 2 }, iv[16] = { 3 };
    char pw[] = "pw";
    struct sg_sign_key *k = NULL;
    EVP_PKEY *pk;
    BIO *bio;
    char *pem, *mem;
    size_t len;
    long n;

    (void)state;
    pem = pkcs8_pem(PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), 0x7fffffff, salt,
                                      sizeof(salt), iv, NID_hmacWithSHA256),
                    &len);
    assert_int_equal(sg_sign_key_load_private(&k, pem, len, "pw", 2),
                     SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "work factor above the limit"));
    assert_null(k);
    free(pem);

    pem = pkcs8_pem(PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), salt, sizeof(salt),
                                          iv, 1u << 14, 8, 1u << 12),
                    &len);
    assert_int_equal(sg_sign_key_load_private(&k, pem, len, "pw", 2),
                     SG_ELIMIT);
    assert_null(k);
    free(pem);

    /* a real key with OpenSSL's default work factor still loads */
    pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(pk);
    bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PKCS8PrivateKey(bio, pk, EVP_aes_256_cbc(),
                                                   NULL, 0, NULL, pw),
                     1);
    n = BIO_get_mem_data(bio, &mem);
    assert_int_equal(sg_sign_key_load_private(&k, mem, (size_t)n, "pw", 2),
                     SG_OK);
    assert_non_null(k);
    sg_sign_key_free(k);
    BIO_free(bio);
    EVP_PKEY_free(pk);
}

/* sbom/dpkg.c copyright: the 64-id cap applied per line only, and each
 * new id was compared with all earlier ones: 20000 "License:" lines of
 * distinct names gave 20000 ids at quadratic cost. Now 64 per file. */
static void test_dpkg_copyright_many_licenses(void **state)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *lic = NULL;
    size_t ands = 0;

    (void)state;
    for (unsigned i = 0; i < 20000; i++)
        assert_int_equal(sg_buf_addf(&b, "License: Lic%05u\n", i), SG_OK);
    assert_int_equal(sg_sbom__dpkg_copyright_license(&lic, b.data, b.len),
                     SG_OK);
    assert_non_null(lic);
    for (const char *p = lic; (p = strstr(p, " AND ")) != NULL; p++)
        ands++;
    assert_int_equal(ands, 63);
    free(lic);
    sg_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sbomread_many_edges),
        cmocka_unit_test(test_archive_bomb),
        cmocka_unit_test(test_archive_total_limit),
        cmocka_unit_test(test_pkcs8_work_factor),
        cmocka_unit_test(test_dpkg_copyright_many_licenses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
