/*
 * The whole Sigstore bundle check for blobs, in this order: bundle
 * shape -> key vs keyless -> RFC 3161 times -> tlog entries (body,
 * proof, checkpoint, SET; the SET yields the v1 times) -> certificate
 * chain at each verified time -> SCT -> signature over the artifact or
 * the DSSE PAE -> identity. Fails closed, one reason.
 *
 * Spec: the Sigstore client spec, "Verification"
 * (github.com/sigstore/architecture-docs, client-spec.md) and the bundle
 * format of protobuf-specs (protos/sigstore_bundle.proto). The spec
 * lists time, certificate, log and signature steps; every step must pass
 * and none is skipped, so the order here is chosen by data dependency:
 *  - Times come first because the certificate can only be judged at a
 *    verified time, and the v1 time (integratedTime) is trustworthy
 *    only once its SET verified; hence the log before the certificate.
 *  - The log entry is matched against the bundle's signature and
 *    certificate bytes before any of them is trusted, so a genuine entry
 *    for something else is refused before it can lend its time.
 *  - The signature and identity come last: a signature by a key whose
 *    certificate did not verify proves nothing, and the identity is
 *    only worth reading from a certificate that chains to Fulcio.
 * Fail closed: the first failure ends verification with its reason;
 * there is no "warn and continue", no default identity, and no
 * unknown entry kind, payload type or digest algorithm that passes.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <stdlib.h>
#include <string.h>
#include <pcre2.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include "sigil/sign.h"
#include "sigstore_int.h"
#include "verify_int.h"

sg_err
sg_sigstore_regex_match(int *matched, const char *pattern, const char *subject)
{
    pcre2_code *re;
    pcre2_match_data *md;
    int errc, n;
    PCRE2_SIZE off;

    *matched = 0;
    /* RE2 (Go regexp) semantics: UTF-8, unanchored, no backreferences
     * are expected in identities; PCRE2 is a superset for these.
     * Unanchored is cosign's behaviour (Go's MatchString) and a trap for
     * users: "https://github.com/org/" also matches a SAN that merely
     * contains it, so policies should anchor with ^...$. \C is refused
     * because it could match half of a UTF-8 sequence. The pattern comes
     * from the caller's policy (trusted); the subject from the
     * certificate (untrusted, bounded by the bundle size). */
    re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                       PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &errc, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(errc, msg, sizeof(msg));
        return sg_error_set(SG_EINVAL, "bad regular expression at %zu: %s",
                            (size_t)off, (char *)msg);
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) {
        pcre2_code_free(re);
        return sg_error_oom();
    }
    n = pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (n >= 0)
        *matched = 1;
    else if (n != PCRE2_ERROR_NOMATCH)
        return sg_error_set(SG_EVERIFY, "regular expression match failed (%d)",
                            n);
    return SG_OK;
}

sg_err sg_verify_regexp_check(const char *re)
{
    int m;

    SG_ASSERT_ARG(re);
    return sg_sigstore_regex_match(&m, re, "");
}

