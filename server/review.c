/*
 * The admission.k8s.io/v1 wire format (k8s.io/api admission/v1 types.go):
 * parse an AdmissionReview request (untrusted: every field type-checked,
 * every list bounded), find the container images of a Pod or of a
 * workload's pod template, and build the AdmissionReview response the API
 * server accepts (k8s.io/apiserver VerifyAdmissionResponse: same
 * apiVersion/kind, uid echoed, patchType "JSONPatch" with a patch, and a
 * patch only from a mutating webhook). Never calls the policy engine.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

#define API_VERSION "admission.k8s.io/v1"
#define REVIEW_KIND "AdmissionReview"

static sg_err oom(void)
{
    return sg_error_oom();
}

/* jansson refuses \u0000 (no JSON_ALLOW_NUL), so strings are C strings */
#define dupn(s, n) strndup((s), (n))

/* Optional string member `key` of obj into *out ("" when absent or null
 * and not required). Wrong type: SG_EPARSE naming where. */
static sg_err get_str(char **out,
                      const json_t *obj,
                      const char *key,
                      int required,
                      const char *where)
{
    const json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return sg_error_set(SG_EPARSE, "%s.%s is missing", where, key);
        *out = dupn("", 0);
        return *out ? SG_OK : oom();
    }
    if (!json_is_string(v))
        return sg_error_set(SG_EPARSE, "%s.%s: expected a string", where, key);
    if (json_string_length(v) > SG_REVIEW_IMAGE_LEN_MAX)
        return sg_error_set(SG_ELIMIT, "%s.%s: longer than %u bytes", where,
                            key, SG_REVIEW_IMAGE_LEN_MAX);
    *out = dupn(json_string_value(v), json_string_length(v));
    return *out ? SG_OK : oom();
}

/* Optional object member (NULL when absent or null). */
static sg_err get_obj(const json_t **out,
                      const json_t *obj,
                      const char *key,
                      const char *where)
{
    const json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return SG_OK;
    if (!json_is_object(v))
        return sg_error_set(SG_EPARSE, "%s.%s: expected an object", where, key);
    *out = v;
    return SG_OK;
}

/* Where the pod spec is in an object of this kind (NULL: no pod spec). */
static const char *const *pod_spec_path(const char *group, const char *kind)
{
    static const char *const pod[] = { "spec", NULL };
    static const char *const tmpl[] = { "spec", "template", "spec", NULL };
    static const char *const cron[] = { "spec",     "jobTemplate", "spec",
                                        "template", "spec",        NULL };
    static const struct {
        const char *group, *kind;
        const char *const *path;
    } kinds[] = {
        { "", "Pod", pod },
        { "", "ReplicationController", tmpl },
        { "apps", "Deployment", tmpl },
        { "apps", "ReplicaSet", tmpl },
        { "apps", "StatefulSet", tmpl },
        { "apps", "DaemonSet", tmpl },
        { "batch", "Job", tmpl },
        { "batch", "CronJob", cron },
    };
    size_t i;

    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strcmp(group, kinds[i].group) && !strcmp(kind, kinds[i].kind))
            return kinds[i].path;
    return NULL;
}

static const char *const container_lists[] = { "initContainers", "containers",
                                               "ephemeralContainers" };

/* One image field found in an object. */
struct found {
    const char *image; /* borrowed from the JSON document */
    char *path;        /* JSON pointer */
};
struct found_list {
    struct found *v;
    size_t n, cap;
    int too_many; /* more than SG_REVIEW_CONTAINERS_MAX: the rest unread */
};

