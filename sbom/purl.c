/* STUB: purl and CPE builders (to be implemented). */
#include "sbom_int.h"

sg_err sg_sbom_purl(struct sg_buf *out, const struct sg_pkg *p,
                    const struct sg_distro *d)
{
    (void)d;
    return sg_buf_addf(out, "pkg:generic/%s@%s", p->name ? p->name : "",
                       p->version ? p->version : "");
}

sg_err sg_sbom_cpe(struct sg_buf *out, const struct sg_pkg *p,
                   const struct sg_distro *d)
{
    (void)d;
    return sg_buf_addf(out, "cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*",
                       p->name ? p->name : "*", p->name ? p->name : "*",
                       p->version ? p->version : "*");
}
