/*
 * Copying an image (every platform of an index, every blob) from one
 * store to another. Blobs are streamed: small ones through memory, large
 * ones through a bounded ring buffer between a producer thread (the
 * source's get_blob, which verifies size and digest) and the destination's
 * put_blob (which verifies them again before committing). Order: blobs,
 * then child manifests, then signatures/referrers, then the top manifest
 * and its tag last, so a failure never leaves a tag pointing at an
 * incomplete image.
 */
#include "oci_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_BLOB (1024u * 1024u) /* copied through memory */
#define RING_SIZE  (1024u * 1024u)
#define MAX_DEPTH  3 /* index → index → manifest */

/* ------------------------------------------------------------------ */
/* Producer/consumer bridge                                             */

struct bridge {
    struct sg_ring ring;
    struct sg_oci_store *src;
    const struct sg_oci_descriptor *d;
};

static void *bridge_producer(void *arg)
{
    struct bridge *b = arg;

    sg_ring_close(&b->ring,
                  sg_oci_store_get_blob(b->src, b->d, sg_ring_write, &b->ring));
    return NULL;
}

static sg_err stream_blob(struct sg_oci_store *dst,
                          struct sg_oci_store *src,
                          const struct sg_oci_descriptor *d)
{
    struct bridge b;
    const struct sg_oci_blob_src src_blob = { d->digest, d->size, sg_ring_read,
                                              &b.ring };
    pthread_t th;
    sg_err rc, prod_rc;
    int err, refused;

    b.src = src;
    b.d = d;
    rc = sg_ring_init(&b.ring, RING_SIZE);
    if (rc)
        return rc;
    err = pthread_create(&th, NULL, bridge_producer, &b);
    if (err) {
        rc = sg_error_errno("pthread_create", err);
        goto done;
    }
    rc = sg_oci_store_put_blob(dst, &src_blob);
    sg_ring_abort(&b.ring);
    pthread_join(th, NULL);
    /* The destination verified what it committed; the source's failure
     * still counts unless it only stopped because we stopped reading. */
    if (!rc) {
        prod_rc = sg_ring_status(&b.ring, &refused);
        if (prod_rc && !refused)
            rc = prod_rc;
    }
done:
    sg_ring_release(&b.ring);
    return rc;
}

/* ------------------------------------------------------------------ */

struct copy_ctx {
    struct sg_oci_store *dst, *src;
    unsigned flags;
    char **done;   /* digests of manifests already copied */
    size_t n_done; /* (signatures are looked up for each of them) */
};

static int same_registry(const struct sg_oci_store *a,
                         const struct sg_oci_store *b)
{
    return a->kind == SG_OCI_STORE_REGISTRY &&
           b->kind == SG_OCI_STORE_REGISTRY && a->ref.registry &&
           b->ref.registry && strcmp(a->ref.registry, b->ref.registry) == 0;
}

static sg_err copy_blob(struct copy_ctx *c, const struct sg_oci_descriptor *d)
{
    struct sg_buf mem = SG_BUF_INIT(SMALL_BLOB);
    int exists = 0, mounted = 0;
    sg_err rc;

    rc = sg_oci_store_blob_exists(c->dst, d->digest, &exists);
    if (rc || exists)
        return rc;
    if (same_registry(c->dst, c->src) &&
        strcmp(c->dst->ref.repository, c->src->ref.repository) != 0) {
        rc = sg_oci__registry_mount(c->dst, d->digest, c->src->ref.repository,
                                    &mounted);
        if (rc || mounted)
            return rc;
    }
    sg_debug(&c->src->ctx, "copy blob %s (%llu bytes)", d->digest,
             (unsigned long long)d->size);
    if (d->size > SMALL_BLOB)
        return stream_blob(c->dst, c->src, d);
    rc = sg_oci_store_get_blob_buf(c->src, d, &mem, SMALL_BLOB);
    if (!rc)
        rc = sg_oci_store_put_blob_buf(c->dst, mem.data, mem.len, NULL);
    sg_buf_release(&mem);
    return rc;
}

