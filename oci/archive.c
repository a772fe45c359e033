/*
 * Read-only archive stores:
 *  - oci-archive: an OCI image layout inside a tar (image-layout.md);
 *  - docker-archive: `docker save` output, either the classic form
 *    (manifest.json [{Config, RepoTags, Layers}] + config + layer tars;
 *    an OCI manifest is synthesised from the digests computed here) or
 *    Docker 25+'s OCI layout in the tar (preferred when index.json exists).
 *
 * Opening reads the tar once with libarchive (bounded by tar_entries_max
 * and path_max), hashing every regular entry, so blobs are found by digest
 * whatever their path. Blobs are then streamed from the tar by re-opening
 * it and skipping to the entry; nothing is extracted to disk. The tar is
 * untrusted: store.c re-checks every blob's digest while streaming.
 */
#include "oci_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#define CHUNK (64 * 1024)
/* as sbom/inflate.c: the ratio is judged once this much came out */
#define RATIO_FLOOR (8u * 1024u * 1024u)

struct entry {
    char *name;     /* normalised path (no leading "./" or "/") */
    size_t ordinal; /* position among all headers in the tar */
    uint64_t size;
    char digest[SG_DIGEST_STR_MAX]; /* sha256 of the content */
    unsigned char magic[4];
    size_t n_magic;
    struct sg_buf small; /* content of index.json/oci-layout/manifest.json */
};

struct synth { /* classic docker-archive: one per manifest.json entry */
    char digest[SG_DIGEST_STR_MAX];
    struct sg_buf body;
    char **tags; /* "name:tag" strings from RepoTags, NULL-terminated */
};

struct archive_store {
    struct entry *e;
    size_t n;
    int oci; /* 1: OCI layout inside; 0: classic docker */
    struct synth *syn;
    size_t n_syn;
    const struct sg_limits *lim; /* the store's */
};

static sg_err archive_err(struct archive *a, const char *path)
{
    const char *m = archive_error_string(a);
    return sg_error_set(SG_EPARSE, "%s: %s", path, m ? m : "unreadable tar");
}

static sg_err open_tar(struct archive **out, const char *path)
{
    struct archive *a = archive_read_new();

    *out = NULL;
    if (!a)
        return sg_error_oom();
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK) {
        sg_err rc = archive_err(a, path);
        archive_read_free(a);
        return rc;
    }
    *out = a;
    return SG_OK;
}

static const char *norm_name(const char *n)
{
    while (n[0] == '.' && n[1] == '/')
        n += 2;
    while (n[0] == '/')
        n++;
    return n;
}

static struct entry *find_name(struct archive_store *as, const char *name)
{
    for (size_t i = 0; i < as->n; i++)
        if (strcmp(as->e[i].name, norm_name(name)) == 0)
            return &as->e[i];
    return NULL;
}

static struct entry *find_digest(struct archive_store *as, const char *digest)
{
    /* blobs/<alg>/<hex> first (the OCI layout name), then any entry */
    const char *colon = strchr(digest, ':');
    char name[200];

    if (colon) {
        struct entry *e;
        snprintf(name, sizeof(name), "blobs/%.*s/%s", (int)(colon - digest),
                 digest, colon + 1);
        e = find_name(as, name);
        if (e)
            return e;
    }
    for (size_t i = 0; i < as->n; i++)
        if (strcmp(as->e[i].digest, digest) == 0)
            return &as->e[i];
    return NULL;
}

static int keep_small(const char *name)
{
    return strcmp(name, "index.json") == 0 || strcmp(name, "oci-layout") == 0 ||
           strcmp(name, "manifest.json") == 0;
}

/* Bytes that came out of the (possibly compressed) tar so far, against
 * image_bytes_max and, when a gzip/zstd filter is in use, ratio_max: a
 * small compressed archive may not make us hash terabytes. */
static sg_err check_total(const struct sg_limits *lim,
                          struct archive *a,
                          const char *path,
                          uint64_t total)
{
    la_int64_t raw;

    if (total > lim->image_bytes_max)
        return sg_error_set(SG_ELIMIT,
                            "%s: content exceeds the limit of %llu bytes", path,
                            (unsigned long long)lim->image_bytes_max);
    if (!lim->ratio_max || total < RATIO_FLOOR || archive_filter_count(a) < 2)
        return SG_OK;
    raw = archive_filter_bytes(a, -1);
    if (total / (raw > 0 ? (uint64_t)raw : 1u) > lim->ratio_max)
        return sg_error_set(SG_ELIMIT,
                            "%s: decompression bomb: ratio over %llu", path,
                            (unsigned long long)lim->ratio_max);
    return SG_OK;
}

