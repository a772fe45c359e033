/*
 * Sigstore trusted root (protobuf-specs TrustedRoot, JSON form): Fulcio
 * CAs, Rekor logs (v1 ECDSA, v2 Ed25519), CT logs and timestamp
 * authorities, each with validFor {start required, end inclusive}.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/x509.h>
#include "sigstore_int.h"

int sg_sigstore_range_has(const struct sg_sigstore_range *r, int64_t t)
{
    return t >= r->start && (!r->has_end || t <= r->end);
}

sg_err sg_sigstore_time_parse(int64_t *out, const char *s)
{
    struct tm tm;
    int y, mo, d, h, mi, se;
    size_t n = s ? strlen(s) : 0;
    const char *p;
    time_t t;

    if (n < 20 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        return sg_error_set(SG_EPARSE, "bad RFC 3339 time");
    for (size_t i = 0; i < 19; i++)
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 &&
            (s[i] < '0' || s[i] > '9'))
            return sg_error_set(SG_EPARSE, "bad RFC 3339 time");
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    mo = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    h = (s[11] - '0') * 10 + (s[12] - '0');
    mi = (s[14] - '0') * 10 + (s[15] - '0');
    se = (s[17] - '0') * 10 + (s[18] - '0');
    p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return sg_error_set(SG_EPARSE, "bad RFC 3339 time");
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if ((*p != 'Z' && *p != 'z') || p[1] || mo < 1 || mo > 12 || d < 1 ||
        d > 31 || h > 23 || mi > 59 || se > 60)
        return sg_error_set(SG_EPARSE, "bad RFC 3339 time (UTC 'Z' only)");
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    t = timegm(&tm);
    *out = (int64_t)t;
    return SG_OK;
}

/* The SPKI headers of the keys public-good roots carry: ECDSA P-256 and
 * P-384 (named curve, uncompressed point) and Ed25519. Building those
 * from their raw bytes skips OpenSSL 3.0's generic decoder set-up (about
 * a million instructions per key); any other SPKI takes d2i_PUBKEY. */
static const unsigned char spki_p256[] = { 0x30, 0x59, 0x30, 0x13, 0x06, 0x07,
                                           0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
                                           0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                           0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
                                           0x42, 0x00, 0x04 };
static const unsigned char spki_p384[] = { 0x30, 0x76, 0x30, 0x10, 0x06, 0x07,
                                           0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
                                           0x01, 0x06, 0x05, 0x2b, 0x81, 0x04,
                                           0x00, 0x22, 0x03, 0x62, 0x00, 0x04 };
static const unsigned char spki_ed25519[] = { 0x30, 0x2a, 0x30, 0x05,
                                              0x06, 0x03, 0x2b, 0x65,
                                              0x70, 0x03, 0x21, 0x00 };

static EVP_PKEY *
key_ec(const char *group, const unsigned char *point, size_t len)
{
    OSSL_PARAM params[3];
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                 (char *)(uintptr_t)group, 0);
    params[1] = OSSL_PARAM_construct_octet_string(
        OSSL_PKEY_PARAM_PUB_KEY, (void *)(uintptr_t)point, len);
    params[2] = OSSL_PARAM_construct_end();
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
        k = NULL;
    EVP_PKEY_CTX_free(ctx);
    return k;
}

static EVP_PKEY *key_known_spki(const unsigned char *der, size_t len)
{
    if (len == sizeof(spki_p256) + 64 &&
        !memcmp(der, spki_p256, sizeof(spki_p256)))
        return key_ec("P-256", der + sizeof(spki_p256) - 1, 65);
    if (len == sizeof(spki_p384) + 96 &&
        !memcmp(der, spki_p384, sizeof(spki_p384)))
        return key_ec("P-384", der + sizeof(spki_p384) - 1, 97);
    if (len == sizeof(spki_ed25519) + 32 &&
        !memcmp(der, spki_ed25519, sizeof(spki_ed25519)))
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
                                           der + sizeof(spki_ed25519), 32);
    return NULL;
}

sg_err sg_sigstore_key_der(EVP_PKEY **out, const unsigned char *der, size_t len)
{
    const unsigned char *p = der;

    *out = key_known_spki(der, len);
    if (*out)
        return SG_OK;
    *out = d2i_PUBKEY(NULL, &p, (long)len);
    if (*out && p == der + len)
        return SG_OK;
    EVP_PKEY_free(*out);
    p = der;
    *out = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
    if (*out && p == der + len)
        return SG_OK;
    EVP_PKEY_free(*out);
    *out = NULL;
    return sg_error_set(SG_EPARSE, "not an SPKI or PKCS#1 RSA public key");
}

