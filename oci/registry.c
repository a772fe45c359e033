/*
 * The registry store: the OCI distribution API (spec.md of
 * opencontainers/distribution-spec) as sg_oci_store operations:
 * manifests (get/head/put/delete), tags list with Link paging, blob
 * get/exists (push is in regupload.c) and the referrers API. Each
 * operation is one or more calls through regcall.c, which handles
 * scheme, auth, redirects, retries, resume and the deadline. Everything
 * the registry sends is untrusted and capped; digests are computed from
 * the bytes by store.c, never taken from the registry's headers.
 */
#include "oci_int.h"
#include "registry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#define ACCEPT_MANIFESTS                               \
    "Accept: " SG_MT_OCI_MANIFEST ", " SG_MT_OCI_INDEX \
    ", " SG_MT_DOCKER_MANIFEST ", " SG_MT_DOCKER_LIST

#define TAG_PAGES_MAX 10000u

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char *strip_params(const char *ct)
{
    size_t n;

    if (!ct)
        return NULL;
    n = strcspn(ct, ";");
    while (n && ct[n - 1] == ' ')
        n--;
    return strndup(ct, n);
}

/* ------------------------------------------------------------------ */
/* Store operations                                                     */

static sg_err manifest_notfound(const struct sg_reg *r, const char *ref)
{
    return sg_error_set(SG_ENOTFOUND, "manifest unknown: %s%s%s", r->repo,
                        sg_digest_valid(ref) ? "@" : ":", ref);
}

/* GET or HEAD of a manifest, with the statuses both treat alike. */
static sg_err manifest_fetch(struct sg_reg *r,
                             struct sg_reg_api *a,
                             const char *method,
                             const char *ref,
                             struct sg_buf *body)
{
    sg_err rc;

    rc = sg_reg_api_begin(a, r->repo, "pull", method, "manifest",
                          SG_REG_API_READ, "/v2/%s/manifests/%s", r->repo, ref);
    if (rc)
        return rc;
    a->c.accept = ACCEPT_MANIFESTS;
    a->c.subject = ref;
    a->c.out = body;
    rc = sg_reg_api_run(r, a);
    if (rc == SG_ELIMIT && body)
        return sg_error_set(
            SG_ELIMIT, "manifest larger than %zu bytes (%s%s%s)", body->max,
            r->repo, sg_digest_valid(ref) ? "@" : ":", ref);
    if (rc)
        return rc;
    if (a->resp.status == 404)
        return manifest_notfound(r, ref);
    if (a->resp.status != 200)
        return sg_reg_status_error(r, &a->resp, "manifest");
    return SG_OK;
}

static sg_err reg_get_manifest(struct sg_oci_store *s,
                               const char *ref,
                               struct sg_buf *body,
                               char **media_type_out,
                               char **digest_out)
{
    struct sg_reg *r = s->impl;
    struct sg_reg_api a;
    sg_err rc;

    *media_type_out = NULL;
    *digest_out = NULL;
    rc = manifest_fetch(r, &a, "GET", ref, body);
    if (rc)
        goto done;
    *media_type_out = strip_params(a.resp.content_type);
    *digest_out = dupstr(a.resp.docker_digest);
    if ((a.resp.content_type && !*media_type_out) ||
        (a.resp.docker_digest && !*digest_out))
        rc = sg_error_oom();
done:
    sg_reg_api_release(&a);
    if (rc) {
        free(*media_type_out);
        free(*digest_out);
        *media_type_out = *digest_out = NULL;
    }
    return rc;
}

/* HEAD of a manifest. Only a digest reference is answered from the HEAD:
 * the registry's Docker-Content-Digest then has to equal what we asked
 * for, and the bytes are checked whenever they are fetched. A tag is
 * resolved by GET and hashing the body (as `sigil digest` does): a
 * registry that reports D on HEAD but serves other bytes must not make
 * those bytes pass as D (verify resolves tags through here). */
