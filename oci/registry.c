/* STUB: registry client (to be implemented). */
#include "oci_int.h"

#include <string.h>

sg_err sg_oci__registry_open(struct sg_oci_store *s,
                             const struct sg_oci_registry_opts *opts)
{
    (void)s;
    (void)opts;
    return sg_error_set(SG_EUNSUPPORTED, "registry client not implemented");
}

sg_err sg_oci_global_init(void)
{
    return SG_OK;
}

void sg_oci_global_cleanup(void)
{
}

sg_err sg_oci__registry_mount(struct sg_oci_store *s, const char *digest,
                              const char *from_repo, int *mounted)
{
    (void)s;
    (void)digest;
    (void)from_repo;
    *mounted = 0;
    return SG_OK;
}
