/*
 * OCI image layout store (image-spec image-layout.md): `oci-layout`,
 * `index.json` and `blobs/<alg>/<hex>`. Tags are
 * org.opencontainers.image.ref.name annotations in index.json.
 *
 * Trust: the files are untrusted (size-capped, parsed with limits; blob
 * digests are checked by store.c while streaming). Writes are atomic:
 * blobs go to a temp file in blobs/<alg>/, are digest-checked, then
 * renamed; index.json is rewritten with sg_file_write_atomic while holding
 * flock() on the layout directory, so concurrent writers serialise and
 * none of their updates is lost.
 */
#include "oci_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define LAYOUT_FILE_MAX 4096
#define CHUNK           (64 * 1024)

static const char layout_json[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
static const char empty_index[] =
    "{\"schemaVersion\":2,\"mediaType\":\"" SG_MT_OCI_INDEX
    "\",\"manifests\":[]}";

static sg_err pathf(struct sg_buf *b, const char *fmt, ...) SG_PRINTF(2, 3);
static sg_err pathf(struct sg_buf *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return sg_error_set(SG_ELIMIT, "path too long");
    sg_buf_reset(b);
    return sg_buf_add(b, tmp, (size_t)n);
}

/* blobs/<alg>/<hex> for a validated digest */
static sg_err
blob_path(struct sg_buf *b, const struct sg_oci_store *s, const char *digest)
{
    const char *colon = strchr(digest, ':');

    if (!sg_digest_valid(digest) || !colon)
        return sg_error_set(SG_EINVAL, "not a digest: %.80s", digest);
    return pathf(b, "%s/blobs/%.*s/%s", s->path, (int)(colon - digest), digest,
                 colon + 1);
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* ------------------------------------------------------------------ */
/* index.json                                                           */

static sg_err load_index(json_t **out, const struct sg_oci_store *s)
{
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf data = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const struct sg_limits *lim = &s->ctx.limits;
    json_t *root = NULL, *m;
    sg_err rc;

    *out = NULL;
    rc = pathf(&path, "%s/index.json", s->path);
    if (!rc)
        rc = sg_file_read(&data, path.data, lim->manifest_max);
    if (rc == SG_ENOTFOUND) {
        rc = sg_error_set(SG_EPARSE,
                          "%s: not an OCI layout: missing index.json", s->path);
        goto done;
    }
    if (rc) /* sg_file_read's message already names the file */
        goto done;
    rc = sg_json_parse(&root, data.data, data.len, lim->manifest_max,
                       lim->json_depth_max, "index.json");
    if (rc) {
        sg_error_prefix(rc, "%s", s->path);
        goto done;
    }
    m = json_object_get(root, "manifests");
    if (!json_is_object(root) || !json_is_array(m)) {
        rc = sg_error_set(SG_EPARSE,
                          "%s: not an OCI layout: index.json has no "
                          "\"manifests\" array",
                          s->path);
        goto done;
    }
    if (json_array_size(m) > lim->descriptors_max) {
        rc = sg_error_set(SG_ELIMIT,
                          "%s/index.json: %zu manifests, limit is "
                          "%zu",
                          s->path, json_array_size(m), lim->descriptors_max);
        goto done;
    }
    *out = root;
    root = NULL;
done:
    json_decref(root);
    sg_buf_release(&path);
    sg_buf_release(&data);
    return rc;
}

static sg_err save_index(const struct sg_oci_store *s, const json_t *root)
{
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf txt = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    rc = sg_json_dump_buf(&txt, root, 0);
    if (!rc)
        rc = pathf(&path, "%s/index.json", s->path);
    if (!rc)
        rc = sg_file_write_atomic(path.data, txt.data, txt.len, 0644);
    sg_buf_release(&txt);
    sg_buf_release(&path);
    return rc;
}

/* Exclusive lock on the layout directory (index.json is replaced by
 * rename, so it cannot carry the lock itself). */
static sg_err lock_layout(int *fd_out, const struct sg_oci_store *s)
{
    int fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    *fd_out = -1;
    if (fd < 0)
        return sg_error_errno(s->path, errno);
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            sg_err rc = sg_error_errno(s->path, errno);
            close(fd);
            return rc;
        }
    }
    *fd_out = fd;
    return SG_OK;
}