static sg_err reg_head_manifest(struct sg_oci_store *s,
                                const char *ref,
                                char **media_type_out,
                                char **digest_out,
                                uint64_t *size_out)
{
    struct sg_reg *r = s->impl;
    const struct sg_http_resp *resp;
    struct sg_reg_api a;
    char *mt = NULL, *dg = NULL;
    sg_err rc;

    if (media_type_out)
        *media_type_out = NULL;
    if (digest_out)
        *digest_out = NULL;
    sg_reg_api_init(&a);
    if (!sg_digest_valid(ref))
        goto by_body;
    rc = manifest_fetch(r, &a, "HEAD", ref, NULL);
    resp = &a.resp;
    if (rc)
        goto done;
    if (!resp->docker_digest || strcmp(ref, resp->docker_digest) != 0 ||
        !resp->has_length)
        goto by_body;
    mt = strip_params(resp->content_type);
    dg = strdup(resp->docker_digest);
    if (!dg || (resp->content_type && !mt)) {
        rc = sg_error_oom();
        goto done;
    }
    if (size_out)
        *size_out = resp->content_length;
    if (media_type_out) {
        *media_type_out = mt;
        mt = NULL;
    }
    if (digest_out) {
        *digest_out = dg;
        dg = NULL;
    }
    goto done;
by_body : {
    /* GET and compute the digest from the bytes (store.c). */
    struct sg_buf body = SG_BUF_INIT(s->ctx.limits.manifest_max);
    rc = sg_oci_store_get_manifest(s, ref, &body, media_type_out, digest_out);
    if (!rc && size_out)
        *size_out = body.len;
    sg_buf_release(&body);
}
done:
    free(mt);
    free(dg);
    sg_reg_api_release(&a);
    return rc;
}

static sg_err reg_put_manifest(struct sg_oci_store *s,
                               const char *tag,
                               const char *media_type,
                               const void *data,
                               size_t len,
                               const char *digest)
{
    struct sg_reg *r = s->impl;
    struct sg_reg_api a;
    sg_err rc;

    /* PUT of the same bytes is idempotent: retried */
    rc = sg_reg_api_begin(&a, r->repo, "pull,push", "PUT", "manifest",
                          SG_REG_API_RETRY, "/v2/%s/manifests/%s", r->repo,
                          tag ? tag : digest);
    if (rc)
        goto done;
    a.c.content_type = media_type;
    a.c.body = data;
    a.c.body_len = len;
    a.c.has_body = 1;
    rc = sg_reg_api_run(r, &a);
    if (rc)
        goto done;
    if (a.resp.status != 201 && a.resp.status != 200) {
        rc = sg_reg_status_errorf(r, &a.resp, "push manifest %s:%s", r->repo,
                                  tag ? tag : digest);
        goto done;
    }
    if (a.resp.docker_digest && strcmp(a.resp.docker_digest, digest) != 0)
        rc = sg_error_set(SG_EDIGEST,
                          "push manifest: registry stored %s, expected %s",
                          a.resp.docker_digest, digest);
done:
    sg_reg_api_release(&a);
    return rc;
}

static sg_err reg_delete_manifest(struct sg_oci_store *s, const char *digest)
{
    struct sg_reg *r = s->impl;
    struct sg_reg_api a;
    sg_err rc;

    rc = sg_reg_api_begin(&a, r->repo, "delete", "DELETE", "manifest",
                          SG_REG_API_RETRY, "/v2/%s/manifests/%s", r->repo,
                          digest);
    if (!rc)
        rc = sg_reg_api_run(r, &a);
    if (rc)
        goto done;
    if (a.resp.status == 404)
        rc = manifest_notfound(r, digest);
    else if (a.resp.status != 202 && a.resp.status != 200 &&
             a.resp.status != 204)
        rc = sg_reg_status_error(r, &a.resp, "delete manifest");
done:
    sg_reg_api_release(&a);
    return rc;
}

sg_err sg_oci__tag_list_add(
    char ***tags, size_t *n, const void *data, size_t len, size_t max)
{
    json_t *root = NULL;
    const json_t *arr, *v;
    size_t i;
    sg_err rc;

    rc = sg_json_parse(&root, data, len, 0, 8, "tag list");
    if (rc)
        return rc;
    arr = json_object_get(root, "tags");
    if (!json_is_object(root) ||
        (arr && !json_is_array(arr) && !json_is_null(arr))) {
        rc = sg_error_set(SG_EPARSE, "tag list: 'tags' is not an array");
        goto done;
    }
    json_array_foreach(arr, i, v)
    {
        char **nt;
        if (!json_is_string(v)) {
            rc = sg_error_set(SG_EPARSE, "tag list: tags[%zu] not a string", i);
            goto done;
        }
        if (*n >= max) {
            rc = sg_error_set(SG_ELIMIT, "tag list: more than %zu tags", max);
            goto done;
        }
        /* A tag is printed (sigil ls) and fed back as a reference: one
         * outside the spec's grammar (a newline, a '/', 10 MB long) is a
         * broken or hostile registry, not a name to pass on. */
        rc = sg_oci__check_tag(json_string_value(v), "tag list: a tag");
        if (rc)
            goto done;
        nt = realloc(*tags, (*n + 2) * sizeof(*nt));
        if (!nt) {
            rc = sg_error_oom();
            goto done;
        }
        *tags = nt;
        nt[*n] = strdup(json_string_value(v));
        nt[*n + 1] = NULL;
        if (!nt[*n]) {
            rc = sg_error_oom();
            goto done;
        }
        (*n)++;
    }
done:
    json_decref(root);
    return rc;
}

