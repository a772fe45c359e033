/*
 * sigil verify module: checking cosign signatures and attestations on
 * images and blobs. Fails closed: SG_OK means verified; every other code
 * (including registry and parse errors) means not verified.
 */
#ifndef SIGIL_VERIFY_H
#define SIGIL_VERIFY_H

#include "sigil/common.h"
#include "sigil/oci.h"
#include "sigil/sign.h"

/* One checked candidate signature / attestation. */
struct sg_verify_item {
    int ok;        /* passed every check */
    char *reason;  /* why it failed (NULL when ok); registry text escaped */
    char *payload; /* passing items only (NULL otherwise): the exact
                      payload bytes, or for a bundle the payload cosign
                      synthesizes (owned, NUL-terminated) */
    size_t payload_len;
    char *source;  /* where it was found: tag or referrer digest */
    char *keyless; /* passing keyless items only (NULL otherwise): the
                      verified certificate facts as a JSON object text in
                      the spelling of cosign's `optional` additions:
                      "Subject", "Issuer", "1.3.6.1.4.1.57264.1.1", GitHub
                      workflow extensions (name and OID) and "Bundle"
                      {SignedEntryTimestamp, Payload {body,
                      integratedTime, logIndex, logID}} */
};

struct sg_verify_result {
    struct sg_verify_item *items;
    size_t n_items;
};
void sg_verify_result_release(struct sg_verify_result *r);

/* Who must have signed (keyless): the certificate's SAN and OIDC issuer,
 * exact or as an unanchored regexp, and optional exact GitHub workflow
 * extension values. NULL fields are not checked. */
struct sg_verify_identity {
    const char *identity, *identity_regexp;
    const char *issuer, *issuer_regexp;
    const char *gh_workflow_trigger, *gh_workflow_sha, *gh_workflow_name,
        *gh_workflow_repository, *gh_workflow_ref;
};

/* Keyless (Fulcio certificate) verification of image signatures and
 * attestations (issue 10): the trusted root (protobuf-specs TrustedRoot
 * JSON: the path, or the bytes when path is NULL) and the identity the
 * certificate must name: one of identity / identity_regexp (SAN: URI,
 * email or Sigstore otherName) and one of issuer / issuer_regexp
 * (1.3.6.1.4.1.57264.1.8, else .1.1); regexps unanchored (RE2-like).
 * The GitHub workflow fields are exact, optional checks (NULL: not
 * checked). A keyless policy and a key never mix: with a policy only
 * certificate-signed candidates can pass; with a key never one. */
struct sg_keyless_policy {
    const char *trusted_root_path; /* trusted_root.json, or NULL */
    const void *trusted_root_data; /* its bytes when path is NULL */
    size_t trusted_root_len;
    struct sg_verify_identity id; /* identity and issuer (exact or regexp),
                                     GitHub workflow extensions */
    int64_t now;                  /* 0: the current time (tests may fix it) */
};

struct sg_verify_opts {
    const struct sg_sign_annotation *annotations; /* required -a pairs */
    size_t n_annotations;
    const char *predicate_type;   /* attestations: required type URI */
    const char *docker_reference; /* shown in payloads synthesized for v3
                                     bundles (may be NULL) */
    const struct sg_ctx *ctx;     /* limits and hooks; NULL: the store's */
    const struct sg_keyless_policy *keyless; /* keyless mode (k NULL) */
};

/* Verify signatures on image `digest` in store s with public key k (or,
 * k NULL, with opts->keyless: certificate-signed candidates only): the
 * Sigstore bundles (v0.1-v0.3, DSSE, cosign sign predicate in the SIGNED
 * statement) among the referrers, then the sha256-<hex>.sig layers.
 * Returns SG_OK only if at least one candidate passed every check; when
 * none did, the first registry/transport error met, or SG_EVERIFY; or
 * SG_ELIMIT when the work bound of one verification (verify/verify_int.h)
 * was reached. The result lists every candidate (caller releases it) in
 * every case. */
SG_MUST_USE sg_err sg_verify_image(struct sg_verify_result *out,
                                   struct sg_oci_store *s,
                                   const char *digest,
                                   const struct sg_sign_key *k,
                                   const struct sg_verify_opts *opts);

