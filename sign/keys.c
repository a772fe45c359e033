/*
 * cosign-compatible keys: the encrypted cosign.key (PEM "ENCRYPTED
 * SIGSTORE PRIVATE KEY" or the older "ENCRYPTED COSIGN PRIVATE KEY": JSON
 * with scrypt parameters and a NaCl secretbox around a PKCS#8 key),
 * unencrypted PEM keys, PEM public keys and certificates, and signing and
 * verifying as cosign does for each key type. Format: sigstore's
 * pkg/cryptoutils (encrypted.go, privatekey.go) as cosign uses it; our
 * notes in docs/cosign-format.md §5 and §1.3.
 *
 * Untrusted: key files are user input that may come from anywhere (a CI
 * secret, a download). Every file is bounded (KEY_FILE_MAX) before it is
 * parsed, the KDF work a file asks for is checked before any KDF runs
 * (scrypt parameters are a fixed set, PKCS#8 work factors are capped),
 * and every key, whatever its container, must pass cosign's key policy
 * (check_key_type) and, for private keys, a pairwise consistency check.
 * Secret material (derived keys, decrypted DER) is wiped after use.
 */
#include "sign_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sodium.h>

/* The scrypt parameters below are cosign's: r=8 p=1 for every key, N
 * 65536 for keys it writes today (N 32768 and 131072 are also accepted
 * on read). SCRYPT_MAXMEM is the memory OpenSSL may use for
 * N=131072 (128 * r * N = 128 MiB) with room to spare; it must be set,
 * OpenSSL's default of 32 MiB refuses cosign's keys. */
#define COSIGN_LABEL_SIGSTORE "ENCRYPTED SIGSTORE PRIVATE KEY"
#define COSIGN_LABEL_COSIGN   "ENCRYPTED COSIGN PRIVATE KEY"
#define KEY_FILE_MAX          (1024u * 1024u)
#define SCRYPT_R              8
#define SCRYPT_P              1
#define SCRYPT_N_NEW          65536
#define SCRYPT_MAXMEM         (256ull * 1024u * 1024u)
#define SALT_LEN              32
/* PKCS#8 "ENCRYPTED PRIVATE KEY" files name their own KDF work factor and
 * OpenSSL runs whatever they say: PBKDF2 / PKCS#5 v1 iterations (OpenSSL
 * writes 2048, current guidance is 600000) and scrypt N*r*p (cosign's
 * largest is 131072*8*1) above these are refused before decrypting. */
#define PKCS8_ITER_MAX   10000000L
#define PKCS8_SCRYPT_MAX (1L << 24)

struct sg_sign_key {
    EVP_PKEY *pkey;
    int is_private;
    int is_cert;
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static sg_err
new_key(struct sg_sign_key **out, EVP_PKEY *pkey, int priv, int cert)
{
    struct sg_sign_key *k = calloc(1, sizeof(*k));

    if (!k) {
        EVP_PKEY_free(pkey);
        return sg_error_oom();
    }
    k->pkey = pkey;
    k->is_private = priv;
    k->is_cert = cert;
    *out = k;
    return SG_OK;
}

void sg_sign_key_free(struct sg_sign_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

int sg_sign_key_is_cert(const struct sg_sign_key *k)
{
    return k->is_cert;
}

int sg_sign_key_is_private(const struct sg_sign_key *k)
{
    return k->is_private;
}

/* The EC curve of pkey as an OpenSSL group name, or "" if not EC (or a
 * name longer than cap: no curve we accept has one, so "" is right). */
static void ec_group(const EVP_PKEY *pkey, char *name, size_t cap)
{
    size_t n = 0;

    name[0] = '\0';
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name,
                                       cap, &n) != 1)
        name[0] = '\0';
}

const char *sg_sign_key_type(const struct sg_sign_key *k)
{
    char g[64];

    switch (EVP_PKEY_get_base_id(k->pkey)) {
    case EVP_PKEY_EC:
        ec_group(k->pkey, g, sizeof(g));
        if (strcmp(g, "prime256v1") == 0)
            return "ecdsa-p256";
        if (strcmp(g, "secp384r1") == 0)
            return "ecdsa-p384";
        if (strcmp(g, "secp521r1") == 0)
            return "ecdsa-p521";
        return "ecdsa";
    case EVP_PKEY_RSA:
        return "rsa";
    case EVP_PKEY_ED25519:
        return "ed25519";
    default:
        return "unknown";
    }
}

/* cosign's key policy (goodkey): ECDSA P-256/384/521, RSA >= 2048 bits,
 * Ed25519. Applied to every key we load, public ones included: a
 * verifier that accepted a 512-bit RSA key would accept signatures
 * anyone can forge, and a signer must not produce signatures cosign
 * itself refuses to verify. */