static void found_list_release(struct found_list *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Every container image of obj's pod spec (per `path`) into l, with JSON
 * pointers. `where` names the object in messages. */
static sg_err collect_images(struct found_list *l,
                             const json_t *obj,
                             const char *const *path,
                             const char *where)
{
    struct sg_buf base = SG_BUF_INIT(1024);
    const json_t *spec = obj;
    size_t i, j;
    sg_err rc = SG_OK;

    for (i = 0; path[i]; i++) {
        const json_t *next;
        rc = get_obj(&next, spec, path[i], where);
        if (rc)
            goto done;
        if (!next)
            goto done; /* no pod spec (yet): no images */
        spec = next;
        rc = sg_buf_addf(&base, "/%s", path[i]);
        if (rc)
            goto done;
    }
    for (i = 0; i < sizeof(container_lists) / sizeof(container_lists[0]); i++) {
        const json_t *arr = json_object_get(spec, container_lists[i]);
        if (!arr || json_is_null(arr))
            continue;
        if (!json_is_array(arr)) {
            rc = sg_error_set(SG_EPARSE, "%s%s/%s: expected an array", where,
                              base.data, container_lists[i]);
            goto done;
        }
        for (j = 0; j < json_array_size(arr); j++) {
            const json_t *c = json_array_get(arr, j);
            const json_t *img;
            struct sg_buf p = SG_BUF_INIT(2048);
            if (l->n >= SG_REVIEW_CONTAINERS_MAX) {
                l->too_many = 1; /* a verdict, not a parse error */
                goto done;
            }
            if (!json_is_object(c)) {
                rc = sg_error_set(SG_EPARSE, "%s%s/%s/%zu: expected an object",
                                  where, base.data, container_lists[i], j);
                goto done;
            }
            img = json_object_get(c, "image");
            if (!img || json_is_null(img))
                continue;
            if (!json_is_string(img)) {
                rc = sg_error_set(SG_EPARSE,
                                  "%s%s/%s/%zu/image: expected a string", where,
                                  base.data, container_lists[i], j);
                goto done;
            }
            if (json_string_length(img) > SG_REVIEW_IMAGE_LEN_MAX ||
                strlen(json_string_value(img)) != json_string_length(img)) {
                rc = sg_error_set(SG_ELIMIT,
                                  "%s%s/%s/%zu/image: over %u bytes or "
                                  "contains NUL",
                                  where, base.data, container_lists[i], j,
                                  SG_REVIEW_IMAGE_LEN_MAX);
                goto done;
            }
            if (l->n == l->cap) {
                size_t ncap = l->cap ? l->cap * 2 : 16;
                struct found *nv = realloc(l->v, ncap * sizeof(*nv));
                if (!nv) {
                    rc = oom();
                    goto done;
                }
                l->v = nv;
                l->cap = ncap;
            }
            rc = sg_buf_addf(&p, "%s/%s/%zu/image", base.data,
                             container_lists[i], j);
            if (rc)
                goto done;
            l->v[l->n].image = json_string_value(img);
            rc = sg_buf_take(&l->v[l->n].path, NULL, &p);
            if (rc)
                goto done;
            l->n++;
        }
    }
done:
    sg_buf_release(&base);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static sg_err get_labels(struct sg_review *r, const json_t *obj)
{
    const json_t *meta = NULL, *labels = NULL;
    const char *key;
    const json_t *v;
    sg_err rc;

    rc = get_obj(&meta, obj, "metadata", "request.object");
    if (rc || !meta)
        return rc;
    rc = get_obj(&labels, meta, "labels", "request.object.metadata");
    if (rc || !labels)
        return rc;
    if (json_object_size(labels) > SG_REVIEW_LABELS_MAX)
        return sg_error_set(SG_ELIMIT,
                            "request.object.metadata.labels: more than %u",
                            SG_REVIEW_LABELS_MAX);
    r->label_keys = calloc(json_object_size(labels) + 1, sizeof(char *));
    r->label_values = calloc(json_object_size(labels) + 1, sizeof(char *));
    if (!r->label_keys || !r->label_values)
        return oom();
    json_object_foreach((json_t *)(uintptr_t)labels, key, v)
    {
        if (!json_is_string(v))
            return sg_error_set(SG_EPARSE,
                                "request.object.metadata.labels: values must "
                                "be strings");
        r->label_keys[r->n_labels] = dupn(key, strlen(key));
        r->label_values[r->n_labels] =
            dupn(json_string_value(v), json_string_length(v));
        if (!r->label_keys[r->n_labels] || !r->label_values[r->n_labels]) {
            r->n_labels++;
            return oom();
        }
        r->n_labels++;
    }
    return SG_OK;
}

/* metadata.name, or metadata.generateName, of obj (type-checked). */
static sg_err get_meta_name(char **out, const json_t *obj)
{
    const json_t *meta = NULL;
    sg_err rc = get_obj(&meta, obj, "metadata", "request.object");

    *out = NULL;
    if (rc)
        return rc;
    if (!meta)
        return SG_OK;
    rc = get_str(out, meta, "name", 0, "request.object.metadata");
    if (rc || **out)
        return rc;
    free(*out);
    return get_str(out, meta, "generateName", 0, "request.object.metadata");
}

/* Deny the whole review (r->refuse) and check nothing: the lists of
 * images found so far are dropped. */
static sg_err refuse(struct sg_review *r, const char *what, unsigned n)
{
    char msg[160];
    size_t i;

    snprintf(msg, sizeof(msg), "too many images: %s %u", what, n);
    for (i = 0; i < r->n_images; i++)
        free(r->images[i]);
    r->n_images = 0;
    for (i = 0; i < r->n_uses; i++)
        free(r->uses[i].path);
    r->n_uses = 0;
    r->refuse = strdup(msg);
    return r->refuse ? SG_OK : oom();
}

static sg_err
find_images(struct sg_review *r, const json_t *obj, const json_t *old)
{
    const char *const *path = pod_spec_path(r->group, r->kind);
    struct found_list now = { 0 }, before = { 0 };
    const char **old_sorted = NULL;
    size_t i, j;
    sg_err rc = SG_OK;

    if (!path) {
        r->skip = 1; /* not a workload with a pod spec */
        return SG_OK;
    }
    rc = collect_images(&now, obj, path, "request.object");
    if (rc)
        goto done;
    if (now.too_many) {
        rc = refuse(r, "request.object has more containers than",
                    SG_REVIEW_CONTAINERS_MAX);
        goto done;
    }
    if (old) {
        rc = collect_images(&before, old, path, "request.oldObject");
        if (rc)
            goto done;
        if (before.too_many) {
            rc = refuse(r, "request.oldObject has more containers than",
                        SG_REVIEW_CONTAINERS_MAX);
            goto done;
        }
        old_sorted = calloc(before.n + 1, sizeof(*old_sorted));
        if (!old_sorted) {
            rc = oom();
            goto done;
        }
        for (i = 0; i < before.n; i++)
            old_sorted[i] = before.v[i].image;
        qsort(old_sorted, before.n, sizeof(*old_sorted), cmp_str);
    }
    r->uses = calloc(now.n + 1, sizeof(*r->uses));
    r->images = calloc(SG_REVIEW_IMAGES_MAX, sizeof(char *));
    if (!r->uses || !r->images) {
        rc = oom();
        goto done;
    }
    for (i = 0; i < now.n; i++) {
        const char *img = now.v[i].image;
        if (old_sorted &&
            bsearch(&img, old_sorted, before.n, sizeof(*old_sorted), cmp_str)) {
            r->n_unchanged++;
            continue;
        }
        for (j = 0; j < r->n_images; j++)
            if (!strcmp(r->images[j], img))
                break;
        if (j == r->n_images) {
            if (r->n_images == SG_REVIEW_IMAGES_MAX) {
                rc = refuse(r, "request.object has more distinct images than",
                            SG_REVIEW_IMAGES_MAX);
                goto done;
            }
            r->images[j] = dupn(img, strlen(img));
            if (!r->images[j]) {
                rc = oom();
                goto done;
            }
            r->n_images++;
        }
        r->uses[r->n_uses].path = now.v[i].path;
        now.v[i].path = NULL;
        r->uses[r->n_uses].image = j;
        r->n_uses++;
    }
done:
    free(old_sorted);
    found_list_release(&now);
    found_list_release(&before);
    return rc;
}

sg_err
sg_server__review_parse(struct sg_review **out, const void *body, size_t len)
{
    json_t *root = NULL;
    const json_t *req = NULL, *kind = NULL, *res = NULL, *obj = NULL,
                 *old = NULL, *v;
    struct sg_review *r = NULL;
    char *s = NULL;
    sg_err rc;

    *out = NULL;
    if (len > SG_REVIEW_BODY_MAX)
        return sg_error_set(SG_ELIMIT,
                            "body of %zu bytes is over the limit "
                            "of %u bytes",
                            len, SG_REVIEW_BODY_MAX);
    rc = sg_json_parse(&root, body, len, SG_REVIEW_BODY_MAX,
                       SG_REVIEW_JSON_DEPTH, "AdmissionReview");
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        rc = sg_error_set(SG_EPARSE, "AdmissionReview: expected an object");
        goto done;
    }
    r = calloc(1, sizeof(*r));
    if (!r) {
        rc = oom();
        goto done;
    }
    rc = get_str(&s, root, "apiVersion", 1, "AdmissionReview");
    if (!rc && strcmp(s, API_VERSION))
        rc = sg_error_set(SG_EPARSE,
                          "AdmissionReview: apiVersion must be " API_VERSION);
    free(s);
    s = NULL;
    if (rc)
        goto done;
    rc = get_str(&s, root, "kind", 1, "AdmissionReview");
    if (!rc && strcmp(s, REVIEW_KIND))
        rc = sg_error_set(SG_EPARSE,
                          "AdmissionReview: kind must be " REVIEW_KIND);
    free(s);
    s = NULL;
    if (rc)
        goto done;
    rc = get_obj(&req, root, "request", "AdmissionReview");
    if (!rc && !req)
        rc = sg_error_set(SG_EPARSE, "AdmissionReview.request is missing");
    if (rc)
        goto done;

    v = json_object_get(req, "uid");
    if (!v || json_is_null(v)) {
        rc = sg_error_set(SG_EPARSE, "request.uid is missing");
        goto done;
    }
    if (!json_is_string(v) || !json_string_length(v) ||
        json_string_length(v) > SG_REVIEW_UID_LEN_MAX ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        rc = sg_error_set(SG_EPARSE,
                          "request.uid: expected a non-empty string of at "
                          "most %u bytes",
                          SG_REVIEW_UID_LEN_MAX);
        goto done;
    }
    r->uid = dupn(json_string_value(v), json_string_length(v));
    if (!r->uid) {
        rc = oom();
        goto done;
    }

    rc = get_obj(&kind, req, "kind", "request");
    if (!rc && !kind)
        rc = sg_error_set(SG_EPARSE, "request.kind is missing");
    if (!rc)
        rc = get_str(&r->group, kind, "group", 0, "request.kind");
    if (!rc)
        rc = get_str(&r->version, kind, "version", 0, "request.kind");
    if (!rc)
        rc = get_str(&r->kind, kind, "kind", 1, "request.kind");
    if (!rc)
        rc = get_obj(&res, req, "resource", "request");
    if (rc)
        goto done;
    if (res) {
        rc = get_str(&r->res_group, res, "group", 0, "request.resource");
        if (!rc)
            rc =
                get_str(&r->res_version, res, "version", 0, "request.resource");
        if (!rc)
            rc = get_str(&r->resource, res, "resource", 0, "request.resource");
    } else {
        r->res_group = dupn("", 0);
        r->res_version = dupn("", 0);
        r->resource = dupn("", 0);
        if (!r->res_group || !r->res_version || !r->resource)
            rc = oom();
    }
    if (!rc)
        rc = get_str(&r->subresource, req, "subResource", 0, "request");
    if (!rc)
        rc = get_str(&r->namespace, req, "namespace", 0, "request");
    if (!rc)
        rc = get_str(&r->name, req, "name", 0, "request");
    if (!rc)
        rc = get_str(&r->operation, req, "operation", 1, "request");
    if (rc)
        goto done;
    v = json_object_get(req, "dryRun");
    if (v && !json_is_null(v)) {
        if (!json_is_boolean(v)) {
            rc = sg_error_set(SG_EPARSE, "request.dryRun: expected a boolean");
            goto done;
        }
        r->dry_run = json_is_true(v);
    }

    if (!strcmp(r->operation, "DELETE") || !strcmp(r->operation, "CONNECT")) {
        r->skip = 1;
        goto ok;
    }
    if (strcmp(r->operation, "CREATE") && strcmp(r->operation, "UPDATE")) {
        rc = sg_error_set(SG_EPARSE,
                          "request.operation: expected CREATE, UPDATE, "
                          "DELETE or CONNECT");
        goto done;
    }
    rc = get_obj(&obj, req, "object", "request");
    if (!rc && !obj)
        rc = sg_error_set(SG_EPARSE, "request.object is missing");
    if (!rc && !strcmp(r->operation, "UPDATE"))
        rc = get_obj(&old, req, "oldObject", "request");
    if (rc)
        goto done;
    if (!*r->name) {
        free(r->name);
        rc = get_meta_name(&r->name, obj);
        if (rc)
            goto done;
    }
    rc = get_labels(r, obj);
    if (!rc)
        rc = find_images(r, obj, old);
    if (rc)
        goto done;
ok:
    *out = r;
    r = NULL;
done:
    sg_server__review_free(r);
    json_decref(root);
    return rc;
}

void sg_server__review_free(struct sg_review *r)
{
    size_t i;

    if (!r)
        return;
    free(r->uid);
    free(r->operation);
    free(r->group);
    free(r->version);
    free(r->kind);
    free(r->resource);
    free(r->subresource);
    free(r->res_group);
    free(r->res_version);
    free(r->namespace);
    free(r->name);
    for (i = 0; i < r->n_labels; i++) {
        free(r->label_keys[i]);
        free(r->label_values[i]);
    }
    free(r->label_keys);
    free(r->label_values);
    for (i = 0; i < r->n_images; i++)
        free(r->images[i]);
    free(r->images);
    for (i = 0; i < r->n_uses; i++)
        free(r->uses[i].path);
    free(r->uses);
    free(r->refuse);
    free(r);
}

void sg_server__outcome_release(struct sg_review_outcome *oc)
{
    if (!oc)
        return;
    free(oc->reason);
    memset(oc, 0, sizeof(*oc));
}

/* Append "IMAGE: REASON" to a "; "-separated list capped at `cap` bytes,
 * cut at a UTF-8 boundary so that the JSON string stays valid. */
static sg_err
add_reason(struct sg_buf *b, const char *image, const char *reason, size_t cap)
{
    struct sg_buf one = SG_BUF_INIT(SG_BUF_NOLIMIT);
    size_t room, n;
    sg_err rc;

    rc = sg_buf_addf(&one, "%s%s: %s", b->len ? "; " : "", image,
                     reason && *reason ? reason : "denied");
    if (rc)
        return rc;
    room = b->len < cap ? cap - b->len : 0;
    n = one.len;
    if (n > room) {
        n = room > 3 ? room - 3 : 0;
        while (n && ((unsigned char)one.data[n] & 0xC0) == 0x80)
            n--;
    }
    rc = sg_buf_add(b, one.data, n);
    if (!rc && n < one.len && room >= 3)
        rc = sg_buf_adds(b, "...");
    sg_buf_release(&one);
    return rc;
}

sg_err sg_server__review_patch(struct sg_buf *out,
                               size_t *n_ops,
                               const struct sg_review *r,
                               const struct sg_admit_result *results)
{
    json_t *ops = json_array();
    size_t i;
    sg_err rc = SG_OK;

    *n_ops = 0;
    if (!ops)
        return oom();
    for (i = 0; results && i < r->n_uses; i++) {
        const struct sg_review_use *u = &r->uses[i];
        const struct sg_admit_result *res = &results[u->image];
        const char *img = r->images[u->image];
        char *pinned = NULL;
        size_t len;
        json_t *op;
        if (res->verdict != SG_ADMIT_ALLOW || !res->digest ||
            !sg_digest_valid(res->digest) || strchr(img, '@'))
            continue; /* not verified, or already pinned */
        len = strlen(img) + 1 + strlen(res->digest) + 1;
        pinned = malloc(len);
        if (!pinned) {
            rc = oom();
            goto done;
        }
        snprintf(pinned, len, "%s@%s", img, res->digest);
        op = json_pack("{s:s, s:s, s:s}", "op", "replace", "path", u->path,
                       "value", pinned);
        free(pinned);
        if (!op || json_array_append_new(ops, op)) {
            rc = oom();
            goto done;
        }
        (*n_ops)++;
    }
    rc = sg_json_dump_buf(out, ops, JSON_COMPACT);
done:
    json_decref(ops);
    return rc;
}

sg_err sg_server__review_respond(struct sg_buf *out,
                                 struct sg_review_outcome *oc,
                                 const struct sg_review *r,
                                 const struct sg_admit_result *results,
                                 int mutate)
{
    struct sg_buf denied = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf warned = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf patch = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf b64 = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *doc = NULL, *resp = NULL, *warnings = NULL;
    size_t i, n_ops = 0;
    sg_err rc = SG_OK;

    memset(oc, 0, sizeof(*oc));
    warnings = json_array();
    if (!warnings) {
        rc = oom();
        goto done;
    }
    for (i = 0; !r->skip && results && i < r->n_images; i++) {
        const struct sg_admit_result *res = &results[i];
        if (res->verdict == SG_ADMIT_DENY) {
            rc = add_reason(&denied, r->images[i], res->reason,
                            SG_REVIEW_MESSAGE_MAX);
        } else if (res->verdict == SG_ADMIT_WARN) {
            struct sg_buf w = SG_BUF_INIT(SG_BUF_NOLIMIT);
            rc = add_reason(&w, r->images[i], res->reason,
                            SG_REVIEW_WARNING_MAX);
            if (!rc)
                rc = add_reason(&warned, r->images[i], res->reason,
                                SG_REVIEW_MESSAGE_MAX);
            if (!rc) {
                json_t *js = json_stringn(w.data, w.len);
                if (!js || json_array_append_new(warnings, js))
                    rc = oom();
            }
            sg_buf_release(&w);
        }
        if (rc)
            goto done;
    }
    if (r->refuse && (rc = sg_buf_adds(&denied, r->refuse)))
        goto done;
    if (!r->skip && !results && r->n_images) {
        rc = sg_error_set(SG_EINVAL, "review_respond: no results");
        goto done;
    }
    resp = json_pack("{s:s, s:b}", "uid", r->uid, "allowed", denied.len == 0);
    if (!resp) {
        rc = oom();
        goto done;
    }
    if (denied.len) {
        json_t *st = json_pack("{s:i, s:s%, s:s}", "code", 403, "message",
                               denied.data, denied.len, "reason", "Forbidden");
        if (!st || json_object_set_new(resp, "status", st)) {
            rc = oom();
            goto done;
        }
        oc->verdict = SG_REVIEW_DENIED;
        oc->reason = strdup(denied.data);
    } else if (json_array_size(warnings)) {
        oc->verdict = SG_REVIEW_WARNED;
        oc->reason = strdup(warned.data);
    } else {
        oc->verdict = SG_REVIEW_ALLOWED;
        oc->reason = strdup(r->skip ? (r->n_images ? "" : "no checks") : "");
    }
    if (!oc->reason) {
        rc = oom();
        goto done;
    }
    if (json_array_size(warnings) &&
        json_object_set(resp, "warnings", warnings)) {
        rc = oom();
        goto done;
    }
    if (mutate && !denied.len && !r->skip) {
        rc = sg_server__review_patch(&patch, &n_ops, r, results);
        if (rc)
            goto done;
        if (n_ops) {
            json_t *p;
            rc = sg_base64_encode(&b64, patch.data, patch.len);
            if (rc)
                goto done;
            p = json_stringn(b64.data, b64.len);
            if (!p || json_object_set_new(resp, "patch", p) ||
                json_object_set_new(resp, "patchType",
                                    json_string("JSONPatch"))) {
                rc = oom();
                goto done;
            }
            oc->n_patched = n_ops;
        }
    }
    doc = json_pack("{s:s, s:s, s:O}", "apiVersion", API_VERSION, "kind",
                    REVIEW_KIND, "response", resp);
    if (!doc) {
        rc = oom();
        goto done;
    }
    rc = sg_json_dump_buf(out, doc, JSON_COMPACT);
done:
    if (rc)
        sg_server__outcome_release(oc);
    json_decref(doc);
    json_decref(resp);
    json_decref(warnings);
    sg_buf_release(&denied);
    sg_buf_release(&warned);
    sg_buf_release(&patch);
    sg_buf_release(&b64);
    return rc;
}

int64_t sg_server__timeout_ms(const char *query)
{
    const char *p = query;
    int64_t v = 0;
    int nd = 0;

    /* find "timeout=" at the start or after '&' */
    while (p && *p) {
        if (!strncmp(p, "timeout=", 8)) {
            p += 8;
            break;
        }
        p = strchr(p, '&');
        if (p)
            p++;
    }
    if (!p || !*p)
        return -1;
    while (*p >= '0' && *p <= '9' && nd < 9) {
        v = v * 10 + (*p++ - '0');
        nd++;
    }
    if (!nd)
        return -1;
    if (*p == 's') {
        p++;
    } else if (*p == 'm' && p[1] != 's') {
        p++;
        v *= 60;
    }
    if (*p && *p != '&')
        return -1;
    return v * 1000;
}
