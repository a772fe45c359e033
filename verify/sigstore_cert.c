/*
 * Fulcio certificates: chain to a CA of the trusted root at the signing
 * time, embedded SCTs against the root's CT logs, RFC 3161 timestamps
 * from the root's TSAs, and the identity (SAN, issuer) the cert names.
 *
 * The certificate, its SCTs and the timestamps come from the bundle and
 * are untrusted; only the trusted root's CAs, CT log keys and TSA chains
 * (each with its validFor window) are trusted.
 *
 * Specs: the Sigstore client spec (github.com/sigstore/architecture-docs,
 * client-spec.md, "Verification"), RFC 5280 (path validation, EKU),
 * RFC 6962 §3.1-3.2 (precertificates and SCTs), RFC 3161 (timestamps) and
 * Fulcio's certificate profile and OIDs (github.com/sigstore/fulcio,
 * docs/certificate-specification.md and docs/oid-info.md).
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include "sigstore_int.h"

/* A store trusting `chain` (root last; partial chains allowed: every
 * certificate of the root is a trust anchor) checking at `when`.
 *
 * Why partial chains: the trusted root lists Fulcio's intermediate and
 * root together as one certificate authority, and the trust decision was
 * made when that file was accepted (TUF), not by walking to a
 * self-signed root. Why a fixed time: a Fulcio leaf lives ten minutes,
 * so checking at "now" would reject every signature older than that;
 * RFC 5280 validity is checked at the signing time instead. */
static X509_STORE *store_for(STACK_OF(X509) * chain, int64_t when)
{
    X509_STORE *st = X509_STORE_new();
    X509_VERIFY_PARAM *p = X509_VERIFY_PARAM_new();
    int ok = st && p;

    for (int i = 0; ok && i < sk_X509_num(chain); i++)
        ok = X509_STORE_add_cert(st, sk_X509_value(chain, i)) == 1;
    if (ok) {
        X509_VERIFY_PARAM_set_time(p, (time_t)when);
        X509_VERIFY_PARAM_set_flags(p, X509_V_FLAG_PARTIAL_CHAIN);
        ok = X509_STORE_set1_param(st, p) == 1;
    }
    X509_VERIFY_PARAM_free(p);
    if (!ok) {
        X509_STORE_free(st);
        st = NULL;
    }
    return st;
}

/* Verify the leaf against the trusted root's Fulcio CAs at `when`.
 *
 * `when` must be a time some trusted party vouched for: a Rekor v1 SET's
 * integratedTime or an RFC 3161 timestamp's genTime. An inclusion proof
 * alone is not enough: it proves that the log holds the entry, not
 * when it was added (Rekor v2 entries carry no time at all), and a
 * time the bundle merely claims would let a stolen, long-expired key
 * sign forever. The caller (sigstore_verify.c) passes only such times.
 *
 * CAs rotate: each has its own validFor window in the trusted root, and
 * only CAs valid at `when` are tried. The error reported is the last
 * chain error, or that no CA covered the time at all. */
