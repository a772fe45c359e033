/* libFuzzer harness: apk installed database parser. */
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

    sg_ctx_init(&ctx);
    ctx.log = quiet; /* still formats every message */
    if (sg_sbom_create(&s) != SG_OK)
        return 0;
    if (sg_sbom__apk_parse(s, data, size, "installed", "l", &ctx) == SG_OK) {
        for (size_t i = 0; i < s->n_pkgs; i++) {
            const struct sg_pkg *p = &s->pkgs[i];
            if (!p->name || !p->version)
                abort(); /* P: and V: are required */
            for (size_t d = 0; d < p->n_depends; d++)
                (void)strlen(p->depends[d]);
        }
    }
    sg_sbom_free(s);
    sg_error_clear();
    return 0;
}
