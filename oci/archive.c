/* STUB: oci-archive / docker-archive stores (to be implemented). */
#include "oci_int.h"

sg_err sg_oci__archive_open(struct sg_oci_store *s)
{
    (void)s;
    return sg_error_set(SG_EUNSUPPORTED, "archives not implemented");
}
