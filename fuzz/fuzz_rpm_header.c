/* libFuzzer harness: one rpm header blob (rpmhdr.c). Whatever parses
 * must yield a package whose strings are usable, and whose purl and CPE
 * can be built. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_pkg p;
    struct sg_buf b = SG_BUF_INIT(1u << 20);
    int skipped = 0;
    size_t n = 0;

    if (sg_sbom__rpm_header_parse(&p, &skipped, data, size) == SG_OK &&
        !skipped) {
        if (!p.name || !p.version || p.type != SG_PKG_RPM)
            abort();
        n += strlen(p.name) + strlen(p.version);
        for (size_t i = 0; i < p.n_depends; i++)
            n += strlen(p.depends[i]);
        for (size_t i = 0; i < p.n_provides; i++)
            n += strlen(p.provides[i]);
        if (sg_sbom_purl(&b, &p, NULL) == SG_OK &&
            strncmp(b.data, "pkg:rpm/", 8) != 0)
            abort();
        sg_buf_reset(&b);
        if (sg_sbom_cpe(&b, &p, NULL) != SG_OK)
            sg_error_clear();
        sg_pkg_release(&p);
    }
    (void)n;
    sg_buf_release(&b);
    sg_error_clear();
    return 0;
}