static void unlock_layout(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

static const char *desc_str(const json_t *d, const char *key)
{
    return json_string_value(json_object_get(d, key));
}

static const char *desc_tag(const json_t *d)
{
    return json_string_value(
        json_object_get(json_object_get(d, "annotations"), SG_ANNOT_REF_NAME));
}

/* ------------------------------------------------------------------ */
/* open                                                                 */

static sg_err check_layout_file(const struct sg_oci_store *s)
{
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf data = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *root = NULL;
    sg_err rc;

    rc = pathf(&path, "%s/oci-layout", s->path);
    if (!rc)
        rc = sg_file_read(&data, path.data, LAYOUT_FILE_MAX);
    if (rc == SG_ENOTFOUND) {
        rc = sg_error_set(SG_EPARSE,
                          "%s: not an OCI layout: missing oci-layout", s->path);
        goto done;
    }
    if (rc)
        goto done;
    rc = sg_json_parse(&root, data.data, data.len, LAYOUT_FILE_MAX, 4,
                       "oci-layout");
    if (rc) {
        sg_error_prefix(rc, "%s: not an OCI layout", s->path);
        goto done;
    }
    if (!json_is_string(json_object_get(root, "imageLayoutVersion"))) {
        rc = sg_error_set(SG_EPARSE,
                          "%s: not an OCI layout: oci-layout has no "
                          "imageLayoutVersion",
                          s->path);
        goto done;
    }
    if (strncmp(json_string_value(json_object_get(root, "imageLayoutVersion")),
                "1.", 2) != 0) {
        rc = sg_error_set(
            SG_EUNSUPPORTED, "%s: unsupported imageLayoutVersion \"%.20s\"",
            s->path,
            json_string_value(json_object_get(root, "imageLayoutVersion")));
        goto done;
    }
done:
    json_decref(root);
    sg_buf_release(&path);
    sg_buf_release(&data);
    return rc;
}

static int dir_is_empty(const char *p)
{
    DIR *d = opendir(p);
    struct dirent *e;
    int empty = 1;

    if (!d)
        return 1;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            empty = 0;
            break;
        }
    }
    closedir(d);
    return empty;
}

/* Create oci-layout, blobs/sha256 and index.json as needed (write mode).
 * Everything after creating the directory itself happens under the lock,
 * so two processes creating the same layout do not see each other's
 * half-made state. */