/* One pass over the tar: names, sizes, sha256 of every regular file. */
static sg_err index_tar(struct archive_store *as, const char *path)
{
    const struct sg_limits *lim = as->lim;
    struct archive *a = NULL;
    struct archive_entry *ae;
    struct sg_digester *dg = NULL;
    unsigned char *chunk = NULL;
    size_t ordinal = 0, cap = 0;
    uint64_t total = 0;
    sg_err rc;
    int r;

    rc = open_tar(&a, path);
    if (rc)
        return rc;
    chunk = malloc(CHUNK);
    if (!chunk) {
        rc = sg_error_oom();
        goto done;
    }
    while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(ae);
        struct entry *e;
        la_ssize_t n;

        if (ordinal >= lim->tar_entries_max) {
            rc = sg_error_set(SG_ELIMIT, "%s: more than %zu tar entries", path,
                              lim->tar_entries_max);
            goto done;
        }
        ordinal++;
        if (!name || archive_entry_filetype(ae) != AE_IFREG)
            continue;
        if (strlen(name) > lim->path_max) {
            rc = sg_error_set(SG_ELIMIT, "%s: tar entry name longer than %zu",
                              path, lim->path_max);
            goto done;
        }
        rc = sg_array_grow(&as->e, &cap, as->n, sizeof(*as->e), 32);
        if (rc)
            goto done;
        e = &as->e[as->n];
        memset(e, 0, sizeof(*e));
        sg_buf_init(&e->small, lim->manifest_max);
        e->name = strdup(norm_name(name));
        e->ordinal = ordinal - 1;
        as->n++;
        if (!e->name) {
            rc = sg_error_oom();
            goto done;
        }
        rc = sg_digester_create(&dg, "sha256");
        if (rc)
            goto done;
        while ((n = archive_read_data(a, chunk, CHUNK)) > 0) {
            if (e->n_magic < 4) {
                size_t k = 4 - e->n_magic;
                if (k > (size_t)n)
                    k = (size_t)n;
                memcpy(e->magic + e->n_magic, chunk, k);
                e->n_magic += k;
            }
            e->size += (uint64_t)n;
            total += (uint64_t)n;
            rc = check_total(lim, a, path, total);
            if (rc)
                goto done;
            rc = sg_digester_update(dg, chunk, (size_t)n);
            if (!rc && keep_small(e->name))
                rc = sg_buf_add(&e->small, chunk, (size_t)n);
            if (rc) {
                sg_error_prefix(rc, "%s: %s", path, e->name);
                goto done;
            }
        }
        if (n < 0) {
            rc = archive_err(a, path);
            goto done;
        }
        rc = sg_digester_final(dg, e->digest, sizeof(e->digest));
        sg_digester_free(dg);
        dg = NULL;
        if (rc)
            goto done;
    }
    if (r != ARCHIVE_EOF)
        rc = archive_err(a, path);
done:
    sg_digester_free(dg);
    free(chunk);
    archive_read_free(a);
    return rc;
}

/* Stream entry `e` from the tar to cb. */
static sg_err stream_entry(const char *path,
                           const struct entry *e,
                           sg_oci_write_fn cb,
                           void *payload)
{
    struct archive *a = NULL;
    struct archive_entry *ae;
    unsigned char *chunk = NULL;
    size_t ord = 0;
    sg_err rc;
    la_ssize_t n;
    int r;

    rc = open_tar(&a, path);
    if (rc)
        return rc;
    while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK &&
           ord < e->ordinal)
        ord++;
    if (r != ARCHIVE_OK) {
        rc = sg_error_set(SG_EPARSE, "%s: %s vanished from the tar", path,
                          e->name);
        goto done;
    }
    chunk = malloc(CHUNK);
    if (!chunk) {
        rc = sg_error_oom();
        goto done;
    }
    while ((n = archive_read_data(a, chunk, CHUNK)) > 0) {
        rc = cb(chunk, (size_t)n, payload);
        if (rc)
            goto done;
    }
    if (n < 0) {
        rc = archive_err(a, path);
        goto done;
    }
done:
    free(chunk);
    archive_read_free(a);
    return rc;
}

static sg_err buf_cb(const void *p, size_t len, void *payload)
{
    return sg_buf_add(payload, p, len);
}

/* ------------------------------------------------------------------ */
/* Classic docker-archive: synthesise OCI manifests                     */

