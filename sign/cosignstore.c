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

/* Parse the existing manifest at the tag (untrusted) with the one OCI
 * manifest parser; only an image manifest (OCI or Docker schema 2) with
 * at most MAX_LAYERS layers can be appended to. */
static sg_err sig_manifest_parse(struct sg_oci_manifest **out,
                                 const char *data,
                                 size_t len,
                                 const char *tag,
                                 const struct sg_ctx *ctx)
{
    sg_err rc = sg_oci_manifest_parse(out, data, len, NULL, ctx);

    if (rc)
        return rc;
    if ((*out)->is_index)
        rc =
            sg_error_set(SG_EUNSUPPORTED, "%s: holds %s, not an image manifest",
                         tag, (*out)->media_type);
    else if ((*out)->n_layers > MAX_LAYERS)
        rc =
            sg_error_set(SG_ELIMIT, "%s: more than %d layers", tag, MAX_LAYERS);
    if (rc) {
        sg_oci_manifest_free(*out);
        *out = NULL;
    }
    return rc;
}

static int is_docker(const struct sg_oci_manifest *m)
{
    return m->media_type && strcmp(m->media_type, SG_MT_DOCKER_MANIFEST) == 0;
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

static sg_err write_existing_layer(struct sg_buf *out,
                                   const struct sg_oci_descriptor *l)
{
    struct sg_sign_annotation *a = NULL;
    size_t n = l->n_annotations;
    sg_err rc;

    if (n) {
        a = calloc(n, sizeof(*a));
        if (!a)
            return sg_error_oom();
        for (size_t i = 0; i < n; i++) {
            a[i].key = l->annotations[i].key;
            a[i].value = l->annotations[i].value;
        }
    }
    rc = write_layer(out, l->media_type, l->size, l->digest, a, n);
    free(a);
    return rc;
}

/* Same digest, media type and exactly the same annotations. */
/* Is descriptor l the layer `want` (uploaded as `digest`)? */
static int same_layer(const struct sg_oci_descriptor *l,
                      const char *digest,
                      const struct sg_sign__layer *want)
{
    const struct sg_sign_annotation *a = want->annotations;
    size_t n = want->n_annotations, distinct = 0;

    if (strcmp(l->digest, digest) != 0 ||
        strcmp(l->media_type, want->media_type) != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = sg_oci_descriptor_annotation(l, a[i].key);
        size_t j;
        if (!v || strcmp(v, a[i].value) != 0)
            return 0;
        for (j = 0; j < i && strcmp(a[j].key, a[i].key) != 0; j++)
            ;
        if (j == i)
            distinct++;
    }
    return l->n_annotations == distinct;
}

/* The "created" of the existing config, kept across appends as cosign
 * does (§11.4). Best effort: any problem gives the zero time. */
static char *existing_created(struct sg_oci_store *s,
                              const struct sg_oci_manifest *m)
{
    struct sg_oci_descriptor d;
    struct sg_buf b = SG_BUF_INIT(64 * 1024);
    json_t *root = NULL, *c;
    char *created = NULL;

    if (!m->config.digest || !m->config.size || m->config.size > 64 * 1024)
        return NULL;
    /* cosign's config with the zero time: 233 bytes plus 109 per extra
     * layer (a 20-character time of day would be the same size, but
     * cosign records times with fractions and an offset). Skip the GET. */
    if (m->n_layers && m->config.size == 233u + 109u * (m->n_layers - 1))
        return NULL;
    memset(&d, 0, sizeof(d));
    d.digest = m->config.digest;
    d.size = m->config.size;
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

/* Build and upload the config, then return the new manifest bytes: m's
 * layers, then `add` (uploaded as `digest`). */
static sg_err build_manifest(struct sg_buf *out,
                             struct sg_oci_store *s,
                             const struct sg_oci_manifest *m,
                             const char *created,
                             const struct sg_sign__layer *add,
                             const char *digest)
{
    const char **ids;
    struct sg_buf cfg = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *cfg_digest = NULL;
    sg_err rc;

    ids = calloc(m->n_layers + 1, sizeof(*ids));
    if (!ids)
        return sg_error_oom();
    for (size_t i = 0; i < m->n_layers; i++)
        ids[i] = m->layers[i].digest;
    ids[m->n_layers] = digest;
    rc = sg_sign__sig_config(&cfg, ids, m->n_layers + 1, created);
    free(ids);
    if (!rc)
        rc = sg_oci_store_put_blob_buf(s, cfg.data, cfg.len, &cfg_digest);
    if (!rc)
        rc = sg_buf_addf(
            out,
            "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":"
            "{\"mediaType\":\"%s\",\"size\":%zu,\"digest\":\"%s\"},"
            "\"layers\":[",
            is_docker(m) ? SG_MT_DOCKER_MANIFEST : SG_MT_OCI_MANIFEST,
            is_docker(m) ? SG_MT_DOCKER_CONFIG : SG_MT_OCI_CONFIG, cfg.len,
            cfg_digest);
    for (size_t i = 0; !rc && i < m->n_layers; i++) {
        rc = write_existing_layer(out, &m->layers[i]);
        if (!rc)
            rc = sg_buf_addc(out, ',');
    }
    if (!rc)
        rc = write_layer(out, add->media_type, add->len, digest,
                         add->annotations, add->n_annotations);
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
                                const struct sg_sign__layer *l,
                                sg_sign__same_fn same,
                                void *same_payload,
                                int *appended_out)
{
    struct sg_buf tag = SG_BUF_INIT(256), body = SG_BUF_INIT(SG_BUF_NOLIMIT),
                  out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *layer_digest = NULL, *before = NULL, *now = NULL, *created = NULL;
    struct sg_oci_manifest *m = NULL;
    uint64_t t0;
    int done = 0;
    sg_err rc;

    if (appended_out)
        *appended_out = 0;
    rc = sg_sign_tag_for(&tag, l->digest, l->suffix);
    if (rc)
        return rc;
    rc = sg_oci_store_put_blob_buf(s, l->data, l->len, &layer_digest);
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
        sg_oci_manifest_free(m);
        m = NULL;
        free(before);
        before = NULL;
        free(created);
        created = NULL;
        sg_buf_reset(&body);
        sg_buf_reset(&out);
        rc = sg_oci_store_get_manifest(s, tag.data, &body, NULL, &before);
        if (rc == SG_ENOTFOUND) {
            /* no tag yet: append to an empty OCI manifest */
            sg_error_clear();
            m = calloc(1, sizeof(*m));
            rc = m ? SG_OK : sg_error_oom();
        } else if (!rc) {
            rc = sig_manifest_parse(&m, body.data, body.len, tag.data,
                                    sg_oci_store_ctx(s));
            if (!rc)
                created = existing_created(s, m);
        }
        if (rc)
            goto done;
        for (size_t i = 0; i < m->n_layers && !dup; i++) {
            const struct sg_oci_descriptor *d = &m->layers[i];

            dup = same ? same(d->digest, d->media_type,
                              sg_oci_descriptor_annotation(d, SIG_ANNOTATION),
                              same_payload)
                       : same_layer(d, layer_digest, l);
        }
        if (dup) {
            sg_debug(sg_oci_store_ctx(s), "%s: identical layer already present",
                     tag.data);
            break;
        }
        if (m->n_layers >= MAX_LAYERS) {
            rc = sg_error_set(SG_ELIMIT, "%s: already holds %d layers",
                              tag.data, MAX_LAYERS);
            goto done;
        }
        rc = build_manifest(&out, s, m, created, l, layer_digest);
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
            sg_debug(sg_oci_store_ctx(s),
                     "%s: moved by another writer, retrying", tag.data);
            continue;
        }
        rc = sg_oci_store_put_manifest(s, tag.data,
                                       is_docker(m) ? SG_MT_DOCKER_MANIFEST
                                                    : SG_MT_OCI_MANIFEST,
                                       out.data, out.len, NULL);
        if (rc)
            goto done;
        /* A writer racing between our check and our PUT may replace the
         * tag with a manifest built before ours, up to one check-to-PUT
         * interval after our PUT: wait about that long (twice our own
         * interval), then make sure our layer is there, else append
         * again. */
        settle(now_ns() - t0);
        sg_oci_manifest_free(m);
        m = NULL;
        sg_buf_reset(&body);
        rc = sg_oci_store_get_manifest(s, tag.data, &body, NULL, NULL);
        if (!rc)
            rc = sig_manifest_parse(&m, body.data, body.len, tag.data,
                                    sg_oci_store_ctx(s));
        if (rc)
            goto done;
        for (size_t i = 0; i < m->n_layers && !ours; i++)
            ours = same_layer(&m->layers[i], layer_digest, l);
        if (ours) {
            done = 1;
            if (appended_out)
                *appended_out = 1;
        } else {
            sg_debug(sg_oci_store_ctx(s),
                     "%s: our layer was lost to a concurrent writer, "
                     "retrying",
                     tag.data);
        }
    }
done:
    sg_oci_manifest_free(m);
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
    const struct sg_sign__layer l = { .digest = digest,
                                      .suffix = suffix,
                                      .data = data,
                                      .len = len,
                                      .media_type = media_type,
                                      .annotations = annotations,
                                      .n_annotations = n_annotations };

    return sg_sign__append_layer_ex(s, &l, NULL, NULL, NULL);
}
