/*
 * An in-memory image store for the sign/verify unit tests (header-only):
 * tags, manifests and blobs in arrays, built on the store vtable of
 * oci/oci_int.h so the generic checks of oci/store.c still apply. Hooks
 * let a test act as a concurrent writer or corrupt a blob.
 */
#ifndef SIGIL_TEST_SIGN_MEMSTORE_H
#define SIGIL_TEST_SIGN_MEMSTORE_H

#include <stdlib.h>
#include <string.h>

#include "oci/oci_int.h"

#define MEM_MAX 256

struct mem_obj {
    char *key; /* digest */
    char *data;
    size_t len;
    char *media_type;
};

struct mem_tag {
    char *tag;
    char *digest;
};

struct memstore {
    struct mem_obj blobs[MEM_MAX];
    size_t n_blobs;
    struct mem_obj manifests[MEM_MAX];
    size_t n_manifests;
    struct mem_tag tags[MEM_MAX];
    size_t n_tags;
    /* Called after a put_manifest / get_manifest (not re-entered); may
     * write through the store, acting as a concurrent writer. */
    void (*after_put)(struct sg_oci_store *s, void *arg);
    void (*after_get)(struct sg_oci_store *s, void *arg);
    void *hook_arg;
    int in_hook;
    int fail_gets; /* non-zero: get_manifest fails with SG_EHTTP */
};

static struct mem_obj *mem_find(struct mem_obj *v, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].key, k) == 0)
            return &v[i];
    }
    return NULL;
}

static void mem_add(struct mem_obj *v,
                    size_t *n,
                    const char *k,
                    const void *data,
                    size_t len,
                    const char *mt)
{
    struct mem_obj *o = mem_find(v, *n, k);

    if (!o) {
        o = &v[(*n)++];
        o->key = strdup(k);
    } else {
        free(o->data);
        free(o->media_type);
    }
    o->data = malloc(len + 1);
    memcpy(o->data, data, len);
    o->data[len] = '\0';
    o->len = len;
    o->media_type = mt ? strdup(mt) : NULL;
}

static const char *mem_resolve(struct memstore *m, const char *ref)
{
    for (size_t i = 0; i < m->n_tags; i++) {
        if (strcmp(m->tags[i].tag, ref) == 0)
            return m->tags[i].digest;
    }
    return ref;
}

static sg_err mem_get_manifest(struct sg_oci_store *s,
                               const char *ref,
                               struct sg_buf *body,
                               char **mt,
                               char **dg)
{
    struct memstore *m = s->impl;
    struct mem_obj *o;

    if (m->fail_gets)
        return sg_error_set(SG_EHTTP, "GET manifest %s: HTTP 503", ref);
    o = mem_find(m->manifests, m->n_manifests, mem_resolve(m, ref));
    if (!o)
        return sg_error_set(SG_ENOTFOUND, "manifest %s not found", ref);
    *mt = o->media_type ? strdup(o->media_type) : NULL;
    *dg = strdup(o->key);
    if (sg_buf_add(body, o->data, o->len))
        return SG_ENOMEM;
    if (m->after_get && !m->in_hook) {
        m->in_hook = 1;
        m->after_get(s, m->hook_arg);
        m->in_hook = 0;
    }
    return SG_OK;
}

static sg_err mem_put_manifest(struct sg_oci_store *s,
                               const char *tag,
                               const char *mt,
                               const void *data,
                               size_t len,
                               const char *digest)
{
    struct memstore *m = s->impl;
    size_t i;

    mem_add(m->manifests, &m->n_manifests, digest, data, len, mt);
    if (!tag)
        return SG_OK;
    for (i = 0; i < m->n_tags; i++) {
        if (strcmp(m->tags[i].tag, tag) == 0)
            break;
    }
    if (i == m->n_tags) {
        m->tags[i].tag = strdup(tag);
        m->n_tags++;
    } else {
        free(m->tags[i].digest);
    }
    m->tags[i].digest = strdup(digest);
    if (m->after_put && !m->in_hook) {
        m->in_hook = 1;
        m->after_put(s, m->hook_arg);
        m->in_hook = 0;
    }
    return SG_OK;
}

static sg_err
mem_blob_exists(struct sg_oci_store *s, const char *digest, int *exists)
{
    struct memstore *m = s->impl;

    *exists = mem_find(m->blobs, m->n_blobs, digest) != NULL;
    return SG_OK;
}

static sg_err mem_get_blob(struct sg_oci_store *s,
                           const struct sg_oci_descriptor *d,
                           sg_oci_write_fn cb,
                           void *payload)
{
    struct memstore *m = s->impl;
    struct mem_obj *o = mem_find(m->blobs, m->n_blobs, d->digest);

    if (!o)
        return sg_error_set(SG_ENOTFOUND, "blob %s not found", d->digest);
    return cb(o->data, o->len, payload);
}

static sg_err mem_put_blob(struct sg_oci_store *s,
                           const struct sg_oci_blob_src *b)
{
    struct memstore *m = s->impl;
    const uint64_t size = b->size;
    char *buf = malloc((size_t)size + 1);
    size_t got = 0, n;
    sg_err rc = SG_OK;

    do {
        rc = b->rd(buf + got, (size_t)size - got, &n, b->payload);
        got += n;
    } while (!rc && n && got < size);
    if (!rc)
        mem_add(m->blobs, &m->n_blobs, b->digest, buf, got, NULL);
    free(buf);
    return rc;
}

