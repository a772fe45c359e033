/* libFuzzer harness: one layer blob (gzip/zstd/tar by magic) through the
 * decompressor, libarchive, path normalisation, whiteouts and claims,
 * then the squash and catalogers on the result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(enum sg_log_level l, const char *m, void *p)
{
    (void)l;
    (void)m;
    (void)p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_ctx ctx;
    struct sg_layer_view v;
    struct sg_sbom *s = NULL;
    static char l0[] = "sha256:l0";
    char *diff_ids[] = { l0 };

    sg_ctx_init(&ctx);
    ctx.log = quiet; /* still formats every message */
    ctx.limits.file_keep_max = 1u << 20;
    ctx.limits.layer_bytes_max = 64u << 20;
    memset(&v, 0, sizeof(v));
    v.ctx = &ctx;
    if (sg_sbom__read_layer_mem(&v, data, size) == SG_OK &&
        sg_sbom_create(&s) == SG_OK) {
        for (size_t i = 0; i < v.n_kept; i++)
            if (!v.kept[i].path[0] || v.kept[i].path[0] == '/' ||
                strstr(v.kept[i].path, "//"))
                abort(); /* paths are normalised */
        if (sg_sbom__squash_catalog(s, &v, 1, diff_ids, SG_SBOM_ALL_LAYERS,
                                    &ctx) == SG_OK &&
            sg_sbom_finish(s) == SG_OK && s->n_pkgs && !s->pkgs[0].name)
            abort(); /* finished packages have names */
    }
    sg_layer_view_release(&v);
    sg_sbom_free(s);
    sg_error_clear();
    return 0;
}