static sg_err create_layout(const struct sg_oci_store *s)
{
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct stat sb;
    int fd = -1;
    sg_err rc;

    if (stat(s->path, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return sg_error_set(SG_EEXIST, "%s: exists and is not a directory",
                            s->path);
    rc = sg_mkdir_p(s->path, 0755);
    if (!rc)
        rc = lock_layout(&fd, s);
    if (rc)
        goto done;
    rc = pathf(&path, "%s/oci-layout", s->path);
    if (!rc && !file_exists(path.data) && !dir_is_empty(s->path))
        rc = sg_error_set(SG_EEXIST,
                          "%s: exists, is not empty and is not an OCI "
                          "layout",
                          s->path);
    if (!rc)
        rc = pathf(&path, "%s/blobs/sha256", s->path);
    if (!rc)
        rc = sg_mkdir_p(path.data, 0755);
    if (!rc)
        rc = pathf(&path, "%s/oci-layout", s->path);
    if (!rc && !file_exists(path.data))
        rc = sg_file_write_atomic(path.data, layout_json,
                                  sizeof(layout_json) - 1, 0644);
    if (!rc)
        rc = pathf(&path, "%s/index.json", s->path);
    if (!rc && !file_exists(path.data))
        rc = sg_file_write_atomic(path.data, empty_index,
                                  sizeof(empty_index) - 1, 0644);
done:
    unlock_layout(fd);
    sg_buf_release(&path);
    return rc;
}

/* ------------------------------------------------------------------ */
/* ops                                                                  */

/* The descriptor in index.json named by ref (a digest or a tag), or
 * NULL: not finding one is an answer here, the caller words the error. */
static json_t *find_desc(const json_t *root, const char *ref)
{
    const json_t *arr = json_object_get(root, "manifests");
    size_t i;
    json_t *d;
    int by_digest = sg_digest_valid(ref);

    json_array_foreach(arr, i, d)
    {
        const char *v = by_digest ? desc_str(d, "digest") : desc_tag(d);
        if (v && strcmp(v, ref) == 0)
            return d;
    }
    return NULL;
}

static sg_err layout_get_manifest(struct sg_oci_store *s,
                                  const char *ref,
                                  struct sg_buf *body,
                                  char **media_type_out,
                                  char **digest_out)
{
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *root = NULL, *d = NULL;
    const char *digest = ref;
    const char *mt = NULL;
    sg_err rc;

    rc = load_index(&root, s);
    if (rc)
        goto done;
    if ((d = find_desc(root, ref)) != NULL) {
        digest = desc_str(d, "digest");
        mt = desc_str(d, "mediaType");
        if (!digest || !sg_digest_valid(digest)) {
            rc = sg_error_set(SG_EPARSE,
                              "%s/index.json: entry for '%s' has an invalid "
                              "digest",
                              s->path, ref);
            goto done;
        }
    } else if (!sg_digest_valid(ref)) {
        rc = sg_error_set(SG_ENOTFOUND, "%s: tag '%s' not found", s->path, ref);
        goto done;
    }
    rc = blob_path(&path, s, digest);
    if (!rc)
        rc = sg_file_read(body, path.data, body->max);
    if (rc == SG_ENOTFOUND) {
        rc = sg_error_set(SG_ENOTFOUND, "%s: manifest %s not found", s->path,
                          digest);
        goto done;
    }
    if (rc == SG_ELIMIT) {
        rc = sg_error_set(SG_ELIMIT,
                          "manifest %s: larger than the limit of "
                          "%zu bytes",
                          digest, body->max);
        goto done;
    }
    if (rc)
        goto done;
    if (!mt) {
        /* not listed in index.json: take the mediaType the JSON declares */
        json_t *j =
            json_loadb(body->data, body->len, JSON_REJECT_DUPLICATES, NULL);
        const char *jm = json_string_value(json_object_get(j, "mediaType"));
        if (jm && media_type_out)
            *media_type_out = strdup(jm);
        json_decref(j);
    } else if (media_type_out) {
        *media_type_out = strdup(mt);
    }
    if (digest_out) {
        *digest_out = strdup(digest);
        if (!*digest_out)
            rc = sg_error_oom();
    }
done:
    json_decref(root);
    sg_buf_release(&path);
    return rc;
}

static sg_err layout_put_blob(struct sg_oci_store *s,
                              const struct sg_oci_blob_src *b)
{
    const char *digest = b->digest;
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf tmp = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_oci__blob_check chk = { 0 };
    char algo[8];
    unsigned char *chunk = NULL;
    const char *colon = strchr(digest, ':');
    int fd = -1;
    sg_err rc;

    rc = blob_path(&path, s, digest);
    if (rc)
        goto done;
    if (file_exists(path.data))
        goto done; /* content-addressed: already there */
    memcpy(algo, digest, (size_t)(colon - digest));
    algo[colon - digest] = '\0';
    rc = pathf(&tmp, "%s/blobs/%s", s->path, algo);
    if (!rc)
        rc = sg_mkdir_p(tmp.data, 0755);
    if (!rc)
        rc =
            pathf(&tmp, "%s/blobs/%s/.tmp-%s-XXXXXX", s->path, algo, colon + 1);
    if (!rc)
        rc = sg_oci__blob_check_begin(&chk, digest, b->size);
    if (rc)
        goto done;
    chunk = malloc(CHUNK);
    if (!chunk) {
        rc = sg_error_oom();
        goto done;
    }
    fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = sg_error_errno(tmp.data, errno);
        goto done;
    }
    for (;;) {
        size_t n = 0;
        rc = b->rd(chunk, CHUNK, &n, b->payload);
        if (rc)
            goto done;
        if (n == 0)
            break;
        rc = sg_oci__blob_check_update(&chk, chunk, n);
        if (!rc)
            rc = sg_write_all(fd, chunk, n, tmp.data);
        if (rc)
            goto done;
    }
    rc = sg_oci__blob_check_end(&chk, "expected");
    if (rc)
        goto done;
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
        rc = sg_error_errno(tmp.data, errno);
        goto done;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = sg_error_errno(tmp.data, errno);
        goto done;
    }
    fd = -1;
    if (rename(tmp.data, path.data) != 0) {
        rc = sg_error_errno(path.data, errno);
        goto done;
    }
    tmp.len = 0; /* renamed: nothing to remove */
done:
    if (fd >= 0)
        close(fd);
    if (rc && tmp.len)
        unlink(tmp.data);
    free(chunk);
    sg_oci__blob_check_free(&chk);
    sg_buf_release(&path);
    sg_buf_release(&tmp);
    return rc;
}

