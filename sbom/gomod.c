/* STUB: go.mod parser (to be implemented). */
#include "sbom_int.h"

sg_err sg_sbom__gomod_parse(struct sg_sbom *s, const void *gomod,
                            size_t len, const void *gosum, size_t sum_len,
                            const char *path, const char *layer)
{
    (void)s;
    (void)gomod;
    (void)len;
    (void)gosum;
    (void)sum_len;
    (void)path;
    (void)layer;
    return SG_OK;
}