/* der is exactly one DER SEQUENCE (definite length): the cheap check
 * done at parse time; the full decode happens on first use. */
static int der_is_one_sequence(const unsigned char *der, size_t len)
{
    size_t n, body;

    if (len < 2 || der[0] != 0x30)
        return 0;
    if (der[1] < 0x80)
        return (size_t)der[1] + 2 == len;
    n = der[1] & 0x7f;
    if (n == 0 || n > 4 || len < 2 + n || der[2] == 0)
        return 0;
    body = 0;
    for (size_t i = 0; i < n; i++)
        body = (body << 8) | der[2 + i];
    return body >= 0x80 && body == len - 2 - n;
}

static sg_err
dup_bytes(unsigned char **out, size_t *out_len, const void *p, size_t len)
{
    *out = malloc(len ? len : 1);
    if (!*out)
        return sg_error_oom();
    if (len)
        memcpy(*out, p, len);
    *out_len = len;
    return SG_OK;
}

static sg_err b64_field(struct sg_buf *out, const json_t *s, const char *what)
{
    if (!json_is_string(s) || json_string_length(s) == 0)
        return sg_error_set(SG_EPARSE, "%s: missing base64 string", what);
    sg_buf_reset(out);
    if (sg_base64_decode(out, json_string_value(s), json_string_length(s)))
        return sg_error_prefix(SG_EPARSE, "%s", what);
    return SG_OK;
}

static sg_err
parse_range(struct sg_sigstore_range *r, const json_t *v, const char *what)
{
    const json_t *e;

    if (!json_is_object(v) || !json_is_string(json_object_get(v, "start")))
        return sg_error_set(SG_EPARSE, "%s: validFor.start is required", what);
    if (sg_sigstore_time_parse(&r->start,
                               json_string_value(json_object_get(v, "start"))))
        return sg_error_prefix(SG_EPARSE, "%s: validFor.start", what);
    e = json_object_get(v, "end");
    r->has_end = 0;
    if (e && !json_is_null(e)) {
        if (!json_is_string(e) ||
            sg_sigstore_time_parse(&r->end, json_string_value(e)))
            return sg_error_set(SG_EPARSE, "%s: bad validFor.end", what);
        r->has_end = 1;
    }
    return SG_OK;
}

static sg_err
parse_log(struct sg_sigstore_log *l, const json_t *j, const char *what)
{
    struct sg_buf b = SG_BUF_INIT(1u << 16);
    const json_t *pk = json_object_get(j, "publicKey");
    const json_t *url = json_object_get(j, "baseUrl");
    sg_err rc;

    if (!json_is_object(j) || !json_is_object(pk)) {
        rc = sg_error_set(SG_EPARSE, "%s: publicKey missing", what);
        goto done;
    }
    rc = b64_field(&b, json_object_get(json_object_get(j, "logId"), "keyId"),
                   what);
    if (rc)
        goto done;
    if (b.len == 0 || b.len > sizeof(l->id)) {
        rc = sg_error_set(SG_EPARSE, "%s: logId.keyId length %zu", what, b.len);
        goto done;
    }
    memcpy(l->id, b.data, b.len);
    l->id_len = b.len;
    rc = parse_range(&l->valid, json_object_get(pk, "validFor"), what);
    if (rc)
        goto done;
    rc = b64_field(&b, json_object_get(pk, "rawBytes"), what);
    if (!rc && !der_is_one_sequence((unsigned char *)b.data, b.len))
        rc = sg_error_set(SG_EPARSE, "not an SPKI or PKCS#1 RSA public key");
    if (!rc)
        rc = dup_bytes(&l->der, &l->der_len, b.data, b.len);
    if (rc) {
        rc = sg_error_prefix(rc, "%s: publicKey", what);
        goto done;
    }
    if (json_is_string(url)) {
        l->base_url = strdup(json_string_value(url));
        if (!l->base_url)
            rc = sg_error_oom();
    }
done:
    sg_buf_release(&b);
    return rc;
}