static const char *layer_media_type(const struct entry *e)
{
    if (e->n_magic >= 2 && e->magic[0] == 0x1f && e->magic[1] == 0x8b)
        return SG_MT_OCI_LAYER_GZIP;
    if (e->n_magic >= 4 && e->magic[0] == 0x28 && e->magic[1] == 0xb5 &&
        e->magic[2] == 0x2f && e->magic[3] == 0xfd)
        return SG_MT_OCI_LAYER_ZSTD;
    return SG_MT_OCI_LAYER;
}

static json_t *desc_for(const char *mt, const struct entry *e)
{
    return json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", e->digest,
                     "size", (json_int_t)e->size);
}

static sg_err
synthesise(struct archive_store *as, const char *path, const struct entry *mj)
{
    const struct sg_limits *lim = as->lim;
    json_t *root = NULL, *item, *man = NULL, *layers;
    size_t i;
    sg_err rc;

    rc = sg_json_parse(&root, mj->small.data, mj->small.len, lim->manifest_max,
                       lim->json_depth_max, "manifest.json");
    if (rc) {
        sg_error_prefix(rc, "%s", path);
        return rc;
    }
    if (!json_is_array(root) || json_array_size(root) == 0 ||
        json_array_size(root) > lim->descriptors_max) {
        rc = sg_error_set(SG_EPARSE,
                          "%s: manifest.json must be a non-empty array", path);
        goto done;
    }
    as->syn = calloc(json_array_size(root), sizeof(*as->syn));
    if (!as->syn) {
        rc = sg_error_oom();
        goto done;
    }
    json_array_foreach(root, i, item)
    {
        struct synth *sy = &as->syn[i];
        const char *cfg = json_string_value(json_object_get(item, "Config"));
        json_t *ls = json_object_get(item, "Layers");
        json_t *tags = json_object_get(item, "RepoTags");
        const struct entry *ce;
        size_t k;
        json_t *v;

        sg_buf_init(&sy->body, lim->manifest_max);
        as->n_syn = i + 1;
        ce = cfg ? find_name(as, cfg) : NULL;
        if (!ce || !json_is_array(ls) ||
            json_array_size(ls) > lim->descriptors_max) {
            rc = sg_error_set(SG_EPARSE,
                              "%s: manifest.json[%zu]: missing Config file "
                              "or Layers",
                              path, i);
            goto done;
        }
        man = json_pack("{s:i, s:s, s:o, s:[]}", "schemaVersion", 2,
                        "mediaType", SG_MT_OCI_MANIFEST, "config",
                        desc_for(SG_MT_OCI_CONFIG, ce), "layers");
        if (!man) {
            rc = sg_error_oom();
            goto done;
        }
        layers = json_object_get(man, "layers");
        json_array_foreach(ls, k, v)
        {
            const char *ln = json_string_value(v);
            const struct entry *le = ln ? find_name(as, ln) : NULL;
            if (!le) {
                rc = sg_error_set(SG_EPARSE,
                                  "%s: manifest.json[%zu]: layer %zu (%.100s) "
                                  "is not in the tar",
                                  path, i, k, ln ? ln : "?");
                goto done;
            }
            if (json_array_append_new(layers,
                                      desc_for(layer_media_type(le), le))) {
                rc = sg_error_oom();
                goto done;
            }
        }
        rc = sg_json_dump_buf(&sy->body, man, 0);
        json_decref(man);
        man = NULL;
        if (!rc)
            rc = sg_sha256_digest(sy->digest, sy->body.data, sy->body.len);
        if (rc)
            goto done;
        sy->tags = calloc((json_is_array(tags) ? json_array_size(tags) : 0) + 1,
                          sizeof(char *));
        if (!sy->tags) {
            rc = sg_error_oom();
            goto done;
        }
        if (json_is_array(tags)) {
            size_t t = 0;
            json_array_foreach(tags, k, v)
            {
                if (!json_is_string(v))
                    continue;
                sy->tags[t] = strdup(json_string_value(v));
                if (!sy->tags[t++]) {
                    rc = sg_error_oom();
                    goto done;
                }
            }
        }
    }
done:
    json_decref(man);
    json_decref(root);
    return rc;
}

/* "repo:tag" matches tag "tag" (or the whole string). */
static int tag_matches(const char *full, const char *tag)
{
    const char *slash = strrchr(full, '/');
    const char *colon = strrchr(slash ? slash : full, ':');

    if (strcmp(full, tag) == 0)
        return 1;
    return colon && strcmp(colon + 1, tag) == 0;
}

