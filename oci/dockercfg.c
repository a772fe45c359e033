/* STUB: docker config.json parsing (to be implemented). */
#include "oci_int.h"

#include <string.h>

sg_err sg_oci_docker_config_lookup(struct sg_oci_credentials *out,
                                   char **helper_out, const void *data,
                                   size_t len, const char *host)
{
    (void)data;
    (void)len;
    (void)host;
    memset(out, 0, sizeof(*out));
    *helper_out = NULL;
    return SG_OK;
}

sg_err sg_oci_cred_helper_parse(struct sg_oci_credentials *out,
                                const void *data, size_t len)
{
    (void)data;
    (void)len;
    memset(out, 0, sizeof(*out));
    return SG_OK;
}