static sg_err check_key_type(const EVP_PKEY *pkey)
{
    char g[64];
    int bits;

    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_EC:
        ec_group(pkey, g, sizeof(g));
        if (strcmp(g, "prime256v1") == 0 || strcmp(g, "secp384r1") == 0 ||
            strcmp(g, "secp521r1") == 0)
            return SG_OK;
        return sg_error_set(SG_EUNSUPPORTED,
                            "unsupported ECDSA curve %s (P-256, P-384 or "
                            "P-521 required)",
                            g[0] ? g : "(unknown)");
    case EVP_PKEY_RSA:
        bits = EVP_PKEY_get_bits(pkey);
        if (bits < 2048 || bits > 16384)
            return sg_error_set(SG_EUNSUPPORTED,
                                "unsupported RSA key size %d bits (2048 or "
                                "more required)",
                                bits);
        return SG_OK;
    case EVP_PKEY_ED25519:
        return SG_OK;
    default:
        return sg_error_set(SG_EUNSUPPORTED,
                            "unsupported key type (ECDSA P-256/P-384/P-521, "
                            "RSA or Ed25519 required)");
    }
}

/* Find the first PEM block (RFC 7468 §2): its label (copied into label,
 * NUL-terminated) and the base64 body between the BEGIN and END lines.
 * Lax where RFC 7468 §3 lets parsers be (text before the block, any line
 * endings), strict where a mistake could pair the wrong lines: the END
 * line must repeat the BEGIN label exactly. The whole input is bounded
 * first (KEY_FILE_MAX): the label search is linear, but the END search
 * is a memcmp per byte and a key file has no reason to be large. */
static sg_err pem_block(const char *s,
                        size_t len,
                        char *label,
                        size_t cap,
                        const char **body,
                        size_t *body_len)
{
    static const char begin[] = "-----BEGIN ";
    const char *end = s + len, *p, *lab, *q;
    char endline[128];
    size_t ll, el;

    if (len > KEY_FILE_MAX)
        return sg_error_set(SG_ELIMIT, "key file larger than %u bytes",
                            KEY_FILE_MAX);
    for (p = s; p + sizeof(begin) - 1 <= end; p++) {
        if (memcmp(p, begin, sizeof(begin) - 1) == 0)
            break;
    }
    if (p + sizeof(begin) - 1 > end)
        return sg_error_set(SG_EPARSE, "no PEM block found");
    lab = p + sizeof(begin) - 1;
    for (q = lab; q + 5 <= end && memcmp(q, "-----", 5) != 0; q++) {
        if (*q == '\n')
            return sg_error_set(SG_EPARSE, "malformed PEM BEGIN line");
    }
    if (q + 5 > end)
        return sg_error_set(SG_EPARSE, "malformed PEM BEGIN line");
    ll = (size_t)(q - lab);
    if (ll + 1 > cap)
        return sg_error_set(SG_EPARSE, "PEM label too long");
    memcpy(label, lab, ll);
    label[ll] = '\0';
    q += 5;
    el = (size_t)snprintf(endline, sizeof(endline), "-----END %s-----", label);
    if (el >= sizeof(endline))
        return sg_error_set(SG_EPARSE, "PEM label too long");
    for (p = q; p + el <= end; p++) {
        if (memcmp(p, endline, el) == 0) {
            *body = q;
            *body_len = (size_t)(p - q);
            return SG_OK;
        }
    }
    return sg_error_set(SG_EPARSE, "PEM block '%s' has no END line", label);
}

/* ------------------------------------------------------------------ */
/* PKCS#8 (including the v2 Ed25519 form OpenSSL 3.0 refuses)           */

/* Minimal DER TLV reader (X.690 §8.1): one tag byte (no high tag
 * numbers: PKCS#8 uses none), then a definite length. The input is a
 * decrypted but still untrusted key file: indefinite lengths (0x80) are
 * BER, not DER, and a length of more than 3 bytes (16 MiB) cannot fit a
 * key, so both are refused before the length is used; every read goes
 * through the bounds-checked sg_rd, so a lying length is a short read. */
static sg_err der_tlv(struct sg_rd *rd, uint8_t *tag, struct sg_slice *val)
{
    uint8_t t = 0, l0 = 0, b = 0;
    size_t len = 0;
    sg_err rc = sg_rd_u8(rd, &t);

    if (!rc)
        rc = sg_rd_u8(rd, &l0);
    if (rc)
        return rc;
    if (l0 < 0x80) {
        len = l0;
    } else {
        unsigned n = l0 & 0x7fu;
        if (n == 0 || n > 3)
            return sg_error_set(SG_EPARSE,
                                "DER: unsupported length form "
                                "0x%02x",
                                l0);
        while (n--) {
            rc = sg_rd_u8(rd, &b);
            if (rc)
                return rc;
            len = (len << 8) | b;
        }
    }
    *tag = t;
    return sg_rd_bytes(rd, len, val);
}

/* PKCS#8 v2 (RFC 5958 OneAsymmetricKey) holding Ed25519 with a [1]
 * publicKey. Returns SG_EPARSE when der is not that shape. */