sg_err sg_sigstore_cert_verify(const struct sg_sigstore_trust *t,
                               X509 *leaf,
                               int64_t when)
{
    const char *why = "no Fulcio CA of the trusted root is valid then";
    int in_window = 0;

    /* Fulcio certificates carry id-kp-codeSigning (RFC 5280 §4.2.1.12).
     * Trap: OpenSSL's X509_get_extended_key_usage() returns all bits set
     * when the extension is absent ("any purpose"), so its presence must
     * be tested first. Anything X509_check_ca() calls a CA (basicConstraints
     * cA, keyCertSign, a self-signed v1 certificate) may not sign artifacts: it
     * could otherwise mint its own leaves. */
    if (!(X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) ||
        !(X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN))
        return sg_error_set(SG_EVERIFY, "certificate lacks the code-signing "
                                        "extended key usage");
    if (X509_check_ca(leaf))
        return sg_error_set(SG_EVERIFY, "signing certificate is a CA");
    for (size_t i = 0; i < t->n_cas; i++) {
        STACK_OF(X509) * chain;
        X509_STORE *st;
        X509_STORE_CTX *ctx;
        int ok = 0, err = 0;

        if (!sg_sigstore_range_has(&t->cas[i].valid, when))
            continue;
        in_window = 1;
        if (sg_sigstore_ca_chain(&chain, &t->cas[i]))
            return sg_error_prefix(SG_EPARSE, "Fulcio CA %zu", i);
        st = store_for(chain, when);
        ctx = X509_STORE_CTX_new();
        if (!st || !ctx) {
            X509_STORE_free(st);
            X509_STORE_CTX_free(ctx);
            return sg_error_oom();
        }
        if (X509_STORE_CTX_init(ctx, st, leaf, chain) == 1) {
            ok = X509_verify_cert(ctx) == 1;
            err = X509_STORE_CTX_get_error(ctx);
        }
        X509_STORE_CTX_free(ctx);
        X509_STORE_free(st);
        if (ok)
            return SG_OK;
        why = X509_verify_cert_error_string(err);
    }
    (void)in_window;
    return sg_error_set(SG_EVERIFY, "certificate chain at the signing time: %s",
                        why);
}

/* ------------------------------------------------------------------ */
/* SCT: RFC 6962 3.2 digitally-signed precert entry                     */

/*
 * Fulcio logs a precertificate to its CT log before issuing, and embeds
 * the log's Signed Certificate Timestamp in the final certificate
 * (extension 1.3.6.1.4.1.11129.2.4.2). The SCT is the CT log's promise
 * that the certificate is public, so a Fulcio that mis-issues cannot do
 * so quietly. The log signed (RFC 6962 §3.2):
 *
 *   digitally-signed struct {
 *       Version sct_version = v1(0);
 *       SignatureType signature_type = certificate_timestamp(0);
 *       uint64 timestamp;                  ms since the epoch
 *       LogEntryType entry_type = precert_entry(1);
 *       opaque issuer_key_hash[32];        SHA-256 of the issuer's SPKI
 *       opaque tbs_certificate<1..2^24-1>;
 *       CtExtensions extensions<0..2^16-1>;
 *   }
 *
 * We never see the precertificate, so its TBSCertificate is rebuilt
 * from the final one: the final TBS minus the SCT list extension is,
 * byte for byte, the precert TBS minus its poison extension (RFC 6962
 * §3.1), provided extension order is kept.
 */

/* The CA certificate that issued leaf. First only the CAs whose DER holds
 * the leaf's issuer name as it is encoded (so the others stay undecoded),
 * then, should the encodings differ, all of them. */
static X509 *find_issuer(const struct sg_sigstore_trust *t, X509 *leaf)
{
    const unsigned char *name = NULL;
    size_t name_len = 0;

    if (X509_NAME_get0_der(X509_get_issuer_name(leaf), &name, &name_len) != 1)
        name = NULL;
    for (int pass = name ? 0 : 1; pass < 2; pass++)
        for (size_t i = 0; i < t->n_cas; i++) {
            STACK_OF(X509) * chain;

            if (pass == 0 &&
                !sg_sigstore_ca_mentions(&t->cas[i], name, name_len))
                continue;
            if (sg_sigstore_ca_chain(&chain, &t->cas[i])) {
                sg_error_clear();
                continue;
            }
            for (int j = 0; j < sk_X509_num(chain); j++) {
                X509 *c = sk_X509_value(chain, j);
                if (X509_check_issued(c, leaf) == X509_V_OK)
                    return c;
            }
        }
    return NULL;
}

/* One DER TLV at p[0..len) (low tag number, minimal definite length of at
 * most three bytes): header and content lengths; 0 if it is not that. */
