/*
 * sigil sign module: cosign-compatible keys (encrypted cosign.key, PEM
 * public keys), simple-signing payloads, signatures stored as cosign
 * stores them (sha256-<hex>.sig), DSSE/in-toto attestations (.att).
 * Formats: shared/docs/cosign-format.md.
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
                                            const void *pem, size_t len,
                                            const char *password,
                                            size_t pw_len);
/* Load a public key: PEM PUBLIC KEY (PKIX) or a PEM certificate (its
 * public key is used; *is_cert_out set when non-NULL). */
SG_MUST_USE sg_err sg_sign_key_load_public(struct sg_sign_key **out,
                                           const void *pem, size_t len);
SG_MUST_USE sg_err sg_sign_key_generate(struct sg_sign_key **out);
void sg_sign_key_free(struct sg_sign_key *k);
/* PEM "PUBLIC KEY" of a private or public key, appended to out. */
SG_MUST_USE sg_err sg_sign_key_public_pem(struct sg_buf *out,
                                          const struct sg_sign_key *k);
/* cosign.key encoding (scrypt N=65536 r=8 p=1, random salt and nonce). */
SG_MUST_USE sg_err sg_sign_key_encrypt(struct sg_buf *out,
                                       const struct sg_sign_key *k,
                                       const char *password, size_t pw_len);
/* Sign `msg` as cosign does for this key type (raw DER signature bytes). */
SG_MUST_USE sg_err sg_sign_key_sign(struct sg_buf *sig_out,
                                    const struct sg_sign_key *k,
                                    const void *msg, size_t len);
/* SG_OK only when `sig` is a valid signature over msg; SG_EVERIFY
 * otherwise (never "ok" on an error). */
SG_MUST_USE sg_err sg_sign_key_verify(const struct sg_sign_key *k,
                                      const void *msg, size_t len,
                                      const void *sig, size_t sig_len);

/* ------------------------------------------------------------------ */
/* Payloads and cosign storage                                          */

struct sg_sign_annotation {
    const char *key;
    const char *value;
};

/* The simple-signing payload exactly as cosign writes it. */
SG_MUST_USE sg_err sg_sign_payload_build(
    struct sg_buf *out, const char *docker_reference, const char *digest,
    const struct sg_sign_annotation *annotations, size_t n_annotations);

/* "sha256-<hex>.<suffix>" for digest (suffix "sig", "att", "sbom"). */
SG_MUST_USE sg_err sg_sign_tag_for(struct sg_buf *out, const char *digest,
                                   const char *suffix);

/* Append one layer (blob `data`, `media_type`, annotations) to the cosign
 * manifest at tag sha256-<hex>.<suffix> for `digest` in store s, creating
 * it when absent; an identical layer is not duplicated; a concurrent
 * change of the tag is re-read and retried. */
SG_MUST_USE sg_err sg_sign_append_layer(
    struct sg_oci_store *s, const char *digest, const char *suffix,
    const void *data, size_t len, const char *media_type,
    const struct sg_sign_annotation *annotations, size_t n_annotations);

struct sg_sign_image_opts {
    const struct sg_sign_annotation *annotations; /* -a key=value */
    size_t n_annotations;
    const char *docker_reference; /* "registry/repo" for the payload */
};

/* Sign image `digest` in store s with private key k (payload, signature,
 * stored under .sig). */
SG_MUST_USE sg_err sg_sign_image(struct sg_oci_store *s, const char *digest,
                                 const struct sg_sign_key *k,
                                 const struct sg_sign_image_opts *opts);

/* ------------------------------------------------------------------ */
/* DSSE / in-toto                                                       */

/* PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body */
SG_MUST_USE sg_err sg_sign_dsse_pae(struct sg_buf *out, const char *type,
                                    const void *body, size_t len);

#endif /* SIGIL_SIGN_H */
