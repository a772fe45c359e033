/*
 * Sigstore keyless verification core (issue 10), private to verify/.
 * Offline only: everything is checked against a trusted_root.json.
 *
 *   sigstore_trust.c   trusted root (protobuf-specs TrustedRoot JSON)
 *   sigstore_tlog.c    Rekor entries: SET, RFC 6962 proof, checkpoint,
 *                      entry body matching
 *   sigstore_cert.c    Fulcio chain at a time, SCT, TSA, SAN/issuer
 *   sigstore_verify.c  identity policy (PCRE2) and sg_sigstore_verify()
 *
 * Spec: Sigstore client spec; sigstore-go pkg/verify, pkg/root, pkg/tlog.
 */
#ifndef SIGIL_SIGSTORE_INT_H
#define SIGIL_SIGSTORE_INT_H
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "sigil/common.h"
#include "sigil/verify.h"

#define SG_SIGSTORE_ROOT_MAX   (4u * 1024u * 1024u)  /* trusted_root.json */
#define SG_SIGSTORE_BUNDLE_MAX (64u * 1024u * 1024u) /* bundle JSON */
#define SG_SIGSTORE_ITEMS_MAX  64u   /* logs, CAs, entries, timestamps */
#define SG_SIGSTORE_CHAIN_MAX  16u   /* certificates of one CA / TSA */
#define SG_SIGSTORE_PROOF_MAX  64u   /* inclusion proof hashes */
#define SG_SIGSTORE_NOTE_MAX   65536 /* checkpoint text */

/* validFor: start required, end optional and inclusive. */
struct sg_sigstore_range {
    int64_t start;
    int64_t end;
    int has_end;
};
int sg_sigstore_range_has(const struct sg_sigstore_range *r, int64_t t);

/* A transparency log, CT log or the key of one. */
/* Entries keep the DER bytes of the root; the key / chain is decoded the
 * first time a bundle needs it (sg_sigstore_log_key, sg_sigstore_ca_chain)
 * and cached in the entry: an atomic pointer, so a trust object may be
 * shared by threads (a racing second decode is freed, the first kept). */
struct sg_sigstore_log {
    unsigned char id[64]; /* logId.keyId (decoded) */
    size_t id_len;
    _Atomic(EVP_PKEY *) key; /* decoded key, or NULL until first use */
    struct sg_sigstore_range valid;
    char *base_url;     /* may be NULL */
    unsigned char *der; /* SPKI or PKCS#1 RSA DER (NULL if key preset) */
    size_t der_len;
};

/* A Fulcio CA or a TSA: certChain leaf-most first, root last. */
struct sg_sigstore_ca {
    _Atomic(STACK_OF(X509) *) chain; /* decoded, or NULL until first use */
    struct sg_sigstore_range valid;
    unsigned char *der; /* the certificates' DER, one after the other */
    size_t off[SG_SIGSTORE_CHAIN_MAX + 1]; /* cert i: der[off[i]..off[i+1]) */
    size_t n_certs;
};

struct sg_sigstore_trust {
    struct sg_sigstore_log *tlogs, *ctlogs;
    size_t n_tlogs, n_ctlogs;
    struct sg_sigstore_ca *cas, *tsas;
    size_t n_cas, n_tsas;
};

/* sg_sigstore_trust_parse/_load/_free: public, sigil/verify.h. */
const struct sg_sigstore_log *sg_sigstore_trust_tlog(
    const struct sg_sigstore_trust *t, const unsigned char *id, size_t id_len);
/* The entry's key / certificate chain, decoded on first use (borrowed:
 * owned by the trust object). */
SG_MUST_USE sg_err sg_sigstore_log_key(EVP_PKEY **out,
                                       const struct sg_sigstore_log *l);
SG_MUST_USE sg_err sg_sigstore_ca_chain(STACK_OF(X509) * *out,
                                        const struct sg_sigstore_ca *c);
/* 1 if cert i of c (DER) contains the bytes name[0..len): a cheap
 * pre-filter on an issuer name before decoding. */