static int
der_tlv(const unsigned char *p, size_t len, size_t *hdr, size_t *clen)
{
    size_t n, l = 0;

    if (len < 2 || (p[0] & 0x1f) == 0x1f)
        return 0;
    if (p[1] < 0x80) {
        *hdr = 2;
        l = p[1];
    } else {
        n = p[1] & 0x7f;
        if (n == 0 || n > 3 || len < 2 + n || p[2] == 0)
            return 0;
        for (size_t i = 0; i < n; i++)
            l = (l << 8) | p[2 + i];
        if (l < 0x80)
            return 0;
        *hdr = 2 + n;
    }
    if (l > len - *hdr)
        return 0;
    *clen = l;
    return 1;
}

static size_t der_hdr_len(size_t len)
{
    return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : 5;
}

static sg_err der_add_hdr(struct sg_buf *out, unsigned char tag, size_t len)
{
    unsigned char h[5];
    size_t n = der_hdr_len(len);

    h[0] = tag;
    if (n == 2)
        h[1] = (unsigned char)len;
    else
        h[1] = (unsigned char)(0x80 | (n - 2));
    for (size_t i = 2; i < n; i++)
        h[i] = (unsigned char)(len >> (8 * (n - 1 - i)));
    return sg_buf_add(out, h, n);
}

/* RFC 6962 3.2: the precertificate's TBSCertificate is the certificate's
 * with the SCT list extension (1.3.6.1.4.1.11129.2.4.2) removed. Cut it
 * out of the DER (decoding a copy of the certificate costs OpenSSL 3.0
 * over a million instructions for its key alone). 0 when the DER is not
 * as expected: the caller then rebuilds it through OpenSSL. */
static int
precert_tbs_der(struct sg_buf *out, const unsigned char *c, size_t len)
{
    static const unsigned char oid[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
                                         0x01, 0xd6, 0x79, 0x02, 0x04, 0x02 };
    const unsigned char *tbs, *e3 = NULL, *seq = NULL, *cut = NULL;
    size_t h, l, tl, el = 0, sl, cut_len = 0, nsl, nel;

    if (!der_tlv(c, len, &h, &l) || c[0] != 0x30 || h + l != len)
        return 0;
    tbs = c + h;
    if (!der_tlv(tbs, l, &h, &tl) || tbs[0] != 0x30)
        return 0;
    tbs += h;                                      /* TBS content, tl bytes */
    for (size_t off = 0; off < tl; off += h + l) { /* [3] comes last */
        if (!der_tlv(tbs + off, tl - off, &h, &l))
            return 0;
        if (tbs[off] == 0xa3) {
            if (off + h + l != tl)
                return 0;
            e3 = tbs + off;
            el = l;
            seq = e3 + h;
            break;
        }
    }
    if (!e3 || !der_tlv(seq, el, &h, &sl) || seq[0] != 0x30 || h + sl != el)
        return 0;
    seq += h; /* Extensions content, sl bytes */
    for (size_t off = 0; off < sl; off += h + l) {
        if (!der_tlv(seq + off, sl - off, &h, &l) || seq[off] != 0x30)
            return 0;
        if (l >= sizeof(oid) && !memcmp(seq + off + h, oid, sizeof(oid))) {
            if (cut)
                return 0; /* twice: let OpenSSL judge */
            cut = seq + off;
            cut_len = h + l;
        }
    }
    if (!cut || cut_len == sl)
        return 0; /* none (or nothing left): the general path */
    nsl = sl - cut_len;
    nel = der_hdr_len(nsl) + nsl;
    return !der_add_hdr(out, 0x30,
                        (size_t)(e3 - tbs) + der_hdr_len(nel) + nel) &&
           !sg_buf_add(out, tbs, (size_t)(e3 - tbs)) &&
           !der_add_hdr(out, 0xa3, nel) && !der_add_hdr(out, 0x30, nsl) &&
           !sg_buf_add(out, seq, (size_t)(cut - seq)) &&
           !sg_buf_add(out, cut + cut_len, sl - (size_t)(cut - seq) - cut_len);
}