static sg_err
parse_ca(struct sg_sigstore_ca *c, const json_t *j, const char *what)
{
    struct sg_buf b = SG_BUF_INIT(1u << 20);
    struct sg_buf all = SG_BUF_INIT(SG_SIGSTORE_ROOT_MAX);
    const json_t *certs =
        json_object_get(json_object_get(j, "certChain"), "certificates");
    sg_err rc = SG_OK;

    if (!json_is_array(certs) || json_array_size(certs) == 0 ||
        json_array_size(certs) > SG_SIGSTORE_CHAIN_MAX) {
        rc = sg_error_set(SG_EPARSE, "%s: certChain.certificates: 1..%u", what,
                          SG_SIGSTORE_CHAIN_MAX);
        goto done;
    }
    for (size_t i = 0; i < json_array_size(certs); i++) {
        rc = b64_field(
            &b, json_object_get(json_array_get(certs, i), "rawBytes"), what);
        if (rc)
            goto done;
        if (!der_is_one_sequence((unsigned char *)b.data, b.len)) {
            rc = sg_error_set(SG_EPARSE, "%s: certificate %zu is not DER", what,
                              i);
            goto done;
        }
        c->off[i] = all.len;
        rc = sg_buf_add(&all, b.data, b.len);
        if (rc)
            goto done;
        c->n_certs = i + 1;
        c->off[i + 1] = all.len;
    }
    rc = dup_bytes(&c->der, &b.len, all.data, all.len);
    if (!rc)
        rc = parse_range(&c->valid, json_object_get(j, "validFor"), what);
done:
    sg_buf_release(&b);
    sg_buf_release(&all);
    return rc;
}

static sg_err parse_list(void **arr,
                         size_t *n,
                         size_t elem,
                         const json_t *root,
                         const char *key,
                         int is_ca)
{
    const json_t *a = json_object_get(root, key);
    char what[64];
    sg_err rc = SG_OK;

    if (!a)
        return SG_OK;
    if (!json_is_array(a) || json_array_size(a) > SG_SIGSTORE_ITEMS_MAX)
        return sg_error_set(SG_EPARSE,
                            "trusted root: %s: not an array of <= %u", key,
                            SG_SIGSTORE_ITEMS_MAX);
    *arr = calloc(json_array_size(a) + 1, elem);
    if (!*arr)
        return sg_error_oom();
    for (size_t i = 0; !rc && i < json_array_size(a); i++) {
        snprintf(what, sizeof(what), "trusted root: %s[%zu]", key, i);
        *n = i + 1;
        if (is_ca)
            rc = parse_ca((struct sg_sigstore_ca *)*arr + i,
                          json_array_get(a, i), what);
        else
            rc = parse_log((struct sg_sigstore_log *)*arr + i,
                           json_array_get(a, i), what);
    }
    return rc;
}

sg_err sg_sigstore_trust_parse(struct sg_sigstore_trust **out,
                               const void *data,
                               size_t len)
{
    struct sg_sigstore_trust *t = NULL;
    json_t *root = NULL;
    const char *mt;
    sg_err rc;

    *out = NULL;
    rc = sg_json_parse(&root, data, len, SG_SIGSTORE_ROOT_MAX, 0,
                       "trusted root");
    if (rc)
        return rc;
    mt = json_string_value(json_object_get(root, "mediaType"));
    if (!mt || strncmp(mt, "application/vnd.dev.sigstore.trustedroot",
                       strlen("application/vnd.dev.sigstore.trustedroot"))) {
        rc = sg_error_set(SG_EUNSUPPORTED,
                          "trusted root: mediaType is not a TrustedRoot");
        goto done;
    }
    t = calloc(1, sizeof(*t));
    if (!t) {
        rc = sg_error_oom();
        goto done;
    }
    rc = parse_list((void **)&t->tlogs, &t->n_tlogs, sizeof(*t->tlogs), root,
                    "tlogs", 0);
    if (!rc)
        rc = parse_list((void **)&t->ctlogs, &t->n_ctlogs, sizeof(*t->ctlogs),
                        root, "ctlogs", 0);
    if (!rc)
        rc = parse_list((void **)&t->cas, &t->n_cas, sizeof(*t->cas), root,
                        "certificateAuthorities", 1);
    if (!rc)
        rc = parse_list((void **)&t->tsas, &t->n_tsas, sizeof(*t->tsas), root,
                        "timestampAuthorities", 1);
    if (rc)
        goto done;
    *out = t;
    t = NULL;
done:
    sg_sigstore_trust_free(t);
    json_decref(root);
    return rc;
}

