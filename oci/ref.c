/* STUB: image reference parsing (to be implemented). */
#include "oci_int.h"

#include <stdlib.h>
#include <string.h>

sg_err sg_oci_ref_parse(struct sg_oci_ref *out, const char *s)
{
    memset(out, 0, sizeof(*out));
    return sg_error_set(SG_EUNSUPPORTED, "%s: references not implemented", s);
}

void sg_oci_ref_release(struct sg_oci_ref *r)
{
    free(r->registry);
    free(r->repository);
    free(r->tag);
    free(r->digest);
    memset(r, 0, sizeof(*r));
}