/* The claim checks on a simple-signing payload (untrusted bytes):
 * critical.image.docker-manifest-digest == digest, critical.type is
 * "cosign container image signature", and every opts->annotations pair
 * is in optional. SG_OK, or SG_EVERIFY/SG_EPARSE with the reason. */
SG_MUST_USE sg_err sg_verify_claims(const void *payload,
                                    size_t len,
                                    const char *digest,
                                    const struct sg_verify_opts *opts);

/* verify-blob: `sig_b64` is the base64 signature (newlines tolerated) over
 * data. SG_OK only when it verifies with k; SG_EVERIFY with the reason. */
SG_MUST_USE sg_err sg_verify_blob(const struct sg_sign_key *k,
                                  const void *data,
                                  size_t len,
                                  const char *sig_b64,
                                  size_t sig_len);

/* ------------------------------------------------------------------ */
/* Attestations (verify/attestverify.c; owner: attest).                  */
/* cosign-format.md §3.4 (verify-attestation), §3.6 (v3 bundles).        */

enum sg_attest_verify_flags {
    /* Accept envelopes whose payloadType is not application/vnd.in-toto
     * +json (early cosign wrote the predicate type there; current cosign
     * rejects them). PAE still uses the envelope's payloadType. */
    SG_ATTEST_ALLOW_LEGACY_PAYLOAD_TYPE = 1u << 0
};

struct sg_attest_check {
    const struct sg_sign_key *key; /* public key */
    const char *digest;            /* "sha256:<hex>" some subject must name */
    const char *type;         /* --type name or URI; NULL = any predicate */
    unsigned flags;           /* enum sg_attest_verify_flags */
    const struct sg_ctx *ctx; /* limits and hooks; NULL: the store's (or
                                 defaults without a store) */
    /* keyless mode (key NULL; images only): see sg_keyless_policy */
    const struct sg_keyless_policy *keyless;
};

/* One checked attestation candidate. */
struct sg_attest_item {
    int ok;               /* passed every check */
    char *reason;         /* why not (NULL when ok); registry text escaped */
    char *source;         /* "sha256-<hex>.att layer N" or a referrer */
    char *predicate_type; /* from the statement, NULL if unreadable */
    char *statement;      /* decoded payload (NUL-terminated), or NULL; image
                             results keep it for passing items only */
    size_t statement_len;
    char *envelope; /* the envelope JSON as stored, or NULL (image results:
                       passing items only) */
    size_t envelope_len;
    char *keyless; /* passing keyless image items: as sg_verify_item's */
};

struct sg_attest_result {
    struct sg_attest_item *items;
    size_t n_items;
};
void sg_attest_result_release(struct sg_attest_result *r);

/* Check one DSSE envelope (untrusted bytes) against c, in cosign's
 * order: envelope shape, payloadType, signature over PAE, statement
 * parse, subject digest, predicate type (never the cosign sign
 * predicate). Returns SG_OK when it passed;
 * otherwise SG_EVERIFY/SG_EPARSE/... with the reason in sg_error_last().
 * item (may be NULL) receives the statement, predicate type and a copy
 * of the envelope whatever the outcome. */
SG_MUST_USE sg_err
sg_verify_attestation_envelope(struct sg_attest_item *item,
                               const void *env,
                               size_t len,
                               const struct sg_attest_check *c);

/* Verify every attestation of image c->digest in s: the layers of
 * sha256-<hex>.att and the Sigstore bundles (v0.1-v0.3, DSSE) among the
 * referrers; a statement with the cosign sign predicate is an image
 * signature, never an attestation. SG_OK only when at least one item
 * passed every check; when none did, the first registry/transport error
 * met, or SG_EVERIFY ("no attestations found" too); SG_ELIMIT at the
 * work bound. *out lists every candidate. */
SG_MUST_USE sg_err
sg_verify_image_attestations(struct sg_attest_result *out,
                             struct sg_oci_store *s,
                             const struct sg_attest_check *c);