static sg_err layout_put_manifest(struct sg_oci_store *s,
                                  const char *tag,
                                  const char *media_type,
                                  const void *data,
                                  size_t len,
                                  const char *digest)
{
    struct sg_oci__mem_src src = { data, len };
    const struct sg_oci_blob_src blob = { digest, len, sg_oci__mem_read, &src };
    json_t *root = NULL, *arr, *d = NULL, *ann;
    int fd = -1;
    size_t i;
    sg_err rc;

    if (!media_type || !media_type[0])
        return sg_error_set(SG_EINVAL, "put manifest: no media type");
    rc = layout_put_blob(s, &blob);
    if (rc)
        return rc;
    rc = lock_layout(&fd, s);
    if (!rc)
        rc = load_index(&root, s);
    if (rc)
        goto done;
    arr = json_object_get(root, "manifests");
    if (tag) {
        /* the tag moves: drop its previous holder */
        for (i = json_array_size(arr); i-- > 0;) {
            const char *t = desc_tag(json_array_get(arr, i));
            if (t && strcmp(t, tag) == 0)
                json_array_remove(arr, i);
        }
    } else {
        json_t *e;
        json_array_foreach(arr, i, e)
        {
            const char *dg = desc_str(e, "digest");
            if (dg && strcmp(dg, digest) == 0)
                goto done; /* already listed: nothing to change */
        }
    }
    d = json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", digest,
                  "size", (json_int_t)len);
    if (!d) {
        rc = sg_error_oom();
        goto done;
    }
    if (tag) {
        ann = json_pack("{s:s}", SG_ANNOT_REF_NAME, tag);
        if (!ann || json_object_set_new(d, "annotations", ann) != 0) {
            rc = sg_error_oom();
            goto done;
        }
    }
    if (json_array_size(arr) >= s->ctx.limits.descriptors_max) {
        rc = sg_error_set(SG_ELIMIT,
                          "%s/index.json: already holds %zu "
                          "manifests",
                          s->path, json_array_size(arr));
        goto done;
    }
    if (json_array_append(arr, d) != 0) {
        rc = sg_error_oom();
        goto done;
    }
    rc = save_index(s, root);
done:
    unlock_layout(fd);
    json_decref(d);
    json_decref(root);
    return rc;
}

