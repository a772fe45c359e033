/* libFuzzer harness: manifest/index parser (+ index selection and the
 * config parser over the same bytes), with small limits. */
#include <stdint.h>
#include <string.h>

#include "sigil/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_ctx ctx;
    struct sg_limits *lim = &ctx.limits;
    struct sg_oci_manifest *m = NULL;
    struct sg_oci_config *c = NULL;
    char os[] = "linux", arch[] = "arm64";
    struct sg_oci_platform want = { os, arch, NULL, NULL };
    const struct sg_oci_descriptor *sel = NULL;
    size_t n = 0;

    sg_ctx_init(&ctx);
    lim->manifest_max = 64 * 1024;
    lim->descriptors_max = 64;
    lim->json_depth_max = 16;
    lim->config_blob_max = 64 * 1024;
    if (sg_oci_manifest_parse(&m, data, size, NULL, &ctx) == SG_OK) {
        n += strlen(m->media_type);
        if (!m->is_index)
            n += strlen(m->config.digest) + strlen(m->config.media_type);
        for (size_t i = 0; i < m->n_layers; i++)
            n += strlen(m->layers[i].digest);
        if (m->is_index && sg_oci_index_select(&sel, m, &want) == SG_OK)
            n += strlen(sel->digest);
        if (m->subject)
            n += strlen(m->subject->digest);
    }
    sg_oci_manifest_free(m);
    if (sg_oci_config_parse(&c, data, size, &ctx) == SG_OK)
        n += c->n_diff_ids;
    sg_oci_config_free(c);
    (void)n;
    sg_error_clear();
    return 0;
}