/* ------------------------------------------------------------------ */
/* ops                                                                  */

/* Parse the archive's index.json (kept in memory by index_tar). */
static sg_err parse_index(json_t **out, const struct sg_oci_store *s)
{
    const struct entry *ie = find_name(s->impl, "index.json");
    sg_err rc;

    rc = sg_json_parse(out, ie->small.data, ie->small.len, 0, 0, "index.json");
    if (rc)
        sg_error_prefix(rc, "%s", s->path);
    return rc;
}

/* Resolve a tag to a digest via index.json (OCI) or RepoTags (classic). */
static sg_err resolve_tag(struct sg_oci_store *s,
                          const char *ref,
                          char *digest_out,
                          char **mt_out)
{
    struct archive_store *as = s->impl;
    int use_default =
        strcmp(ref, s->default_ref) == 0 && strcmp(ref, "latest") == 0;

    if (as->oci) {
        json_t *root = NULL, *d, *arr;
        const char *found = NULL, *mt = NULL;
        size_t i;
        sg_err rc;

        rc = parse_index(&root, s);
        if (rc)
            return rc;
        arr = json_object_get(root, "manifests");
        json_array_foreach(arr, i, d)
        {
            json_t *ann = json_object_get(d, "annotations");
            const char *rn =
                json_string_value(json_object_get(ann, SG_ANNOT_REF_NAME));
            const char *cn = json_string_value(
                json_object_get(ann, "io.containerd.image.name"));
            if ((rn && tag_matches(rn, ref)) || (cn && tag_matches(cn, ref))) {
                found = json_string_value(json_object_get(d, "digest"));
                mt = json_string_value(json_object_get(d, "mediaType"));
                break;
            }
        }
        if (!found && use_default && json_array_size(arr) == 1) {
            d = json_array_get(arr, 0);
            found = json_string_value(json_object_get(d, "digest"));
            mt = json_string_value(json_object_get(d, "mediaType"));
        }
        if (found && sg_digest_valid(found)) {
            snprintf(digest_out, SG_DIGEST_STR_MAX, "%s", found);
            if (mt && mt_out)
                *mt_out = strdup(mt);
            rc = SG_OK;
        } else {
            rc = sg_error_set(SG_ENOTFOUND, "%s: tag '%s' not found", s->path,
                              ref);
        }
        json_decref(root);
        return rc;
    }
    for (size_t i = 0; i < as->n_syn; i++) {
        for (char **t = as->syn[i].tags; *t; t++) {
            if (tag_matches(*t, ref)) {
                snprintf(digest_out, SG_DIGEST_STR_MAX, "%s",
                         as->syn[i].digest);
                return SG_OK;
            }
        }
    }
    if (use_default && as->n_syn == 1) {
        snprintf(digest_out, SG_DIGEST_STR_MAX, "%s", as->syn[0].digest);
        return SG_OK;
    }
    return sg_error_set(SG_ENOTFOUND, "%s: tag '%s' not found", s->path, ref);
}

static sg_err ar_get_manifest(struct sg_oci_store *s,
                              const char *ref,
                              struct sg_buf *body,
                              char **media_type_out,
                              char **digest_out)
{
    struct archive_store *as = s->impl;
    char digest[SG_DIGEST_STR_MAX];
    const struct entry *e;
    sg_err rc;

    if (sg_digest_valid(ref)) {
        snprintf(digest, sizeof(digest), "%s", ref);
    } else {
        rc = resolve_tag(s, ref, digest, media_type_out);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < as->n_syn; i++) {
        if (strcmp(as->syn[i].digest, digest) == 0) {
            rc = sg_buf_add(body, as->syn[i].body.data, as->syn[i].body.len);
            if (!rc && media_type_out && !*media_type_out)
                *media_type_out = strdup(SG_MT_OCI_MANIFEST);
            if (!rc && digest_out)
                *digest_out = strdup(digest);
            return rc;
        }
    }
    e = find_digest(as, digest);
    if (!e)
        return sg_error_set(SG_ENOTFOUND, "%s: manifest %s not found", s->path,
                            digest);
    if (e->size > body->max)
        return sg_error_set(SG_ELIMIT, "manifest %s: %llu bytes, limit is %zu",
                            digest, (unsigned long long)e->size, body->max);
    rc = stream_entry(s->path, e, buf_cb, body);
    if (!rc && digest_out)
        *digest_out = strdup(digest);
    return rc;
}

