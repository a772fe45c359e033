/*
 * cosign's legacy storage: the tag sha256-<hex>.<suffix> in the image's
 * repository holds an image manifest whose layers are signed payloads
 * (cosign-format.md §2.1-2.3). Appending is read-modify-write; a tag moved
 * by another signer in between is detected (before and after the PUT)
 * and the append retried, so concurrent signers keep each other's layers.
 * Everything goes through the generic store API: registries and OCI
 * layouts behave the same.
 */
#include "sign_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/rand.h>

#define ZERO_TIME      "0001-01-01T00:00:00Z"
#define MAX_LAYERS     1000
#define MAX_ATTEMPTS   10
#define SIG_ANNOTATION "dev.cosignproject.cosign/signature"

sg_err
sg_sign_tag_for(struct sg_buf *out, const char *digest, const char *suffix)
{
    const char *colon;
    sg_err rc;

    if (!digest || !sg_digest_valid(digest))
        return sg_error_set(SG_EINVAL, "not a digest: %s",
                            digest ? digest : "(null)");
    colon = strchr(digest, ':');
    rc = sg_buf_add(out, digest, (size_t)(colon - digest));
    if (!rc)
        rc = sg_buf_addf(out, "-%s", colon + 1);
    if (!rc && suffix && suffix[0])
        rc = sg_buf_addf(out, ".%s", suffix);
    return rc;
}

sg_err sg_sign__sig_config(struct sg_buf *out,
                           const char *const *diff_ids,
                           size_t n,
                           const char *created)
{
    sg_err rc;

    rc = sg_buf_adds(out, "{\"architecture\":\"\",\"created\":");
    if (!rc)
        rc = sg_sign__json_str(out, created ? created : ZERO_TIME,
                               strlen(created ? created : ZERO_TIME));
    if (!rc)
        rc = sg_buf_adds(out, ",\"history\":[");
    for (size_t i = 0; !rc && i < n; i++)
        rc = sg_buf_adds(out, i ? ",{\"created\":\"" ZERO_TIME "\"}"
                                : "{\"created\":\"" ZERO_TIME "\"}");
    if (!rc)
        rc = sg_buf_adds(out, "],\"os\":\"\",\"rootfs\":{\"type\":\"layers\","
                              "\"diff_ids\":[");
    for (size_t i = 0; !rc && i < n; i++)
        rc = sg_buf_addf(out, "%s\"%s\"", i ? "," : "", diff_ids[i]);
    if (!rc)
        rc = sg_buf_adds(out, "]},\"config\":{}}");
    return rc;
}

/* One layer of the signature manifest, kept as parsed fields. */
struct layer {
    const char *media_type;
    const char *digest;
    json_int_t size;
    json_t *annotations; /* borrowed object or NULL */
};

struct sig_manifest {
    json_t *root;
    struct layer *layers;
    size_t n;
    int docker; /* Docker schema 2 media types */
    const char *config_digest;
    json_int_t config_size;
};

static void sig_manifest_release(struct sig_manifest *m)
{
    json_decref(m->root);
    free(m->layers);
    memset(m, 0, sizeof(*m));
}