static void mem_free(struct sg_oci_store *s)
{
    struct memstore *m = s->impl;

    for (size_t i = 0; i < m->n_blobs; i++) {
        free(m->blobs[i].key);
        free(m->blobs[i].data);
        free(m->blobs[i].media_type);
    }
    for (size_t i = 0; i < m->n_manifests; i++) {
        free(m->manifests[i].key);
        free(m->manifests[i].data);
        free(m->manifests[i].media_type);
    }
    for (size_t i = 0; i < m->n_tags; i++) {
        free(m->tags[i].tag);
        free(m->tags[i].digest);
    }
    free(m);
}

static const struct sg_oci_store_ops mem_ops = {
    "memory", mem_get_manifest, NULL,         mem_put_manifest, NULL,
    NULL,     mem_blob_exists,  mem_get_blob, mem_put_blob,     NULL,
    mem_free
};

static inline struct sg_oci_store *memstore_new(void)
{
    struct sg_oci_store *s = calloc(1, sizeof(*s));

    s->ops = &mem_ops;
    s->kind = SG_OCI_STORE_OCI_DIR;
    sg_ctx_init(&s->ctx); /* default limits, no hooks */
    s->impl = calloc(1, sizeof(struct memstore));
    s->default_ref = strdup("latest");
    return s;
}

static inline struct memstore *memstore_of(struct sg_oci_store *s)
{
    return s->impl;
}

/* Replace a blob's bytes behind the store's back (tamper tests). */
static inline void memstore_set_blob(struct sg_oci_store *s,
                                     const char *digest,
                                     const void *data,
                                     size_t len)
{
    struct memstore *m = s->impl;
    mem_add(m->blobs, &m->n_blobs, digest, data, len, NULL);
}

static inline const char *memstore_tag(struct sg_oci_store *s, const char *tag)
{
    struct memstore *m = s->impl;
    for (size_t i = 0; i < m->n_tags; i++) {
        if (strcmp(m->tags[i].tag, tag) == 0)
            return m->tags[i].digest;
    }
    return NULL;
}

static inline const struct mem_obj *memstore_manifest(struct sg_oci_store *s,
                                                      const char *digest)
{
    struct memstore *m = s->impl;
    return mem_find(m->manifests, m->n_manifests, digest);
}

/* Point `tag` at `digest`, or remove it when digest is NULL. */
static inline void
memstore_set_tag(struct sg_oci_store *s, const char *tag, const char *digest)
{
    struct memstore *m = s->impl;
    for (size_t i = 0; i < m->n_tags; i++) {
        if (strcmp(m->tags[i].tag, tag) == 0) {
            free(m->tags[i].digest);
            if (digest) {
                m->tags[i].digest = strdup(digest);
            } else {
                free(m->tags[i].tag);
                m->tags[i] = m->tags[--m->n_tags];
            }
            return;
        }
    }
    if (digest) {
        m->tags[m->n_tags].tag = strdup(tag);
        m->tags[m->n_tags++].digest = strdup(digest);
    }
}

#ifdef SIGIL_TEST_BUNDLE_REFERRER
/* Store `bundle` (len bytes) as a Sigstore bundle v0.3 referrer of the
 * image whose referrers fallback tag is `tag` ("sha256-<hex>"): blob, an
 * empty config, the referrer manifest (with the unsigned
 * dev.sigstore.bundle.predicateType annotation `pt` unless NULL) and the
 * fallback index. Define SIGIL_TEST_BUNDLE_REFERRER (the test includes
 * cmocka.h and jansson.h) to get it. */
static inline void memstore_put_bundle_referrer(struct sg_oci_store *s,
                                                const void *bundle,
                                                size_t len,
                                                const char *tag,
                                                const char *pt)
{
    const char *bt = "application/vnd.dev.sigstore.bundle.v0.3+json";
    char *bd = NULL, *ed = NULL, *md = NULL, *man, *idx;
    json_t *m, *ix;

    assert_int_equal(sg_oci_store_put_blob_buf(s, bundle, len, &bd), SG_OK);
    assert_int_equal(sg_oci_store_put_blob_buf(s, "{}", 2, &ed), SG_OK);
    m = json_pack(
        "{s:i,s:s,s:s,s:{s:s,s:i,s:s},s:[{s:s,s:I,s:s}]}", "schemaVersion", 2,
        "mediaType", SG_MT_OCI_MANIFEST, "artifactType", bt, "config",
        "mediaType", "application/vnd.oci.empty.v1+json", "size", 2, "digest",
        ed, "layers", "mediaType", bt, "size", (json_int_t)len, "digest", bd);
    assert_non_null(m);
    if (pt)
        json_object_set_new(
            m, "annotations",
            json_pack("{s:s}", "dev.sigstore.bundle.predicateType", pt));
    man = json_dumps(m, JSON_COMPACT);
    assert_int_equal(sg_oci_store_put_manifest(s, NULL, SG_MT_OCI_MANIFEST, man,
                                               strlen(man), &md),
                     SG_OK);
    ix = json_pack("{s:i,s:s,s:[{s:s,s:s,s:I,s:s}]}", "schemaVersion", 2,
                   "mediaType", SG_MT_OCI_INDEX, "manifests", "mediaType",
                   SG_MT_OCI_MANIFEST, "digest", md, "size",
                   (json_int_t)strlen(man), "artifactType", bt);
    idx = json_dumps(ix, JSON_COMPACT);
    assert_int_equal(sg_oci_store_put_manifest(s, tag, SG_MT_OCI_INDEX, idx,
                                               strlen(idx), NULL),
                     SG_OK);
    json_decref(m);
    json_decref(ix);
    free(man);
    free(idx);
    free(bd);
    free(ed);
    free(md);
}
#endif

#endif