static sg_err reg_list_tags(struct sg_oci_store *s, char ***tags_out)
{
    struct sg_reg *r = s->impl;
    struct sg_buf body = SG_BUF_INIT(s->ctx.limits.manifest_max);
    struct sg_reg_api a;
    char **tags = NULL, *url = NULL, *next = NULL;
    size_t n = 0;
    unsigned pages = 0;
    sg_err rc;

    *tags_out = NULL;
    rc = sg_reg_api_begin(&a, r->repo, "pull", "GET", "tag list page",
                          SG_REG_API_READ, "/v2/%s/tags/list?n=1000", r->repo);
    if (rc)
        goto done;
    tags = calloc(1, sizeof(*tags));
    if (!tags) {
        rc = sg_error_oom();
        goto done;
    }
    for (;;) {
        a.c.out = &body;
        rc = sg_reg_api_run(r, &a);
        if (!rc && a.resp.status == 404)
            rc = sg_error_set(SG_ENOTFOUND, "repository unknown: %s", r->repo);
        else if (!rc && a.resp.status != 200)
            rc = sg_reg_status_error(r, &a.resp, "tag list");
        if (!rc)
            rc = sg_oci__tag_list_add(&tags, &n, body.data, body.len,
                                      s->ctx.limits.tags_max);
        if (!rc && a.resp.link)
            rc = sg_oci__link_next(&next, a.resp.link);
        if (rc || !next)
            break;
        if (++pages > TAG_PAGES_MAX) {
            rc = sg_error_set(SG_ELIMIT, "tag list: too many pages");
        } else {
            int same = 0;
            rc = sg_http_resolve(&url, a.c.final_url, next);
            if (!rc)
                rc = sg_reg_redirect_ok(r, url, &same);
            if (!rc && !same)
                rc = sg_error_set(SG_EHTTP,
                                  "tag list: next page on another host");
        }
        free(next);
        next = NULL;
        sg_reg_api_release(&a);
        if (!rc)
            rc = sg_reg_api_begin(&a, r->repo, "pull", "GET", "tag list page",
                                  SG_REG_API_READ, "%s", url);
        free(url);
        url = NULL;
        if (rc)
            break;
    }
    if (rc)
        goto done;
    *tags_out = tags;
    tags = NULL;
done:
    free(url);
    free(next);
    sg_oci_strv_free(tags);
    sg_reg_api_release(&a);
    sg_buf_release(&body);
    return rc;
}

static sg_err
reg_blob_exists(struct sg_oci_store *s, const char *digest, int *exists)
{
    struct sg_reg *r = s->impl;
    return sg_reg_blob_head(r, r->repo, digest, exists);
}

static sg_err reg_get_blob(struct sg_oci_store *s,
                           const struct sg_oci_descriptor *d,
                           sg_oci_write_fn cb,
                           void *payload)
{
    struct sg_reg *r = s->impl;
    struct sg_reg_resume rs;
    struct sg_reg_api a;
    sg_err rc;

    memset(&rs, 0, sizeof(rs));
    rs.cb = cb;
    rs.payload = payload;
    rc = sg_reg_api_begin(&a, r->repo, "pull", "GET", "blob", SG_REG_API_READ,
                          "/v2/%s/blobs/%s", r->repo, d->digest);
    if (rc)
        goto done;
    a.c.resume = &rs;
    a.c.subject = d->digest;
    rc = sg_reg_api_run(r, &a);
    if (rc == SG_ENET && !sg_reg_expired(r)) /* a timeout names the blob */
        sg_error_prefix(rc, "blob %s", d->digest);
    if (rc)
        goto done;
    if (a.resp.status == 404)
        rc = sg_error_set(SG_ENOTFOUND, "blob unknown: %s@%s", r->repo,
                          d->digest);
    else if (a.resp.status != 200 && a.resp.status != 206)
        rc = sg_reg_status_errorf(r, &a.resp, "blob %s", d->digest);
done:
    sg_reg_api_release(&a);
    return rc;
}