/* Parse the existing manifest at the tag (untrusted). */
static sg_err sig_manifest_parse(struct sig_manifest *m,
                                 const char *data,
                                 size_t len,
                                 const char *tag)
{
    json_t *layers, *mt, *cfg;
    size_t i;
    sg_err rc;

    memset(m, 0, sizeof(*m));
    rc = sg_json_parse(&m->root, data, len, sg_limits_default()->manifest_max,
                       0, tag);
    if (rc)
        return rc;
    mt = json_object_get(m->root, "mediaType");
    if (json_is_string(mt) &&
        strcmp(json_string_value(mt), SG_MT_DOCKER_MANIFEST) == 0)
        m->docker = 1;
    else if (json_is_string(mt) &&
             strcmp(json_string_value(mt), SG_MT_OCI_MANIFEST) != 0)
        return sg_error_set(SG_EUNSUPPORTED,
                            "%s: holds %s, not an image manifest", tag,
                            json_string_value(mt));
    cfg = json_object_get(m->root, "config");
    if (json_is_object(cfg) && json_is_string(json_object_get(cfg, "digest")) &&
        json_is_integer(json_object_get(cfg, "size"))) {
        m->config_digest = json_string_value(json_object_get(cfg, "digest"));
        m->config_size = json_integer_value(json_object_get(cfg, "size"));
    }
    layers = json_object_get(m->root, "layers");
    if (!json_is_array(layers))
        return sg_error_set(SG_EPARSE, "%s: manifest has no layers array", tag);
    if (json_array_size(layers) > MAX_LAYERS)
        return sg_error_set(SG_ELIMIT, "%s: more than %d layers", tag,
                            MAX_LAYERS);
    m->layers = calloc(json_array_size(layers) + 1, sizeof(*m->layers));
    if (!m->layers)
        return sg_error_oom();
    for (i = 0; i < json_array_size(layers); i++) {
        json_t *l = json_array_get(layers, i);
        json_t *lmt = json_object_get(l, "mediaType");
        json_t *dg = json_object_get(l, "digest");
        json_t *sz = json_object_get(l, "size");
        json_t *an = json_object_get(l, "annotations");
        const char *k;
        json_t *v;

        if (!json_is_string(lmt) || !json_is_string(dg) ||
            !sg_digest_valid(json_string_value(dg)) || !json_is_integer(sz) ||
            json_integer_value(sz) < 0 || (an && !json_is_object(an)))
            return sg_error_set(SG_EPARSE, "%s: layers[%zu] is malformed", tag,
                                i);
        json_object_foreach(an, k, v)
        {
            if (!json_is_string(v))
                return sg_error_set(SG_EPARSE,
                                    "%s: layers[%zu]: annotation %s is not a "
                                    "string",
                                    tag, i, k);
        }
        m->layers[i].media_type = json_string_value(lmt);
        m->layers[i].digest = json_string_value(dg);
        m->layers[i].size = json_integer_value(sz);
        m->layers[i].annotations = an;
    }
    m->n = i;
    return SG_OK;
}

/* Descriptor in ggcr field order: mediaType, size, digest, annotations
 * (keys sorted, as Go marshals a map). */
static sg_err write_layer(struct sg_buf *out,
                          const char *media_type,
                          uint64_t size,
                          const char *digest,
                          const struct sg_sign_annotation *a,
                          size_t n)
{
    sg_err rc = sg_buf_adds(out, "{\"mediaType\":");

    if (!rc)
        rc = sg_sign__json_str(out, media_type, strlen(media_type));
    if (!rc)
        rc = sg_buf_addf(out, ",\"size\":%llu,\"digest\":\"%s\"",
                         (unsigned long long)size, digest);
    if (!rc && n) {
        rc = sg_buf_adds(out, ",\"annotations\":");
        if (!rc)
            rc = sg_sign__json_map(out, a, n);
    }
    if (!rc)
        rc = sg_buf_addc(out, '}');
    return rc;
}

static sg_err write_existing_layer(struct sg_buf *out, const struct layer *l)
{
    struct sg_sign_annotation *a = NULL;
    size_t n = 0;
    const char *k;
    json_t *v;
    sg_err rc;

    if (l->annotations && json_object_size(l->annotations)) {
        a = calloc(json_object_size(l->annotations), sizeof(*a));
        if (!a)
            return sg_error_oom();
        json_object_foreach(l->annotations, k, v)
        {
            a[n].key = k;
            a[n].value = json_string_value(v);
            n++;
        }
    }
    rc = write_layer(out, l->media_type, (uint64_t)l->size, l->digest, a, n);
    free(a);
    return rc;
}

/* Same digest, media type and exactly the same annotations. */
static int same_layer(const struct layer *l,
                      const char *digest,
                      const char *media_type,
                      const struct sg_sign_annotation *a,
                      size_t n)
{
    size_t distinct = 0;

    if (strcmp(l->digest, digest) != 0 ||
        strcmp(l->media_type, media_type) != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        json_t *v =
            l->annotations ? json_object_get(l->annotations, a[i].key) : NULL;
        size_t j;
        if (!json_is_string(v) || strcmp(json_string_value(v), a[i].value))
            return 0;
        for (j = 0; j < i && strcmp(a[j].key, a[i].key) != 0; j++)
            ;
        if (j == i)
            distinct++;
    }
    return (l->annotations ? json_object_size(l->annotations) : 0) == distinct;
}