static sg_err ed25519_v2(EVP_PKEY **out, const unsigned char *der, size_t len)
{
    static const unsigned char oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
    struct sg_rd rd, seq, alg;
    struct sg_slice v, inner, priv, pub = { NULL, 0 };
    uint8_t tag;
    EVP_PKEY *pkey;
    unsigned char derived[32];
    size_t dlen = sizeof(derived);

    /* OneAsymmetricKey ::= SEQUENCE { version (0 or 1), algorithm
     * AlgorithmIdentifier (exactly the Ed25519 OID, RFC 8410 §3, with no
     * parameters), privateKey OCTET STRING wrapping a 32-byte OCTET
     * STRING (RFC 8410 §7), [0] attributes, [1] publicKey }. Anything else
     * is "not this shape": the caller owns the message for that. */
    sg_rd_init(&rd, der, len);
    if (der_tlv(&rd, &tag, &v) || tag != 0x30 || sg_rd_left(&rd))
        goto bad;
    sg_rd_init(&seq, v.p, v.n);
    if (der_tlv(&seq, &tag, &v) || tag != 0x02 || v.n != 1 ||
        (v.p[0] != 0 && v.p[0] != 1))
        goto bad;
    if (der_tlv(&seq, &tag, &v) || tag != 0x30)
        goto bad;
    sg_rd_init(&alg, v.p, v.n);
    if (sg_rd_left(&alg) != sizeof(oid) || memcmp(alg.p, oid, sizeof(oid)))
        goto bad;
    if (der_tlv(&seq, &tag, &v) || tag != 0x04)
        goto bad;
    sg_rd_init(&alg, v.p, v.n);
    if (der_tlv(&alg, &tag, &inner) || tag != 0x04 || inner.n != 32 ||
        sg_rd_left(&alg))
        goto bad;
    priv = inner;
    while (sg_rd_left(&seq)) {
        if (der_tlv(&seq, &tag, &v))
            goto bad;
        if (tag == 0x81) /* [1] IMPLICIT BIT STRING */
            pub = v;
        else if (tag != 0xa0) /* [0] attributes: ignored */
            goto bad;
    }
    /* OpenSSL's PKCS#8 decoder refused this v2 structure, so nothing
     * has checked the [1] public key: it must be the one derived from
     * the seed, or a file could pair our private key with someone
     * else's public key. */
    pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv.p, priv.n);
    if (!pkey)
        return sg_error_openssl("Ed25519 key");
    if (pub.n) {
        if (EVP_PKEY_get_raw_public_key(pkey, derived, &dlen) != 1 ||
            pub.n != 33 || pub.p[0] != 0 || dlen != 32 ||
            memcmp(pub.p + 1, derived, 32) != 0) {
            EVP_PKEY_free(pkey);
            ERR_clear_error();
            return sg_error_set(SG_ECRYPTO,
                                "Ed25519 key: public key does not match the "
                                "private key");
        }
    }
    *out = pkey;
    return SG_OK;
bad:
    return sg_error_set(SG_EPARSE, "not an Ed25519 PKCS#8 v2 key");
}

/* Decode a PKCS#8 PrivateKeyInfo (DER), as Go's ParsePKCS8PrivateKey.
 * The whole input must be the one structure (p == der + len): trailing
 * bytes after a valid key would mean the decrypted plaintext is not what
 * cosign wrote. OpenSSL's decoder refuses the v2 (RFC 5958) form that
 * Go writes for Ed25519 with a public key, hence the fallback. */
