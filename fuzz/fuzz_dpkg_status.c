/* libFuzzer harness: dpkg status parser (both modes) and the DEP-5
 * copyright licence mapper on the same bytes. */
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
    char *lic = NULL;

    sg_ctx_init(&ctx);
    ctx.log = quiet; /* still formats every message */
    if (sg_sbom_create(&s) != SG_OK)
        return 0;
    if (sg_sbom__dpkg_parse(s, data, size, 1, "status", "l", &ctx) == SG_OK &&
        sg_sbom__dpkg_parse(s, data, size, 0, "status.d/x", NULL, &ctx) ==
            SG_OK) {
        for (size_t i = 0; i < s->n_pkgs; i++) {
            const struct sg_pkg *p = &s->pkgs[i];
            size_t n = strlen(p->name) + strlen(p->version);
            for (size_t d = 0; d < p->n_depends; d++)
                n += strlen(p->depends[d]);
            if (!p->name[0])
                abort(); /* names are never empty */
            (void)n;
        }
    }
    if (sg_sbom__dpkg_copyright_license(&lic, data, size) == SG_OK && lic &&
        !lic[0])
        abort();
    free(lic);
    sg_sbom_free(s);
    sg_error_clear();
    return 0;
}
