/*
 * Per-layer cache (sigil/layercache.h). Placeholder: every lookup misses.
 */
#include <stdlib.h>

#include "sigil/layercache.h"

struct sg_layer_cache {
    int unused;
};

sg_err sg_layer_cache_open(struct sg_layer_cache **out,
                           const struct sg_layer_cache_opts *o)
{
    (void)o;
    *out = calloc(1, sizeof(**out));
    return *out ? SG_OK : sg_error_oom();
}

void sg_layer_cache_free(struct sg_layer_cache *c)
{
    free(c);
}
