/*
 * sigil sign module: cosign-compatible keys (encrypted cosign.key, PEM
 * public keys), simple-signing payloads, signatures stored as cosign
 * stores them (sha256-<hex>.sig), DSSE/in-toto attestations (.att).
 * Formats: cosign's specs (github.com/sigstore/cosign, specs/SIGNATURE_SPEC.md,
 * specs/ATTESTATION_SPEC.md), DSSE and in-toto Statement v1.
 */
#ifndef SIGIL_SIGN_H
#define SIGIL_SIGN_H

#include "sigil/common.h"
#include "sigil/oci.h"

/* ------------------------------------------------------------------ */
/* Keys                                                                 */

struct sg_sign_key; /* opaque: a private or public key (EVP_PKEY) */

/* Load a private key: "ENCRYPTED SIGSTORE/COSIGN PRIVATE KEY" (scrypt +
 * secretbox, PKCS#8 inside) or an unencrypted PEM key. A wrong password
 * is SG_EAUTH with a message saying so. */
SG_MUST_USE sg_err sg_sign_key_load_private(struct sg_sign_key **out,
                                            const void *pem,
                                            size_t len,
                                            const char *password,
                                            size_t pw_len);
/* Load a public key: PEM PUBLIC KEY (PKIX) or a PEM certificate (its
 * public key is used; sg_sign_key_is_cert() tells which). */
SG_MUST_USE sg_err sg_sign_key_load_public(struct sg_sign_key **out,
                                           const void *pem,
                                           size_t len);
SG_MUST_USE sg_err sg_sign_key_generate(struct sg_sign_key **out);
void sg_sign_key_free(struct sg_sign_key *k);
/* Was the public key taken from a certificate (keyless material)? */
int sg_sign_key_is_cert(const struct sg_sign_key *k);
int sg_sign_key_is_private(const struct sg_sign_key *k);
/* "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa", "ed25519" (static). */
const char *sg_sign_key_type(const struct sg_sign_key *k);
/* DER SubjectPublicKeyInfo of the key, appended to out (bundle key hints
 * are base64(sha256(this))). */
SG_MUST_USE sg_err sg_sign_key_public_der(struct sg_buf *out,
                                          const struct sg_sign_key *k);
/* Unencrypted PKCS#8 PEM "PRIVATE KEY" (for tests and tooling; callers
 * must wipe it). */
SG_MUST_USE sg_err sg_sign_key_private_pem(struct sg_buf *out,
                                           const struct sg_sign_key *k);
/* PEM "PUBLIC KEY" of a private or public key, appended to out. */
SG_MUST_USE sg_err sg_sign_key_public_pem(struct sg_buf *out,
                                          const struct sg_sign_key *k);
/* cosign.key encoding (scrypt N=65536 r=8 p=1, random salt and nonce). */
SG_MUST_USE sg_err sg_sign_key_encrypt(struct sg_buf *out,
                                       const struct sg_sign_key *k,
                                       const char *password,
                                       size_t pw_len);
/* Sign `msg` as cosign does for this key type (raw signature bytes):
 * ECDSA (any curve) SHA-256 + ASN.1 DER, RSA PKCS#1 v1.5 SHA-256,
 * Ed25519 pure. Verification also accepts SHA-384/SHA-512 for P-384/P-521
 * (what cosign sign uses for those curves). */
SG_MUST_USE sg_err sg_sign_key_sign(struct sg_buf *sig_out,
                                    const struct sg_sign_key *k,
                                    const void *msg,
                                    size_t len);
/* SG_OK only when `sig` is a valid signature over msg; SG_EVERIFY
 * otherwise (never "ok" on an error). */
SG_MUST_USE sg_err sg_sign_key_verify(const struct sg_sign_key *k,
                                      const void *msg,
                                      size_t len,
                                      const void *sig,
                                      size_t sig_len);

/* ------------------------------------------------------------------ */
/* Payloads and cosign storage                                          */

struct sg_sign_annotation {
    const char *key;
    const char *value;
};

#define SG_SIGN_ANNOTATIONS_MAX    64   /* per command */
#define SG_SIGN_ANNOTATION_LEN_MAX 4096 /* one "key=value", bytes */