static sg_err pkcs8_decode(EVP_PKEY **out, const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8;
    EVP_PKEY *pkey = NULL;
    sg_err rc;

    *out = NULL;
    if (len > LONG_MAX)
        return sg_error_set(SG_ELIMIT, "private key too large");
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
    if (p8 && p == der + len)
        pkey = EVP_PKCS82PKEY(p8);
    PKCS8_PRIV_KEY_INFO_free(p8);
    ERR_clear_error();
    if (!pkey) {
        rc = ed25519_v2(&pkey, der, len);
        if (rc) {
            if (rc == SG_EPARSE)
                return sg_error_set(
                    SG_EPARSE,
                    "decrypted private key is not PKCS#8 (cosign requires "
                    "PKCS#8; convert a SEC1/PKCS#1 key with import-key-pair)");
            return rc;
        }
    }
    rc = check_key_type(pkey);
    if (rc) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    *out = pkey;
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* Encrypted cosign.key                                                 */

/* The encrypted cosign key, once base64-decoded, is JSON:
 *   {"kdf":{"name":"scrypt","params":{"N":..,"r":8,"p":1},"salt":B64},
 *    "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}
 * (sigstore cryptoutils encrypted.go, itself secure-systems-lab's
 * go-securesystemslib encrypted format). The secretbox key is
 * scrypt(password, salt); the plaintext is the PKCS#8 DER key. */
static sg_err
b64_field(struct sg_buf *out, json_t *obj, const char *name, const char *where)
{
    json_t *v = json_object_get(obj, name);

    if (!json_is_string(v))
        return sg_error_set(SG_EPARSE, "encrypted key: %s.%s missing", where,
                            name);
    if (sg_base64_decode(out, json_string_value(v), json_string_length(v)))
        return sg_error_set(SG_EPARSE, "encrypted key: %s.%s: invalid base64",
                            where, name);
    return SG_OK;
}

static sg_err scrypt_key(unsigned char key[32],
                         const char *pw,
                         size_t pw_len,
                         const unsigned char *salt,
                         size_t salt_len,
                         uint64_t n)
{
    if (EVP_PBE_scrypt(pw_len ? pw : "", pw_len, salt, salt_len, n, SCRYPT_R,
                       SCRYPT_P, SCRYPT_MAXMEM, key, 32) != 1)
        return sg_error_openssl("scrypt");
    return SG_OK;
}

sg_err sg_sign__decrypt_cosign_key(struct sg_buf *plain,
                                   const void *json,
                                   size_t len,
                                   const char *password,
                                   size_t pw_len)
{
    json_t *root = NULL, *kdf, *params, *cipher;
    struct sg_buf salt = SG_BUF_INIT(1024), nonce = SG_BUF_INIT(1024),
                  ct = SG_BUF_INIT(KEY_FILE_MAX);
    unsigned char key[32];
    json_int_t n, r, p;
    sg_err rc;

    rc = sg_json_parse(&root, json, len, KEY_FILE_MAX, 8, "encrypted key");
    if (rc)
        return rc;
    kdf = json_object_get(root, "kdf");
    cipher = json_object_get(root, "cipher");
    params = json_object_get(kdf, "params");
    if (!json_is_object(kdf) || !json_is_object(cipher) ||
        !json_is_object(params)) {
        rc = sg_error_set(SG_EPARSE, "encrypted key: kdf/cipher missing");
        goto done;
    }
    if (!json_is_string(json_object_get(kdf, "name")) ||
        strcmp(json_string_value(json_object_get(kdf, "name")), "scrypt")) {
        rc = sg_error_set(SG_EUNSUPPORTED,
                          "encrypted key: unsupported kdf (scrypt required)");
        goto done;
    }
    if (!json_is_string(json_object_get(cipher, "name")) ||
        strcmp(json_string_value(json_object_get(cipher, "name")),
               "nacl/secretbox")) {
        rc = sg_error_set(SG_EUNSUPPORTED,
                          "encrypted key: unsupported cipher (nacl/secretbox "
                          "required)");
        goto done;
    }
    if (!json_is_integer(json_object_get(params, "N")) ||
        !json_is_integer(json_object_get(params, "r")) ||
        !json_is_integer(json_object_get(params, "p"))) {
        rc = sg_error_set(SG_EPARSE, "encrypted key: scrypt N/r/p missing");
        goto done;
    }
    /* Only cosign's own parameter sets: N, r and p decide how much
     * memory and time scrypt takes, and a file could otherwise ask for
     * gigabytes and hours before the password is even checked. */
    n = json_integer_value(json_object_get(params, "N"));
    r = json_integer_value(json_object_get(params, "r"));
    p = json_integer_value(json_object_get(params, "p"));
    if ((n != 32768 && n != 65536 && n != 131072) || r != SCRYPT_R ||
        p != SCRYPT_P) {
        rc = sg_error_set(SG_EUNSUPPORTED,
                          "encrypted key: scrypt parameters N=%lld r=%lld "
                          "p=%lld are not accepted (N must be 32768, 65536 or "
                          "131072 with r=8 p=1, as cosign requires)",
                          (long long)n, (long long)r, (long long)p);
        goto done;
    }
    rc = b64_field(&salt, kdf, "salt", "kdf");
    if (!rc)
        rc = b64_field(&nonce, cipher, "nonce", "cipher");
    if (!rc)
        rc = b64_field(&ct, root, "ciphertext", "key");
    if (rc)
        goto done;
    if (nonce.len != crypto_secretbox_NONCEBYTES) {
        rc = sg_error_set(SG_EPARSE, "encrypted key: nonce must be 24 bytes");
        goto done;
    }
    if (ct.len < crypto_secretbox_MACBYTES + 1) {
        rc = sg_error_set(SG_EPARSE, "encrypted key: ciphertext too short");
        goto done;
    }
    rc = scrypt_key(key, password, pw_len, (unsigned char *)salt.data, salt.len,
                    (uint64_t)n);
    if (rc)
        goto done;
    rc = sg_buf_grow(plain, ct.len - crypto_secretbox_MACBYTES);
    if (rc)
        goto done;
    /* secretbox authenticates before it decrypts (Poly1305 over the
     * ciphertext): a wrong password and a tampered file look the same,
     * and no unauthenticated plaintext ever reaches the PKCS#8 parser. */
    if (crypto_secretbox_open_easy((unsigned char *)plain->data,
                                   (unsigned char *)ct.data, ct.len,
                                   (unsigned char *)nonce.data, key) != 0) {
        rc = sg_error_set(SG_EAUTH, "incorrect password for private key");
        goto done;
    }
    plain->len = ct.len - crypto_secretbox_MACBYTES;
    plain->data[plain->len] = '\0';
done:
    sg_wipe(key, sizeof(key));
    json_decref(root);
    sg_buf_release(&salt);
    sg_buf_release(&nonce);
    sg_buf_release(&ct);
    return rc;
}

/* An ASN.1 INTEGER in [1, max], or -1. */
static long asn1_small(const ASN1_INTEGER *i, long max)
{
    long v = i ? ASN1_INTEGER_get(i) : -1;
    return v >= 1 && v <= max ? v : -1;
}

/* Refuse an encrypted PKCS#8 key whose KDF work factor is absurd (a key
 * file that would keep OpenSSL busy for hours). Anything this cannot
 * decode is left to OpenSSL to report. The structure (RFC 5958 §3,
 * EncryptedPrivateKeyInfo) is an X509_SIG to OpenSSL: the algorithm is
 * either a PKCS#5 v1 / PKCS#12 PBE scheme with its iteration count, or
 * PBES2 (RFC 8018 §6.2) naming PBKDF2 (iterations) or scrypt (RFC 7914
 * §7: N, r, p). Each count goes through asn1_small() first, so a huge
 * or negative ASN.1 INTEGER cannot wrap the products below. */
static sg_err check_pkcs8_work(const char *body, size_t body_len)
{
    struct sg_buf der = SG_BUF_INIT(KEY_FILE_MAX);
    const unsigned char *p;
    X509_SIG *sig = NULL;
    const X509_ALGOR *alg = NULL;
    PBE2PARAM *pbe2 = NULL;
    PBKDF2PARAM *kdf = NULL;
    PBEPARAM *pbe = NULL;
    SCRYPT_PARAMS *sp = NULL;
    sg_err rc = SG_OK;

    if (sg_base64_decode(&der, body, body_len) != SG_OK || der.len > LONG_MAX) {
        sg_error_clear();
        goto done;
    }
    p = (const unsigned char *)der.data;
    sig = d2i_X509_SIG(NULL, &p, (long)der.len);
    if (!sig)
        goto done;
    X509_SIG_get0(sig, &alg, NULL);
    if (OBJ_obj2nid(alg->algorithm) != NID_pbes2) {
        /* PKCS#5 v1 / PKCS#12 PBE: {salt, iterations} */
        pbe =
            ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter);
        if (pbe && asn1_small(pbe->iter, PKCS8_ITER_MAX) < 0)
            rc = SG_ELIMIT;
        goto done;
    }
    pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
    if (!pbe2 || !pbe2->keyfunc)
        goto done;
    if (OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_pbkdf2) {
        kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
                                        pbe2->keyfunc->parameter);
        if (kdf && asn1_small(kdf->iter, PKCS8_ITER_MAX) < 0)
            rc = SG_ELIMIT;
    } else if (OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_scrypt) {
        long n, r, q;
        sp = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(SCRYPT_PARAMS),
                                       pbe2->keyfunc->parameter);
        if (!sp)
            goto done;
        n = asn1_small(sp->costParameter, PKCS8_SCRYPT_MAX);
        r = asn1_small(sp->blockSize, PKCS8_SCRYPT_MAX);
        q = asn1_small(sp->parallelizationParameter, PKCS8_SCRYPT_MAX);
        if (n < 0 || r < 0 || q < 0 || r * q > PKCS8_SCRYPT_MAX / n)
            rc = SG_ELIMIT;
    }
