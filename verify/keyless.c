/*
 * Keyless (Fulcio certificate) checks of image signatures and
 * attestations: the verify core's keyless hook (verify_int.h).
 *
 * Both places cosign puts them go through the one Sigstore check
 * (sg_sigstore_verify, sigstore_verify.c):
 *   - v0.3 bundles among the referrers: checked as they are, with the
 *     image digest as the artifact (digest mode), so the DSSE statement
 *     must name the image as a subject;
 *   - legacy .sig / .att layers (cosign v2 layout, cosign-format.md
 *     §2.4): the layer annotations (certificate, chain, bundle, optional
 *     rfc3161timestamp) are rewritten into the v0.1 bundle they stand for
 *     (x509CertificateChain with the leaf, one tlog entry with the Rekor
 *     SET as its inclusion promise, no inclusion proof) and checked the
 *     same way: the payload bytes are the artifact of a .sig message
 *     signature (hashedrekord), the image digest the subject of a .att
 *     envelope (intoto / dsse entries). A .att layer's rfc3161timestamp
 *     covers the layer blob (cosign v2), so it is checked apart
 *     (att_timestamp).
 * The chain annotation must parse but is not trusted: intermediates and
 * roots come from the trusted root only (as sigstore-go does).
 */
#include "verify_int.h"
#include "sigstore_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#define KL_ANNOT_MAX (256u * 1024) /* one annotation value */

struct sg_v_keyless_opts {
    struct sg_sigstore_trust *trust; /* owned */
    struct sg_sigstore_policy pol;   /* strings borrowed from the caller */
};

sg_err sg_v_keyless_opts_new(struct sg_v_keyless_opts **out,
                             const struct sg_keyless_policy *p)
{
    struct sg_v_keyless_opts *o;
    sg_err rc;

    *out = NULL;
    SG_ASSERT_ARG(p);
    if (!p->id.identity && !p->id.identity_regexp)
        return sg_error_set(SG_EINVAL,
                            "--certificate-identity or "
                            "--certificate-identity-regexp is required for "
                            "keyless verification");
    if (!p->id.issuer && !p->id.issuer_regexp)
        return sg_error_set(SG_EINVAL,
                            "--certificate-oidc-issuer or "
                            "--certificate-oidc-issuer-regexp is required for "
                            "keyless verification");
    for (int i = 0; i < 2; i++) {
        const char *re = i ? p->id.issuer_regexp : p->id.identity_regexp;
        int m;

        if (re && (rc = sg_sigstore_regex_match(&m, re, "")) != SG_OK)
            return sg_error_prefix(rc, "%s",
                                   i ? "--certificate-oidc-issuer-regexp"
                                     : "--certificate-identity-regexp");
    }
    o = calloc(1, sizeof(*o));
    if (!o)
        return sg_error_oom();
    if (p->trusted_root_path)
        rc = sg_sigstore_trust_load(&o->trust, p->trusted_root_path);
    else if (p->trusted_root_data)
        rc = sg_sigstore_trust_parse(&o->trust, p->trusted_root_data,
                                     p->trusted_root_len);
    else
        rc = sg_error_set(SG_EINVAL, "keyless verification needs a trusted "
                                     "root");
    if (rc) {
        free(o);
        return sg_error_prefix(rc, "trusted root");
    }
    o->pol.id = p->id;
    o->pol.now = p->now;
    *out = o;
    return SG_OK;
}

void sg_v_keyless_opts_free(struct sg_v_keyless_opts *o)
{
    if (!o)
        return;
    sg_sigstore_trust_free(o->trust);
    free(o);
}

/* ------------------------------------------------------------------ */
/* Legacy layers → v0.1 bundle                                          */

/* A base64 JSON string of p[0..n), or NULL. */
static json_t *b64_json(const void *p, size_t n)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *s = NULL;

    if (sg_base64_encode(&b, p, n) == SG_OK)
        s = json_stringn(b.data, b.len);
    sg_buf_release(&b);
    return s;
}

static const char *annot(const struct sg_oci_descriptor *d, const char *key)
{
    const char *v = sg_oci_descriptor_annotation(d, key);

    return v && strlen(v) <= KL_ANNOT_MAX ? v : NULL;
}

