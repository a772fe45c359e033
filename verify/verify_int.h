/*
 * The verify core, private to verify/ (and its unit tests). One reader
 * of Sigstore bundles (bundle.c), one classifier of errors, one result
 * model and one checking path (core.c) shared by image signatures
 * (verify.c) and attestations (attestverify.c).
 *
 * The shared path, for every candidate:
 *   fetch (counted against the work budget)
 *     → read the container: simple-signing layer, DSSE envelope or
 *       Sigstore bundle (sg_v_bundle_parse)
 *     → check the signature: with the key, or, when the material is a
 *       certificate, through sg_v_keyless_check (the keyless hook)
 *     → check the signed claims for the kind (sg_v_check_statement or
 *       sg_verify_claims): the kind is decided from the SIGNED
 *       statement, never from unsigned annotations
 *     → record the item (sg_v_record): reason escaped, payload kept only
 *       when the item passed.
 * Fails closed: only SG_OK from sg_v_run means "verified".
 */
#ifndef SIGIL_VERIFY_INT_H
#define SIGIL_VERIFY_INT_H

#include <stdint.h>

#include "sigil/verify.h"

struct json_t;

/* ------------------------------------------------------------------ */
/* Constants (defined here only)                                        */

#define SG_V_BUNDLE_MT_PREFIX      "application/vnd.dev.sigstore.bundle"
#define SG_V_COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"
#define SG_V_ANNOT_CERT            "dev.sigstore.cosign/certificate"
#define SG_V_BUNDLE_MAX            SG_ATTEST_ENVELOPE_MAX /* bundle JSON */
#define SG_V_CERTS_MAX             10u          /* certificates per chain */
#define SG_V_CERT_MAX              (64u * 1024) /* DER bytes per cert */
/* Work budget of one verification: bytes fetched for candidates (tag
 * manifests, referrer manifests, payloads, envelopes, bundles) and the
 * number of candidates. Over budget: SG_ELIMIT, never a pass. */
#define SG_V_WORK_BYTES_MAX (512ull * 1024 * 1024)
#define SG_V_CANDIDATES_MAX 256u

/* ------------------------------------------------------------------ */
/* Classifier: what an error code means for a verification             */

enum sg_v_class {
    SG_V_VERDICT = 0, /* looked, and the candidate is bad: record it */
    SG_V_TRANSPORT,   /* could not look (network, HTTP, auth, local I/O):
                         remembered; the result if nothing passes */
    SG_V_FATAL        /* out of memory, API misuse, bug: stop now */
};
enum sg_v_class sg_v_classify(sg_err rc);

/* ------------------------------------------------------------------ */
/* Sigstore bundles (bundle.c)                                          */

enum sg_v_content {
    SG_V_CONTENT_MESSAGE_SIGNATURE = 1, /* messageSignature */
    SG_V_CONTENT_DSSE                   /* dsseEnvelope */
};

enum sg_v_material {
    SG_V_MATERIAL_PUBLIC_KEY = 1, /* publicKey { hint }: key-based */
    SG_V_MATERIAL_CERTIFICATE,    /* certificate.rawBytes (v0.3) */
    SG_V_MATERIAL_CHAIN           /* x509CertificateChain (v0.1/0.2) */
};

struct sg_v_der {
    unsigned char *data; /* owned DER */
    size_t len;
};

struct sg_v_bundle {
    struct json_t *root;    /* owned: the whole parsed bundle */
    const char *media_type; /* borrowed from root */
    unsigned version;       /* minor version: 1, 2 or 3 */
    enum sg_v_content content;
    /* messageSignature (content == SG_V_CONTENT_MESSAGE_SIGNATURE) */
    const char *digest_alg; /* e.g. "SHA2_256", borrowed */
    unsigned char *digest;  /* owned, decoded messageDigest.digest */
    size_t digest_len;
    unsigned char *signature; /* owned, decoded signature */
    size_t signature_len;
    /* dsseEnvelope (content == SG_V_CONTENT_DSSE) */
    struct sg_dsse_envelope *env; /* owned, parsed and decoded */
    const struct json_t *dsse;    /* borrowed: the envelope object */
    /* verificationMaterial */
    enum sg_v_material material;
    const char *key_hint;   /* publicKey.hint, borrowed, may be NULL */
    struct sg_v_der *certs; /* owned; [0] is the leaf; n_certs >= 1 for
                               CERTIFICATE and CHAIN, 0 otherwise */
    size_t n_certs;
    /* Left for the keyless module (borrowed from root, NULL if absent):
     * verificationMaterial.tlogEntries (array) and
     * verificationMaterial.timestampVerificationData (object). */
    const struct json_t *tlog_entries;
    const struct json_t *timestamp_data;
};