static const char *layer_sig(const struct layer *l)
{
    json_t *v =
        l->annotations ? json_object_get(l->annotations, SIG_ANNOTATION) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The "created" of the existing config, kept across appends as cosign
 * does (§11.4). Best effort: any problem gives the zero time. */
static char *existing_created(struct sg_oci_store *s,
                              const struct sig_manifest *m)
{
    struct sg_oci_descriptor d;
    struct sg_buf b = SG_BUF_INIT(64 * 1024);
    json_t *root = NULL, *c;
    char *created = NULL;

    if (!m->config_digest || m->config_size <= 0 ||
        m->config_size > 64 * 1024 || !sg_digest_valid(m->config_digest))
        return NULL;
    /* cosign's config with the zero time: 233 bytes plus 109 per extra
     * layer (a 20-character time of day would be the same size, but
     * cosign records times with fractions and an offset). Skip the GET. */
    if (m->n && (uint64_t)m->config_size == 233u + 109u * (m->n - 1))
        return NULL;
    memset(&d, 0, sizeof(d));
    d.digest = (char *)(uintptr_t)m->config_digest;
    d.size = (uint64_t)m->config_size;
    d.media_type = (char *)(uintptr_t)SG_MT_OCI_CONFIG;
    if (sg_oci_store_get_blob_buf(s, &d, &b, 64 * 1024) == SG_OK &&
        sg_json_parse(&root, b.data, b.len, 64 * 1024, 0, "config") == SG_OK) {
        c = json_object_get(root, "created");
        if (json_is_string(c) && strcmp(json_string_value(c), ZERO_TIME) &&
            json_string_length(c) < 64)
            created = strdup(json_string_value(c));
    }
    sg_error_clear();
    json_decref(root);
    sg_buf_release(&b);
    return created;
}

/* Build and upload the config, then return the new manifest bytes. */
static sg_err build_manifest(struct sg_buf *out,
                             struct sg_oci_store *s,
                             const struct sig_manifest *m,
                             const char *created,
                             const char *digest,
                             uint64_t size,
                             const char *media_type,
                             const struct sg_sign_annotation *a,
                             size_t n)
{
    const char **ids;
    struct sg_buf cfg = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *cfg_digest = NULL;
    sg_err rc;

    ids = calloc(m->n + 1, sizeof(*ids));
    if (!ids)
        return sg_error_oom();
    for (size_t i = 0; i < m->n; i++)
        ids[i] = m->layers[i].digest;
    ids[m->n] = digest;
    rc = sg_sign__sig_config(&cfg, ids, m->n + 1, created);
    free(ids);
    if (!rc)
        rc = sg_oci_store_put_blob_buf(s, cfg.data, cfg.len, &cfg_digest);
    if (!rc)
        rc =
            sg_buf_addf(out,
                        "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":"
                        "{\"mediaType\":\"%s\",\"size\":%zu,\"digest\":\"%s\"},"
                        "\"layers\":[",
                        m->docker ? SG_MT_DOCKER_MANIFEST : SG_MT_OCI_MANIFEST,
                        m->docker ? SG_MT_DOCKER_CONFIG : SG_MT_OCI_CONFIG,
                        cfg.len, cfg_digest);
    for (size_t i = 0; !rc && i < m->n; i++) {
        rc = write_existing_layer(out, &m->layers[i]);
        if (!rc)
            rc = sg_buf_addc(out, ',');
    }
    if (!rc)
        rc = write_layer(out, media_type, size, digest, a, n);
    if (!rc)
        rc = sg_buf_adds(out, "]}");
    free(cfg_digest);
    sg_buf_release(&cfg);
    return rc;
}

/* Current digest at the tag (NULL when the tag does not exist). */
static sg_err tag_digest(char **out, struct sg_oci_store *s, const char *tag)
{
    sg_err rc = sg_oci_store_head_manifest(s, tag, NULL, out, NULL);

    if (rc == SG_ENOTFOUND) {
        sg_error_clear();
        *out = NULL;
        return SG_OK;
    }
    return rc;
}

static void backoff(unsigned attempt)
{
    struct timespec ts;
    unsigned char jitter = 0;
    unsigned ms;

    /* jitter from OpenSSL's CSPRNG: no rand()/srand(), no shared seed */
    if (RAND_bytes(&jitter, 1) != 1)
        jitter = 0;
    ms = 5u * (attempt + 1u) + (unsigned)(jitter % 20u);

    ts.tv_sec = 0;
    ts.tv_nsec = (long)ms * 1000000L;
    nanosleep(&ts, NULL);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void settle(uint64_t interval_ns)
{
    /* + 25 ms: a racing writer descheduled between its check and its PUT
     * (a loaded CI machine) must still land before we look again. */
    uint64_t ns = 2 * interval_ns + 25000000u;
    struct timespec ts;

    if (ns > 2000000000u)
        ns = 2000000000u;
    ts.tv_sec = (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    nanosleep(&ts, NULL);
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

sg_err sg_sign__append_layer_ex(struct sg_oci_store *s,
                                const char *digest,
                                const char *suffix,
                                const void *data,
                                size_t len,
                                const char *media_type,
                                const struct sg_sign_annotation *annotations,
                                size_t n_annotations,
                                sg_sign__same_fn same,
                                void *same_payload,
                                int *appended_out)
{
    struct sg_buf tag = SG_BUF_INIT(256), body = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *layer_digest = NULL, *before = NULL, *now = NULL, *created = NULL;
    struct sig_manifest m;
    uint64_t t0;
    int done = 0;
    sg_err rc;

    memset(&m, 0, sizeof(m));
    if (appended_out)
        *appended_out = 0;
    rc = sg_sign_tag_for(&tag, digest, suffix);
    if (rc)
        return rc;
    rc = sg_oci_store_put_blob_buf(s, data, len, &layer_digest);
    if (rc)
        goto done;
    for (unsigned attempt = 0; !done; attempt++) {
        int dup = 0, ours = 0;

        if (attempt == MAX_ATTEMPTS) {
            rc = sg_error_set(SG_EIO,
                              "%s: the tag kept changing under concurrent "
                              "writers; gave up after %d attempts",
                              tag.data, MAX_ATTEMPTS);
            goto done;
        }
        if (attempt)
            backoff(attempt);
        sig_manifest_release(&m);
        free(before);
        before = NULL;
        free(created);
        created = NULL;
        sg_buf_reset(&body);
        sg_buf_reset(&out);
        rc = sg_oci_store_get_manifest(s, tag.data, &body, NULL, &before);
        if (rc == SG_ENOTFOUND) {
            sg_error_clear();
            rc = sig_manifest_parse(&m, "{\"layers\":[]}", 13, tag.data);
        } else if (!rc) {
            rc = sig_manifest_parse(&m, body.data, body.len, tag.data);
            if (!rc)
                created = existing_created(s, &m);
        }
        if (rc)
            goto done;
        for (size_t i = 0; i < m.n && !dup; i++) {
            dup = same ? same(m.layers[i].digest, m.layers[i].media_type,
                              layer_sig(&m.layers[i]), same_payload)
                       : same_layer(&m.layers[i], layer_digest, media_type,
                                    annotations, n_annotations);
        }
        if (dup) {
            sg_debug("%s: identical layer already present", tag.data);
            break;
        }
        if (m.n >= MAX_LAYERS) {
            rc = sg_error_set(SG_ELIMIT, "%s: already holds %d layers",
                              tag.data, MAX_LAYERS);
            goto done;
        }
        rc = build_manifest(&out, s, &m, created, layer_digest, len, media_type,
                            annotations, n_annotations);
        if (rc)
            goto done;
        /* Someone moved the tag since we read it: start again. */
        free(now);
        now = NULL;
        t0 = now_ns();
        rc = tag_digest(&now, s, tag.data);
        if (rc)
            goto done;
        if (!str_eq(before, now)) {
            sg_debug("%s: moved by another writer, retrying", tag.data);
            continue;
        }
        rc = sg_oci_store_put_manifest(
            s, tag.data, m.docker ? SG_MT_DOCKER_MANIFEST : SG_MT_OCI_MANIFEST,
            out.data, out.len, NULL);
        if (rc)
            goto done;
        /* A writer racing between our check and our PUT may replace the
         * tag with a manifest built before ours, up to one check-to-PUT
         * interval after our PUT: wait about that long (twice our own
         * interval), then make sure our layer is there, else append
         * again. */
        settle(now_ns() - t0);
        sig_manifest_release(&m);
        sg_buf_reset(&body);
        rc = sg_oci_store_get_manifest(s, tag.data, &body, NULL, NULL);
        if (!rc)
            rc = sig_manifest_parse(&m, body.data, body.len, tag.data);
        if (rc)
            goto done;
        for (size_t i = 0; i < m.n && !ours; i++)
            ours = same_layer(&m.layers[i], layer_digest, media_type,
                              annotations, n_annotations);
        if (ours) {
            done = 1;
            if (appended_out)
                *appended_out = 1;
        } else {
            sg_debug("%s: our layer was lost to a concurrent writer, "
                     "retrying",
                     tag.data);
        }
    }
done:
    sig_manifest_release(&m);
    free(layer_digest);
    free(before);
    free(now);
    free(created);
    sg_buf_release(&tag);
    sg_buf_release(&body);
    sg_buf_release(&out);
    return rc;
}

sg_err sg_sign_append_layer(struct sg_oci_store *s,
                            const char *digest,
                            const char *suffix,
                            const void *data,
                            size_t len,
                            const char *media_type,
                            const struct sg_sign_annotation *annotations,
                            size_t n_annotations)
{
    return sg_sign__append_layer_ex(s, digest, suffix, data, len, media_type,
                                    annotations, n_annotations, NULL, NULL,
                                    NULL);
}