static sg_err remember(struct copy_ctx *c, const char *digest)
{
    char **v;

    for (size_t i = 0; i < c->n_done; i++)
        if (strcmp(c->done[i], digest) == 0)
            return SG_OK;
    v = realloc(c->done, (c->n_done + 1) * sizeof(*v));
    if (!v)
        return sg_error_oom();
    c->done = v;
    v[c->n_done] = strdup(digest);
    if (!v[c->n_done])
        return sg_error_oom();
    c->n_done++;
    return SG_OK;
}

/* Copy everything a manifest (given as bytes) references; the manifest
 * itself is not put. */
static sg_err copy_children(struct copy_ctx *c,
                            const struct sg_buf *raw,
                            const char *mt,
                            const char *digest,
                            int depth);

/* Put a manifest that is referenced by digest only. Into a layout it goes
 * as a plain blob, so index.json lists only what was asked for. */
static sg_err
put_untagged(struct copy_ctx *c, const char *mt, const struct sg_buf *raw)
{
    if (c->dst->kind == SG_OCI_STORE_OCI_DIR)
        return sg_oci_store_put_blob_buf(c->dst, raw->data, raw->len, NULL);
    return sg_oci_store_put_manifest(c->dst, NULL, mt, raw->data, raw->len,
                                     NULL);
}

static sg_err copy_manifest_by_digest(struct copy_ctx *c,
                                      const struct sg_oci_descriptor *d,
                                      int depth)
{
    struct sg_buf raw = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *mt = NULL;
    sg_err rc;

    rc = sg_oci_store_get_manifest(c->src, d->digest, &raw, &mt, NULL);
    if (!rc && raw.len != d->size)
        rc = sg_error_set(SG_EDIGEST, "manifest %s: %zu bytes, index says %llu",
                          d->digest, raw.len, (unsigned long long)d->size);
    if (!rc)
        rc = copy_children(c, &raw, mt ? mt : d->media_type, d->digest,
                           depth + 1);
    if (!rc)
        rc = put_untagged(c, mt ? mt : d->media_type, &raw);
    free(mt);
    sg_buf_release(&raw);
    return rc;
}

static sg_err copy_children(struct copy_ctx *c,
                            const struct sg_buf *raw,
                            const char *mt,
                            const char *digest,
                            int depth)
{
    struct sg_oci_manifest *m = NULL;
    sg_err rc;

    if (depth > MAX_DEPTH)
        return sg_error_set(SG_ELIMIT, "%s: indexes nested too deeply", digest);
    rc = sg_oci_manifest_parse(&m, raw->data, raw->len, mt, &c->src->ctx);
    if (rc) {
        sg_error_prefix(rc, "%s", digest);
        return rc;
    }
    rc = remember(c, digest);
    if (!rc && !m->is_index)
        rc = copy_blob(c, &m->config);
    for (size_t i = 0; !rc && i < m->n_layers; i++) {
        if (m->is_index)
            rc = copy_manifest_by_digest(c, &m->layers[i], depth);
        else
            rc = copy_blob(c, &m->layers[i]);
    }
    sg_oci_manifest_free(m);
    return rc;
}

/* Copy `ref` from src to dst and tag it `tag` (NULL: by digest only). */
static sg_err copy_one(struct copy_ctx *c,
                       const char *ref,
                       const char *tag,
                       char **digest_out);