/* The leaf certificate (PEM annotation) as base64 DER; the chain
 * annotation, when present, must be PEM certificates. */
static sg_err legacy_certs(json_t **chain, const struct sg_oci_descriptor *d)
{
    const char *pem = annot(d, SG_ANNOT_COSIGN_CERT);
    const char *ch = sg_oci_descriptor_annotation(d, SG_ANNOT_COSIGN_CHAIN);
    unsigned char *der = NULL;
    BIO *bio = NULL;
    X509 *x = NULL;
    int n = 0;
    size_t count = 0;
    sg_err rc = SG_OK;

    *chain = NULL;
    if (!pem || !(bio = BIO_new_mem_buf(pem, (int)strlen(pem))) ||
        !(x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) ||
        (n = i2d_X509(x, &der)) <= 0) {
        rc = sg_error_set(SG_EVERIFY, "certificate annotation is not a PEM "
                                      "certificate");
        goto done;
    }
    if (ch && ch[0]) {
        BIO_free(bio);
        if (strlen(ch) > KL_ANNOT_MAX ||
            !(bio = BIO_new_mem_buf(ch, (int)strlen(ch)))) {
            bio = NULL;
            rc = sg_error_set(SG_EVERIFY, "chain annotation is too large");
            goto done;
        }
        for (;;) {
            X509 *c = PEM_read_bio_X509(bio, NULL, NULL, NULL);
            if (!c)
                break;
            X509_free(c);
            count++;
        }
        ERR_clear_error();
        if (!count || count > SG_V_CERTS_MAX) {
            rc = sg_error_set(SG_EVERIFY,
                              "chain annotation is not 1..%u PEM "
                              "certificates",
                              SG_V_CERTS_MAX);
            goto done;
        }
    }
    *chain = json_pack("{s:[{s:o}]}", "certificates", "rawBytes",
                       b64_json(der, (size_t)n));
    if (!*chain)
        rc = sg_error_oom();
done:
    ERR_clear_error();
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(bio);
    return rc;
}

/* An annotation value holding a JSON object (`what` names it in errors). */
static sg_err annotation_json(json_t **j, const char *text, const char *what)
{
    return sg_json_parse(j, text, strlen(text), KL_ANNOT_MAX, 0, what);
}

/* The dev.sigstore.cosign/bundle annotation (Rekor SET bundle) as a
 * protobuf-specs tlog entry. */
static sg_err legacy_tlog_entry(json_t **out, const char *text)
{
    json_t *j = NULL, *body = NULL, *pl, *set, *b64body, *it, *li, *lid;
    struct sg_buf raw = SG_BUF_INIT(SG_SIGSTORE_BUNDLE_MAX);
    unsigned char id[64];
    const char *kind, *ver;
    size_t idlen;
    sg_err rc;

    *out = NULL;
    rc = annotation_json(&j, text, "bundle annotation");
    if (rc)
        return rc;
    pl = json_object_get(j, "Payload");
    set = json_object_get(j, "SignedEntryTimestamp");
    b64body = json_object_get(pl, "body");
    it = json_object_get(pl, "integratedTime");
    li = json_object_get(pl, "logIndex");
    lid = json_object_get(pl, "logID");
    if (!json_is_string(set) || !json_is_string(b64body) ||
        !json_is_integer(it) || !json_is_integer(li) || !json_is_string(lid)) {
        rc = sg_error_set(SG_EPARSE, "bundle annotation: needs "
                                     "SignedEntryTimestamp and Payload.body, "
                                     "integratedTime, logIndex, logID");
        goto done;
    }
    idlen = json_string_length(lid) / 2;
    if (!idlen || idlen > sizeof(id) ||
        sg_hex_decode(id, idlen, json_string_value(lid),
                      json_string_length(lid))) {
        rc = sg_error_set(SG_EPARSE, "bundle annotation: logID is not hex");
        goto done;
    }
    if (sg_base64_decode(&raw, json_string_value(b64body),
                         json_string_length(b64body)) ||
        sg_json_parse(&body, raw.data, raw.len, SG_SIGSTORE_BUNDLE_MAX, 0,
                      "log entry body")) {
        rc = sg_error_prefix(SG_EPARSE, "bundle annotation: Payload.body");
        goto done;
    }
    kind = json_string_value(json_object_get(body, "kind"));
    ver = json_string_value(json_object_get(body, "apiVersion"));
    if (!kind || !ver) {
        rc = sg_error_set(SG_EPARSE, "bundle annotation: log entry body has "
                                     "no kind/apiVersion");
        goto done;
    }
    /* The SET is over the body as given; canonicalizedBody carries it. */
    *out = json_pack("{s:I,s:{s:o},s:{s:s,s:s},s:I,s:{s:O},s:O}", "logIndex",
                     (json_int_t)json_integer_value(li), "logId", "keyId",
                     b64_json(id, idlen), "kindVersion", "kind", kind,
                     "version", ver, "integratedTime",
                     (json_int_t)json_integer_value(it), "inclusionPromise",
                     "signedEntryTimestamp", set, "canonicalizedBody", b64body);
    if (!*out)
        rc = sg_error_oom();
done:
    json_decref(body);
    json_decref(j);
    sg_buf_release(&raw);
    return rc;
}