/* Parse a Sigstore bundle (untrusted JSON, at most max bytes; 0 means
 * SG_V_BUNDLE_MAX): duplicate keys rejected, depth bounded. Media types
 * accepted: ...bundle+json;version=0.1, 0.2 and 0.3, and
 * ...bundle.v0.3+json; any other is SG_EUNSUPPORTED naming it (escaped).
 * Exactly one of messageSignature / dsseEnvelope; exactly one kind of
 * verification material. SG_EPARSE with the reason on malformed input.
 * On failure *b is released. */
SG_MUST_USE sg_err sg_v_bundle_parse(struct sg_v_bundle *b,
                                     const void *data,
                                     size_t len,
                                     size_t max);
/* The same for a bundle already parsed (borrowed; b takes a reference
 * to it, dropped by sg_v_bundle_release). */
SG_MUST_USE sg_err sg_v_bundle_from_json(struct sg_v_bundle *b,
                                         const struct json_t *root);
void sg_v_bundle_release(struct sg_v_bundle *b);

/* ------------------------------------------------------------------ */
/* One result model                                                     */

enum sg_v_kind {
    SG_V_SIGNATURE = 1, /* cosign image signatures (sigil verify) */
    SG_V_ATTESTATION    /* in-toto attestations (verify-attestation) */
};

struct sg_v_item {
    int ok;               /* passed every check */
    char *reason;         /* escaped, why not (NULL when ok) */
    char *source;         /* escaped: "<tag> layer N" or "referrer <dg>" */
    char *predicate_type; /* attestations: from the statement, or NULL */
    char *payload;        /* ok only: what the CLI prints (simple-signing
                             payload, synthesized payload or statement),
                             NUL-terminated */
    size_t payload_len;
    char *envelope; /* ok attestations only: the envelope JSON */
    size_t envelope_len;
    char *keyless; /* ok keyless items only: the verified certificate facts
                      as a JSON object text (sg_v_keyless_check), or NULL */
};

struct sg_v_result {
    struct sg_v_item *items;
    size_t n_items;
};
void sg_v_result_release(struct sg_v_result *r);

/* ------------------------------------------------------------------ */
/* The checking context                                                 */

/* The keyless policy ready to check (keyless.c): the parsed trusted
 * root and the identity policy of a struct sg_keyless_policy. */
struct sg_v_keyless_opts;
/* Load the trusted root and check the policy (an identity and an issuer
 * are required; regexps must compile): SG_EINVAL/SG_EPARSE/SG_EIO with
 * the reason. */
SG_MUST_USE sg_err sg_v_keyless_opts_new(struct sg_v_keyless_opts **out,
                                         const struct sg_keyless_policy *p);
void sg_v_keyless_opts_free(struct sg_v_keyless_opts *o);

struct sg_v_ctx {
    /* inputs (borrowed) */
    enum sg_v_kind kind;
    struct sg_oci_store *s;
    const char *digest;                      /* "sha256:<hex>" being verified */
    const struct sg_sign_key *key;           /* public key (key-based checks) */
    const struct sg_v_keyless_opts *keyless; /* keyless mode (key NULL) */
    const struct sg_sign_annotation *annotations; /* -a pairs (sigs) */
    size_t n_annotations;
    const char *docker_reference; /* shown in synthesized payloads */
    const char *type;             /* attestations: --type as given */
    const char *predicate_uri;    /* attestations: wanted URI or NULL */
    unsigned flags;               /* enum sg_attest_verify_flags */
    uint64_t work_bytes_max;      /* budget, SG_V_WORK_BYTES_MAX */
    const struct sg_ctx *ctx;     /* limits and hooks: the opts', else the
                                     store's, else NULL (defaults) */
    size_t candidates_max;        /* budget, SG_V_CANDIDATES_MAX */
    /* state */
    struct sg_v_result res; /* every candidate, in order */
    uint64_t work_bytes;    /* bytes fetched so far */
    size_t candidates;      /* candidates looked at so far */
    sg_err io_rc;           /* first transport error met (SG_OK: none) */
    char io_msg[512];       /* its message, escaped */
};