/* cosign's tags and the referrers of one digest */
static sg_err copy_signatures(struct copy_ctx *c, const char *digest)
{
    static const char *const suffixes[] = { "sig", "att", "sbom" };
    struct sg_buf idx = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_oci_manifest *m = NULL;
    const char *colon = strchr(digest, ':');
    char tag[200];
    sg_err rc = SG_OK;

    for (size_t i = 0; !rc && i < 3; i++) {
        snprintf(tag, sizeof(tag), "%.*s-%s.%s", (int)(colon - digest), digest,
                 colon + 1, suffixes[i]);
        rc = copy_one(c, tag, tag, NULL);
        if (rc == SG_ENOTFOUND) {
            sg_error_clear();
            rc = SG_OK;
        }
    }
    if (rc)
        return rc;
    rc = sg_oci_store_referrers(c->src, digest, NULL, &idx);
    if (rc == SG_ENOTFOUND || rc == SG_EUNSUPPORTED) {
        sg_error_clear();
        rc = SG_OK;
        goto done;
    }
    if (!rc)
        rc = sg_oci_manifest_parse(&m, idx.data, idx.len, SG_MT_OCI_INDEX,
                                   &c->src->ctx);
    for (size_t i = 0; !rc && i < m->n_layers; i++) {
        const struct sg_oci_descriptor *d = &m->layers[i];
        struct sg_buf raw = SG_BUF_INIT(SG_BUF_NOLIMIT);
        char *mt = NULL;

        rc = sg_oci_store_get_manifest(c->src, d->digest, &raw, &mt, NULL);
        if (!rc)
            rc = copy_children(c, &raw, mt ? mt : d->media_type, d->digest, 1);
        /* listed in index.json / pushed by digest, so the destination's
         * referrers query finds it */
        if (!rc)
            rc = sg_oci_store_put_manifest(
                c->dst, NULL, mt ? mt : d->media_type, raw.data, raw.len, NULL);
        if (!rc)
            rc = sg_oci_store_add_referrer(c->dst, digest, d);
        free(mt);
        sg_buf_release(&raw);
    }
done:
    sg_oci_manifest_free(m);
    sg_buf_release(&idx);
    return rc;
}

static sg_err copy_one(struct copy_ctx *c,
                       const char *ref,
                       const char *tag,
                       char **digest_out)
{
    struct sg_buf raw = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *mt = NULL, *digest = NULL;
    size_t first_new = c->n_done;
    sg_err rc;

    rc = sg_oci_store_get_manifest(c->src, ref, &raw, &mt, &digest);
    if (rc)
        goto done;
    rc = copy_children(c, &raw, mt, digest, 0);
    if (rc)
        goto done;
    if (!mt) {
        struct sg_oci_manifest *m = NULL;
        rc = sg_oci_manifest_parse(&m, raw.data, raw.len, NULL, &c->src->ctx);
        if (!rc) {
            mt = strdup(m->media_type);
            if (!mt)
                rc = sg_error_oom();
        }
        sg_oci_manifest_free(m);
        if (rc)
            goto done;
    }
    if (c->flags & SG_OCI_COPY_SIGNATURES) {
        size_t end = c->n_done;
        c->flags &= ~(unsigned)SG_OCI_COPY_SIGNATURES; /* not recursively */
        for (size_t i = first_new; !rc && i < end; i++) {
            char *d = strdup(c->done[i]);
            rc = d ? copy_signatures(c, d) : sg_error_oom();
            free(d);
        }
        c->flags |= SG_OCI_COPY_SIGNATURES;
        if (rc)
            goto done;
    }
    /* last: the manifest, under its tag when there is one */
    if (tag)
        rc =
            sg_oci_store_put_manifest(c->dst, tag, mt, raw.data, raw.len, NULL);
    else
        rc = sg_oci_store_put_manifest(c->dst, NULL, mt, raw.data, raw.len,
                                       NULL);
    if (rc)
        goto done;
    if (digest_out) {
        *digest_out = digest;
        digest = NULL;
    }
done:
    free(mt);
    free(digest);
    sg_buf_release(&raw);
    return rc;
}

sg_err sg_oci_copy(struct sg_oci_store *dst,
                   const char *dst_tag,
                   struct sg_oci_store *src,
                   const char *ref,
                   unsigned flags,
                   char **digest_out)
{
    struct copy_ctx c;
    sg_err rc;

    if (digest_out)
        *digest_out = NULL;
    if (!ref)
        ref = sg_oci_store_default_ref(src);
    if (!dst_tag && !sg_digest_valid(ref))
        dst_tag = ref;
    memset(&c, 0, sizeof(c));
    c.dst = dst;
    c.src = src;
    c.flags = flags;
    rc = copy_one(&c, ref, dst_tag, digest_out);
    for (size_t i = 0; i < c.n_done; i++)
        free(c.done[i]);
    free(c.done);
    return rc;
}