int sg_sigstore_ca_mentions(const struct sg_sigstore_ca *c,
                            const unsigned char *name,
                            size_t len);

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac]Z" -> Unix seconds. */
SG_MUST_USE sg_err sg_sigstore_time_parse(int64_t *out, const char *s);
/* A key as the root carries it: SPKI DER, else PKCS#1 RSA DER. */
SG_MUST_USE sg_err sg_sigstore_key_der(EVP_PKEY **out,
                                       const unsigned char *der,
                                       size_t len);

/* Verify sig over msg with k (SHA-256 for ECDSA P-256/RSA, SHA-384 for
 * P-384, pure Ed25519); and over a precomputed SHA-256 digest. */
SG_MUST_USE sg_err sg_sigstore_sig_verify(EVP_PKEY *k,
                                          const void *msg,
                                          size_t len,
                                          const unsigned char *sig,
                                          size_t sig_len);
SG_MUST_USE sg_err sg_sigstore_sig_verify_digest(EVP_PKEY *k,
                                                 const unsigned char d[32],
                                                 const unsigned char *sig,
                                                 size_t sig_len);

/* ------------------------------------------------------------------ */
/* Transparency log entries                                             */

struct sg_sigstore_tlog_entry {
    int64_t log_index;
    unsigned char log_id[64];
    size_t log_id_len;
    char kind[32], version[16];
    int64_t integrated_time; /* 0 when absent (Rekor v2) */
    struct sg_buf set;       /* inclusionPromise.signedEntryTimestamp */
    struct sg_buf body;      /* canonicalizedBody (decoded) */
    int has_proof;
    int64_t proof_index;
    uint64_t tree_size;
    unsigned char root_hash[32];
    unsigned char (*hashes)[32];
    size_t n_hashes;
    char *checkpoint; /* NULL when absent */
};

/* Parse one tlogEntries[] element (borrowed json). */
SG_MUST_USE sg_err sg_sigstore_tlog_entry_parse(
    struct sg_sigstore_tlog_entry *out, const json_t *j);
void sg_sigstore_tlog_entry_release(struct sg_sigstore_tlog_entry *e);

/* Rekor v1 SET over {body,integratedTime,logID,logIndex}. */
SG_MUST_USE sg_err sg_sigstore_set_verify(
    const struct sg_sigstore_tlog_entry *e, const struct sg_sigstore_log *log);
/* RFC 6962: leaf hash of `leaf` at index in size reaches root. */
SG_MUST_USE sg_err sg_sigstore_merkle_verify(const void *leaf,
                                             size_t leaf_len,
                                             uint64_t index,
                                             uint64_t size,
                                             const unsigned char (*hashes)[32],
                                             size_t n_hashes,
                                             const unsigned char root[32]);

struct sg_sigstore_checkpoint {
    char origin[256];
    uint64_t size;
    unsigned char root_hash[32];
};
/* Parse the signed note and verify one signature line whose key hint
 * is the log's (unknown lines ignored). */
SG_MUST_USE sg_err
sg_sigstore_checkpoint_verify(struct sg_sigstore_checkpoint *out,
                              const char *note,
                              size_t len,
                              const struct sg_sigstore_log *log);
/* Parse only (no signature check): fuzzing and tests. */
SG_MUST_USE sg_err sg_sigstore_checkpoint_parse(
    struct sg_sigstore_checkpoint *out, const char *note, size_t len);

/* What the bundle says was signed, for entry body matching. */
struct sg_sigstore_signed {
    const unsigned char *sig; /* signature bytes */
    size_t sig_len;
    const unsigned char *cert_der; /* leaf DER, or NULL with key_der */
    size_t cert_der_len;
    const unsigned char *key_der; /* SPKI DER when key-based */
    size_t key_der_len;
    unsigned char digest[32]; /* message: artifact sha256; dsse: PAE sha256 */
    const unsigned char *payload; /* dsse payload, NULL for messages */
    size_t payload_len;
};
SG_MUST_USE sg_err sg_sigstore_body_match(
    const struct sg_sigstore_tlog_entry *e, const struct sg_sigstore_signed *s);

/* ------------------------------------------------------------------ */
/* Certificates, SCTs, timestamps                                       */