void sg_sigstore_result_release(struct sg_sigstore_result *r)
{
    free(r->san);
    free(r->issuer);
    free(r->payload_type);
    memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */
/* What sg_sigstore_verify needs from the bundle, read by the shared     */
/* reader (verify/bundle.c: sg_v_bundle_parse) plus the keyless-only     */
/* shape rules.                                                           */

struct kbundle {
    const struct sg_v_bundle *v;
    X509 *leaf;         /* keyless: certs[0] */
    const json_t *tlog; /* tlogEntries (borrowed) */
    const json_t *tsa;  /* rfc3161Timestamps (borrowed) */
};

static sg_err der_cert(X509 **out, const struct sg_v_der *d)
{
    const unsigned char *p = d->data;

    *out = d2i_X509(NULL, &p, (long)d->len);
    if (!*out || p != d->data + d->len) {
        X509_free(*out);
        *out = NULL;
        return sg_error_set(SG_EPARSE, "bundle: certificate is not DER");
    }
    return SG_OK;
}

/* Keyless shape rules on top of the shared bundle reader. Each one
 * closes an ambiguity: a root in the bundle's chain would let the bundle
 * pick its own trust anchor (client spec: roots come only from the
 * trusted root); a DSSE envelope with several signatures would leave
 * open which one the certificate and log entry are about; a
 * messageDigest in another algorithm could not be compared with ours. */
static sg_err kbundle_read(struct kbundle *k, const struct sg_v_bundle *b)
{
    sg_err rc;

    memset(k, 0, sizeof(*k));
    k->v = b;
    if (b->n_certs) {
        rc = der_cert(&k->leaf, &b->certs[0]);
        if (rc)
            return rc;
    }
    /* a chain must not carry a root (client spec: the root comes from
     * the trusted root only) */
    for (size_t i = 0; i < b->n_certs; i++) {
        X509 *c = k->leaf;
        int self;

        rc = i ? der_cert(&c, &b->certs[i]) : SG_OK;
        self = !rc && X509_check_issued(c, c) == X509_V_OK;
        if (i)
            X509_free(c);
        if (rc)
            return rc;
        if (self)
            return sg_error_set(SG_EVERIFY, "bundle: certificate chain "
                                            "contains a root certificate");
    }
    k->tlog = b->tlog_entries;
    if (json_array_size(k->tlog) > SG_SIGSTORE_ITEMS_MAX)
        return sg_error_set(SG_EPARSE, "bundle: more than %u tlogEntries",
                            SG_SIGSTORE_ITEMS_MAX);
    k->tsa = json_object_get(b->timestamp_data, "rfc3161Timestamps");
    if (k->tsa && (!json_is_array(k->tsa) ||
                   json_array_size(k->tsa) > SG_SIGSTORE_ITEMS_MAX))
        return sg_error_set(SG_EPARSE, "bundle: bad rfc3161Timestamps");
    if (b->content == SG_V_CONTENT_MESSAGE_SIGNATURE) {
        if (b->digest && (!b->digest_alg || strcmp(b->digest_alg, "SHA2_256") ||
                          b->digest_len != 32))
            return sg_error_set(SG_EPARSE, "bundle: messageDigest is not a "
                                           "SHA2_256 digest");
    } else if (b->env->n_sigs != 1) {
        return sg_error_set(SG_EPARSE, "bundle: DSSE envelope must carry one "
                                       "signature");
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ */

static int opt_eq(const char *want, const char *have)
{
    return !want || (have && !strcmp(want, have));
}

/* `have` (the certificate's value) against an exact `want` or a regexp.
 *
 * Neither given is a caller error, not a pass: any Fulcio certificate
 * chains to the same root, so a keyless check without an identity and
 * an issuer would accept a signature by anyone who can log in anywhere.
 * Errors show both values escaped: the certificate's may hold
 * control characters. */
static sg_err match_one(const char *want,
                        const char *want_re,
                        const char *have,
                        const char *what)
{
    char esc[200], esc2[200];
    int m = 0;
    sg_err rc;

    if (!want && !want_re)
        return sg_error_set(SG_EINVAL,
                            "keyless verification needs an expected "
                            "%s",
                            what);
    if (!have)
        return sg_error_set(SG_EVERIFY, "certificate names no %s", what);
    if (want) {
        if (strcmp(want, have))
            return sg_error_set(SG_EVERIFY,
                                "certificate %s %s does not match the "
                                "expected %s %s",
                                what, sg_escape(esc, sizeof(esc), have), what,
                                sg_escape(esc2, sizeof(esc2), want));
        return SG_OK;
    }
    rc = sg_sigstore_regex_match(&m, want_re, have);
    if (!rc && !m)
        rc = sg_error_set(SG_EVERIFY,
                          "certificate %s %s does not match the expected "
                          "regexp %s",
                          what, sg_escape(esc, sizeof(esc), have),
                          sg_escape(esc2, sizeof(esc2), want_re));
    return rc;
}

/* The SAN and the OIDC issuer are both required, because a SAN is only
 * meaningful relative to its issuer (the same email or URI can be
 * asserted by different providers). The GitHub workflow claims are
 * optional exact matches: checked only when the policy names them. */
static sg_err check_identity(const struct sg_sigstore_policy *p,
                             const struct sg_sigstore_identity *id)
{
    const char *const want_gh[SG_GH_N] = {
        [SG_GH_TRIGGER] = p->id.gh_workflow_trigger,
        [SG_GH_SHA] = p->id.gh_workflow_sha,
        [SG_GH_NAME] = p->id.gh_workflow_name,
        [SG_GH_REPOSITORY] = p->id.gh_workflow_repository,
        [SG_GH_REF] = p->id.gh_workflow_ref,
    };
    sg_err rc;

    rc = match_one(p->id.identity, p->id.identity_regexp, id->san, "identity");
    if (!rc)
        rc = match_one(p->id.issuer, p->id.issuer_regexp, id->issuer,
                       "OIDC issuer");
    if (rc)
        return rc;
    for (int i = 0; i < SG_GH_N; i++)
        if (!opt_eq(want_gh[i], id->gh[i]))
            return sg_error_set(SG_EVERIFY, "certificate GitHub workflow "
                                            "extensions do not match");
    return SG_OK;
}

/* Verified signing times: at most one per RFC 3161 timestamp and one per
 * SET, each bundle list being capped at SG_SIGSTORE_ITEMS_MAX. */
static int time_add(int64_t *times, size_t *n, int64_t t)
{
    if (*n >= 2 * SG_SIGSTORE_ITEMS_MAX)
        return 0;
    times[(*n)++] = t;
    return 1;
}

/* Every tlog entry: found in the root, body matches, proof + checkpoint
 * (required from v0.2 on), SET (its time is trusted).
 *
 * Rules and why:
 *  - Entries from logs the trusted root does not list are skipped;
 *    but an entry from a listed log that fails any check fails the
 *    whole bundle (the loop stops at the first error). Skipping it
 *    instead would let a forged entry hide next to a good one.
 *  - The same (logId, logIndex) twice is refused, so one entry cannot
 *    be counted as two observers.
 *  - Bundle v0.1 may carry only a SET; from v0.2 the inclusion proof is
 *    required (protobuf-specs), and a proof is worthless without a
 *    checkpoint signed by the log whose size and root are the proof's:
 *    otherwise the bundle could supply a root hash of its own making.
 *  - A SET's integratedTime becomes a verified time only after the SET
 *    verified, is not in the future, and lies in the log key's validFor
 *    window (a retired or compromised log key must not vouch later).
 *  - Without a SET (Rekor v2) the entry proves inclusion but no time,
 *    so an RFC 3161 timestamp is required, and the log key must have
 *    been valid at every such time. */
static sg_err check_tlog(const struct sg_sigstore_trust *root,
                         const struct kbundle *b,
                         const struct sg_sigstore_signed *g,
                         int64_t now,
                         int64_t *times,
                         size_t *n_times,
                         const int64_t *tsa_times,
                         size_t n_tsa,
                         size_t *n_verified)
{
    struct sg_sigstore_tlog_entry e;
    sg_err rc = SG_OK;

    for (size_t i = 0; !rc && i < json_array_size(b->tlog); i++) {
        const struct sg_sigstore_log *log;
        struct sg_sigstore_checkpoint cp;

        rc = sg_sigstore_tlog_entry_parse(&e, json_array_get(b->tlog, i));
        if (rc)
            return sg_error_prefix(rc, "tlogEntries[%zu]", i);
        for (size_t k = 0; k < i; k++) {
            const json_t *o = json_array_get(b->tlog, k);
            const json_t *c = json_array_get(b->tlog, i);
            if (json_equal(json_object_get(o, "logIndex"),
                           json_object_get(c, "logIndex")) &&
                json_equal(json_object_get(o, "logId"),
                           json_object_get(c, "logId"))) {
                rc = sg_error_set(SG_EVERIFY, "duplicate tlog entries");
                goto next;
            }
        }
        /* entries from logs the root does not know are skipped (the
         * client spec's threshold); at least one must verify */
        log = sg_sigstore_trust_tlog(root, e.log_id, e.log_id_len);
        if (!log)
            goto next;
        rc = sg_sigstore_body_match(&e, g);
        if (rc)
            goto next;
        if (!e.has_proof && b->v->version >= 2) {
            rc = sg_error_set(SG_EVERIFY, "tlog entry has no inclusion proof "
                                          "(required from bundle v0.2)");
            goto next;
        }
        if (e.has_proof) {
            rc = sg_sigstore_merkle_verify(
                e.body.data, e.body.len, (uint64_t)e.proof_index, e.tree_size,
                (const unsigned char(*)[32])e.hashes, e.n_hashes, e.root_hash);
            if (!rc && !e.checkpoint)
                rc = sg_error_set(SG_EVERIFY, "inclusion proof has no "
                                              "checkpoint");
            if (!rc)
                rc = sg_sigstore_checkpoint_verify(&cp, e.checkpoint,
                                                   strlen(e.checkpoint), log);
            if (!rc && (cp.size != e.tree_size ||
                        memcmp(cp.root_hash, e.root_hash, 32)))
                rc = sg_error_set(SG_EVERIFY, "checkpoint is not for the "
                                              "inclusion proof's tree");
            if (rc)
                goto next;
        }
        if (e.set.len) {
            rc = sg_sigstore_set_verify(&e, log);
            if (rc)
                goto next;
            if (e.integrated_time > now)
                rc = sg_error_set(SG_EVERIFY, "log entry integrated time is in "
                                              "the future");
            else if (!sg_sigstore_range_has(&log->valid, e.integrated_time))
                rc = sg_error_set(SG_EVERIFY, "log key was not valid at the "
                                              "integrated time");
            else if (!time_add(times, n_times, e.integrated_time))
                rc = sg_error_set(SG_ELIMIT, "too many timestamps");
        } else {
            /* Rekor v2 (or no promise): the log key must be valid when
             * the TSA says the signature existed */
            if (!n_tsa)
                rc = sg_error_set(SG_EVERIFY, "log entry without signed entry "
                                              "timestamp needs an RFC 3161 "
                                              "timestamp");
            for (size_t k = 0; !rc && k < n_tsa; k++)
                if (!sg_sigstore_range_has(&log->valid, tsa_times[k]))
                    rc = sg_error_set(SG_EVERIFY, "log key was not valid at "
                                                  "the timestamp");
        }
        if (!rc)
            (*n_verified)++;
    next:
        sg_sigstore_tlog_entry_release(&e);
    }
    if (!rc && !*n_verified && json_array_size(b->tlog))
        rc = sg_error_set(SG_EVERIFY, "no transparency log entry is from a "
                                      "log in the trusted root");
    return rc;
}

sg_err sg_sigstore_verify_bundle(const struct sg_sigstore_trust *root,
                                 const struct sg_v_bundle *bundle,
                                 const struct sg_sigstore_artifact *art,
                                 const struct sg_sigstore_policy *pol,
                                 struct sg_sigstore_result *out)
{
    struct kbundle b;
    const struct sg_dsse_envelope *dsse = NULL;
    struct sg_sigstore_signed g;
    struct sg_sigstore_identity id = { 0 };
    struct sg_buf pae = SG_BUF_INIT(SG_ATTEST_ENVELOPE_MAX * 2);
    struct sg_buf tok = SG_BUF_INIT(1u << 20);
    struct sg_intoto_statement *st = NULL;
    int64_t times[2 * SG_SIGSTORE_ITEMS_MAX], tsa_times[SG_SIGSTORE_ITEMS_MAX];
    size_t n_times = 0, n_tsa = 0, n_verified = 0;
    unsigned char art_sha[32];
    int64_t now = pol->now ? pol->now : (int64_t)time(NULL);
    EVP_PKEY *key;
    unsigned char *spki = NULL;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    memset(&g, 0, sizeof(g));
    rc = kbundle_read(&b, bundle);
    if (rc)
        goto done;
    if (bundle->content == SG_V_CONTENT_DSSE)
        dsse = bundle->env;
    out->version_minor = (int)bundle->version;
    out->is_dsse = dsse != NULL;

    /* key-based vs keyless never cross: a caller who gave a key expects
     * that key, and must not be satisfied by a certificate the bundle
     * brought (anyone can get one from Fulcio); a keyless policy must
     * not be satisfied by a bare key no identity is bound to. */
    if (pol->key && b.leaf) {
        rc = sg_error_set(SG_EVERIFY, "bundle is keyless (certificate) but a "
                                      "key was given");
        goto done;
    }
    if (!pol->key && !b.leaf) {
        rc = sg_error_set(SG_EVERIFY, "bundle is key-based: verify it with a "
                                      "public key");
        goto done;
    }
    key = pol->key ? pol->key : X509_get0_pubkey(b.leaf);
    if (!key) {
        rc = sg_error_set(SG_EPARSE, "certificate public key is unreadable");
        goto done;
    }
    if (art->data)
        SHA256(art->data, art->len, art_sha);
    else
        memcpy(art_sha, art->sha256, 32);

    /* what was signed: the DSSE PAE (pre-authentication encoding:
     * "DSSEv1" SP len(type) SP type SP len(payload) SP payload), never
     * the payload alone, so the payload type is covered too; for a
     * message signature, the artifact. `g` is what the log entry must
     * describe (sigstore_tlog.c body matching). */
    if (dsse) {
        rc = sg_sign_dsse_pae(&pae, dsse->payload_type, dsse->payload,
                              dsse->payload_len);
        if (rc)
            goto done;
        g.sig = dsse->sigs[0].sig;
        g.sig_len = dsse->sigs[0].sig_len;
        g.payload = dsse->payload;
        g.payload_len = dsse->payload_len;
        SHA256((unsigned char *)pae.data, pae.len, g.digest);
    } else {
        g.sig = bundle->signature;
        g.sig_len = bundle->signature_len;
        memcpy(g.digest, art_sha, 32);
    }
    if (b.leaf) {
        g.cert_der = bundle->certs[0].data;
        g.cert_der_len = bundle->certs[0].len;
    } else {
        int n = i2d_PUBKEY(key, &spki);
        if (n <= 0) {
            rc = sg_error_openssl("public key");
            goto done;
        }
        g.key_der = spki;
        g.key_der_len = (size_t)n;
    }

    /* verified times: RFC 3161 over the signature bytes. Any timestamp
     * that fails to verify fails the bundle (a bad one is evidence of
     * tampering, not noise to skip), and a time after `now` is refused:
     * a trusted time in the future means a wrong clock somewhere. */
    for (size_t i = 0; i < json_array_size(b.tsa); i++) {
        const json_t *s =
            json_object_get(json_array_get(b.tsa, i), "signedTimestamp");
        sg_buf_reset(&tok);
        if (!json_is_string(s) || sg_base64_decode(&tok, json_string_value(s),
                                                   json_string_length(s))) {
            rc = sg_error_set(SG_EPARSE,
                              "bundle: rfc3161Timestamps[%zu] is "
                              "not base64",
                              i);
            goto done;
        }
        rc = sg_sigstore_tsa_verify(root, (unsigned char *)tok.data, tok.len,
                                    g.sig, g.sig_len, &tsa_times[n_tsa]);
        if (rc)
            goto done;
        if (tsa_times[n_tsa] > now) {
            rc =
                sg_error_set(SG_EVERIFY, "RFC 3161 timestamp is in the future");
            goto done;
        }
        times[n_times++] = tsa_times[n_tsa++];
    }

    /* transparency log: mandatory, except with a caller's key and an
     * explicit ignore_tlog (cosign --insecure-ignore-tlog). Keyless can
     * never skip it: a Fulcio certificate expires minutes after issue,
     * and without the log's (or a TSA's) time its validity at signing
     * cannot be shown. */
    if (!json_array_size(b.tlog) && !(pol->key && pol->ignore_tlog)) {
        rc = sg_error_set(SG_EVERIFY, "bundle has no transparency log entry");
        goto done;
    }
    rc = check_tlog(root, &b, &g, now, times, &n_times, tsa_times, n_tsa,
                    &n_verified);
    if (rc)
        goto done;
    if (!n_times && !(pol->key && pol->ignore_tlog)) {
        rc = sg_error_set(SG_EVERIFY, "no verified signing time (signed entry "
                                      "timestamp or RFC 3161 timestamp)");
        goto done;
    }
    /* The reported signing time is the earliest verified one. */
    out->signed_time = n_times ? times[0] : 0;
    for (size_t i = 1; i < n_times; i++)
        if (times[i] < out->signed_time)
            out->signed_time = times[i];

    /* certificate at every verified time, SCT. Every time, not any: each
     * trusted observer must have seen the signature while the
     * certificate was valid; a time outside its window would mean the
     * key may have signed after the certificate expired. */
    if (b.leaf) {
        for (size_t i = 0; !rc && i < n_times; i++)
            rc = sg_sigstore_cert_verify(root, b.leaf, times[i]);
        if (!rc)
            rc = sg_sigstore_sct_verify(root, b.leaf);
        if (rc)
            goto done;
    }

    /* the signature */
    if (dsse) {
        rc = sg_sigstore_sig_verify(key, pae.data, pae.len, g.sig, g.sig_len);
        if (rc) {
            rc = sg_error_set(SG_EVERIFY, "DSSE signature does not verify");
            goto done;
        }
        /* The DSSE signature proves who signed the statement; the
         * statement must also name this artifact's digest among its
         * subjects, or a genuine attestation of another artifact would
         * verify this one. */
        if (!strcmp(dsse->payload_type, SG_INTOTO_PAYLOAD_TYPE)) {
            char dig[SG_DIGEST_STR_MAX];
            static const char x[] = "0123456789abcdef";

            memcpy(dig, "sha256:", 7);
            for (size_t i = 0; i < 32; i++) {
                dig[7 + 2 * i] = x[art_sha[i] >> 4];
                dig[8 + 2 * i] = x[art_sha[i] & 15];
            }
            dig[71] = 0;
            rc = sg_intoto_statement_parse(&st, dsse->payload,
                                           dsse->payload_len, NULL);
            if (rc)
                goto done;
            if (!sg_intoto_statement_has_digest(st, dig)) {
                rc = sg_error_set(SG_EVERIFY, "artifact digest is not a "
                                              "subject of the statement");
                goto done;
            }
        } else {
            rc = sg_error_set(SG_EUNSUPPORTED,
                              "DSSE payload type %.80s is not "
                              "in-toto",
                              dsse->payload_type);
            goto done;
        }
        out->payload_type = strdup(dsse->payload_type);
        if (!out->payload_type) {
            rc = sg_error_oom();
            goto done;
        }
    } else {
        /* messageDigest is informative (the signature is checked over
         * the artifact itself) but must not contradict it. With only a
         * digest at hand (art->data NULL) the prehashed verify is used,
         * which Ed25519 keys cannot do. */
        if (bundle->digest && memcmp(bundle->digest, art_sha, 32)) {
            rc = sg_error_set(SG_EVERIFY, "bundle messageDigest is not the "
                                          "artifact's SHA-256");
            goto done;
        }
        if (art->data)
            rc = sg_sigstore_sig_verify(key, art->data, art->len, g.sig,
                                        g.sig_len);
        else
            rc = sg_sigstore_sig_verify_digest(key, art_sha, g.sig, g.sig_len);
        if (rc) {
            rc = sg_error_set(SG_EVERIFY, "signature over the artifact does "
                                          "not verify");
            goto done;
        }
    }

    /* identity */
    if (b.leaf) {
        rc = sg_sigstore_identity_read(&id, b.leaf);
        if (!rc)
            rc = check_identity(pol, &id);
        if (rc)
            goto done;
        out->san = id.san;
        out->issuer = id.issuer;
        id.san = id.issuer = NULL;
    }
done:
    if (rc)
        sg_sigstore_result_release(out);
    sg_intoto_statement_free(st);
    sg_sigstore_identity_release(&id);
    OPENSSL_free(spki);
    sg_buf_release(&pae);
    sg_buf_release(&tok);
    X509_free(b.leaf);
    return rc;
}

sg_err sg_sigstore_verify(const struct sg_sigstore_trust *root,
                          const json_t *bundle,
                          const struct sg_sigstore_artifact *art,
                          const struct sg_sigstore_policy *pol,
                          struct sg_sigstore_result *out)
{
    struct sg_v_bundle b;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    rc = sg_v_bundle_from_json(&b, bundle);
    if (rc)
        return rc;
    rc = sg_sigstore_verify_bundle(root, &b, art, pol, out);
    sg_v_bundle_release(&b);
    return rc;
}