/* The rfc3161timestamp annotation: {"SignedRFC3161Timestamp": b64}. */
static sg_err legacy_tsa(json_t **out, const char *text)
{
    json_t *j = NULL, *t;
    sg_err rc;

    *out = NULL;
    rc = annotation_json(&j, text, "rfc3161timestamp annotation");
    if (rc)
        return rc;
    t = json_object_get(j, "SignedRFC3161Timestamp");
    if (!json_is_string(t))
        rc = sg_error_set(SG_EPARSE, "rfc3161timestamp annotation: no "
                                     "SignedRFC3161Timestamp");
    else if (!(*out = json_pack("{s:[{s:O}]}", "rfc3161Timestamps",
                                "signedTimestamp", t)))
        rc = sg_error_oom();
    json_decref(j);
    return rc;
}

/* The envelope as bundle JSON (one signature, as cosign writes). */
static json_t *envelope_json(const struct sg_dsse_envelope *e)
{
    json_t *sigs = json_array(), *env;

    for (size_t i = 0; sigs && i < e->n_sigs; i++) {
        json_t *s = json_pack("{s:o}", "sig",
                              b64_json(e->sigs[i].sig, e->sigs[i].sig_len));
        if (!s || json_array_append_new(sigs, s)) {
            json_decref(sigs);
            return NULL;
        }
    }
    env = json_pack("{s:s,s:o,s:o}", "payloadType", e->payload_type, "payload",
                    b64_json(e->payload, e->payload_len), "signatures", sigs);
    return env;
}

