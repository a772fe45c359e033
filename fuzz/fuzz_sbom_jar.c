/* libFuzzer harness: one Java archive held in memory (sbom/java.c) —
 * libarchive's seekable zip reader over a hostile central directory,
 * nested archives, pom.properties and MANIFEST.MF — with small limits so
 * that the budgets are reached; then the manifest and properties parsers
 * on the raw input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

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
    struct sg_sbom *s = NULL;
    char *v = NULL;

    if (size > (4u << 20))
        return 0;
    sg_ctx_init(&ctx);
    ctx.log = quiet; /* still formats every message */
    ctx.limits.archive_max = 1u << 20;
    ctx.limits.pkg_meta_max = 64u << 10;
    ctx.limits.zip_entries_max = 4096;
    if (sg_sbom_create(&s) == SG_OK) {
        if (sg_sbom__java_parse(s, data, size, "app/fuzz-1.0.jar", "l0",
                                &ctx) == SG_OK) {
            for (size_t i = 0; i < s->n_pkgs; i++) {
                const struct sg_pkg *p = &s->pkgs[i];
                /* every package has a name, a parent inside the list
                 * that is not itself, and the file's path */
                if (!p->name || p->parent > s->n_pkgs || p->parent == i + 1 ||
                    strcmp(p->db_path, "app/fuzz-1.0.jar") != 0)
                    abort();
            }
            if (sg_sbom_finish(s) != SG_OK)
                sg_error_clear();
        }
        sg_sbom_free(s);
    }
    if (sg_sbom__java_manifest_get(&v, data, size, "Implementation-Version") ==
        SG_OK)
        free(v);
    if (sg_sbom__java_props_get(&v, data, size, "version") == SG_OK)
        free(v);
    return 0;
}