/* Chain `leaf` to a Fulcio CA of the root valid at `when`, validated at
 * `when`; code-signing EKU. */
SG_MUST_USE sg_err sg_sigstore_cert_verify(const struct sg_sigstore_trust *t,
                                           X509 *leaf,
                                           int64_t when);
/* At least one embedded SCT verifies with a CT log key of the root. */
SG_MUST_USE sg_err sg_sigstore_sct_verify(const struct sg_sigstore_trust *t,
                                          X509 *leaf);
/* RFC 3161 response or token over `data` from a TSA of the root;
 * *gen_time receives genTime. */
SG_MUST_USE sg_err sg_sigstore_tsa_verify(const struct sg_sigstore_trust *t,
                                          const unsigned char *tok,
                                          size_t tok_len,
                                          const unsigned char *data,
                                          size_t data_len,
                                          int64_t *gen_time);

/* Fulcio's GitHub workflow extensions 1.3.6.1.4.1.57264.1.2 - .1.6, in
 * that order (trigger, sha, name, repository, ref). */
enum sg_sigstore_gh {
    SG_GH_TRIGGER,
    SG_GH_SHA,
    SG_GH_NAME,
    SG_GH_REPOSITORY,
    SG_GH_REF,
    SG_GH_N
};
/* Their OIDs, in enum order. */
extern const char *const sg_sigstore_gh_oids[SG_GH_N];
struct sg_sigstore_identity {
    char *san;         /* URI, email or otherName 1.3.6.1.4.1.57264.1.7 */
    char *issuer;      /* 1.3.6.1.4.1.57264.1.8, else .1.1 */
    char *gh[SG_GH_N]; /* enum sg_sigstore_gh; NULL when absent */
};
SG_MUST_USE sg_err sg_sigstore_identity_read(struct sg_sigstore_identity *out,
                                             X509 *cert);
void sg_sigstore_identity_release(struct sg_sigstore_identity *id);

/* ------------------------------------------------------------------ */
/* The whole check                                                      */

struct sg_sigstore_policy {
    /* keyless: one of id.identity / id.identity_regexp, one of id.issuer /
     * id.issuer_regexp; the GitHub workflow fields are optional exact checks
     * (NULL = not checked). Strings borrowed from the caller. */
    struct sg_verify_identity id;
    /* key-based instead: a keyless bundle never passes this, and vice versa */
    EVP_PKEY *key;
    int ignore_tlog; /* key-based only: accept a bundle with no tlog entry */
    int64_t now;     /* 0: time(NULL) */
};

struct sg_sigstore_artifact {
    const unsigned char *data; /* the bytes, or NULL with sha256 */
    size_t len;
    unsigned char sha256[32]; /* used when data is NULL */
};

struct sg_sigstore_result {
    int version_minor;   /* bundle v0.<n> */
    int is_dsse;         /* DSSE envelope (else message signature) */
    int64_t signed_time; /* earliest verified time */
    char *san, *issuer;  /* keyless only; owned */
    char *payload_type;  /* dsse only; owned */
};
void sg_sigstore_result_release(struct sg_sigstore_result *r);

/* Regex match with RE2-like (unanchored, UTF-8) semantics. 1 match,
 * 0 no match; SG_EPARSE on a bad pattern via *err. */
SG_MUST_USE sg_err sg_sigstore_regex_match(int *matched,
                                           const char *pattern,
                                           const char *subject);

/* The whole check of one bundle as read by the shared reader
 * (verify_int.h sg_v_bundle_parse). */
struct sg_v_bundle;
SG_MUST_USE sg_err
sg_sigstore_verify_bundle(const struct sg_sigstore_trust *root,
                          const struct sg_v_bundle *bundle,
                          const struct sg_sigstore_artifact *artifact,
                          const struct sg_sigstore_policy *policy,
                          struct sg_sigstore_result *out);
/* The same for a bundle already parsed as JSON (borrowed). */
SG_MUST_USE sg_err
sg_sigstore_verify(const struct sg_sigstore_trust *root,
                   const json_t *bundle,
                   const struct sg_sigstore_artifact *artifact,
                   const struct sg_sigstore_policy *policy,
                   struct sg_sigstore_result *out);

#endif