static sg_err legacy_bundle(json_t **out,
                            const struct sg_oci_descriptor *d,
                            const struct sg_dsse_envelope *env,
                            const void *payload,
                            size_t len)
{
    const char *bun = annot(d, SG_ANNOT_COSIGN_BUNDLE);
    const char *tsa = annot(d, SG_ANNOT_COSIGN_RFC3161);
    json_t *chain = NULL, *entry = NULL, *ts = NULL, *vm = NULL, *b = NULL;
    struct sg_buf sig = SG_BUF_INIT(64 * 1024);
    unsigned char dg[32];
    sg_err rc;

    *out = NULL;
    if (!bun && sg_oci_descriptor_annotation(d, SG_ANNOT_COSIGN_BUNDLE))
        return sg_error_set(SG_EVERIFY, "bundle annotation is over %u bytes",
                            KL_ANNOT_MAX);
    if (!bun)
        return sg_error_set(SG_EVERIFY, "keyless signature has no Rekor bundle "
                                        "annotation (" SG_ANNOT_COSIGN_BUNDLE
                                        "): no verified signing time");
    rc = legacy_certs(&chain, d);
    if (!rc)
        rc = legacy_tlog_entry(&entry, bun);
    if (!rc && tsa && !env) /* .att: see att_timestamp() */
        rc = legacy_tsa(&ts, tsa);
    if (rc)
        goto done;
    vm = json_pack("{s:o,s:[o]}", "x509CertificateChain", chain, "tlogEntries",
                   entry);
    chain = entry = NULL;
    if (vm && ts && json_object_set_new(vm, "timestampVerificationData", ts)) {
        json_decref(vm);
        vm = NULL;
    }
    ts = NULL;
    if (!vm) {
        rc = sg_error_oom();
        goto done;
    }
    b = json_pack("{s:s,s:o}", "mediaType",
                  "application/vnd.dev.sigstore.bundle+json;version=0.1",
                  "verificationMaterial", vm);
    if (!b) {
        rc = sg_error_oom();
        goto done;
    }
    if (env) {
        json_t *e = envelope_json(env);
        if (!e || json_object_set_new(b, "dsseEnvelope", e))
            rc = sg_error_oom();
    } else {
        const char *s64 = annot(d, SG_ANNOT_COSIGN_SIG);

        if (!s64 || !s64[0] || sg_base64_decode(&sig, s64, strlen(s64)) ||
            !sig.len) {
            rc = sg_error_set(SG_EVERIFY, "signature annotation is missing or "
                                          "not valid base64");
            goto done;
        }
        SHA256(payload, len, dg);
        if (json_object_set_new(b, "messageSignature",
                                json_pack("{s:{s:s,s:o},s:o}", "messageDigest",
                                          "algorithm", "SHA2_256", "digest",
                                          b64_json(dg, sizeof(dg)), "signature",
                                          b64_json(sig.data, sig.len))))
            rc = sg_error_oom();
    }
    if (!rc) {
        *out = b;
        b = NULL;
    }
done:
    json_decref(chain);
    json_decref(entry);
    json_decref(ts);
    json_decref(b);
    sg_buf_release(&sig);
    return rc;
}

/* A .att layer's rfc3161timestamp annotation: cosign v2 timestamps the
 * layer blob (the envelope JSON as stored), not the signature, so it is
 * checked here rather than in the bundle: the token over those bytes
 * from a TSA of the root, its genTime not in the future, and the
 * certificate valid (chain, EKU) at genTime too. */
static sg_err att_timestamp(const struct sg_v_keyless_opts *o,
                            const struct sg_oci_descriptor *d,
                            const void *blob,
                            size_t len)
{
    const char *tsa = annot(d, SG_ANNOT_COSIGN_RFC3161);
    const char *pem = annot(d, SG_ANNOT_COSIGN_CERT);
    struct sg_buf tok = SG_BUF_INIT(1u << 20);
    json_t *j = NULL;
    const json_t *t;
    BIO *bio = NULL;
    X509 *leaf = NULL;
    int64_t gen = 0, now = o->pol.now ? o->pol.now : (int64_t)time(NULL);
    sg_err rc;

    if (!tsa)
        return sg_oci_descriptor_annotation(d, SG_ANNOT_COSIGN_RFC3161)
                   ? sg_error_set(SG_EVERIFY,
                                  "rfc3161timestamp annotation "
                                  "is over %u bytes",
                                  KL_ANNOT_MAX)
                   : SG_OK;
    rc = legacy_tsa(&j, tsa);
    if (rc)
        return rc;
    t = json_object_get(
        json_array_get(json_object_get(j, "rfc3161Timestamps"), 0),
        "signedTimestamp");
    if (sg_base64_decode(&tok, json_string_value(t), json_string_length(t))) {
        rc = sg_error_prefix(SG_EPARSE, "rfc3161timestamp annotation");
        goto done;
    }
    rc = sg_sigstore_tsa_verify(o->trust, (const unsigned char *)tok.data,
                                tok.len, blob, len, &gen);
    if (!rc && gen > now)
        rc = sg_error_set(SG_EVERIFY, "RFC 3161 timestamp is in the future");
    if (rc)
        goto done;
    if (!pem || !(bio = BIO_new_mem_buf(pem, (int)strlen(pem))) ||
        !(leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
        rc = sg_error_set(SG_EVERIFY, "certificate annotation is not a PEM "
                                      "certificate");
        goto done;
    }
    rc = sg_sigstore_cert_verify(o->trust, leaf, gen);
done:
    ERR_clear_error();
    X509_free(leaf);
    BIO_free(bio);
    json_decref(j);
    sg_buf_release(&tok);
    return rc;
}

/* ------------------------------------------------------------------ */
/* What was verified, in cosign's output spelling                       */

/* The leaf certificate of a bundle: v0.3 `certificate`, else the first
 * of `x509CertificateChain` (a legacy layer's rewritten bundle). */
static X509 *bundle_leaf(const json_t *bundle)
{
    const json_t *vm = json_object_get(bundle, "verificationMaterial");
    const json_t *raw =
        json_object_get(json_object_get(vm, "certificate"), "rawBytes");
    struct sg_buf der = SG_BUF_INIT(SG_SIGSTORE_BUNDLE_MAX);
    const unsigned char *p;
    X509 *x = NULL;

    if (!raw)
        raw = json_object_get(
            json_array_get(
                json_object_get(json_object_get(vm, "x509CertificateChain"),
                                "certificates"),
                0),
            "rawBytes");
    if (json_is_string(raw) &&
        sg_base64_decode(&der, json_string_value(raw),
                         json_string_length(raw)) == SG_OK) {
        p = (const unsigned char *)der.data;
        x = d2i_X509(NULL, &p, (long)der.len);
    }
    ERR_clear_error();
    sg_buf_release(&der);
    return x;
}

/* A protobuf-JSON int64: a JSON integer or a decimal string. */
static int int64_of(const json_t *v, json_int_t *out)
{
    const char *s = json_string_value(v);
    json_int_t n = 0;

    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (!s || !*s || strlen(s) > 18)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        n = n * 10 + (*s - '0');
    }
    *out = n;
    return 0;
}

