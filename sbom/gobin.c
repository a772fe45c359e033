/* STUB: Go binary build-info finder (to be implemented). */
#include "sbom_int.h"

#include <stdlib.h>

struct sg_gobin {
    int unused;
};

sg_err sg_sbom__gobin_begin(struct sg_gobin **out, const char *path,
                            uint64_t size)
{
    (void)path;
    (void)size;
    *out = calloc(1, sizeof(**out));
    return *out ? SG_OK : sg_error_oom();
}

sg_err sg_sbom__gobin_feed(struct sg_gobin *g, const void *p, size_t len)
{
    (void)g;
    (void)p;
    (void)len;
    return SG_OK;
}

sg_err sg_sbom__gobin_end(struct sg_gobin *g, struct sg_sbom *s,
                          const char *layer)
{
    (void)g;
    (void)s;
    (void)layer;
    return SG_OK;
}

void sg_sbom__gobin_free(struct sg_gobin *g)
{
    free(g);
}