/* The precertificate TBS through OpenSSL: a copy without the extension,
 * re-encoded. */
static sg_err precert_tbs_x509(struct sg_buf *out, X509 *leaf)
{
    X509 *pre = X509_dup(leaf);
    unsigned char *tbs = NULL;
    int n, idx;
    sg_err rc;

    if (!pre)
        return sg_error_oom();
    idx = X509_get_ext_by_NID(pre, NID_ct_precert_scts, -1);
    if (idx >= 0)
        X509_EXTENSION_free(X509_delete_ext(pre, idx));
    /* i2d_re_X509_tbs, not i2d_X509_tbs: OpenSSL caches the TBS encoding
     * it parsed, and without the "re" the deleted extension would still
     * be in the bytes. */
    n = i2d_re_X509_tbs(pre, &tbs);
    rc = n > 0 ? sg_buf_add(out, tbs, (size_t)n)
               : sg_error_set(SG_EPARSE, "SCT: cannot rebuild the "
                                         "precertificate");
    OPENSSL_free(tbs);
    X509_free(pre);
    return rc;
}

static sg_err
sct_signed_data(struct sg_buf *out, X509 *leaf, X509 *issuer, const SCT *sct)
{
    unsigned char ikh[32], hdr[12], *spki = NULL, *der = NULL;
    unsigned char *ext = NULL;
    size_t ext_len = SCT_get0_extensions(sct, &ext);
    struct sg_buf tb = SG_BUF_INIT(1u << 20);
    int spki_len, der_len, tbs_len = -1;
    const unsigned char *tbs;
    uint64_t ts = SCT_get_timestamp(sct);
    sg_err rc = SG_OK;

    der_len = i2d_X509(leaf, &der);
    if (der_len <= 0 || !precert_tbs_der(&tb, der, (size_t)der_len)) {
        sg_buf_reset(&tb);
        rc = precert_tbs_x509(&tb, leaf);
        if (rc)
            goto done;
    }
    if (tb.len <= 0xffffff)
        tbs_len = (int)tb.len;
    tbs = (const unsigned char *)tb.data;
    spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki);
    if (tbs_len <= 0 || spki_len <= 0 || tbs_len > 0xffffff ||
        ext_len > 0xffff) {
        rc = sg_error_set(SG_EPARSE, "SCT: cannot rebuild the precertificate");
        goto done;
    }
    SHA256(spki, (size_t)spki_len, ikh);
    hdr[0] = 0; /* v1 */
    hdr[1] = 0; /* certificate_timestamp */
    for (int i = 0; i < 8; i++)
        hdr[2 + i] = (unsigned char)(ts >> (56 - 8 * i));
    hdr[10] = 0;
    hdr[11] = 1; /* precert_entry */
    rc = sg_buf_add(out, hdr, 12);
    if (!rc)
        rc = sg_buf_add(out, ikh, 32);
    if (!rc) {
        unsigned char l[3] = { (unsigned char)(tbs_len >> 16),
                               (unsigned char)(tbs_len >> 8),
                               (unsigned char)tbs_len };
        rc = sg_buf_add(out, l, 3);
    }
    if (!rc)
        rc = sg_buf_add(out, tbs, (size_t)tbs_len);
    if (!rc) {
        unsigned char l[2] = { (unsigned char)(ext_len >> 8),
                               (unsigned char)ext_len };
        rc = sg_buf_add(out, l, 2);
    }
    if (!rc && ext_len)
        rc = sg_buf_add(out, ext, ext_len);
done:
    OPENSSL_free(der);
    OPENSSL_free(spki);
    sg_buf_release(&tb);
    return rc;
}