static sg_err layout_delete_manifest(struct sg_oci_store *s, const char *digest)
{
    json_t *root = NULL, *arr;
    int fd = -1, found = 0;
    size_t i;
    sg_err rc;

    rc = lock_layout(&fd, s);
    if (!rc)
        rc = load_index(&root, s);
    if (rc)
        goto done;
    arr = json_object_get(root, "manifests");
    for (i = json_array_size(arr); i-- > 0;) {
        const char *dg = desc_str(json_array_get(arr, i), "digest");
        if (dg && strcmp(dg, digest) == 0) {
            json_array_remove(arr, i);
            found = 1;
        }
    }
    if (!found)
        rc = sg_error_set(SG_ENOTFOUND, "%s: manifest %s not in index.json",
                          s->path, digest);
    else
        rc = save_index(s, root);
done:
    unlock_layout(fd);
    json_decref(root);
    return rc;
}

sg_err sg_oci__index_tags(char ***out, const json_t *index)
{
    const json_t *arr = json_object_get(index, "manifests"), *e;
    char **v;
    size_t i, n = 0;

    *out = NULL;
    v = calloc(json_array_size(arr) + 1, sizeof(*v));
    if (!v)
        return sg_error_oom();
    json_array_foreach(arr, i, e)
    {
        const char *t = desc_tag(e);
        int dup = 0;
        if (!t)
            continue;
        /* quadratic, but bounded: index.json is at most manifest_max */
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(v[k], t) == 0;
        if (dup)
            continue;
        v[n] = strdup(t);
        if (!v[n]) {
            sg_oci_strv_free(v);
            return sg_error_oom();
        }
        n++;
    }
    *out = v;
    return SG_OK;
}

static sg_err layout_list_tags(struct sg_oci_store *s, char ***tags_out)
{
    json_t *root = NULL;
    sg_err rc = load_index(&root, s);

    if (!rc)
        rc = sg_oci__index_tags(tags_out, root);
    json_decref(root);
    return rc;
}

static sg_err
layout_blob_exists(struct sg_oci_store *s, const char *digest, int *exists)
{
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = blob_path(&path, s, digest);

    *exists = !rc && file_exists(path.data);
    sg_buf_release(&path);
    return rc;
}

static sg_err layout_get_blob(struct sg_oci_store *s,
                              const struct sg_oci_descriptor *d,
                              sg_oci_write_fn cb,
                              void *payload)
{
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    unsigned char *chunk = NULL;
    int fd = -1;
    sg_err rc;

    rc = blob_path(&path, s, d->digest);
    if (rc)
        goto done;
    fd = open(path.data, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            rc = sg_error_set(SG_ENOTFOUND, "%s: blob %s not found", s->path,
                              d->digest);
        else
            rc = sg_error_errno(path.data, errno);
        goto done;
    }
    chunk = malloc(CHUNK);
    if (!chunk) {
        rc = sg_error_oom();
        goto done;
    }
    for (;;) {
        size_t n;
        rc = sg_read_some(fd, chunk, CHUNK, &n, path.data);
        if (rc || n == 0)
            break;
        rc = cb(chunk, n, payload);
        if (rc)
            break;
    }
done:
    if (fd >= 0)
        close(fd);
    free(chunk);
    sg_buf_release(&path);
    return rc;
}

/* Manifests in the layout whose subject is `digest` (scans index.json's
 * entries, bounded by descriptors_max and manifest_max each). */