void sg_v_ctx_init(struct sg_v_ctx *c,
                   enum sg_v_kind kind,
                   struct sg_oci_store *s,
                   const char *digest,
                   const struct sg_sign_key *key);
void sg_v_ctx_release(struct sg_v_ctx *c);

/* Check every candidate of c->kind for c->digest: the referrers (bundles)
 * and the legacy tag (.sig for signatures, .att for attestations), in
 * cosign's order for the kind. SG_OK only when an item passed every
 * check; else the first transport error, or SG_ELIMIT (work budget), or
 * SG_EVERIFY with "no ... found" / "none passed". c->res lists every
 * candidate whatever the outcome. */
SG_MUST_USE sg_err sg_v_run(struct sg_v_ctx *c);

/* The keyless hook: called by the core whenever the verification
 * material is a certificate: a bundle whose material is
 * SG_V_MATERIAL_CERTIFICATE or SG_V_MATERIAL_CHAIN (b != NULL), or a
 * legacy .sig/.att layer carrying dev.sigstore.cosign/certificate
 * (layer != NULL; its annotations hold certificate, chain, bundle and
 * rfc3161timestamp). `signed_data`: for a .sig layer the simple-signing
 * payload the signature is over; for a .att layer the layer blob as
 * stored (the envelope JSON cosign's rfc3161timestamp covers); for
 * bundles the DSSE payload (the envelope is in b->env or `envelope`). Must
 * return SG_OK only when the certificate chains to the trusted root at a
 * verified signing time, the log/timestamp evidence verifies, the identity
 * policy c->keyless matches and the signature over the content verifies with
 * the leaf key. The claims (digest, type, annotations) are checked by the core
 * afterwards, as for keys. Without c->keyless (a --key check): always
 * SG_EVERIFY (keyless.c). On SG_OK *facts (when facts is not NULL) is
 * the verified facts as compact JSON object text in cosign's `optional`
 * spelling (malloc'd): "Subject" (the SAN), "Issuer" and
 * "1.3.6.1.4.1.57264.1.1" (the OIDC issuer), each GitHub workflow
 * extension under its name and OID, and "Bundle" (the Rekor v1 entry:
 * SignedEntryTimestamp, Payload {body, integratedTime, logIndex, logID})
 * when the entry has an inclusion promise; keys sorted as Go's
 * encoding/json sorts a map. */
SG_MUST_USE sg_err sg_v_keyless_check(const struct sg_v_ctx *c,
                                      const struct sg_v_bundle *b,
                                      const struct sg_oci_descriptor *layer,
                                      const struct sg_dsse_envelope *envelope,
                                      const void *signed_data,
                                      size_t signed_len,
                                      char **facts);

/* The claims of a verified in-toto statement for c->kind: it must name
 * c->digest as a subject; signatures: predicateType is the cosign sign
 * predicate and the subject naming the digest holds every -a pair;
 * attestations: predicateType is not the cosign sign predicate and
 * equals c->predicate_uri when set. *other_kind is set (and SG_EVERIFY
 * returned) when the statement is of the other kind. */
SG_MUST_USE sg_err sg_v_check_statement(const struct sg_v_ctx *c,
                                        const unsigned char *st,
                                        size_t len,
                                        char **predicate_type,
                                        int *other_kind);

/* One DSSE envelope (untrusted bytes) checked on the shared path (kind
 * c->kind, no store needed): parse, payloadType, key signature,
 * statement claims. it (may be NULL) receives the envelope copy, the
 * statement (payload) and the predicate type whatever the outcome. */
SG_MUST_USE sg_err sg_v_check_envelope(struct sg_v_ctx *c,
                                       const void *env,
                                       size_t len,
                                       struct sg_v_item *it);

/* Export c->res to the public models (moves the strings out of c). */
SG_MUST_USE sg_err sg_v_export_signatures(struct sg_v_ctx *c,
                                          struct sg_verify_result *out);
SG_MUST_USE sg_err sg_v_export_attestations(struct sg_v_ctx *c,
                                            struct sg_attest_result *out);

#endif /* SIGIL_VERIFY_INT_H */
