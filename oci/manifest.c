/*
 * Image manifests, indexes (OCI and Docker schema2) and image configs,
 * parsed from untrusted JSON (image-spec manifest.md, image-index.md,
 * descriptor.md, config.md). Sizes and nesting are bounded by sg_limits;
 * every descriptor's digest is validated; schema1 is refused.
 */
#include "oci_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static sg_err dup_json_str(char **dst,
                           const json_t *v,
                           const char *where,
                           const char *key,
                           int required)
{
    *dst = NULL;
    if (!v) {
        if (required)
            return sg_error_set(SG_EPARSE, "%s: missing \"%s\"", where, key);
        return SG_OK;
    }
    if (!json_is_string(v))
        return sg_error_set(SG_EPARSE, "%s: \"%s\" must be a string", where,
                            key);
    *dst = strdup(json_string_value(v));
    return *dst ? SG_OK : sg_error_oom();
}

static void kv_free(struct sg_oci_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static sg_err parse_annotations(struct sg_oci_kv **out,
                                size_t *n_out,
                                json_t *obj,
                                const char *where,
                                const struct sg_limits *lim)
{
    const char *key;
    json_t *val;
    size_t n = 0, cap;

    *out = NULL;
    *n_out = 0;
    if (!obj)
        return SG_OK;
    if (!json_is_object(obj))
        return sg_error_set(SG_EPARSE, "%s: annotations must be an object",
                            where);
    cap = json_object_size(obj);
    if (cap > lim->descriptors_max * 16)
        return sg_error_set(SG_ELIMIT, "%s: too many annotations (%zu)", where,
                            cap);
    if (!cap)
        return SG_OK;
    *out = calloc(cap, sizeof(**out));
    if (!*out)
        return sg_error_oom();
    json_object_foreach(obj, key, val)
    {
        if (!json_is_string(val)) {
            kv_free(*out, n);
            *out = NULL;
            return sg_error_set(SG_EPARSE,
                                "%s: annotation \"%s\" must be a string", where,
                                key);
        }
        (*out)[n].key = strdup(key);
        (*out)[n].value = strdup(json_string_value(val));
        n++;
        if (!(*out)[n - 1].key || !(*out)[n - 1].value) {
            kv_free(*out, n);
            *out = NULL;
            return sg_error_oom();
        }
    }
    *n_out = n;
    return SG_OK;
}

static sg_err
parse_platform(struct sg_oci_platform *p, const json_t *obj, const char *where)
{
    sg_err rc;

    if (!obj)
        return SG_OK;
    if (!json_is_object(obj))
        return sg_error_set(SG_EPARSE, "%s: platform must be an object", where);
    rc = dup_json_str(&p->os, json_object_get(obj, "os"), where, "os", 0);
    if (!rc)
        rc =
            dup_json_str(&p->architecture, json_object_get(obj, "architecture"),
                         where, "architecture", 0);
    if (!rc)
        rc = dup_json_str(&p->variant, json_object_get(obj, "variant"), where,
                          "variant", 0);
    if (!rc)
        rc = dup_json_str(&p->os_version, json_object_get(obj, "os.version"),
                          where, "os.version", 0);
    return rc;
}

void sg_oci_platform_release(struct sg_oci_platform *p)
{
    if (!p)
        return;
    free(p->os);
    free(p->architecture);
    free(p->variant);
    free(p->os_version);
    memset(p, 0, sizeof(*p));
}

void sg_oci_descriptor_release(struct sg_oci_descriptor *d)
{
    if (!d)
        return;
    free(d->media_type);
    free(d->digest);
    free(d->artifact_type);
    sg_oci_platform_release(&d->platform);
    kv_free(d->annotations, d->n_annotations);
    free(d->data_b64);
    memset(d, 0, sizeof(*d));
}

static sg_err parse_descriptor(struct sg_oci_descriptor *d,
                               const json_t *obj,
                               const struct sg_limits *lim,
                               const char *where)
{
    const json_t *size;
    json_int_t sz;
    sg_err rc;

    memset(d, 0, sizeof(*d));
    if (!obj)
        return sg_error_set(SG_EPARSE, "%s: missing", where);
    if (!json_is_object(obj))
        return sg_error_set(SG_EPARSE, "%s: descriptor must be an object",
                            where);
    rc = dup_json_str(&d->media_type, json_object_get(obj, "mediaType"), where,
                      "mediaType", 1);
    if (!rc)
        rc = dup_json_str(&d->digest, json_object_get(obj, "digest"), where,
                          "digest", 1);
    if (rc)
        goto fail;
    if (!sg_digest_valid(d->digest)) {
        rc = sg_error_set(SG_EPARSE,
                          "%s: malformed digest \"%.80s\" (sha256:/sha512: "
                          "with lower-case hex)",
                          where, d->digest);
        goto fail;
    }
    size = json_object_get(obj, "size");
    if (!json_is_integer(size) || (sz = json_integer_value(size)) < 0) {
        rc = sg_error_set(SG_EPARSE,
                          "%s: \"size\" must be a non-negative integer", where);
        goto fail;
    }
    d->size = (uint64_t)sz;
    rc = dup_json_str(&d->artifact_type, json_object_get(obj, "artifactType"),
                      where, "artifactType", 0);
    if (!rc)
        rc = dup_json_str(&d->data_b64, json_object_get(obj, "data"), where,
                          "data", 0);
    if (!rc)
        rc = parse_platform(&d->platform, json_object_get(obj, "platform"),
                            where);
    if (!rc)
        rc = parse_annotations(&d->annotations, &d->n_annotations,
                               json_object_get(obj, "annotations"), where, lim);
    if (rc)
        goto fail;
    return SG_OK;
fail:
    sg_oci_descriptor_release(d);
    return rc;
}

void sg_oci_manifest_free(struct sg_oci_manifest *m)
{
    if (!m)
        return;
    free(m->media_type);
    free(m->artifact_type);
    sg_oci_descriptor_release(&m->config);
    for (size_t i = 0; i < m->n_layers; i++)
        sg_oci_descriptor_release(&m->layers[i]);
    free(m->layers);
    if (m->subject) {
        sg_oci_descriptor_release(m->subject);
        free(m->subject);
    }
    kv_free(m->annotations, m->n_annotations);
    free(m);
}

static int is_schema1(const char *mt)
{
    return mt && (strcmp(mt, SG_MT_DOCKER_SCHEMA1) == 0 ||
                  strcmp(mt, "application/vnd.docker.distribution.manifest."
                             "v1+json") == 0);
}

/* 1 image manifest, 2 index, 0 unknown */
static int kind_of(const char *mt)
{
    if (strcmp(mt, SG_MT_OCI_MANIFEST) == 0 ||
        strcmp(mt, SG_MT_DOCKER_MANIFEST) == 0)
        return 1;
    if (strcmp(mt, SG_MT_OCI_INDEX) == 0 || strcmp(mt, SG_MT_DOCKER_LIST) == 0)
        return 2;
    return 0;
}

sg_err sg_oci_manifest_parse(struct sg_oci_manifest **out,
                             const void *data,
                             size_t len,
                             const char *content_type,
                             const struct sg_ctx *ctx)
{
    const struct sg_limits *lim = sg_ctx_limits(ctx);
    struct sg_oci_manifest *m = NULL;
    json_t *root = NULL;
    const json_t *sv, *mt, *list, *subj;
    char where[64];
    int kind;
    size_t n;
    sg_err rc;

    *out = NULL;
    if (is_schema1(content_type))
        return sg_error_set(SG_EUNSUPPORTED,
                            "schema1 manifests are not supported "
                            "(deprecated)");
    rc = sg_json_parse(&root, data, len, lim->manifest_max, lim->json_depth_max,
                       "manifest");
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        rc = sg_error_set(SG_EPARSE, "manifest: not a JSON object");
        goto done;
    }
    sv = json_object_get(root, "schemaVersion");
    mt = json_object_get(root, "mediaType");
    if ((json_is_integer(sv) && json_integer_value(sv) == 1) ||
        (json_is_string(mt) && is_schema1(json_string_value(mt)))) {
        rc =
            sg_error_set(SG_EUNSUPPORTED, "schema1 manifests are not supported "
                                          "(deprecated)");
        goto done;
    }
    if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
        rc = sg_error_set(SG_EPARSE, "manifest: schemaVersion must be 2");
        goto done;
    }
    if (mt && !json_is_string(mt)) {
        rc = sg_error_set(SG_EPARSE, "manifest: mediaType must be a string");
        goto done;
    }
    m = calloc(1, sizeof(*m));
    if (!m) {
        rc = sg_error_oom();
        goto done;
    }
    if (mt)
        m->media_type = strdup(json_string_value(mt));
    else if (content_type && kind_of(content_type))
        m->media_type = strdup(content_type);
    else if (json_object_get(root, "manifests"))
        m->media_type = strdup(SG_MT_OCI_INDEX);
    else
        m->media_type = strdup(SG_MT_OCI_MANIFEST);
    if (!m->media_type) {
        rc = sg_error_oom();
        goto done;
    }
    kind = kind_of(m->media_type);
    if (!kind) {
        rc = sg_error_set(SG_EUNSUPPORTED,
                          "manifest: unsupported media type \"%.100s\"",
                          m->media_type);
        goto done;
    }
    m->is_index = kind == 2;
    rc = dup_json_str(&m->artifact_type, json_object_get(root, "artifactType"),
                      "manifest", "artifactType", 0);
    if (rc)
        goto done;
    if (!m->is_index) {
        rc = parse_descriptor(&m->config, json_object_get(root, "config"), lim,
                              "manifest: config");
        if (rc)
            goto done;
    }
    list = json_object_get(root, m->is_index ? "manifests" : "layers");
    if (!list && m->is_index) {
        rc = sg_error_set(SG_EPARSE, "index: missing \"manifests\"");
        goto done;
    }
    if (list && !json_is_array(list)) {
        rc = sg_error_set(SG_EPARSE, "manifest: \"%s\" must be an array",
                          m->is_index ? "manifests" : "layers");
        goto done;
    }
    n = list ? json_array_size(list) : 0;
    if (n > lim->descriptors_max) {
        rc = sg_error_set(SG_ELIMIT, "manifest: %zu %s, limit is %zu", n,
                          m->is_index ? "manifests" : "layers",
                          lim->descriptors_max);
        goto done;
    }
    m->layers = calloc(n + 1, sizeof(*m->layers));
    if (!m->layers) {
        rc = sg_error_oom();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(where, sizeof(where), "%s: %s[%zu]",
                 m->is_index ? "index" : "manifest",
                 m->is_index ? "manifests" : "layers", i);
        rc = parse_descriptor(&m->layers[i], json_array_get(list, i), lim,
                              where);
        if (rc)
            goto done;
        m->n_layers = i + 1;
    }
    subj = json_object_get(root, "subject");
    if (subj) {
        m->subject = calloc(1, sizeof(*m->subject));
        if (!m->subject) {
            rc = sg_error_oom();
            goto done;
        }
        rc = parse_descriptor(m->subject, subj, lim, "manifest: subject");
        if (rc)
            goto done;
    }
    rc = parse_annotations(&m->annotations, &m->n_annotations,
                           json_object_get(root, "annotations"), "manifest",
                           lim);
    if (rc)
        goto done;
    *out = m;
    m = NULL;