/* At least one embedded v1 SCT must verify with a CT log key of the
 * trusted root (the client spec's default threshold of one). An SCT is
 * matched to a log by its log ID (SHA-256 of the log's SPKI) and only
 * counts when its timestamp (milliseconds) falls in that log's validFor
 * window. SCTs from unknown logs or of other versions are skipped, not
 * fatal: a certificate may be logged in more places than we trust. */
sg_err sg_sigstore_sct_verify(const struct sg_sigstore_trust *t, X509 *leaf)
{
    STACK_OF(SCT) *scts =
        X509_get_ext_d2i(leaf, NID_ct_precert_scts, NULL, NULL);
    struct sg_buf data = SG_BUF_INIT(1u << 20);
    X509 *issuer = find_issuer(t, leaf);
    sg_err rc = SG_OK;
    int ok = 0;

    if (!scts || sk_SCT_num(scts) == 0) {
        rc = sg_error_set(SG_EVERIFY, "certificate has no embedded SCT");
        goto done;
    }
    if (!issuer) {
        rc = sg_error_set(SG_EVERIFY, "SCT: certificate issuer is not in the "
                                      "trusted root");
        goto done;
    }
    for (int i = 0; !ok && i < sk_SCT_num(scts); i++) {
        const SCT *s = sk_SCT_value(scts, i);
        unsigned char *id = NULL, *sig = NULL;
        size_t id_len = SCT_get0_log_id(s, &id);
        size_t sig_len = SCT_get0_signature(s, &sig);
        EVP_PKEY *key;

        if (SCT_get_version(s) != SCT_VERSION_V1)
            continue;
        for (size_t j = 0; !ok && j < t->n_ctlogs; j++) {
            const struct sg_sigstore_log *l = &t->ctlogs[j];
            if (l->id_len != id_len || memcmp(l->id, id, id_len) ||
                !sg_sigstore_range_has(&l->valid,
                                       (int64_t)(SCT_get_timestamp(s) / 1000)))
                continue;
            sg_buf_reset(&data);
            rc = sct_signed_data(&data, leaf, issuer, s);
            if (rc)
                goto done;
            rc = sg_sigstore_log_key(&key, l);
            if (rc)
                goto done;
            ok =
                !sg_sigstore_sig_verify(key, data.data, data.len, sig, sig_len);
        }
    }
    if (!ok)
        rc = sg_error_set(SG_EVERIFY, "no embedded SCT verifies with a CT log "
                                      "key of the trusted root");
done:
    sg_buf_release(&data);
    SCT_LIST_free(scts);
    return rc;
}

/* ------------------------------------------------------------------ */
/* RFC 3161                                                             */

/* Verify an RFC 3161 timestamp over `data` (the bundle's signature
 * bytes: the TSA timestamps the signature, so the signature existed at
 * genTime) and return its genTime.
 *
 * protobuf-specs' RFC3161SignedTimestamp holds a DER TimeStampResp;
 * a bare TimeStampToken (CMS ContentInfo) is accepted as well. genTime is read
 * before the signature is verified, only to choose which TSAs' validFor windows
 * apply and to check the TSA's chain at that time; it is returned only once a
 * TSA's signature over it verified. The checks are version, CMS signature with
 * the TSA chain, and message imprint (hash of `data`); nonce and policy are not
 * checked, as there was no request of ours to match them against. */
