/*
 * Generic image-store layer: parses a source/destination spec, picks the
 * backend, and wraps every backend's blob/manifest traffic with the size
 * and digest checks (so no backend can forget them).
 */
#include "oci_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Split "PATH[:tag|@digest]" for local stores. A ':' only counts as a tag
 * separator when what follows looks like a tag (no '/'). */
static sg_err split_local(struct sg_oci_store *st, const char *rest)
{
    const char *at = strrchr(rest, '@');
    const char *colon = strrchr(rest, ':');
    const char *ref = "latest";
    size_t plen = strlen(rest);

    /* Choose the reference first and copy once: a failed copy is then
     * always an error, never a silent fall-back to "latest". */
    if (at && sg_digest_valid(at + 1)) {
        plen = (size_t)(at - rest);
        ref = at + 1;
    } else if (colon && colon != rest && !strchr(colon, '/')) {
        struct stat sb;
        /* "dir:foo:bar" where foo:bar is really the path: keep it whole. */
        if (stat(rest, &sb) != 0) {
            plen = (size_t)(colon - rest);
            ref = colon + 1;
        }
    }
    st->path = strndup(rest, plen);
    st->default_ref = strdup(ref);
    if (!st->path || !st->default_ref)
        return sg_error_oom();
    if (!st->path[0])
        return sg_error_set(SG_EINVAL, "empty path");
    return SG_OK;
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The synthetic reference of a local store (oci.h): registry "",
 * repository = the path's last component, tag or digest = default_ref. */
static sg_err local_ref(struct sg_oci_store *st)
{
    const char *base = strrchr(st->path, '/');
    size_t n;

    base = base ? base + 1 : st->path;
    n = strlen(base);
    while (n == 0 && base > st->path) { /* "dir/" */
        base--;
        while (base > st->path && base[-1] != '/')
            base--;
        n = strcspn(base, "/");
    }
    st->ref.registry = strdup("");
    st->ref.repository = strndup(base, n);
    if (sg_digest_valid(st->default_ref))
        st->ref.digest = dupstr(st->default_ref);
    else
        st->ref.tag = dupstr(st->default_ref);
    if (!st->ref.registry || !st->ref.repository ||
        (!st->ref.digest && !st->ref.tag))
        return sg_error_oom();
    return SG_OK;
}

sg_err sg_oci_store_open(struct sg_oci_store **out,
                         const char *spec,
                         const struct sg_oci_registry_opts *opts,
                         unsigned flags)
{
    struct sg_oci_store *st;
    sg_err rc;

    *out = NULL;
    st = calloc(1, sizeof(*st));
    if (!st)
        return sg_error_oom();
    st->flags = flags;
    st->ctx = *sg_ctx_get(opts ? opts->ctx : NULL);

    if (strncmp(spec, "oci-dir:", 8) == 0 || strncmp(spec, "oci:", 4) == 0) {
        st->kind = SG_OCI_STORE_OCI_DIR;
        rc = split_local(st, strchr(spec, ':') + 1);
    } else if (strncmp(spec, "oci-archive:", 12) == 0) {
        st->kind = SG_OCI_STORE_OCI_ARCHIVE;
        rc = split_local(st, spec + 12);
    } else if (strncmp(spec, "docker-archive:", 15) == 0) {
        st->kind = SG_OCI_STORE_DOCKER_ARCHIVE;
        rc = split_local(st, spec + 15);
    } else if (strncmp(spec, "dir:", 4) == 0) {
        st->kind = SG_OCI_STORE_DIR;
        st->path = strdup(spec + 4);
        st->default_ref = strdup("latest");
        rc = (st->path && st->default_ref) ? SG_OK : sg_error_oom();
    } else if (strncmp(spec, "registry:", 9) == 0 ||
               strncmp(spec, "docker://", 9) == 0) {
        st->kind = SG_OCI_STORE_REGISTRY;
        rc = sg_oci_ref_parse(&st->ref, spec + 9);
    } else if (is_dir(spec)) {
        struct sg_buf p = SG_BUF_INIT(SG_BUF_NOLIMIT);
        rc = sg_buf_addf(&p, "%s/oci-layout", spec);
        st->kind =
            (!rc && is_file(p.data)) ? SG_OCI_STORE_OCI_DIR : SG_OCI_STORE_DIR;
        sg_buf_release(&p);
        st->path = strdup(spec);
        st->default_ref = strdup("latest");
        if (!rc && (!st->path || !st->default_ref))
            rc = sg_error_oom();
    } else if (is_file(spec)) {
        /* archive.c tells oci-archive from docker-archive by content */
        st->kind = SG_OCI_STORE_OCI_ARCHIVE;
        st->path = strdup(spec);
        st->default_ref = strdup("latest");
        rc = (st->path && st->default_ref) ? SG_OK : sg_error_oom();
    } else if (spec[0] == '/' || strncmp(spec, "./", 2) == 0 ||
               strncmp(spec, "../", 3) == 0) {
        /* Looks like a path, and nothing is there: a reference cannot
         * start like this, so say what is really wrong. */
        rc = sg_error_set(SG_ENOTFOUND, "%s: no such file or directory", spec);
    } else {
        st->kind = SG_OCI_STORE_REGISTRY;
        rc = sg_oci_ref_parse(&st->ref, spec);
    }
    if (rc)
        goto fail;

    switch (st->kind) {
    case SG_OCI_STORE_REGISTRY:
        free(st->default_ref);
        st->default_ref =
            dupstr(st->ref.digest ? st->ref.digest
                                  : (st->ref.tag ? st->ref.tag : "latest"));
        if (!st->default_ref) {
            rc = sg_error_oom();
            goto fail;
        }
        rc = sg_oci__registry_open(st, opts);
        break;
    case SG_OCI_STORE_OCI_DIR:
        rc = sg_oci__layout_open(st);
        break;
    case SG_OCI_STORE_OCI_ARCHIVE:
    case SG_OCI_STORE_DOCKER_ARCHIVE:
        if (flags & SG_OCI_OPEN_WRITE) {
            rc = sg_error_set(SG_EUNSUPPORTED,
                              "archives are read-only; write to oci-dir: "
                              "or a registry");
            goto fail;
        }
        rc = sg_oci__archive_open(st);
        break;
    case SG_OCI_STORE_DIR:
        if (flags & SG_OCI_OPEN_WRITE) {
            rc = sg_error_set(SG_EUNSUPPORTED, "dir: sources are read-only");
            goto fail;
        }
        rc = sg_oci__rootdir_open(st);
        break;
    }
    if (!rc && st->kind != SG_OCI_STORE_REGISTRY && !st->ref.repository)
        rc = local_ref(st);
    if (rc)
        goto fail;
    *out = st;
    return SG_OK;
fail:
    sg_oci_store_free(st);
    return rc;
}

void sg_oci_store_free(struct sg_oci_store *s)
{
    if (!s)
        return;
    if (s->ops && s->ops->free)
        s->ops->free(s);
    sg_oci_ref_release(&s->ref);
    free(s->default_ref);
    free(s->path);
    free(s);
}

enum sg_oci_store_kind sg_oci_store_kind(const struct sg_oci_store *s)
{
    return s->kind;
}

const struct sg_ctx *sg_oci_store_ctx(const struct sg_oci_store *s)
{
    return &s->ctx;
}

const char *sg_oci_store_default_ref(const struct sg_oci_store *s)
{
    return s->default_ref;
}

const struct sg_oci_ref *sg_oci_store_ref(const struct sg_oci_store *s)
{
    return &s->ref;
}

const char *sg_oci_store_dir_path(const struct sg_oci_store *s)
{
    return s->kind == SG_OCI_STORE_DIR ? s->path : NULL;
}

static sg_err unsupported(const struct sg_oci_store *s, const char *what)
{
    return sg_error_set(SG_EUNSUPPORTED, "%s: not supported by %s stores", what,
                        s->ops ? s->ops->name : "these");
}

sg_err sg_oci_store_get_manifest(struct sg_oci_store *s,
                                 const char *ref,
                                 struct sg_buf *body,
                                 char **media_type_out,
                                 char **digest_out)
{
    char *mt = NULL, *dg = NULL;
    char computed[SG_DIGEST_STR_MAX];
    sg_err rc;

    if (media_type_out)
        *media_type_out = NULL;
    if (digest_out)
        *digest_out = NULL;
    if (!s->ops->get_manifest)
        return unsupported(s, "manifests");
    if (!ref)
        ref = s->default_ref;
    body->max = s->ctx.limits.manifest_max;
    rc = s->ops->get_manifest(s, ref, body, &mt, &dg);
    if (rc)
        goto fail;
    /* The digest is always computed from the exact bytes received. */
    rc = sg_sha256_digest(computed, body->data, body->len);
    if (rc)
        goto fail;
    if (sg_digest_valid(ref) && strncmp(ref, "sha256:", 7) == 0 &&
        strcmp(ref, computed) != 0) {
        rc = sg_error_set(SG_EDIGEST, "manifest %s: content has digest %s", ref,
                          computed);
        goto fail;
    }
    if (sg_digest_valid(ref) && strncmp(ref, "sha512:", 7) == 0) {
        struct sg_digester *d = NULL;
        char c512[SG_DIGEST_STR_MAX];
        rc = sg_digester_create(&d, "sha512");
        if (!rc)
            rc = sg_digester_update(d, body->data, body->len);
        if (!rc)
            rc = sg_digester_final(d, c512, sizeof(c512));
        sg_digester_free(d);
        if (!rc && strcmp(ref, c512) != 0)
            rc = sg_error_set(SG_EDIGEST, "manifest %s: content has digest %s",
                              ref, c512);
        if (rc)
            goto fail;
    }
    if (dg && strncmp(dg, "sha256:", 7) == 0 && strcmp(dg, computed) != 0) {
        rc = sg_error_set(SG_EDIGEST,
                          "manifest %s: store says %s but content has %s", ref,
                          dg, computed);
        goto fail;
    }
    if (digest_out) {
        *digest_out = strdup(
            sg_digest_valid(ref) && strncmp(ref, "sha512:", 7) == 0 ? ref
                                                                    : computed);
        if (!*digest_out) {
            rc = sg_error_oom();
            goto fail;
        }
    }
    if (media_type_out) {
        *media_type_out = mt;
        mt = NULL;
    }
    free(mt);
    free(dg);
    return SG_OK;
fail:
    free(mt);
    free(dg);
    if (digest_out) {
        free(*digest_out);
        *digest_out = NULL;
    }
    sg_buf_release(body);
    return rc;
}

sg_err sg_oci_store_head_manifest(struct sg_oci_store *s,
                                  const char *ref,
                                  char **media_type_out,
                                  char **digest_out,
                                  uint64_t *size_out)
{
    struct sg_buf body = SG_BUF_INIT(SG_LIMIT_MANIFEST_MAX);
    sg_err rc;

    if (!ref)
        ref = s->default_ref;
    if (s->ops->head_manifest)
        return s->ops->head_manifest(s, ref, media_type_out, digest_out,
                                     size_out);
    rc = sg_oci_store_get_manifest(s, ref, &body, media_type_out, digest_out);
    if (!rc && size_out)
        *size_out = body.len;
    sg_buf_release(&body);
    return rc;
}

sg_err sg_oci_store_put_manifest(struct sg_oci_store *s,
                                 const char *tag,
                                 const char *media_type,
                                 const void *data,
                                 size_t len,
                                 char **digest_out)
{
    char computed[SG_DIGEST_STR_MAX];
    sg_err rc;

    if (digest_out)
        *digest_out = NULL;
    if (!s->ops->put_manifest)
        return unsupported(s, "writing manifests");
    rc = sg_sha256_digest(computed, data, len);
    if (rc)
        return rc;
    rc = s->ops->put_manifest(s, tag, media_type, data, len, computed);
    if (rc)
        return rc;
    if (digest_out) {
        *digest_out = strdup(computed);
        if (!*digest_out)
            return sg_error_oom();
    }
    return SG_OK;
}

sg_err sg_oci_store_delete_manifest(struct sg_oci_store *s, const char *digest)
{
    if (!s->ops->delete_manifest)
        return unsupported(s, "deleting manifests");
    if (!sg_digest_valid(digest))
        return sg_error_set(SG_EINVAL, "delete: not a digest: %s", digest);
    return s->ops->delete_manifest(s, digest);
}

sg_err sg_oci_store_list_tags(struct sg_oci_store *s, char ***tags_out)
{
    *tags_out = NULL;
    if (!s->ops->list_tags)
        return unsupported(s, "listing tags");
    return s->ops->list_tags(s, tags_out);
}

void sg_oci_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

sg_err sg_oci_store_blob_exists(struct sg_oci_store *s,
                                const char *digest,
                                int *exists)
{
    *exists = 0;
    if (!s->ops->blob_exists)
        return unsupported(s, "blobs");
    return s->ops->blob_exists(s, digest, exists);
}

sg_err sg_oci__blob_check_begin(struct sg_oci__blob_check *c,
                                const char *digest,
                                uint64_t size)
{
    const char *colon = strchr(digest, ':');
    char algo[8];

    memset(c, 0, sizeof(*c));
    c->want = size;
    c->digest = digest;
    memcpy(algo, digest, (size_t)(colon - digest));
    algo[colon - digest] = '\0';
    return sg_digester_create(&c->dg, algo);
}

sg_err sg_oci__blob_check_update(struct sg_oci__blob_check *c,
                                 const void *p,
                                 size_t len)
{
    if (len > c->want - c->seen)
        return sg_error_set(SG_EDIGEST,
                            "blob %s: more bytes than its size %llu", c->digest,
                            (unsigned long long)c->want);
    c->seen += len;
    return sg_digester_update(c->dg, p, len);
}

sg_err sg_oci__blob_check_end(struct sg_oci__blob_check *c, const char *said)
{
    char got[SG_DIGEST_STR_MAX];
    sg_err rc;

    if (c->seen != c->want)
        return sg_error_set(SG_EDIGEST, "blob %s: got %llu bytes, %s %llu",
                            c->digest, (unsigned long long)c->seen, said,
                            (unsigned long long)c->want);
    rc = sg_digester_final(c->dg, got, sizeof(got));
    if (!rc && strcmp(got, c->digest) != 0)
        rc = sg_error_set(SG_EDIGEST, "blob %s: content has digest %s",
                          c->digest, got);
    return rc;
}

void sg_oci__blob_check_free(struct sg_oci__blob_check *c)
{
    sg_digester_free(c->dg);
    c->dg = NULL;
}

/* The checking wrapper around a backend's raw byte stream. */
static sg_err check_write(const void *p, size_t len, void *payload)
{
    struct sg_oci__blob_check *c = payload;
    sg_err rc = sg_oci__blob_check_update(c, p, len);

    if (rc)
        return rc;
    sg_progress(c->ctx, c->digest, c->seen, c->want, 0);
    rc = c->cb ? c->cb(p, len, c->payload) : SG_OK;
    if (rc)
        c->cb_rc = rc;
    return rc;
}

sg_err sg_oci_store_get_blob(struct sg_oci_store *s,
                             const struct sg_oci_descriptor *d,
                             sg_oci_write_fn cb,
                             void *payload)
{
    struct sg_oci__blob_check c;
    sg_err rc;

    if (!s->ops->get_blob)
        return unsupported(s, "blobs");
    if (!sg_digest_valid(d->digest))
        return sg_error_set(SG_EPARSE, "invalid blob digest '%s'",
                            d->digest ? d->digest : "");
    rc = sg_oci__blob_check_begin(&c, d->digest, d->size);
    if (rc)
        return rc;
    c.ctx = &s->ctx;
    c.cb = cb;
    c.payload = payload;
    /* Progress for every backend in one place: a start at 0 (so the CLI
     * can time the transfer), the bytes as they pass, and the end. */
    sg_progress(&s->ctx, d->digest, 0, d->size, 0);
    rc = s->ops->get_blob(s, d, check_write, &c);
    if (!rc)
        rc = sg_oci__blob_check_end(&c, "descriptor says");
    sg_progress(&s->ctx, d->digest, c.seen, c.want, rc ? -1 : 1);
    sg_oci__blob_check_free(&c);
    return rc;
}

static sg_err buf_write(const void *p, size_t len, void *payload)
{
    return sg_buf_add(payload, p, len);
}

sg_err sg_oci_store_get_blob_buf(struct sg_oci_store *s,
                                 const struct sg_oci_descriptor *d,
                                 struct sg_buf *out,
                                 size_t max)
{
    sg_err rc;

    if (d->size > max)
        return sg_error_set(SG_ELIMIT, "blob %s: %llu bytes, limit is %zu",
                            d->digest, (unsigned long long)d->size, max);
    out->max = max;
    rc = sg_oci_store_get_blob(s, d, buf_write, out);
    if (rc)
        sg_buf_release(out);
    return rc;
}

sg_err sg_oci_store_put_blob(struct sg_oci_store *s,
                             const struct sg_oci_blob_src *b)
{
    if (!s->ops->put_blob)
        return unsupported(s, "writing blobs");
    if (!sg_digest_valid(b->digest))
        return sg_error_set(SG_EINVAL, "put blob: not a digest: %s", b->digest);
    return s->ops->put_blob(s, b);
}

sg_err sg_oci__mem_read(void *p, size_t cap, size_t *n_out, void *payload)
{
    struct sg_oci__mem_src *m = payload;
    size_t n = m->left < cap ? m->left : cap;

    memcpy(p, m->p, n);
    m->p += n;
    m->left -= n;
    *n_out = n;
    return SG_OK;
}

sg_err sg_oci_store_put_blob_buf(struct sg_oci_store *s,
                                 const void *data,
                                 size_t len,
                                 char **digest_out)
{
    char digest[SG_DIGEST_STR_MAX];
    struct sg_oci__mem_src m = { data, len };
    const struct sg_oci_blob_src b = { digest, len, sg_oci__mem_read, &m };
    sg_err rc;

    if (digest_out)
        *digest_out = NULL;
    rc = sg_sha256_digest(digest, data, len);
    if (!rc)
        rc = sg_oci_store_put_blob(s, &b);
    if (!rc && digest_out) {
        *digest_out = strdup(digest);
        if (!*digest_out)
            rc = sg_error_oom();
    }
    return rc;
}