done:
    if (rc)
        rc = sg_error_set(rc,
                          "encrypted private key: key derivation work factor "
                          "above the limit (PBKDF2 iterations %ld, scrypt "
                          "N*r*p %ld)",
                          PKCS8_ITER_MAX, PKCS8_SCRYPT_MAX);
    SCRYPT_PARAMS_free(sp);
    PBEPARAM_free(pbe);
    PBKDF2PARAM_free(kdf);
    PBE2PARAM_free(pbe2);
    X509_SIG_free(sig);
    sg_buf_release(&der);
    ERR_clear_error();
    return rc;
}

static sg_err load_cosign_key(EVP_PKEY **out,
                              const char *body,
                              size_t body_len,
                              const char *password,
                              size_t pw_len)
{
    struct sg_buf json = SG_BUF_INIT(KEY_FILE_MAX),
                  plain = SG_BUF_INIT(KEY_FILE_MAX);
    sg_err rc;

    rc = sg_base64_decode(&json, body, body_len);
    if (rc) {
        rc = sg_error_set(SG_EPARSE, "encrypted key: invalid base64 body");
        goto done;
    }
    rc = sg_sign__decrypt_cosign_key(&plain, json.data, json.len, password,
                                     pw_len);
    if (!rc)
        rc = pkcs8_decode(out, (unsigned char *)plain.data, plain.len);
done:
    if (plain.cap)
        sg_wipe(plain.data, plain.cap);
    sg_buf_release(&plain);
    sg_buf_release(&json);
    return rc;
}

struct pw_ctx {
    const char *pw;
    size_t len;
    int asked;
};

/* OpenSSL's password callback: copies the password the caller gave (no
 * prompting in the library) and records that one was asked for, which
 * is how a wrong password is told from a broken file. A password longer
 * than OpenSSL's buffer fails rather than being cut: a truncated
 * password that happened to work would be a surprise. */
