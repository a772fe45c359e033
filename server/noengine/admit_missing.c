/*
 * Stand-in for the policy engine (server/policy*.c, server/cache.c) while
 * it is not in the tree: every entry point of server/admit.h exists and
 * creating an engine fails with a clear message, so `sigil serve` builds
 * and says why it cannot serve. Built only when no server/policy*.c exists.
 */
#include <stdlib.h>
#include <string.h>

#include "admit.h"

#define MISSING "sigil was built without the admission policy engine"

sg_err sg_admit_policies_load(struct sg_admit_policies **out,
                              const char *path,
                              uint64_t generation,
                              const struct sg_ctx *ctx)
{
    (void)path;
    (void)generation;
    (void)ctx;
    *out = NULL;
    return sg_error_set(SG_EUNSUPPORTED, MISSING);
}

struct sg_admit_policies *sg_admit_policies_ref(struct sg_admit_policies *p)
{
    return p;
}

void sg_admit_policies_unref(struct sg_admit_policies *p)
{
    (void)p;
}

size_t sg_admit_policies_count(const struct sg_admit_policies *p)
{
    (void)p;
    return 0;
}

uint64_t sg_admit_policies_generation(const struct sg_admit_policies *p)
{
    (void)p;
    return 0;
}

sg_err sg_admit_engine_create(struct sg_admit_engine **out,
                              const struct sg_admit_engine_opts *o)
{
    (void)o;
    *out = NULL;
    return sg_error_set(SG_EUNSUPPORTED, MISSING);
}

void sg_admit_engine_free(struct sg_admit_engine *e)
{
    (void)e;
}

void sg_admit_engine_set_policies(struct sg_admit_engine *e,
                                  struct sg_admit_policies *p)
{
    (void)e;
    (void)p;
}

void sg_admit_result_release(struct sg_admit_result *r)
{
    if (!r)
        return;
    free(r->reason);
    free(r->digest);
    free(r->normalized);
    memset(r, 0, sizeof(*r));
}

sg_err sg_admit_image(struct sg_admit_result *out,
                      struct sg_admit_engine *e,
                      const char *image,
                      const struct sg_admit_object *obj,
                      int64_t deadline_ms)
{
    (void)e;
    (void)image;
    (void)obj;
    (void)deadline_ms;
    memset(out, 0, sizeof(*out));
    return sg_error_set(SG_EUNSUPPORTED, MISSING);
}

void sg_admit_engine_stats(const struct sg_admit_engine *e,
                           struct sg_admit_stats *out)
{
    (void)e;
    memset(out, 0, sizeof(*out));
}