/* ------------------------------------------------------------------ */
/* Keyless and Sigstore-bundle verification of blobs, offline           */
/* (verify/bundleverify.c; the checks: verify/sigstore_*.c, issue 10).  */

/* A trusted root: protobuf-specs TrustedRoot JSON (trusted_root.json):
 * Fulcio CAs, Rekor logs, CT logs, TSAs with their validFor windows. */
struct sg_sigstore_trust;
/* Parse untrusted trusted_root.json (at most 4 MiB, duplicate keys
 * refused). SG_EPARSE/SG_EUNSUPPORTED with the reason. */
SG_MUST_USE sg_err sg_sigstore_trust_parse(struct sg_sigstore_trust **out,
                                           const void *data,
                                           size_t len);
SG_MUST_USE sg_err sg_sigstore_trust_load(struct sg_sigstore_trust **out,
                                          const char *path);
void sg_sigstore_trust_free(struct sg_sigstore_trust *t);
/* The Sigstore public-good trusted root carried in the library (a
 * snapshot, verify/data/): its JSON bytes (static, *len set) and the
 * snapshot's date ("YYYY-MM-DD") in *date when date is not NULL. */
const unsigned char *sg_verify_trust_builtin(size_t *len, const char **date);

/* Who must have signed (keyless): one of identity / identity_regexp and
 * one of issuer / issuer_regexp; regexps are RE2-like and unanchored
 * (PCRE2). The gh_workflow_* values, when set, must equal the
 * certificate's GitHub workflow extensions (1.3.6.1.4.1.57264.1.2-.6). */

/* Does `re` compile as an identity regexp (the engine of
 * --certificate-identity-regexp and --certificate-oidc-issuer-regexp)?
 * SG_OK, or SG_EINVAL with the reason. For callers that check a policy
 * before verifying anything (sigil serve's keyless authorities). */
SG_MUST_USE sg_err sg_verify_regexp_check(const char *re);

struct sg_verify_bundle_opts {
    const struct sg_sigstore_trust *root; /* required */
    /* exactly one of: */
    const struct sg_verify_identity *identity; /* keyless bundles */
    const struct sg_sign_key *key;             /* key-based bundles */
    int ignore_tlog; /* key-based only: no transparency log entry needed */
    /* verify-blob-attestation: the bundle must be a DSSE in-toto
     * statement naming the artifact (not the cosign sign predicate) whose
     * predicate type is sg_attest_predicate_uri(type) when type is set */
    int attestation;
    const char *type;
    long long now; /* Unix time used as "now"; 0 = the clock */
};

struct sg_verify_bundle_result {
    int version_minor;     /* bundle v0.<n>; 0 for cosign's old bundle */
    int is_dsse;           /* DSSE envelope (else message signature) */
    long long signed_time; /* earliest verified signing time (0: none) */
    char *san, *issuer;    /* keyless: the certificate's identity (owned) */
    char *predicate_type;  /* DSSE in-toto: the statement's (owned) */
};
void sg_verify_bundle_result_release(struct sg_verify_bundle_result *r);

/* Verify `bundle` (untrusted bytes: a Sigstore bundle v0.1-v0.3, message
 * signature or DSSE, or cosign's older sign-blob --bundle file with
 * base64Signature, cert and rekorBundle) over the artifact: `data`/len,
 * or when data is NULL the artifact's SHA-256 `sha256` (32 bytes).
 * Offline, against o->root only, in the Sigstore client spec's order.
 * A keyless bundle never passes with o->key and a key-based one never
 * without it. SG_OK only when verified; SG_EVERIFY (also for malformed
 * bundles: SG_EPARSE/SG_EUNSUPPORTED) with a one-line reason, untrusted
 * text escaped; SG_EINVAL for a bad policy (e.g. a regexp that does not
 * compile). *out is filled on success and empty on failure. */
SG_MUST_USE sg_err sg_verify_blob_bundle(struct sg_verify_bundle_result *out,
                                         const void *bundle,
                                         size_t bundle_len,
                                         const void *data,
                                         size_t len,
                                         const unsigned char *sha256,
                                         const struct sg_verify_bundle_opts *o);

#endif /* SIGIL_VERIFY_H */
