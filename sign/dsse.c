/*
 * DSSE pre-authentication encoding (PAE), the exact bytes a DSSE
 * signature covers: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body,
 * lengths as ASCII decimal byte counts.
 */
#include "sigil/sign.h"

sg_err sg_sign_dsse_pae(struct sg_buf *out, const char *type,
                        const void *body, size_t len)
{
    size_t tlen = 0;
    sg_err rc;

    while (type[tlen])
        tlen++;
    rc = sg_buf_addf(out, "DSSEv1 %zu %s %zu ", tlen, type, len);
    if (!rc)
        rc = sg_buf_add(out, body, len);
    return rc;
}