/* Parse one `-a` argument as cosign splits it: on ',' first, then each
 * part on its first '=' ("a=1,b=2" is two; "k=x,y" fails; "" adds
 * nothing). Appends to out[*n] (capacity SG_SIGN_ANNOTATIONS_MAX) keys
 * and values that point into `arg`, which is split in place. SG_EPARSE
 * for a part without '=' or with an empty key, SG_ELIMIT past
 * SG_SIGN_ANNOTATIONS_MAX annotations in all or a part longer than
 * SG_SIGN_ANNOTATION_LEN_MAX; out[0..*n) stays valid on failure. */
SG_MUST_USE sg_err sg_sign_annotation_parse(struct sg_sign_annotation *out,
                                            size_t *n,
                                            char *arg);

/* The simple-signing payload exactly as cosign writes it. */
SG_MUST_USE sg_err
sg_sign_payload_build(struct sg_buf *out,
                      const char *docker_reference,
                      const char *digest,
                      const struct sg_sign_annotation *annotations,
                      size_t n_annotations);

/* "sha256-<hex>.<suffix>" for digest (suffix "sig", "att", "sbom"). */
SG_MUST_USE sg_err sg_sign_tag_for(struct sg_buf *out,
                                   const char *digest,
                                   const char *suffix);

/* Append one layer (blob `data`, `media_type`, annotations) to the cosign
 * manifest at tag sha256-<hex>.<suffix> for `digest` in store s, creating
 * it when absent; an identical layer is not duplicated; a concurrent
 * change of the tag is re-read and retried. */
SG_MUST_USE sg_err
sg_sign_append_layer(struct sg_oci_store *s,
                     const char *digest,
                     const char *suffix,
                     const void *data,
                     size_t len,
                     const char *media_type,
                     const struct sg_sign_annotation *annotations,
                     size_t n_annotations);

struct sg_sign_image_opts {
    const struct sg_sign_annotation *annotations; /* -a key=value */
    size_t n_annotations;
    const char *docker_reference; /* "registry/repo" for the payload */
};

/* The payload sg_sign_image would sign (docker-reference from opts or,
 * when NULL, the store's reference: registry/repository, or the
 * repository alone for local stores). Appended to out. */
SG_MUST_USE sg_err sg_sign_image_payload(struct sg_buf *out,
                                         struct sg_oci_store *s,
                                         const char *digest,
                                         const struct sg_sign_image_opts *opts);

#define SG_MT_SIMPLESIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define SG_COSIGN_SIG_TYPE  "cosign container image signature"

/* Sign image `digest` in store s with private key k (payload, signature,
 * stored under .sig). Already signed with this key and payload: no new
 * layer (as cosign). */
SG_MUST_USE sg_err sg_sign_image(struct sg_oci_store *s,
                                 const char *digest,
                                 const struct sg_sign_key *k,
                                 const struct sg_sign_image_opts *opts);

/* ------------------------------------------------------------------ */
/* DSSE / in-toto                                                       */

/* PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body */
SG_MUST_USE sg_err sg_sign_dsse_pae(struct sg_buf *out,
                                    const char *type,
                                    const void *body,
                                    size_t len);

/* ------------------------------------------------------------------ */
/* Attestations (sign/attest.c, sign/dsse.c; owner: attest).             */
/* Formats: cosign-format.md §3 (DSSE, in-toto Statement, .att).        */

#define SG_INTOTO_PAYLOAD_TYPE  "application/vnd.in-toto+json"
#define SG_MT_DSSE_ENVELOPE     "application/vnd.dsse.envelope.v1+json"
#define SG_INTOTO_STATEMENT_V01 "https://in-toto.io/Statement/v0.1"
#define SG_INTOTO_STATEMENT_V1  "https://in-toto.io/Statement/v1"
#define SG_ANNOT_PREDICATE_TYPE "predicateType"
#define SG_ANNOT_COSIGN_SIG     "dev.cosignproject.cosign/signature"
/* Largest envelope / statement held in memory (cosign's default
 * COSIGN_MAX_ATTACHMENT_SIZE is 128 MiB). */
#define SG_ATTEST_ENVELOPE_MAX (128u * 1024u * 1024u)
#define SG_DSSE_SIGNATURES_MAX 64u

/* The predicate type URI for a cosign --type name ("spdxjson" →
 * "https://spdx.dev/Document", ...); a value that is not a known name is
 * returned as-is (compared literally, as cosign does). Borrowed/static. */