static int pem_pw_cb(char *buf, int size, int rwflag, void *u)
{
    struct pw_ctx *c = u;

    (void)rwflag;
    c->asked = 1;
    if (!c->pw || size < 0 || c->len > (size_t)size)
        return -1;
    memcpy(buf, c->pw, c->len);
    return (int)c->len;
}

/* A private key whose embedded public half does not belong to it would
 * sign things its own public key rejects: refuse it at load time. */
static sg_err check_pair(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok;

    if (!ctx)
        return sg_error_oom();
    ok = EVP_PKEY_pairwise_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (!ok)
        return sg_error_set(SG_EPARSE,
                            "private key is inconsistent (its public part "
                            "does not match)");
    return SG_OK;
}

static sg_err new_private(struct sg_sign_key **out, EVP_PKEY *pkey)
{
    sg_err rc = check_pair(pkey);

    if (rc) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    return new_key(out, pkey, 1, 0);
}

sg_err sg_sign_key_load_private(struct sg_sign_key **out,
                                const void *pem,
                                size_t len,
                                const char *password,
                                size_t pw_len)
{
    char label[64];
    const char *body;
    size_t body_len;
    EVP_PKEY *pkey = NULL;
    BIO *bio;
    struct pw_ctx pc = { password, pw_len, 0 };
    sg_err rc;

    *out = NULL;
    rc = pem_block(pem, len, label, sizeof(label), &body, &body_len);
    if (rc)
        return rc;
    if (strcmp(label, COSIGN_LABEL_SIGSTORE) == 0 ||
        strcmp(label, COSIGN_LABEL_COSIGN) == 0) {
        rc = load_cosign_key(&pkey, body, body_len, password, pw_len);
        if (rc)
            return rc;
        return new_private(out, pkey);
    }
    if (strcmp(label, "PRIVATE KEY") != 0 &&
        strcmp(label, "EC PRIVATE KEY") != 0 &&
        strcmp(label, "RSA PRIVATE KEY") != 0 &&
        strcmp(label, "ENCRYPTED PRIVATE KEY") != 0)
        return sg_error_set(SG_EUNSUPPORTED,
                            "unsupported PEM type '%s' for a private key",
                            label);
    if (len > INT_MAX)
        return sg_error_set(SG_ELIMIT, "key too large");
    /* OpenSSL would run the file's KDF inside PEM_read_bio_PrivateKey,
     * with no way to bound it there: check the parameters first. */
    if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
        rc = check_pkcs8_work(body, body_len);
        if (rc)
            return rc;
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return sg_error_oom();
    pkey = PEM_read_bio_PrivateKey(bio, NULL, pem_pw_cb, &pc);
    BIO_free(bio);
    if (!pkey) {
        /* OpenSSL's error for a wrong password is a generic decrypt
         * failure; "it asked for a password and then failed" is the
         * only reliable sign of it, and EAUTH tells the caller it was the
         * password, not the file. */
        if (pc.asked && strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
            ERR_clear_error();
            return sg_error_set(SG_EAUTH, "incorrect password for private key");
        }
        return sg_error_openssl("private key");
    }
    rc = check_key_type(pkey);
    if (rc) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    return new_private(out, pkey);
}

sg_err
sg_sign_key_load_public(struct sg_sign_key **out, const void *pem, size_t len)
{
    char label[64];
    const char *body;
    size_t body_len;
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    BIO *bio;
    int is_cert;
    sg_err rc;

    *out = NULL;
    rc = pem_block(pem, len, label, sizeof(label), &body, &body_len);
    if (rc)
        return rc;
    /* A certificate is accepted only for its public key: nothing here
     * checks its chain, validity or identity (that is keyless
     * verification's job, not a key loader's), so callers must not treat
     * a certificate-backed key as more trusted than a bare one. */
    is_cert = strcmp(label, "CERTIFICATE") == 0;
    if (!is_cert && strcmp(label, "PUBLIC KEY") != 0)
        return sg_error_set(SG_EUNSUPPORTED,
                            "unsupported PEM type '%s' (a PUBLIC KEY or "
                            "CERTIFICATE is required)",
                            label);
    /* OpenSSL reads the first PEM block whose label it wants; that is
     * the block pem_block() found first, whose label was just checked.
     * The (int) cast is safe: pem_block() bounded len by KEY_FILE_MAX. */
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return sg_error_oom();
    if (is_cert) {
        cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        if (cert)
            pkey = X509_get_pubkey(cert);
        X509_free(cert);
    } else {
        pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    }
    BIO_free(bio);
    if (!pkey)
        return sg_error_openssl(is_cert ? "certificate" : "public key");
    rc = check_key_type(pkey);
    if (rc) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    return new_key(out, pkey, 0, is_cert);
}

/* cosign generate-key-pair's key type: ECDSA P-256, which every cosign
 * verifier and policy engine accepts. */
sg_err sg_sign_key_generate(struct sg_sign_key **out)
{
    EVP_PKEY *pkey = EVP_EC_gen("P-256");

    *out = NULL;
    if (!pkey)
        return sg_error_openssl("generate P-256 key");
    return new_key(out, pkey, 1, 0);
}