static sg_err ar_list_tags(struct sg_oci_store *s, char ***tags_out)
{
    struct archive_store *as = s->impl;
    char **v = NULL;
    size_t n = 0, cap = 0;
    json_t *root = NULL;
    sg_err rc;

    if (as->oci) {
        rc = parse_index(&root, s);
        if (!rc)
            rc = sg_oci__index_tags(tags_out, root);
        json_decref(root);
        return rc;
    }
    /* docker-archive: the RepoTags of manifest.json, "repo:tag" → "tag" */
    for (size_t i = 0; i < as->n_syn; i++)
        for (char **t = as->syn[i].tags; *t; t++)
            cap++;
    v = calloc(cap + 1, sizeof(*v));
    if (!v)
        return sg_error_oom();
    for (size_t i = 0; i < as->n_syn; i++) {
        for (char **t = as->syn[i].tags; *t; t++) {
            const char *slash = strrchr(*t, '/');
            const char *colon = strrchr(slash ? slash : *t, ':');
            if (!(v[n++] = strdup(colon ? colon + 1 : *t))) {
                sg_oci_strv_free(v);
                return sg_error_oom();
            }
        }
    }
    *tags_out = v;
    return SG_OK;
}

static sg_err
ar_blob_exists(struct sg_oci_store *s, const char *digest, int *exists)
{
    *exists = find_digest(s->impl, digest) != NULL;
    return SG_OK;
}

static sg_err ar_get_blob(struct sg_oci_store *s,
                          const struct sg_oci_descriptor *d,
                          sg_oci_write_fn cb,
                          void *payload)
{
    const struct entry *e = find_digest(s->impl, d->digest);

    if (!e)
        return sg_error_set(SG_ENOTFOUND, "%s: blob %s not found", s->path,
                            d->digest);
    return stream_entry(s->path, e, cb, payload);
}

static void ar_free(struct sg_oci_store *s)
{
    struct archive_store *as = s->impl;

    if (!as)
        return;
    for (size_t i = 0; i < as->n; i++) {
        free(as->e[i].name);
        sg_buf_release(&as->e[i].small);
    }
    free(as->e);
    for (size_t i = 0; i < as->n_syn; i++) {
        sg_buf_release(&as->syn[i].body);
        sg_oci_strv_free(as->syn[i].tags);
    }
    free(as->syn);
    free(as);
    s->impl = NULL;
}

/* The two archive kinds share every operation (read-only); only the name
 * that messages use differs. */
#define ARCHIVE_OPS(kind_name)                                    \
    {                                                             \
        .name = kind_name, .get_manifest = ar_get_manifest,       \
        .list_tags = ar_list_tags, .blob_exists = ar_blob_exists, \
        .get_blob = ar_get_blob, .free = ar_free,                 \
    }

static const struct sg_oci_store_ops oci_archive_ops =
    ARCHIVE_OPS("oci-archive");
static const struct sg_oci_store_ops docker_archive_ops =
    ARCHIVE_OPS("docker-archive");

sg_err sg_oci__archive_open(struct sg_oci_store *s)
{
    struct archive_store *as;
    const struct entry *lay, *idx, *mj;
    sg_err rc;

    as = calloc(1, sizeof(*as));
    if (!as)
        return sg_error_oom();
    s->impl = as;
    as->lim = &s->ctx.limits;
    s->ops = s->kind == SG_OCI_STORE_DOCKER_ARCHIVE ? &docker_archive_ops
                                                    : &oci_archive_ops;
    rc = index_tar(as, s->path);
    if (rc)
        goto fail;
    lay = find_name(as, "oci-layout");
    idx = find_name(as, "index.json");
    mj = find_name(as, "manifest.json");
    if (idx && lay) {
        json_t *root = NULL;
        as->oci = 1;
        rc = parse_index(&root, s);
        if (!rc && !json_is_array(json_object_get(root, "manifests")))
            rc = sg_error_set(SG_EPARSE,
                              "%s: index.json has no \"manifests\" array",
                              s->path);
        json_decref(root);
        if (rc)
            goto fail;
    } else if (mj) {
        /* classic `docker save`, whatever the spec said */
        s->kind = SG_OCI_STORE_DOCKER_ARCHIVE;
        s->ops = &docker_archive_ops;
        rc = synthesise(as, s->path, mj);
        if (rc)
            goto fail;
    } else {
        rc = sg_error_set(SG_EPARSE,
                          "%s: not an image archive: no oci-layout + "
                          "index.json and no manifest.json",
                          s->path);
        goto fail;
    }
    return SG_OK;
fail:
    ar_free(s);
    s->ops = NULL;
    return rc;
}