const char *sg_attest_predicate_uri(const char *type);
/* 1 when `type` is a known name or an absolute URI ("scheme:..."), i.e.
 * something `attest --type` accepts. */
int sg_attest_type_valid(const char *type);

struct sg_attest_statement_opts {
    const char *type;         /* --type: name or URI */
    const char *subject_name; /* repository or file name (may be NULL) */
    const char *digest;       /* "sha256:<hex>" of the subject */
    int version;              /* 0: Statement v0.1 (cosign default); 1: v1 */
    long long timestamp;      /* Unix time for "custom" predicates */
    /* -a k=v: subject[0].annotations (Statement v1 only; v0.1 subjects
     * have no annotations, so passing any with version 0 is SG_EINVAL). */
    const struct sg_sign_annotation *annotations;
    size_t n_annotations;
};

/* Build the in-toto Statement for `predicate` (the --predicate file) as
 * `cosign attest` does: object predicates must be one JSON object and
 * are embedded verbatim (minus surrounding whitespace), "spdx" embeds
 * the file as a JSON string, "custom" wraps it as {"Data","Timestamp"}.
 * Key order: _type, subject, predicateType, predicate. Appends to out. */
SG_MUST_USE sg_err
sg_attest_statement_build(struct sg_buf *out,
                          const struct sg_attest_statement_opts *o,
                          const void *predicate,
                          size_t len);

struct sg_intoto_subject {
    char *name;   /* NULL when absent */
    char *sha256; /* lower-case hex digest, NULL when absent */
};

struct sg_intoto_statement {
    char *type;           /* _type */
    char *predicate_type; /* predicateType */
    struct sg_intoto_subject *subjects;
    size_t n_subjects;
};

/* Parse an in-toto Statement (untrusted): _type v0.1 or v1, a non-empty
 * subject array of objects with a digest object, a string predicateType
 * and a predicate. Anything else is SG_EPARSE with the reason. Limits
 * from ctx (NULL: defaults). */
SG_MUST_USE sg_err sg_intoto_statement_parse(struct sg_intoto_statement **out,
                                             const void *data,
                                             size_t len,
                                             const struct sg_ctx *ctx);
void sg_intoto_statement_free(struct sg_intoto_statement *st);
/* 1 when some subject's sha256 equals the hex part of `digest`. */
int sg_intoto_statement_has_digest(const struct sg_intoto_statement *st,
                                   const char *digest);

struct sg_dsse_signature {
    char *keyid;        /* NULL when absent */
    unsigned char *sig; /* decoded signature bytes */
    size_t sig_len;
};

struct sg_dsse_envelope {
    char *payload_type;
    unsigned char *payload; /* decoded payload (NUL-terminated) */
    size_t payload_len;
    struct sg_dsse_signature *sigs;
    size_t n_sigs;
};

/* Parse a DSSE envelope (untrusted JSON, at most max_len bytes; 0 means
 * SG_ATTEST_ENVELOPE_MAX): payloadType and payload strings, payload in
 * standard base64, 1..SG_DSSE_SIGNATURES_MAX signatures each with a
 * non-empty base64 "sig" and an optional string "keyid". Unknown
 * members are ignored (key order never matters). */
SG_MUST_USE sg_err sg_dsse_envelope_parse(struct sg_dsse_envelope **out,
                                          const void *data,
                                          size_t len,
                                          size_t max_len);
/* Same, from an already parsed JSON object (e.g. a bundle's
 * dsseEnvelope member). */
SG_MUST_USE sg_err sg_dsse_envelope_from_json(struct sg_dsse_envelope **out,
                                              const struct json_t *obj);
void sg_dsse_envelope_free(struct sg_dsse_envelope *e);
/* SG_OK when at least one signature verifies over
 * PAE(payloadType, payload) with k; SG_EVERIFY otherwise. */
SG_MUST_USE sg_err sg_dsse_envelope_verify(const struct sg_dsse_envelope *e,
                                           const struct sg_sign_key *k);
/* Sign PAE(payload_type, payload) with k and append the envelope JSON
 * {"payloadType","payload","signatures":[{"keyid":"","sig"}]} (the
 * cosign v2 layout, compact, no trailing newline). */