sg_err sg_sign_key_public_der(struct sg_buf *out, const struct sg_sign_key *k)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k->pkey, &der);
    sg_err rc;

    if (n <= 0)
        return sg_error_openssl("public key");
    rc = sg_buf_add(out, der, (size_t)n);
    OPENSSL_free(der);
    return rc;
}

static sg_err bio_to_buf(struct sg_buf *out, BIO *bio)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);

    if (n < 0)
        return sg_error_openssl("BIO");
    return sg_buf_add(out, p, (size_t)n);
}

sg_err sg_sign_key_public_pem(struct sg_buf *out, const struct sg_sign_key *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    sg_err rc;

    if (!bio)
        return sg_error_oom();
    if (PEM_write_bio_PUBKEY(bio, k->pkey) != 1)
        rc = sg_error_openssl("public key PEM");
    else
        rc = bio_to_buf(out, bio);
    BIO_free(bio);
    return rc;
}

/* PEM-armour `der` under `label`, 64 base64 characters per line (the
 * strict form of RFC 7468 §3, which cosign and every PEM reader accept). */
static sg_err
pem_armour(struct sg_buf *out, const char *label, const void *der, size_t len)
{
    struct sg_buf b64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    rc = sg_base64_encode(&b64, der, len);
    if (!rc)
        rc = sg_buf_addf(out, "-----BEGIN %s-----\n", label);
    for (size_t i = 0; !rc && i < b64.len; i += 64) {
        size_t n = b64.len - i < 64 ? b64.len - i : 64;
        rc = sg_buf_add(out, b64.data + i, n);
        if (!rc)
            rc = sg_buf_addc(out, '\n');
    }
    if (!rc)
        rc = sg_buf_addf(out, "-----END %s-----\n", label);
    sg_buf_release(&b64);
    return rc;
}

static sg_err b64_str(char **out, const void *p, size_t len)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = sg_base64_encode(&b, p, len);

    if (!rc)
        rc = sg_buf_take(out, NULL, &b);
    sg_buf_release(&b);
    return rc;
}

sg_err sg_sign__encrypt_with(struct sg_buf *out,
                             const struct sg_sign_key *k,
                             const char *password,
                             size_t pw_len,
                             uint64_t n)
{
    unsigned char salt[SALT_LEN], nonce[crypto_secretbox_NONCEBYTES];
    unsigned char key[32];
    unsigned char *der = NULL, *ct = NULL;
    char *salt_b64 = NULL, *nonce_b64 = NULL, *ct_b64 = NULL;
    struct sg_buf json = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *kj = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    int der_len;
    sg_err rc;

    if (!k->is_private)
        return sg_error_set(SG_EINVAL, "not a private key");
    if (sodium_init() < 0)
        return sg_error_set(SG_ECRYPTO, "libsodium initialisation failed");
    p8 = EVP_PKEY2PKCS8(k->pkey);
    if (!p8)
        return sg_error_openssl("PKCS#8 encoding");
    der_len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (der_len <= 0)
        return sg_error_openssl("PKCS#8 encoding");
    /* A fresh salt and nonce per file: secretbox (XSalsa20) must never
     * reuse a nonce under one key, and the key is derived from a
     * password that may well be reused across files. */
    if (RAND_bytes(salt, sizeof(salt)) != 1 ||
        RAND_bytes(nonce, sizeof(nonce)) != 1) {
        rc = sg_error_openssl("random");
        goto done;
    }
    rc = scrypt_key(key, password, pw_len, salt, sizeof(salt), n);
    if (rc)
        goto done;
    ct = malloc((size_t)der_len + crypto_secretbox_MACBYTES);
    if (!ct) {
        rc = sg_error_oom();
        goto done;
    }
    crypto_secretbox_easy(ct, der, (unsigned long long)der_len, nonce, key);
    rc = b64_str(&salt_b64, salt, sizeof(salt));
    if (!rc)
        rc = b64_str(&nonce_b64, nonce, sizeof(nonce));
    if (!rc)
        rc = b64_str(&ct_b64, ct, (size_t)der_len + crypto_secretbox_MACBYTES);
    if (!rc) {
        /* cosign's encrypted key JSON (Go field order), compact. */
        kj = json_pack("{s:{s:s,s:{s:I,s:i,s:i},s:s},s:{s:s,s:s},s:s}", "kdf",
                       "name", "scrypt", "params", "N", (json_int_t)n, "r",
                       SCRYPT_R, "p", SCRYPT_P, "salt", salt_b64, "cipher",
                       "name", "nacl/secretbox", "nonce", nonce_b64,
                       "ciphertext", ct_b64);
        rc = sg_json_dump_buf(&json, kj, 0);
    }
    if (!rc)
        rc = pem_armour(out, COSIGN_LABEL_SIGSTORE, json.data, json.len);
done:
    sg_wipe(key, sizeof(key));
    if (der) {
        sg_wipe(der, (size_t)der_len);
        OPENSSL_free(der);
    }
    free(ct);
    free(salt_b64);
    free(nonce_b64);
    free(ct_b64);
    json_decref(kj);
    sg_buf_release(&json);
    return rc;
}