/* cosign's bundle.RekorBundle of the first tlog entry with an inclusion
 * promise (SET), or NULL: {SignedEntryTimestamp, Payload {body,
 * integratedTime, logIndex, logID (hex)}} in Go's struct order. */
static json_t *rekor_bundle(const json_t *bundle)
{
    const json_t *tl = json_object_get(
        json_object_get(bundle, "verificationMaterial"), "tlogEntries");

    for (size_t i = 0; i < json_array_size(tl); i++) {
        const json_t *e = json_array_get(tl, i);
        const json_t *set = json_object_get(
            json_object_get(e, "inclusionPromise"), "signedEntryTimestamp");
        const json_t *body = json_object_get(e, "canonicalizedBody");
        const json_t *kid =
            json_object_get(json_object_get(e, "logId"), "keyId");
        struct sg_buf id = SG_BUF_INIT(64);
        char hex[2 * 64 + 1];
        json_int_t it, li;
        json_t *r = NULL;

        if (json_is_string(set) && json_is_string(body) &&
            json_is_string(kid) &&
            !int64_of(json_object_get(e, "integratedTime"), &it) &&
            !int64_of(json_object_get(e, "logIndex"), &li) &&
            sg_base64_decode(&id, json_string_value(kid),
                             json_string_length(kid)) == SG_OK &&
            id.len && id.len <= 64) {
            sg_hex_encode(hex, id.data, id.len);
            r = json_pack("{s:O,s:{s:O,s:I,s:I,s:s}}", "SignedEntryTimestamp",
                          set, "Payload", "body", body, "integratedTime", it,
                          "logIndex", li, "logID", hex);
        }
        sg_buf_release(&id);
        if (r)
            return r;
    }
    return NULL;
}

/* The facts of a verified bundle (sg_v_keyless_check's *facts): keys
 * added in byte order (Go's encoding/json sorts map keys). */
