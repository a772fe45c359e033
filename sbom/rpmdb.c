/* STUB: rpm databases (to be implemented). */
#include "sbom_int.h"

sg_err sg_sbom__rpmdb_parse(struct sg_sbom *s, enum sg_rpmdb_kind kind,
                            const void *data, size_t len,
                            const char *db_path, const char *layer)
{
    (void)s;
    (void)kind;
    (void)data;
    (void)len;
    (void)layer;
    sg_warn("%s: rpm databases not supported yet", db_path);
    return SG_OK;
}