SG_MUST_USE sg_err sg_dsse_envelope_sign(struct sg_buf *out,
                                         const char *payload_type,
                                         const void *payload,
                                         size_t len,
                                         const struct sg_sign_key *k);

/* Attest image `digest` in store s: statement (subject subject_name and
 * digest), DSSE envelope signed with k, appended as a layer to
 * sha256-<hex>.att (media type SG_MT_DSSE_ENVELOPE, annotations
 * predicateType and an empty dev.cosignproject.cosign/signature). */
SG_MUST_USE sg_err sg_attest_image(struct sg_oci_store *s,
                                   const struct sg_attest_statement_opts *o,
                                   const void *predicate,
                                   size_t len,
                                   const struct sg_sign_key *k);

/* ------------------------------------------------------------------ */
/* Sigstore bundles v0.3, key-based (sign/bundle_out.c): what cosign v3  */
/* writes with --new-bundle-format and `sign-blob --bundle` when nothing */
/* is logged (cosign-format.md §3.6). verificationMaterial is           */
/* {"publicKey":{"hint": base64(sha256(DER SPKI))}}, no tlogEntries.     */

#define SG_MT_SIGSTORE_BUNDLE          "application/vnd.dev.sigstore.bundle.v0.3+json"
#define SG_COSIGN_SIGN_PREDICATE       "https://sigstore.dev/cosign/sign/v1"
#define SG_ANNOT_BUNDLE_CONTENT        "dev.sigstore.bundle.content"
#define SG_ANNOT_BUNDLE_PREDICATE_TYPE "dev.sigstore.bundle.predicateType"

/* A message-signature bundle for `data` (sign-blob --bundle):
 * messageDigest {SHA2_256, sha256(data)} and `sig`, the signature k made
 * over data (sg_sign_key_sign), so that one signature serves both the
 * bundle and --output-signature. Compact JSON appended to out. */
SG_MUST_USE sg_err sg_sign_bundle_message(struct sg_buf *out,
                                          const struct sg_sign_key *k,
                                          const void *data,
                                          size_t len,
                                          const void *sig,
                                          size_t sig_len);
/* A DSSE bundle: `statement` (an in-toto Statement) signed with k as a
 * DSSE envelope (payloadType application/vnd.in-toto+json, signature over
 * PAE; no keyid). Compact JSON appended to out. */
SG_MUST_USE sg_err sg_sign_bundle_dsse(struct sg_buf *out,
                                       const struct sg_sign_key *k,
                                       const void *statement,
                                       size_t len);
/* Store `bundle` as an OCI 1.1 referrer of image `digest` in s, as
 * cosign's WriteAttestationNewBundleFormat: config = the empty blob "{}",
 * one layer (the bundle, SG_MT_SIGSTORE_BUNDLE), artifactType
 * SG_MT_SIGSTORE_BUNDLE, subject = the image's descriptor, annotations
 * dev.sigstore.bundle.content=dsse-envelope,
 * dev.sigstore.bundle.predicateType=predicate_type and
 * org.opencontainers.image.created=`created` (Unix time, RFC 3339 UTC).
 * Pushed by digest; the sha256-<hex> referrers tag index is updated when
 * the registry has no referrers API. *manifest_digest_out (may be NULL)
 * receives the referrer manifest's digest (malloc'd). */
SG_MUST_USE sg_err sg_sign_bundle_store(struct sg_oci_store *s,
                                        const char *digest,
                                        const void *bundle,
                                        size_t len,
                                        const char *predicate_type,
                                        long long created,
                                        char **manifest_digest_out);
/* `cosign sign --new-bundle-format --key`: an in-toto Statement v1 with
 * subject [{"digest":{"sha256":hex}}] (opts->annotations, if any, in the
 * subject's annotations), predicateType SG_COSIGN_SIGN_PREDICATE and
 * predicate {}, as a DSSE bundle stored as a referrer of `digest`.
 * opts->docker_reference is not used (the statement has no name). */
SG_MUST_USE sg_err sg_sign_image_bundle(struct sg_oci_store *s,
                                        const char *digest,
                                        const struct sg_sign_key *k,
                                        const struct sg_sign_image_opts *opts,
                                        long long created);
