/*
 * dir: stores: a root filesystem on disk. It has no manifest and no
 * blobs; the sbom scanner walks it directly (sg_oci_store_dir_path).
 */
#include "oci_int.h"

#include <errno.h>
#include <sys/stat.h>

static const struct sg_oci_store_ops rootdir_ops = {
    .name = "dir",
};

sg_err sg_oci__rootdir_open(struct sg_oci_store *s)
{
    struct stat sb;

    if (stat(s->path, &sb) != 0)
        return sg_error_errno(s->path, errno);
    if (!S_ISDIR(sb.st_mode))
        return sg_error_set(SG_EINVAL, "%s: not a directory", s->path);
    s->ops = &rootdir_ops;
    return SG_OK;
}
