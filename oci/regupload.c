/*
 * Blob uploads to a registry (distribution-spec "Pushing blobs"):
 *  - a HEAD first: a blob the repository has is not sent again;
 *  - POST opens a session, its Location is where the bytes go (it must
 *    stay on the API host: the session carries our token);
 *  - up to 1 MiB: read whole and PUT ?digest= in one request, which can
 *    be retried since the bytes are in memory;
 *  - up to 32 MiB: streamed in that one PUT (no retry: a reader cannot
 *    be replayed);
 *  - larger: PATCH chunks of 32 MiB with Content-Range, each answer's
 *    Location is the next URL, then an empty PUT ?digest= closes it;
 *  - cross-repository mount: POST ?mount=D&from=R; 201 means done, 202
 *    means the registry opened a normal session instead (cancelled, the
 *    caller pushes). The token scope then also names R:pull.
 * The registry checks the digest on the final PUT (DIGEST_INVALID).
 */
#include "oci_int.h"
#include "registry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONO_BUF_MAX (1u * 1024u * 1024u)    /* buffered, retryable PUT */
#define CHUNK_SIZE   (32ull * 1024u * 1024u) /* PATCH chunk for big blobs */

sg_err sg_reg_blob_head(struct sg_reg *r,
                        const char *repo,
                        const char *digest,
                        int *exists)
{
    struct sg_reg_api a;
    sg_err rc;

    *exists = 0;
    rc = sg_reg_api_begin(&a, repo, "pull", "HEAD", "blob", SG_REG_API_READ,
                          "/v2/%s/blobs/%s", repo, digest);
    if (!rc)
        rc = sg_reg_api_run(r, &a);
    if (rc)
        goto done;
    if (a.resp.status == 200)
        *exists = 1;
    else if (a.resp.status != 404)
        rc = sg_reg_status_error(r, &a.resp, "blob");
done:
    sg_reg_api_release(&a);
    return rc;
}

/* Start an upload session: POST → Location (absolute, malloc'd). With
 * mount_from, ask for a cross-repository mount first (*mounted = 1 on
 * 201). */
static sg_err upload_start(struct sg_reg *r,
                           const char *digest,
                           const char *mount_from,
                           char **location,
                           int *mounted)
{
    struct sg_reg_api a;
    sg_err rc;

    *location = NULL;
    if (mounted)
        *mounted = 0;
    rc = sg_reg_api_begin(&a, r->repo, "pull,push", "POST", "upload", 0,
                          "/v2/%s/blobs/uploads/", r->repo);
    if (!rc && mount_from) {
        rc = sg_buf_adds(&a.path, "?mount=");
        if (!rc)
            rc = sg_http_escape(&a.path, digest);
        if (!rc)
            rc = sg_buf_adds(&a.path, "&from=");
        if (!rc)
            rc = sg_http_escape(&a.path, mount_from);
        if (!rc)
            rc = sg_buf_addf(&a.scope, " repository:%s:pull", mount_from);
    }
    if (rc)
        goto done;
    a.c.has_body = 1; /* Content-Length: 0 */
    rc = sg_reg_api_run(r, &a);
    if (rc)
        goto done;
    if (mount_from && a.resp.status == 201) {
        *mounted = 1;
        goto done;
    }
    if (a.resp.status != 202 || !a.resp.location) {
        rc = sg_reg_status_errorf(r, &a.resp, "start upload to %s", r->repo);
        if (a.resp.status == 202)
            rc = sg_error_set(SG_EHTTP, "%s: upload without Location", r->host);
        goto done;
    }
    rc = sg_http_resolve(location, a.c.final_url, a.resp.location);
    if (!rc) {
        int same = 0;
        rc = sg_reg_redirect_ok(r, *location, &same);
        if (!rc && !same)
            rc = sg_error_set(SG_EHTTP, "%s: upload location on another host",
                              r->host);
    }
    if (rc) {
        free(*location);
        *location = NULL;
    }
done:
    sg_reg_api_release(&a);
    return rc;
}

/* Reader limited to `left` bytes of an underlying reader. */
struct limited {
    sg_oci_read_fn rd;
    void *payload;
    uint64_t left;
};

static sg_err limited_read(void *p, size_t cap, size_t *n_out, void *payload)
{
    struct limited *l = payload;

    *n_out = 0;
    if (!l->left)
        return SG_OK;
    if (cap > l->left)
        cap = (size_t)l->left;
    return l->rd(p, cap, n_out, l->payload);
}

static sg_err
location_with_digest(struct sg_buf *out, const char *loc, const char *digest)
{
    sg_err rc =
        sg_buf_addf(out, "%s%cdigest=", loc, strchr(loc, '?') ? '&' : '?');
    if (!rc)
        rc = sg_http_escape(out, digest);
    return rc;
}

/* PATCH the blob to `*loc` in CHUNK_SIZE pieces with Content-Range;
 * *loc moves to each answer's Location. */