sg_err sg_sigstore_trust_load(struct sg_sigstore_trust **out, const char *path)
{
    struct sg_buf b = SG_BUF_INIT(SG_SIGSTORE_ROOT_MAX);
    sg_err rc;

    *out = NULL;
    rc = sg_file_read(&b, path, SG_SIGSTORE_ROOT_MAX);
    if (!rc)
        rc = sg_sigstore_trust_parse(out, b.data, b.len);
    if (rc)
        rc = sg_error_prefix(rc, "%s", path);
    sg_buf_release(&b);
    return rc;
}

static void free_logs(struct sg_sigstore_log *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++) {
        EVP_PKEY_free(atomic_load(&l[i].key));
        free(l[i].base_url);
        free(l[i].der);
    }
    free(l);
}

static void free_cas(struct sg_sigstore_ca *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++) {
        sk_X509_pop_free(atomic_load(&c[i].chain), X509_free);
        free(c[i].der);
    }
    free(c);
}

void sg_sigstore_trust_free(struct sg_sigstore_trust *t)
{
    if (!t)
        return;
    free_logs(t->tlogs, t->n_tlogs);
    free_logs(t->ctlogs, t->n_ctlogs);
    free_cas(t->cas, t->n_cas);
    free_cas(t->tsas, t->n_tsas);
    free(t);
}

const struct sg_sigstore_log *sg_sigstore_trust_tlog(
    const struct sg_sigstore_trust *t, const unsigned char *id, size_t id_len)
{
    for (size_t i = 0; i < t->n_tlogs; i++)
        if (t->tlogs[i].id_len == id_len && !memcmp(t->tlogs[i].id, id, id_len))
            return &t->tlogs[i];
    return NULL;
}

sg_err sg_sigstore_log_key(EVP_PKEY **out, const struct sg_sigstore_log *l)
{
    /* The cache is the one mutable part of a trust object (always heap
     * allocated, never const itself). */
    struct sg_sigstore_log *m = (struct sg_sigstore_log *)(uintptr_t)l;
    EVP_PKEY *k = atomic_load(&m->key), *expected = NULL;
    sg_err rc;

    *out = k;
    if (k)
        return SG_OK;
    if (!l->der)
        return sg_error_set(SG_EPARSE, "trusted root: log has no key");
    rc = sg_sigstore_key_der(&k, l->der, l->der_len);
    if (rc)
        return sg_error_prefix(rc, "trusted root: log key");
    if (!atomic_compare_exchange_strong(&m->key, &expected, k)) {
        EVP_PKEY_free(k); /* another thread decoded it first */
        k = expected;
    }
    *out = k;
    return SG_OK;
}

sg_err sg_sigstore_ca_chain(STACK_OF(X509) * *out,
                            const struct sg_sigstore_ca *c)
{
    struct sg_sigstore_ca *m = (struct sg_sigstore_ca *)(uintptr_t)c;
    STACK_OF(X509) *chain = atomic_load(&m->chain), *expected = NULL;
    sg_err rc = SG_OK;

    *out = chain;
    if (chain)
        return SG_OK;
    chain = sk_X509_new_null();
    if (!chain)
        return sg_error_oom();
    for (size_t i = 0; i < c->n_certs; i++) {
        const unsigned char *p = c->der + c->off[i];
        const unsigned char *end = c->der + c->off[i + 1];
        X509 *x = d2i_X509(NULL, &p, (long)(end - p));

        if (!x || p != end) {
            X509_free(x);
            rc = sg_error_set(SG_EPARSE,
                              "trusted root: CA certificate %zu is not DER", i);
            goto done;
        }
        if (!sk_X509_push(chain, x)) {
            X509_free(x);
            rc = sg_error_oom();
            goto done;
        }
    }
    if (!atomic_compare_exchange_strong(&m->chain, &expected, chain)) {
        sk_X509_pop_free(chain, X509_free); /* decoded by another thread */
        chain = expected;
    }
    *out = chain;
    chain = NULL;
done:
    sk_X509_pop_free(chain, X509_free);
    return rc;
}

int sg_sigstore_ca_mentions(const struct sg_sigstore_ca *c,
                            const unsigned char *name,
                            size_t len)
{
    size_t total = c->n_certs ? c->off[c->n_certs] : 0;

    for (size_t i = 0; len && c->der && i + len <= total; i++)
        if (c->der[i] == name[0] && !memcmp(c->der + i, name, len))
            return 1;
    return 0;
}