done:
    sg_oci_manifest_free(m);
    json_decref(root);
    return rc;
}

static const char *kv_get(const struct sg_oci_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

const char *sg_oci_descriptor_annotation(const struct sg_oci_descriptor *d,
                                         const char *key)
{
    return kv_get(d->annotations, d->n_annotations, key);
}

const char *sg_oci_manifest_annotation(const struct sg_oci_manifest *m,
                                       const char *key)
{
    return kv_get(m->annotations, m->n_annotations, key);
}

static int dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : -1;
}

sg_err sg_oci_descriptor_copy(struct sg_oci_descriptor *out,
                              const struct sg_oci_descriptor *d)
{
    int bad = 0;

    memset(out, 0, sizeof(*out));
    bad |= dup_opt(&out->media_type, d->media_type);
    bad |= dup_opt(&out->digest, d->digest);
    out->size = d->size;
    bad |= dup_opt(&out->artifact_type, d->artifact_type);
    bad |= dup_opt(&out->platform.os, d->platform.os);
    bad |= dup_opt(&out->platform.architecture, d->platform.architecture);
    bad |= dup_opt(&out->platform.variant, d->platform.variant);
    bad |= dup_opt(&out->platform.os_version, d->platform.os_version);
    bad |= dup_opt(&out->data_b64, d->data_b64);
    if (!bad && d->n_annotations) {
        out->annotations = calloc(d->n_annotations, sizeof(*out->annotations));
        if (!out->annotations)
            bad = 1;
        for (size_t i = 0; !bad && i < d->n_annotations; i++) {
            out->n_annotations = i + 1;
            bad |= dup_opt(&out->annotations[i].key, d->annotations[i].key);
            bad |= dup_opt(&out->annotations[i].value, d->annotations[i].value);
        }
    }
    if (bad) {
        sg_oci_descriptor_release(out);
        return sg_error_oom();
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* Image config                                                         */

void sg_oci_config_free(struct sg_oci_config *c)
{
    if (!c)
        return;
    free(c->os);
    free(c->architecture);
    free(c->variant);
    for (size_t i = 0; i < c->n_diff_ids; i++)
        free(c->diff_ids[i]);
    free(c->diff_ids);
    free(c);
}

sg_err sg_oci_config_parse(struct sg_oci_config **out,
                           const void *data,
                           size_t len,
                           const struct sg_ctx *ctx)
{
    const struct sg_limits *lim = sg_ctx_limits(ctx);
    struct sg_oci_config *c = NULL;
    json_t *root = NULL;
    const json_t *rootfs, *ids;
    size_t n;
    sg_err rc;

    *out = NULL;
    rc = sg_json_parse(&root, data, len, lim->config_blob_max,
                       lim->json_depth_max, "image config");
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        rc = sg_error_set(SG_EPARSE, "image config: not a JSON object");
        goto done;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        rc = sg_error_oom();
        goto done;
    }
    rc = dup_json_str(&c->os, json_object_get(root, "os"), "image config", "os",
                      0);
    if (!rc)
        rc = dup_json_str(&c->architecture,
                          json_object_get(root, "architecture"), "image config",
                          "architecture", 0);
    if (!rc)
        rc = dup_json_str(&c->variant, json_object_get(root, "variant"),
                          "image config", "variant", 0);
    if (rc)
        goto done;
    rootfs = json_object_get(root, "rootfs");
    ids = rootfs ? json_object_get(rootfs, "diff_ids") : NULL;
    if (rootfs && !json_is_object(rootfs)) {
        rc = sg_error_set(SG_EPARSE, "image config: rootfs must be an object");
        goto done;
    }
    if (ids && !json_is_array(ids)) {
        rc = sg_error_set(SG_EPARSE,
                          "image config: rootfs.diff_ids must be an array");
        goto done;
    }
    n = ids ? json_array_size(ids) : 0;
    if (n > lim->descriptors_max) {
        rc = sg_error_set(SG_ELIMIT, "image config: %zu diff_ids, limit is %zu",
                          n, lim->descriptors_max);
        goto done;
    }
    c->diff_ids = calloc(n + 1, sizeof(*c->diff_ids));
    if (!c->diff_ids) {
        rc = sg_error_oom();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(ids, i);
        if (!json_is_string(v) || !sg_digest_valid(json_string_value(v))) {
            rc = sg_error_set(SG_EPARSE,
                              "image config: rootfs.diff_ids[%zu]: not a "
                              "digest",
                              i);
            goto done;
        }
        c->diff_ids[i] = strdup(json_string_value(v));
        if (!c->diff_ids[i]) {
            rc = sg_error_oom();
            goto done;
        }
        c->n_diff_ids = i + 1;
    }
    *out = c;
    c = NULL;
done:
    sg_oci_config_free(c);
    json_decref(root);
    return rc;
}