static sg_err
upload_chunks(struct sg_reg *r, char **loc, const struct sg_oci_blob_src *b)
{
    const uint64_t size = b->size;
    struct limited lim;
    struct sg_reg_api a;
    uint64_t off = 0;
    sg_err rc = SG_OK;

    sg_reg_api_init(&a);
    lim.rd = b->rd;
    lim.payload = b->payload;
    while (off < size) {
        uint64_t n = size - off < CHUNK_SIZE ? size - off : CHUNK_SIZE;
        char *nloc = NULL;
        lim.left = n;
        rc = sg_reg_api_begin(&a, r->repo, "pull,push", "PATCH", "upload chunk",
                              0, "%s", *loc);
        if (rc)
            break;
        a.c.content_type = "application/octet-stream";
        snprintf(a.c.content_range, sizeof(a.c.content_range), "%llu-%llu",
                 (unsigned long long)off, (unsigned long long)(off + n - 1));
        a.c.rd = limited_read;
        a.c.rd_payload = &lim;
        a.c.rd_len = n;
        a.c.has_body = 1;
        rc = sg_reg_api_run(r, &a);
        if (!rc && a.resp.status != 202)
            rc = sg_reg_status_error(r, &a.resp, "upload chunk");
        if (!rc && !a.resp.location)
            rc = sg_error_set(SG_EHTTP, "%s: chunk accepted without Location",
                              r->host);
        if (!rc)
            rc = sg_http_resolve(&nloc, a.c.final_url, a.resp.location);
        sg_reg_api_release(&a);
        if (rc)
            break;
        free(*loc);
        *loc = nloc;
        off += n;
    }
    sg_reg_api_release(&a);
    return rc;
}

/* Read a small blob whole, so that its PUT can be retried. */
static sg_err read_whole(struct sg_buf *mem, const struct sg_oci_blob_src *b)
{
    char chunk[16384];
    sg_err rc;

    for (;;) {
        size_t n = 0;
        rc = b->rd(chunk, sizeof(chunk), &n, b->payload);
        if (rc || !n)
            break;
        rc = sg_buf_add(mem, chunk, n);
        if (rc)
            break;
    }
    if (!rc && mem->len != b->size)
        rc = sg_error_set(SG_EIO,
                          "blob %s: source has %zu bytes, "
                          "expected %llu",
                          b->digest, mem->len, (unsigned long long)b->size);
    return rc;
}

sg_err sg_reg_put_blob(struct sg_oci_store *s, const struct sg_oci_blob_src *b)
{
    const char *digest = b->digest;
    const uint64_t size = b->size;
    struct sg_reg *r = s->impl;
    struct sg_buf url = SG_BUF_INIT(SG_REG_URL_MAX);
    struct sg_buf mem = SG_BUF_INIT(MONO_BUF_MAX);
    struct sg_reg_api a;
    char *loc = NULL;
    int exists = 0;
    unsigned flags = SG_REG_API_RETRY;
    sg_err rc;

    sg_reg_api_init(&a);
    rc = sg_reg_blob_head(r, r->repo, digest, &exists);
    if (rc || exists)
        goto done;
    rc = upload_start(r, digest, NULL, &loc, NULL);
    if (rc)
        goto done;
    if (size <= MONO_BUF_MAX)
        rc = read_whole(&mem, b);
    else if (size <= CHUNK_SIZE)
        flags = 0; /* streamed in the PUT: cannot be replayed */
    else           /* chunked: PATCHes, then PUT ?digest= (empty) */
        rc = upload_chunks(r, &loc, b);
    if (!rc)
        rc = location_with_digest(&url, loc, digest);
    if (!rc)
        rc = sg_reg_api_begin(&a, r->repo, "pull,push", "PUT", "upload", flags,
                              "%s", url.data);
    if (rc)
        goto done;
    a.c.content_type = "application/octet-stream";
    a.c.has_body = 1;
    if (size <= MONO_BUF_MAX) {
        a.c.body = mem.data;
        a.c.body_len = mem.len;
    } else if (size <= CHUNK_SIZE) {
        a.c.rd = b->rd;
        a.c.rd_payload = b->payload;
        a.c.rd_len = size;
    }
    rc = sg_reg_api_run(r, &a);
    if (rc)
        goto done;
    if (a.resp.status != 201) {
        char msg[256];
        sg_reg_message(msg, sizeof(msg), &a.resp);
        if (a.resp.status == 400 && strstr(msg, "DIGEST_INVALID")) {
            rc = sg_error_set(SG_EDIGEST,
                              "push blob %s: registry says the "
                              "content does not match: %s",
                              digest, msg);
            goto done;
        }
        rc = sg_reg_status_errorf(r, &a.resp, "push blob %s", digest);
    }
done:
    free(loc);
    sg_reg_api_release(&a);
    sg_buf_release(&mem);
    sg_buf_release(&url);
    return rc;
}

sg_err sg_oci__registry_mount(struct sg_oci_store *s,
                              const char *digest,
                              const char *from_repo,
                              int *mounted)
{
    struct sg_reg *r = s->impl;
    char *loc = NULL;
    sg_err rc;

    *mounted = 0;
    if (s->kind != SG_OCI_STORE_REGISTRY || !r)
        return SG_OK;
    rc = upload_start(r, digest, from_repo, &loc, mounted);
    if (!rc && loc) {
        /* 202: the registry opened a normal upload instead; cancel it,
         * the caller falls back to a regular push. */
        struct sg_reg_api a;
        if (!sg_reg_api_begin(&a, r->repo, "pull,push", "DELETE", "upload", 0,
                              "%s", loc)) {
            (void)!sg_reg_api_run(r, &a);
            sg_error_clear();
        }
        sg_reg_api_release(&a);
    }
    free(loc);
    return rc;
}