sg_err sg_sigstore_tsa_verify(const struct sg_sigstore_trust *t,
                              const unsigned char *tok,
                              size_t tok_len,
                              const unsigned char *data,
                              size_t data_len,
                              int64_t *gen_time)
{
    const unsigned char *p = tok;
    TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)tok_len);
    PKCS7 *p7 = NULL;
    TS_TST_INFO *info = NULL;
    const ASN1_GENERALIZEDTIME *gt;
    struct tm tm;
    int64_t when;
    int in_window = 0;
    sg_err rc;

    if (!resp) {
        p = tok;
        p7 = d2i_PKCS7(NULL, &p, (long)tok_len);
        if (p7)
            info = PKCS7_to_TS_TST_INFO(p7);
    }
    gt = resp   ? TS_TST_INFO_get_time(TS_RESP_get_tst_info(resp))
         : info ? TS_TST_INFO_get_time(info)
                : NULL;
    if (!gt || ASN1_TIME_to_tm(gt, &tm) != 1) {
        rc = sg_error_set(SG_EPARSE, "RFC 3161 timestamp: not a timestamp "
                                     "response or token");
        goto done;
    }
    when = (int64_t)timegm(&tm);
    rc = sg_error_set(SG_EVERIFY, "RFC 3161 timestamp: no timestamp authority "
                                  "of the trusted root is valid at its time");
    for (size_t i = 0; i < t->n_tsas; i++) {
        TS_VERIFY_CTX *v;
        X509_STORE *st;
        STACK_OF(X509) * certs, *chain;
        BIO *bio;
        int ok;

        if (!sg_sigstore_range_has(&t->tsas[i].valid, when))
            continue;
        in_window = 1;
        if (sg_sigstore_ca_chain(&chain, &t->tsas[i])) {
            rc = sg_error_prefix(SG_EPARSE, "timestamp authority %zu", i);
            goto done;
        }
        v = TS_VERIFY_CTX_new();
        st = store_for(chain, when);
        certs = X509_chain_up_ref(chain);
        bio = BIO_new_mem_buf(data, (int)data_len);
        if (!v || !st || !certs || !bio) {
            TS_VERIFY_CTX_free(v);
            X509_STORE_free(st);
            sk_X509_pop_free(certs, X509_free);
            BIO_free(bio);
            rc = sg_error_oom();
            goto done;
        }
        TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_SIGNATURE |
                                       TS_VFY_DATA);
        TS_VERIFY_CTX_set_store(v, st);    /* owned by v */
        TS_VERIFY_CTX_set_certs(v, certs); /* owned by v */
        TS_VERIFY_CTX_set_data(v, bio);    /* owned by v */
        ok = resp ? TS_RESP_verify_response(v, resp)
                  : TS_RESP_verify_token(v, p7);
        TS_VERIFY_CTX_free(v);
        if (ok == 1) {
            *gen_time = when;
            rc = SG_OK;
            goto done;
        }
        rc = sg_error_set(SG_EVERIFY, "RFC 3161 timestamp does not verify "
                                      "against a trusted timestamp authority "
                                      "over the signature");
    }
    (void)in_window;
done:
    ERR_clear_error();
    TS_RESP_free(resp);
    PKCS7_free(p7);
    TS_TST_INFO_free(info);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Identity                                                             */

/*
 * The identity a Fulcio certificate binds is its one SAN (Fulcio's
 * certificate specification: exactly one, critical) and the OIDC issuer that
 * vouched for it:
 *  - URI SAN: workload identities (a GitHub Actions workflow
 *    https://github.com/ORG/REPO/.github/workflows/F@REF, SPIFFE IDs);
 *  - email SAN: a person's OIDC email;
 *  - otherName 1.3.6.1.4.1.57264.1.7 with a UTF8String: Fulcio's
 *    username identities, which are neither emails nor URIs.
 * DNS and IP SANs are never Fulcio identities and are ignored.
 */

/* Copy an ASN.1 string's bytes. An embedded NUL is refused: C string
 * comparison would stop at it, so "evil@x.com\0@good.com" could match a
 * policy for the part before the NUL (the classic certificate-name
 * trap). */
static char *dup_n(const unsigned char *p, int n)
{
    char *s;

    if (n < 0 || memchr(p, 0, (size_t)n))
        return NULL; /* embedded NUL: never an identity */
    s = malloc((size_t)n + 1);
    if (s) {
        memcpy(s, p, (size_t)n);
        s[n] = 0;
    }
    return s;
}

