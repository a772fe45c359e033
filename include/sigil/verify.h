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
    int ok;          /* passed every check */
    char *reason;    /* why it failed (NULL when ok) */
    char *payload;   /* the exact payload / statement bytes (owned) */
    size_t payload_len;
    char *source;    /* where it was found: tag or referrer digest */
};

struct sg_verify_result {
    struct sg_verify_item *items;
    size_t n_items;
};
void sg_verify_result_release(struct sg_verify_result *r);

struct sg_verify_opts {
    const struct sg_sign_annotation *annotations; /* required -a pairs */
    size_t n_annotations;
    const char *predicate_type; /* attestations: required type URI */
};

/* Verify signatures on image `digest` in store s with public key k.
 * Returns SG_OK only if at least one candidate passed every check; the
 * result lists every candidate (caller releases it) in every case. */
SG_MUST_USE sg_err sg_verify_image(struct sg_verify_result *out,
                                   struct sg_oci_store *s,
                                   const char *digest,
                                   const struct sg_sign_key *k,
                                   const struct sg_verify_opts *opts);

#endif /* SIGIL_VERIFY_H */
