/* libFuzzer harness: os-release and point-release parsing. */
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
    struct sg_sbom *s = NULL;

    sg_ctx_init(&ctx);
    ctx.log = quiet; /* still formats every message */
    if (sg_sbom_create(&s) != SG_OK)
        return 0;
    if (sg_sbom__os_release_parse(&s->distro, data, size, &ctx) == SG_OK &&
        sg_sbom__distro_point_release(&s->distro, data, size) == SG_OK) {
        if (s->distro.id)
            for (const char *c = s->distro.id; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    abort(); /* ID is lower-cased */
    }
    sg_sbom_free(s);
    sg_error_clear();
    return 0;
}
