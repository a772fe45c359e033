/*
 * oci module internals: the store vtable every backend implements
 * (registry.c, layout.c, archive.c, rootdir.c) and the generic dispatch in
 * store.c. Not a public header: only the oci sources and tests include it.
 */
#ifndef SIGIL_OCI_INT_H
#define SIGIL_OCI_INT_H

#include "sigil/oci.h"

struct sg_oci_store_ops {
    const char *name; /* "registry", "oci-dir", ... for messages */
    sg_err (*get_manifest)(struct sg_oci_store *s,
                           const char *ref,
                           struct sg_buf *body,
                           char **media_type_out,
                           char **digest_out);
    sg_err (*head_manifest)(struct sg_oci_store *s,
                            const char *ref,
                            char **media_type_out,
                            char **digest_out,
                            uint64_t *size_out);
    sg_err (*put_manifest)(struct sg_oci_store *s,
                           const char *tag,
                           const char *media_type,
                           const void *data,
                           size_t len,
                           const char *digest);
    sg_err (*delete_manifest)(struct sg_oci_store *s, const char *digest);
    sg_err (*list_tags)(struct sg_oci_store *s, char ***tags_out);
    sg_err (*blob_exists)(struct sg_oci_store *s,
                          const char *digest,
                          int *exists);
    /* Streams raw bytes; the generic layer (store.c) wraps `cb` to check
     * size and digest, so backends only move bytes. */
    sg_err (*get_blob)(struct sg_oci_store *s,
                       const struct sg_oci_descriptor *d,
                       sg_oci_write_fn cb,
                       void *payload);
    sg_err (*put_blob)(struct sg_oci_store *s, const struct sg_oci_blob_src *b);
    /* NULL: store.c falls back to the tag schema over get/put_manifest. */
    sg_err (*referrers)(struct sg_oci_store *s,
                        const char *digest,
                        const char *artifact_type,
                        struct sg_buf *index_json,
                        int *supported);
    void (*free)(struct sg_oci_store *s);
};

struct sg_oci_store {
    const struct sg_oci_store_ops *ops;
    enum sg_oci_store_kind kind;
    struct sg_oci_ref ref; /* registry ref, or synthetic for local stores */
    char *default_ref;     /* tag or digest from the spec */
    char *path;            /* local path (layout dir, archive, rootfs) */
    unsigned flags;        /* enum sg_oci_open_flags */
    struct sg_ctx ctx;     /* limits and hooks (copy of opts->ctx) */
    void *impl;            /* backend state */
};

/* Backend constructors (fill s->ops and s->impl; s->ref/path/default_ref
 * already set by store.c). */
sg_err sg_oci__registry_open(struct sg_oci_store *s,
                             const struct sg_oci_registry_opts *opts);
sg_err sg_oci__layout_open(struct sg_oci_store *s);
sg_err sg_oci__archive_open(struct sg_oci_store *s); /* oci/docker archive */
/* The tags of an OCI layout's index.json (each entry's
 * org.opencontainers.image.ref.name, once each, in index order) as a
 * NULL-terminated list for list_tags (layout.c; used by archive.c too). */
sg_err sg_oci__index_tags(char ***out, const struct json_t *index);
sg_err sg_oci__rootdir_open(struct sg_oci_store *s);

/* Cross-repository mount on the same registry (registry.c): *mounted set
 * to 1 when the registry mounted `digest` from `from_repo` into s. */
sg_err sg_oci__registry_mount(struct sg_oci_store *s,
                              const char *digest,
                              const char *from_repo,
                              int *mounted);

/* A blob source over bytes in memory (store.c): an sg_oci_read_fn whose
 * payload is a struct sg_oci__mem_src, consumed as it is read. */
struct sg_oci__mem_src {
    const unsigned char *p;
    size_t left; /* bytes not yet read */
};
sg_err sg_oci__mem_read(void *p, size_t cap, size_t *n_out, void *payload);

/* A blob's bytes checked as they pass (store.c), the one check of every
 * path that reads or writes blobs: never more than `want` bytes, and at
 * the end exactly `want` whose digest is `digest`. check_write (store.c)
 * also hands the bytes on to cb; the layout's put uses the check alone. */
struct sg_oci__blob_check {
    struct sg_digester *dg;
    uint64_t seen;
    uint64_t want;
    sg_oci_write_fn cb; /* NULL: none */
    void *payload;
    const char *digest;       /* borrowed; sg_digest_valid */
    const struct sg_ctx *ctx; /* progress hook; NULL: none */
    sg_err cb_rc;             /* what cb returned, when it failed */
};
sg_err sg_oci__blob_check_begin(struct sg_oci__blob_check *c,
                                const char *digest,
                                uint64_t size);
/* SG_EDIGEST "blob D: more bytes than its size N" past `want`. */
sg_err sg_oci__blob_check_update(struct sg_oci__blob_check *c,
                                 const void *p,
                                 size_t len);
/* "blob D: got N bytes, <said> M" or "blob D: content has digest X". */
sg_err sg_oci__blob_check_end(struct sg_oci__blob_check *c, const char *said);
void sg_oci__blob_check_free(struct sg_oci__blob_check *c);

/* Parsers exposed for unit tests and fuzzing. Header values come from
 * lines the transport already bounded by the ctx's header_max. */
struct sg_oci__challenge {
    char *scheme; /* "Bearer" or "Basic" */
    char *realm;
    char *service; /* NULL if absent */
    char *scope;   /* NULL if absent */
};
sg_err sg_oci__challenge_parse(struct sg_oci__challenge *out,
                               const char *header);
void sg_oci__challenge_release(struct sg_oci__challenge *c);
/* Link: <url>; rel="next" → *next_out malloc'd or NULL. */
sg_err sg_oci__link_next(char **next_out, const char *header);
/* The distribution spec's tag grammar, [A-Za-z0-9_][A-Za-z0-9._-]{0,127}
 * (ref.c); the message starts with `whole`. */
sg_err sg_oci__check_tag(const char *t, const char *whole);
/* One tags/list page (JSON, len bytes): its "tags" appended to the
 * NULL-terminated *tags (n of them), each checked against the grammar;
 * more than max in all is SG_ELIMIT (registry.c). */
sg_err sg_oci__tag_list_add(
    char ***tags, size_t *n, const void *data, size_t len, size_t max);

#endif /* SIGIL_OCI_INT_H */