sg_err sg_sign_key_encrypt(struct sg_buf *out,
                           const struct sg_sign_key *k,
                           const char *password,
                           size_t pw_len)
{
    return sg_sign__encrypt_with(out, k, password, pw_len, SCRYPT_N_NEW);
}

sg_err sg_sign_key_private_pem(struct sg_buf *out, const struct sg_sign_key *k)
{
    BIO *bio;
    sg_err rc;
    char *p = NULL;
    long n;

    if (!k->is_private)
        return sg_error_set(SG_EINVAL, "not a private key");
    bio = BIO_new(BIO_s_mem());
    if (!bio)
        return sg_error_oom();
    if (PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL,
                                      NULL) != 1) {
        rc = sg_error_openssl("private key PEM");
    } else {
        rc = bio_to_buf(out, bio);
    }
    /* The memory BIO held the key unencrypted and BIO_free() does not
     * clear it: wipe it first (the caller owns, and wipes, `out`). */
    n = BIO_get_mem_data(bio, &p);
    if (n > 0 && p)
        sg_wipe(p, (size_t)n);
    BIO_free(bio);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Sign / verify                                                        */

/* The digest cosign uses when signing with this key (NULL: Ed25519, which
 * hashes internally: RFC 8032 PureEdDSA signs the message itself, and
 * OpenSSL requires a NULL digest for it in EVP_DigestSign*). RSA is
 * PKCS#1 v1.5 with SHA-256, OpenSSL's default padding and cosign's. */
static const EVP_MD *sign_md(const EVP_PKEY *pkey)
{
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519)
        return NULL;
    /* ECDSA of every curve: SHA-256, what cosign verify, Kyverno and
     * policy-controller check by default (cosign-format.md §1.3). */
    return EVP_sha256();
}

sg_err sg_sign_key_sign(struct sg_buf *sig_out,
                        const struct sg_sign_key *k,
                        const void *msg,
                        size_t len)
{
    EVP_MD_CTX *ctx;
    size_t n = 0;
    sg_err rc = SG_OK;

    if (!k->is_private)
        return sg_error_set(SG_EINVAL, "signing needs a private key");
    ctx = EVP_MD_CTX_new();
    if (!ctx)
        return sg_error_oom();
    /* Two calls: the first asks for the maximum signature size (ECDSA
     * DER signatures vary by a few bytes), the second signs into the
     * grown buffer and reports the real length. */
    if (EVP_DigestSignInit(ctx, NULL, sign_md(k->pkey), NULL, k->pkey) != 1 ||
        EVP_DigestSign(ctx, NULL, &n, msg, len) != 1) {
        rc = sg_error_openssl("sign");
        goto done;
    }
    rc = sg_buf_grow(sig_out, n);
    if (rc)
        goto done;
    if (EVP_DigestSign(ctx, (unsigned char *)sig_out->data + sig_out->len, &n,
                       msg, len) != 1) {
        rc = sg_error_openssl("sign");
        goto done;
    }
    sig_out->len += n;
    sig_out->data[sig_out->len] = '\0';
done:
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* 1 valid, 0 not (any OpenSSL failure, a malformed DER signature
 * included: to a verifier they are all "not verified"), -1 out of
 * memory. The error queue is always drained: a failed verification is
 * an answer, and a stale OpenSSL error must not leak into the next
 * message. */
static int verify_md(EVP_PKEY *pkey,
                     const EVP_MD *md,
                     const void *msg,
                     size_t len,
                     const void *sig,
                     size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = 0;

    if (!ctx)
        return -1;
    if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1)
        ok = EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

sg_err sg_sign_key_verify(const struct sg_sign_key *k,
                          const void *msg,
                          size_t len,
                          const void *sig,
                          size_t sig_len)
{
    char g[64];
    int ok;

    if (!sig_len)
        return sg_error_set(SG_EVERIFY, "empty signature");
    ok = verify_md(k->pkey, sign_md(k->pkey), msg, len, sig, sig_len);
    if (ok < 0)
        return sg_error_oom();
    if (!ok && EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_EC) {
        /* cosign sign picks SHA-384/SHA-512 for P-384/P-521 keys. We
         * sign with SHA-256 (what verifiers expect by default) but
         * accept both: the second try is only for curves where cosign
         * itself would have used the larger hash, so it widens nothing
         * beyond what cosign produces. */
        ec_group(k->pkey, g, sizeof(g));
        if (strcmp(g, "secp384r1") == 0)
            ok = verify_md(k->pkey, EVP_sha384(), msg, len, sig, sig_len);
        else if (strcmp(g, "secp521r1") == 0)
            ok = verify_md(k->pkey, EVP_sha512(), msg, len, sig, sig_len);
    }
    if (ok == 1)
        return SG_OK;
    return sg_error_set(SG_EVERIFY,
                        "signature does not verify with the given %s key",
                        sg_sign_key_type(k));
}