static sg_err layout_referrers(struct sg_oci_store *s,
                               const char *digest,
                               const char *artifact_type,
                               struct sg_buf *index_json,
                               int *supported)
{
    json_t *root = NULL, *out = NULL, *list, *e;
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf path = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_oci_manifest *m = NULL;
    size_t i;
    sg_err rc;

    *supported = 1;
    rc = load_index(&root, s);
    if (rc)
        goto done;
    out = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType",
                    SG_MT_OCI_INDEX, "manifests");
    if (!out) {
        rc = sg_error_oom();
        goto done;
    }
    list = json_object_get(out, "manifests");
    json_array_foreach(json_object_get(root, "manifests"), i, e)
    {
        const char *dg = desc_str(e, "digest");
        const char *at;
        json_t *ref, *ann;
        int seen = 0;
        size_t k;
        json_t *x;

        if (!dg || !sg_digest_valid(dg))
            continue;
        json_array_foreach(list, k, x) seen |=
            strcmp(desc_str(x, "digest"), dg) == 0;
        if (seen)
            continue;
        rc = blob_path(&path, s, dg);
        if (rc)
            goto done;
        sg_buf_release(&body);
        if (sg_file_read(&body, path.data, s->ctx.limits.manifest_max) ||
            sg_oci_manifest_parse(&m, body.data, body.len,
                                  desc_str(e, "mediaType"), &s->ctx)) {
            sg_error_clear(); /* not a manifest we can read: not a referrer */
            continue;
        }
        if (!m->subject || strcmp(m->subject->digest, digest) != 0) {
            sg_oci_manifest_free(m);
            m = NULL;
            continue;
        }
        at = m->artifact_type ? m->artifact_type
                              : (!m->is_index ? m->config.media_type : NULL);
        if (artifact_type && (!at || strcmp(at, artifact_type) != 0)) {
            sg_oci_manifest_free(m);
            m = NULL;
            continue;
        }
        ref = json_pack("{s:s, s:s, s:I}", "mediaType", m->media_type, "digest",
                        dg, "size", (json_int_t)body.len);
        if (ref && at)
            json_object_set_new(ref, "artifactType", json_string(at));
        if (ref && m->n_annotations) {
            ann = json_object();
            for (size_t a = 0; ann && a < m->n_annotations; a++)
                json_object_set_new(ann, m->annotations[a].key,
                                    json_string(m->annotations[a].value));
            if (ann)
                json_object_set_new(ref, "annotations", ann);
        }
        sg_oci_manifest_free(m);
        m = NULL;
        if (!ref || json_array_append_new(list, ref) != 0) {
            rc = sg_error_oom();
            goto done;
        }
    }
    rc = sg_json_dump_buf(index_json, out, 0);
done:
    sg_oci_manifest_free(m);
    json_decref(out);
    json_decref(root);
    sg_buf_release(&body);
    sg_buf_release(&path);
    return rc;
}

static void layout_free(struct sg_oci_store *s)
{
    (void)s;
}

static const struct sg_oci_store_ops layout_ops = {
    .name = "oci-dir",
    .get_manifest = layout_get_manifest,
    .head_manifest = NULL,
    .put_manifest = layout_put_manifest,
    .delete_manifest = layout_delete_manifest,
    .list_tags = layout_list_tags,
    .blob_exists = layout_blob_exists,
    .get_blob = layout_get_blob,
    .put_blob = layout_put_blob,
    .referrers = layout_referrers,
    .free = layout_free,
};

sg_err sg_oci__layout_open(struct sg_oci_store *s)
{
    struct stat sb;
    json_t *root = NULL;
    sg_err rc;

    if (s->flags & SG_OCI_OPEN_WRITE) {
        rc = create_layout(s);
        if (rc)
            return rc;
    } else {
        if (stat(s->path, &sb) != 0)
            return sg_error_set(errno == ENOENT ? SG_ENOTFOUND : SG_EIO,
                                "%s: no such OCI layout directory", s->path);
        if (!S_ISDIR(sb.st_mode))
            return sg_error_set(
                SG_EPARSE, "%s: not an OCI layout: not a directory", s->path);
    }
    rc = check_layout_file(s);
    if (!rc)
        rc = load_index(&root, s);
    json_decref(root);
    if (rc)
        return rc;
    s->ops = &layout_ops;
    return SG_OK;
}
