/*
 * Resolving a reference to one platform image: manifest or index →
 * platform manifest → config. Every object is fetched through store.c,
 * so its digest is checked against what referenced it.
 */
#include "oci_int.h"

#include <stdlib.h>
#include <string.h>

void sg_oci_image_free(struct sg_oci_image *img)
{
    if (!img)
        return;
    free(img->digest);
    free(img->media_type);
    free(img->manifest_digest);
    sg_oci_manifest_free(img->manifest);
    sg_buf_release(&img->manifest_raw);
    sg_oci_config_free(img->config);
    sg_buf_release(&img->config_raw);
    free(img);
}

sg_err sg_oci_image_resolve(struct sg_oci_image **out,
                            struct sg_oci_store *s,
                            const char *ref,
                            const struct sg_oci_platform *platform)
{
    struct sg_oci_image *img = NULL;
    struct sg_oci_manifest *top = NULL;
    struct sg_oci_platform host;
    const struct sg_oci_descriptor *sel = NULL;
    char *mt = NULL, *child_mt = NULL;
    sg_err rc;

    *out = NULL;
    memset(&host, 0, sizeof(host));
    if (!ref)
        ref = sg_oci_store_default_ref(s);
    img = calloc(1, sizeof(*img));
    if (!img)
        return sg_error_oom();
    sg_buf_init(&img->manifest_raw, SG_BUF_NOLIMIT);
    sg_buf_init(&img->config_raw, SG_BUF_NOLIMIT);

    rc = sg_oci_store_get_manifest(s, ref, &img->manifest_raw, &mt,
                                   &img->digest);
    if (rc)
        goto done;
    rc = sg_oci_manifest_parse(&top, img->manifest_raw.data,
                               img->manifest_raw.len, mt, sg_oci_store_ctx(s));
    if (rc) {
        sg_error_prefix(rc, "%s", img->digest);
        goto done;
    }
    img->media_type = strdup(top->media_type);
    if (!img->media_type) {
        rc = sg_error_oom();
        goto done;
    }
    if (top->is_index) {
        if (!platform) {
            rc = sg_oci_platform_host(&host);
            if (rc)
                goto done;
            platform = &host;
        }
        rc = sg_oci_index_select(&sel, top, platform);
        if (rc)
            goto done;
        img->manifest_digest = strdup(sel->digest);
        if (!img->manifest_digest) {
            rc = sg_error_oom();
            goto done;
        }
        sg_buf_release(&img->manifest_raw);
        rc = sg_oci_store_get_manifest(s, sel->digest, &img->manifest_raw,
                                       &child_mt, NULL);
        if (rc)
            goto done;
        if (img->manifest_raw.len != sel->size) {
            rc = sg_error_set(SG_EDIGEST,
                              "manifest %s: %zu bytes, index says %llu",
                              sel->digest, img->manifest_raw.len,
                              (unsigned long long)sel->size);
            goto done;
        }
        rc = sg_oci_manifest_parse(
            &img->manifest, img->manifest_raw.data, img->manifest_raw.len,
            child_mt ? child_mt : sel->media_type, sg_oci_store_ctx(s));
        if (rc) {
            sg_error_prefix(rc, "%s", sel->digest);
            goto done;
        }
        if (img->manifest->is_index) {
            rc =
                sg_error_set(SG_EUNSUPPORTED,
                             "%s: nested index for this platform", sel->digest);
            goto done;
        }
    } else {
        img->manifest_digest = strdup(img->digest);
        img->manifest = top;
        top = NULL;
        if (!img->manifest_digest) {
            rc = sg_error_oom();
            goto done;
        }
    }
    rc = sg_oci_store_get_blob_buf(s, &img->manifest->config, &img->config_raw,
                                   sg_oci_store_ctx(s)->limits.config_blob_max);
    if (rc)
        goto done;
    rc = sg_oci_config_parse(&img->config, img->config_raw.data,
                             img->config_raw.len, sg_oci_store_ctx(s));
    if (rc) {
        sg_error_prefix(rc, "config %s", img->manifest->config.digest);
        goto done;
    }
    *out = img;
    img = NULL;
done:
    sg_oci_platform_release(&host);
    sg_oci_manifest_free(top);
    sg_oci_image_free(img);
    free(mt);
    free(child_mt);
    return rc;
}