/* Extension `oid` of cert: DER UTF8String when der, else raw bytes.
 *
 * Fulcio's first extensions (1.3.6.1.4.1.57264.1.1 to .1.6) put the
 * string's bytes directly in the extension's OCTET STRING, which RFC
 * 5280 says should hold DER. Their successors from .1.8 on hold a proper
 * DER UTF8String. Reading one kind as the other yields either a failed
 * parse or a value with two stray tag/length bytes in front, which
 * would never equal the policy's issuer. */
static char *ext_str(X509 *cert, const char *oid, int der)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    int idx = o ? X509_get_ext_by_OBJ(cert, o, -1) : -1;
    ASN1_OCTET_STRING *os;
    char *r = NULL;

    ASN1_OBJECT_free(o);
    if (idx < 0)
        return NULL;
    os = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
    if (!der)
        return dup_n(ASN1_STRING_get0_data(os), ASN1_STRING_length(os));
    {
        const unsigned char *p = ASN1_STRING_get0_data(os);
        ASN1_UTF8STRING *u =
            d2i_ASN1_UTF8STRING(NULL, &p, ASN1_STRING_length(os));
        if (u)
            r = dup_n(ASN1_STRING_get0_data(u), ASN1_STRING_length(u));
        ASN1_UTF8STRING_free(u);
    }
    return r;
}

/* enum sg_sigstore_gh order */
const char *const sg_sigstore_gh_oids[SG_GH_N] = {
    "1.3.6.1.4.1.57264.1.2", "1.3.6.1.4.1.57264.1.3", "1.3.6.1.4.1.57264.1.4",
    "1.3.6.1.4.1.57264.1.5", "1.3.6.1.4.1.57264.1.6",
};

sg_err sg_sigstore_identity_read(struct sg_sigstore_identity *out, X509 *cert)
{
    GENERAL_NAMES *gens =
        X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    ASN1_OBJECT *oname = OBJ_txt2obj("1.3.6.1.4.1.57264.1.7", 1);

    memset(out, 0, sizeof(*out));
    for (int i = 0; gens && !out->san && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        const ASN1_STRING *s = NULL;

        if (g->type == GEN_URI || g->type == GEN_EMAIL)
            s = g->d.ia5;
        else if (g->type == GEN_OTHERNAME && oname &&
                 !OBJ_cmp(g->d.otherName->type_id, oname) &&
                 g->d.otherName->value->type == V_ASN1_UTF8STRING)
            s = g->d.otherName->value->value.utf8string;
        if (s)
            out->san = dup_n(ASN1_STRING_get0_data(s), ASN1_STRING_length(s));
    }
    GENERAL_NAMES_free(gens);
    ASN1_OBJECT_free(oname);
    /* The OIDC issuer: .1.8 ("Issuer (V2)", DER) when present, else the
     * deprecated .1.1 ("Issuer", raw) that older certificates carry. The
     * GitHub workflow claims .1.2-.1.6 (trigger, sha, name, repository,
     * ref) are the deprecated raw forms, kept for policies that name
     * them; the newer DER claims (.1.9 on, e.g. Build Signer URI) are
     * not read here. */
    out->issuer = ext_str(cert, "1.3.6.1.4.1.57264.1.8", 1);
    if (!out->issuer)
        out->issuer = ext_str(cert, "1.3.6.1.4.1.57264.1.1", 0);
    for (int i = 0; i < SG_GH_N; i++)
        out->gh[i] = ext_str(cert, sg_sigstore_gh_oids[i], 0);
    if (!out->san) {
        sg_sigstore_identity_release(out);
        return sg_error_set(SG_EVERIFY, "certificate has no URI, email or "
                                        "Sigstore identity SAN");
    }
    return SG_OK;
}

void sg_sigstore_identity_release(struct sg_sigstore_identity *id)
{
    free(id->san);
    free(id->issuer);
    for (int i = 0; i < SG_GH_N; i++)
        free(id->gh[i]);
    memset(id, 0, sizeof(*id));
}
