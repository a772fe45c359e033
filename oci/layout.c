/* STUB: OCI image layout store (to be implemented). */
#include "oci_int.h"

sg_err sg_oci__layout_open(struct sg_oci_store *s)
{
    (void)s;
    return sg_error_set(SG_EUNSUPPORTED, "oci-dir not implemented");
}
