/*
 * Referrers (dist-spec end-12) over any store: the backend's own
 * referrers query when it has one, otherwise the tag schema fallback, an
 * image index tagged "<alg>-<hex>" listing the referrers of that digest
 * (dist-spec "Referrers Tag Schema"). The fallback index is untrusted
 * (parsed with limits) and maintained read-modify-write.
 */
#include "oci_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* "sha256:abc" → "sha256-abc" (truncated to 128 tag characters). */
static sg_err fallback_tag(char *out, size_t cap, const char *digest)
{
    const char *colon = strchr(digest, ':');

    if (!sg_digest_valid(digest) || !colon)
        return sg_error_set(SG_EINVAL, "referrers: not a digest: %.80s",
                            digest);
    snprintf(out, cap, "%.*s-%.64s", (int)(colon - digest), digest, colon + 1);
    return SG_OK;
}

static json_t *desc_json(const struct sg_oci_descriptor *d)
{
    json_t *j = json_pack("{s:s, s:s, s:I}", "mediaType", d->media_type,
                          "digest", d->digest, "size", (json_int_t)d->size);

    if (!j)
        return NULL;
    if (d->artifact_type &&
        json_object_set_new(j, "artifactType", json_string(d->artifact_type)))
        goto oom;
    if (d->n_annotations) {
        json_t *a = json_object();
        if (!a || json_object_set_new(j, "annotations", a))
            goto oom;
        for (size_t i = 0; i < d->n_annotations; i++)
            if (json_object_set_new(a, d->annotations[i].key,
                                    json_string(d->annotations[i].value)))
                goto oom;
    }
    return j;
oom:
    json_decref(j);
    return NULL;
}

static json_t *empty_index(void)
{
    return json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType",
                     SG_MT_OCI_INDEX, "manifests");
}

/* Fallback index as JSON (empty when the tag does not exist). With
 * `lenient` (reading), a tag that holds something other than an index
 * (anyone who can push may put an image there) is ignored with a warning
 * and read as no referrers, so that it cannot make a verification fail;
 * when adding a referrer it stays an error (we would overwrite it). */
static sg_err load_fallback(json_t **out,
                            struct sg_oci_store *s,
                            const char *tag,
                            int lenient)
{
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_oci_manifest *m = NULL;
    json_t *root = NULL;
    sg_err rc;

    *out = NULL;
    rc = sg_oci_store_get_manifest(s, tag, &body, NULL, NULL);
    if (rc == SG_ENOTFOUND) {
        sg_error_clear();
        root = empty_index();
        rc = root ? SG_OK : sg_error_oom();
        goto done;
    }
    if (rc)
        goto done;
    /* validate with the real parser, then keep the JSON for editing */
    rc = sg_oci_manifest_parse(&m, body.data, body.len, SG_MT_OCI_INDEX,
                               &s->ctx);
    if (!rc && !m->is_index) {
        if (lenient) {
            sg_warn(&s->ctx,
                    "referrers tag %s holds a manifest, not an index: "
                    "ignored",
                    tag);
            root = empty_index();
            rc = root ? SG_OK : sg_error_oom();
            goto done;
        }
        rc = sg_error_set(SG_EPARSE, "referrers tag %s is not an index", tag);
    }
    if (!rc)
        rc = sg_json_parse(&root, body.data, body.len, 0, 0, "referrers");
done:
    if (!rc) {
        *out = root;
        root = NULL;
    }
    json_decref(root);
    sg_oci_manifest_free(m);
    sg_buf_release(&body);
    return rc;
}

sg_err sg_oci_store_referrers(struct sg_oci_store *s,
                              const char *digest,
                              const char *artifact_type,
                              struct sg_buf *index_json)
{
    char tag[160];
    json_t *root = NULL, *arr;
    int supported = 0;
    size_t i;
    sg_err rc;

    if (!sg_digest_valid(digest))
        return sg_error_set(SG_EINVAL, "referrers: not a digest: %.80s",
                            digest);
    if (s->ops->referrers) {
        rc =
            s->ops->referrers(s, digest, artifact_type, index_json, &supported);
        if (rc || supported)
            return rc;
        sg_buf_reset(index_json);
    }
    if (!s->ops->get_manifest)
        return sg_error_set(SG_EUNSUPPORTED,
                            "referrers: not supported by %s stores",
                            s->ops->name);
    rc = fallback_tag(tag, sizeof(tag), digest);
    if (!rc)
        rc = load_fallback(&root, s, tag, 1);
    if (rc)
        goto done;
    arr = json_object_get(root, "manifests");
    if (artifact_type) {
        for (i = json_array_size(arr); i-- > 0;) {
            const char *at = json_string_value(
                json_object_get(json_array_get(arr, i), "artifactType"));
            if (!at || strcmp(at, artifact_type) != 0)
                json_array_remove(arr, i);
        }
    }
    rc = sg_json_dump_buf(index_json, root, 0);
done:
    json_decref(root);
    return rc;
}

sg_err sg_oci_store_add_referrer(struct sg_oci_store *s,
                                 const char *subject_digest,
                                 const struct sg_oci_descriptor *d)
{
    struct sg_buf probe = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char tag[160];
    json_t *root = NULL, *arr, *nd = NULL;
    int supported = 0;
    size_t i;
    sg_err rc;

    if (!sg_digest_valid(subject_digest) || !sg_digest_valid(d->digest))
        return sg_error_set(SG_EINVAL, "add referrer: not a digest");
    if (s->ops->referrers) {
        rc = s->ops->referrers(s, subject_digest, NULL, &probe, &supported);
        sg_buf_release(&probe);
        if (rc)
            return rc;
        if (supported)
            return SG_OK; /* the store indexes subjects itself */
    }
    rc = fallback_tag(tag, sizeof(tag), subject_digest);
    if (!rc)
        rc = load_fallback(&root, s, tag, 0);
    if (rc)
        goto done;
    arr = json_object_get(root, "manifests");
    for (i = json_array_size(arr); i-- > 0;) {
        const char *dg = json_string_value(
            json_object_get(json_array_get(arr, i), "digest"));
        if (dg && strcmp(dg, d->digest) == 0)
            json_array_remove(arr, i);
    }
    if (json_array_size(arr) >= s->ctx.limits.descriptors_max) {
        rc = sg_error_set(SG_ELIMIT, "referrers index %s is full (%zu)", tag,
                          json_array_size(arr));
        goto done;
    }
    nd = desc_json(d);
    if (!nd || json_array_append(arr, nd)) {
        rc = sg_error_oom();
        goto done;
    }
    rc = sg_json_dump_buf(&out, root, 0);
    if (!rc)
        rc = sg_oci_store_put_manifest(s, tag, SG_MT_OCI_INDEX, out.data,
                                       out.len, NULL);
done:
    json_decref(nd);
    json_decref(root);
    sg_buf_release(&out);
    return rc;
}