static sg_err reg_referrers(struct sg_oci_store *s,
                            const char *digest,
                            const char *artifact_type,
                            struct sg_buf *index_json,
                            int *supported)
{
    struct sg_reg *r = s->impl;
    long st;
    struct sg_reg_api a;
    sg_err rc;

    *supported = 0;
    rc = sg_reg_api_begin(&a, r->repo, "pull", "GET", "referrers index",
                          SG_REG_API_READ, "/v2/%s/referrers/%s", r->repo,
                          digest);
    if (!rc && artifact_type) {
        rc = sg_buf_adds(&a.path, "?artifactType=");
        if (!rc)
            rc = sg_http_escape(&a.path, artifact_type);
    }
    if (rc)
        goto done;
    if (index_json->max > s->ctx.limits.manifest_max || index_json->max == 0)
        index_json->max = s->ctx.limits.manifest_max;
    a.c.accept = "Accept: " SG_MT_OCI_INDEX;
    a.c.out = index_json;
    rc = sg_reg_api_run(r, &a);
    if (rc)
        goto done;
    st = a.resp.status;
    if (st == 200) {
        char *mt = strip_params(a.resp.content_type);
        /* A registry without the API may answer 200 with something else
         * (an HTML page): only an index counts. */
        *supported = mt && strcmp(mt, SG_MT_OCI_INDEX) == 0;
        free(mt);
        if (!*supported)
            sg_buf_reset(index_json);
    } else if (st == 404 || st == 400 || st == 405 || st == 501) {
        sg_buf_reset(index_json);
    } else {
        rc = sg_reg_status_error(r, &a.resp, "referrers");
    }
done:
    sg_reg_api_release(&a);
    return rc;
}

static void reg_free(struct sg_oci_store *s)
{
    struct sg_reg *r = s->impl;

    if (!r)
        return;
    if (r->ops && r->ops->free)
        r->ops->free(r->ops_ctx);
    free(r->host);
    free(r->cred_host);
    free(r->repo);
    free(r->base);
    free(r->ca_file);
    free(r->user_agent);
    sg_oci_credentials_release(&r->creds);
    free(r->realm);
    free(r->service);
    sg_reg_tokens_free(r);
    free(r);
    s->impl = NULL;
}

static const struct sg_oci_store_ops registry_ops = {
    "registry",          reg_get_manifest, reg_head_manifest, reg_put_manifest,
    reg_delete_manifest, reg_list_tags,    reg_blob_exists,   reg_get_blob,
    sg_reg_put_blob,     reg_referrers,    reg_free,
};

sg_err sg_oci__registry_open(struct sg_oci_store *s,
                             const struct sg_oci_registry_opts *opts)
{
    struct sg_reg *r = calloc(1, sizeof(*r));
    struct sg_http *http = NULL;
    sg_err rc;

    if (!r)
        return sg_error_oom();
    s->ops = &registry_ops;
    s->impl = r;
    rc = sg_http_create(&http);
    if (rc)
        return rc;
    r->ops = &sg_oci__curl_ops;
    r->ops_ctx = http;
    r->host = strdup(sg_oci_ref_api_host(&s->ref));
    r->cred_host = strdup(s->ref.registry);
    r->repo = strdup(s->ref.repository);
    if (!r->host || !r->cred_host || !r->repo)
        return sg_error_oom();
    r->loopback = sg_reg_host_is_loopback(r->host);
    r->max_retries = 4;
    r->ctx = &s->ctx;
    if (opts) {
        r->insecure = sg_reg_host_listed(opts->insecure_hosts, r->host) ||
                      sg_reg_host_listed(opts->insecure_hosts, r->cred_host);
        r->get_credentials = opts->get_credentials;
        r->cred_payload = opts->cred_payload;
        r->connect_timeout_s = opts->connect_timeout_s;
        r->low_speed_time_s = opts->low_speed_time_s;
        r->deadline_ms = opts->deadline_ms;
        r->timeout_ms = opts->timeout_ms;
        if (opts->max_retries)
            r->max_retries = opts->max_retries;
        if ((opts->ca_file && !(r->ca_file = strdup(opts->ca_file))) ||
            (opts->user_agent && !(r->user_agent = strdup(opts->user_agent))))
            return sg_error_oom();
    }
    return SG_OK;
}

void sg_oci__registry_set_http(struct sg_oci_store *s,
                               const struct sg_oci__http_ops *ops,
                               void *ctx)
{
    struct sg_reg *r = s->impl;

    if (s->kind != SG_OCI_STORE_REGISTRY || !r)
        return;
    if (r->ops && r->ops->free)
        r->ops->free(r->ops_ctx);
    r->ops = ops;
    r->ops_ctx = ctx;
}