static sg_err keyless_facts(char **out, const json_t *bundle)
{
    /* names in byte order, with their index into id.gh[] */
    static const char *const gh_name[5] = {
        "githubWorkflowName", "githubWorkflowRef", "githubWorkflowRepository",
        "githubWorkflowSha", "githubWorkflowTrigger"
    };
    static const int gh_name_idx[5] = { 2, 4, 3, 1, 0 };
    struct sg_sigstore_identity id;
    X509 *leaf = bundle_leaf(bundle);
    json_t *o = json_object(), *rb = NULL;
    int bad = !o;
    sg_err rc;

    *out = NULL;
    memset(&id, 0, sizeof(id));
    if (!leaf) {
        json_decref(o);
        return sg_error_set(SG_EVERIFY, "keyless: no leaf certificate");
    }
    rc = sg_sigstore_identity_read(&id, leaf);
    X509_free(leaf);
    if (rc) {
        json_decref(o);
        return rc;
    }
    if (!bad && id.issuer)
        bad = json_object_set_new(o, "1.3.6.1.4.1.57264.1.1",
                                  json_string(id.issuer));
    for (int i = 0; !bad && i < SG_GH_N; i++)
        if (id.gh[i])
            bad = json_object_set_new(o, sg_sigstore_gh_oids[i],
                                      json_string(id.gh[i]));
    rb = rekor_bundle(bundle);
    if (!bad && rb)
        bad = json_object_set_new(o, "Bundle", rb);
    else
        json_decref(rb);
    if (!bad && id.issuer)
        bad = json_object_set_new(o, "Issuer", json_string(id.issuer));
    if (!bad)
        bad = json_object_set_new(o, "Subject", json_string(id.san));
    for (int i = 0; !bad && i < 5; i++)
        if (id.gh[gh_name_idx[i]])
            bad = json_object_set_new(o, gh_name[i],
                                      json_string(id.gh[gh_name_idx[i]]));
    if (!bad)
        bad = !(*out = json_dumps(o, JSON_COMPACT));
    json_decref(o);
    sg_sigstore_identity_release(&id);
    return bad ? sg_error_oom() : SG_OK;
}

/* ------------------------------------------------------------------ */
/* The hook                                                             */

sg_err sg_v_keyless_check(const struct sg_v_ctx *c,
                          const struct sg_v_bundle *b,
                          const struct sg_oci_descriptor *layer,
                          const struct sg_dsse_envelope *envelope,
                          const void *signed_data,
                          size_t signed_len,
                          char **facts)
{
    struct sg_sigstore_artifact art;
    struct sg_sigstore_result res;
    json_t *legacy = NULL;
    const json_t *bundle;
    sg_err rc;

    memset(&art, 0, sizeof(art));
    memset(&res, 0, sizeof(res));
    if (facts)
        *facts = NULL;
    if (!c->keyless)
        return sg_error_set(SG_EVERIFY,
                            "signed with a certificate (keyless); not "
                            "checkable with a key: a keyless signature never "
                            "passes a --key check (verify it with "
                            "--certificate-identity and "
                            "--certificate-oidc-issuer)");
    if (b) {
        bundle = b->root;
    } else {
        SG_ASSERT_ARG(layer);
        rc = legacy_bundle(&legacy, layer, envelope, signed_data, signed_len);
        if (rc)
            return rc;
        bundle = legacy;
    }
    if (!b && !envelope) {
        /* .sig: the signature is over the simple-signing payload bytes */
        art.data = signed_data;
        art.len = signed_len;
    } else {
        /* DSSE: the statement must name the image digest */
        rc = sg_hex_decode(art.sha256, sizeof(art.sha256),
                           strchr(c->digest, ':') + 1,
                           strlen(strchr(c->digest, ':') + 1));
        if (rc) {
            json_decref(legacy);
            return sg_error_set(SG_EUNSUPPORTED,
                                "keyless: only sha256 image digests are "
                                "supported, not %s",
                                c->digest);
        }
    }
    rc = sg_sigstore_verify(c->keyless->trust, bundle, &art, &c->keyless->pol,
                            &res);
    if (!rc && !b && envelope)
        rc = att_timestamp(c->keyless, layer, signed_data, signed_len);
    if (!rc && facts)
        rc = keyless_facts(facts, bundle);
    if (rc) {
        if (sg_v_classify(rc) == SG_V_TRANSPORT)
            rc = SG_EVERIFY; /* nothing here touches the network */
        rc = sg_error_prefix(rc, "keyless");
    }
    sg_sigstore_result_release(&res);
    json_decref(legacy);
    return rc;
}
