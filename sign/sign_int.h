/*
 * sign module internals shared between its files and exposed to unit
 * tests and fuzz harnesses. Not a public header.
 */
#ifndef SIGIL_SIGN_INT_H
#define SIGIL_SIGN_INT_H

#include "sigil/sign.h"

/* Decrypt the JSON inside a cosign.key PEM (scrypt + secretbox); the
 * plaintext (PKCS#8 DER, not checked here) is appended to plain. Wrong
 * password: SG_EAUTH. */
sg_err sg_sign__decrypt_cosign_key(struct sg_buf *plain,
                                   const void *json,
                                   size_t len,
                                   const char *password,
                                   size_t pw_len);
/* sg_sign_key_encrypt with an explicit scrypt N (tests use 32768). */
sg_err sg_sign__encrypt_with(struct sg_buf *out,
                             const struct sg_sign_key *k,
                             const char *password,
                             size_t pw_len,
                             uint64_t n);

/* Go encoding/json string (quotes included): escapes " \\ control
 * characters, <>& as \u003c.., U+2028/9, invalid UTF-8 as \ufffd. */
sg_err sg_sign__json_str(struct sg_buf *out, const char *s, size_t n);
/* A Go map[string]string: keys sorted, last duplicate wins; "null" when
 * n == 0. */
sg_err sg_sign__json_map(struct sg_buf *out,
                         const struct sg_sign_annotation *a,
                         size_t n);

/* Append the len bytes at v as a JSON string literal as jansson writes it
 * (compact; not Go's escaping as in sg_sign__json_str). Invalid UTF-8:
 * `bad`, "<what> is not valid UTF-8". */
sg_err sg_sign__jansson_str(struct sg_buf *out,
                            const char *v,
                            size_t len,
                            sg_err bad,
                            const char *what);
/* A malloc'd, NUL-terminated copy of a JSON string's value (all
 * json_string_length bytes); NULL on OOM. */
char *sg_sign__json_strdup(const struct json_t *v);

/* Decides whether an existing layer already holds what is being added
 * (return 1 to skip the append). `sig` is the layer's
 * dev.cosignproject.cosign/signature annotation or NULL. */
typedef int (*sg_sign__same_fn)(const char *digest,
                                const char *media_type,
                                const char *sig,
                                void *payload);
/* One layer to append: sg_sign_append_layer's arguments, borrowed. */
struct sg_sign__layer {
    const char *digest; /* the image the tag is for */
    const char *suffix; /* "sig", "att", "sbom" */
    const void *data;   /* the layer blob */
    size_t len;
    const char *media_type;
    const struct sg_sign_annotation *annotations;
    size_t n_annotations;
};

/* sg_sign_append_layer with a caller-supplied duplicate test (NULL: the
 * default, same digest, media type and annotations). *appended_out (may be
 * NULL) is set to 1 when a layer was added, 0 when it was a duplicate. */
sg_err sg_sign__append_layer_ex(struct sg_oci_store *s,
                                const struct sg_sign__layer *l,
                                sg_sign__same_fn same,
                                void *same_payload,
                                int *appended_out);

/* The config blob cosign writes for a signature image with these layer
 * digests (created: "0001-01-01T00:00:00Z" unless given). */
sg_err sg_sign__sig_config(struct sg_buf *out,
                           const char *const *diff_ids,
                           size_t n,
                           const char *created);

#endif /* SIGIL_SIGN_INT_H */