/* `cosign attest --new-bundle-format --key`: the statement of
 * sg_attest_statement_build as a DSSE bundle stored as a referrer of
 * o->digest (created = o->timestamp). */
SG_MUST_USE sg_err
sg_attest_image_bundle(struct sg_oci_store *s,
                       const struct sg_attest_statement_opts *o,
                       const void *predicate,
                       size_t len,
                       const struct sg_sign_key *k);

/* The legacy `cosign attach sbom` object (cosign-format.md §4): tag
 * sha256-<hex>.sbom holding a manifest with exactly one layer, the raw
 * SBOM bytes with `media_type`, no signature. Replaces what was there. */
SG_MUST_USE sg_err sg_attach_sbom(struct sg_oci_store *s,
                                  const char *digest,
                                  const void *sbom,
                                  size_t len,
                                  const char *media_type);

/* ------------------------------------------------------------------ */
/* Reading what is attached (sign/download.c): `sigil tree`/`download`. */
/* Nothing here verifies anything; every string comes from the registry  */
/* and output objects are built with jansson only (never by pasting).    */

#define SG_ANNOT_COSIGN_CERT    "dev.sigstore.cosign/certificate"
#define SG_ANNOT_COSIGN_CHAIN   "dev.sigstore.cosign/chain"
#define SG_ANNOT_COSIGN_BUNDLE  "dev.sigstore.cosign/bundle"
#define SG_ANNOT_COSIGN_RFC3161 "dev.sigstore.cosign/rfc3161timestamp"

/* The image manifest at tag sha256-<hex>.<suffix> of `digest` ("sig",
 * "att", "sbom"). *out is NULL (and SG_OK) when the tag does not exist;
 * an index there is SG_EPARSE. The tag name is appended to `tag` (reset
 * first) for messages. *out belongs to the caller (sg_oci_manifest_free). */
SG_MUST_USE sg_err sg_sign_attached_manifest(struct sg_oci_manifest **out,
                                             struct sg_oci_store *s,
                                             const char *digest,
                                             const char *suffix,
                                             struct sg_buf *tag);

/* One `cosign download signature` object for the .sig layer d whose blob
 * is payload/len: {"Base64Signature": the signature annotation or "",
 * "Payload": base64 of the blob, "Cert"/"Chain": the PEM annotations
 * when present, "Bundle"/"RFC3161Timestamp": the JSON annotations
 * (parsed with duplicate keys rejected; SG_EPARSE when not an object)
 * when present}, in that key order. *out is a new reference. */
SG_MUST_USE sg_err sg_sign_download_signature(struct json_t **out,
                                              const struct sg_oci_descriptor *d,
                                              const void *payload,
                                              size_t len);

/* Every .sig layer of `digest` as sg_sign_download_signature objects, in
 * manifest order: *out is a new JSON array. No .sig tag: SG_ENOTFOUND. */
SG_MUST_USE sg_err sg_sign_download_signatures(struct json_t **out,
                                               struct sg_oci_store *s,
                                               const char *digest);

/* Called once per downloaded layer with its blob (borrowed for the call);
 * a non-zero return stops the download and is returned. */
typedef sg_err (*sg_sign_download_fn)(const struct sg_oci_descriptor *d,
                                      const void *blob,
                                      size_t len,
                                      void *payload);

/* Each .att layer of `digest` (the DSSE envelope bytes as stored), in
 * manifest order, to cb; predicate_uri (may be NULL) keeps only layers
 * whose predicateType annotation equals it. Layers are fetched one at a
 * time (at most SG_ATTEST_ENVELOPE_MAX each) and released after cb. No
 * .att tag: SG_ENOTFOUND. */
SG_MUST_USE sg_err sg_sign_download_attestations(struct sg_oci_store *s,
                                                 const char *digest,
                                                 const char *predicate_uri,
                                                 sg_sign_download_fn cb,
                                                 void *payload);

/* The blob of the single layer of the legacy .sbom tag of `digest`,
 * appended to out (at most SG_ATTEST_ENVELOPE_MAX). No tag: SG_ENOTFOUND;
 * other than exactly one layer: SG_EPARSE (as cosign). */
SG_MUST_USE sg_err sg_sign_download_sbom(struct sg_buf *out,
                                         struct sg_oci_store *s,
                                         const char *digest);

#endif /* SIGIL_SIGN_H */
