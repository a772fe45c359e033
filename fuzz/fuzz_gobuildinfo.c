/* libFuzzer harness: the Go module-info text decoder
 * (sg_sbom__gobuildinfo_parse). First line of the input = toolchain
 * version, the rest = modinfo. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_sbom *s = NULL;
    const uint8_t *nl;
    char ver[128];
    size_t vn;

    if (size > (1u << 20))
        return 0;
    nl = memchr(data, '\n', size);
    vn = nl ? (size_t)(nl - data) : 0;
    if (vn >= sizeof(ver))
        vn = sizeof(ver) - 1;
    memcpy(ver, data, vn);
    ver[vn] = '\0';
    if (sg_sbom_create(&s) != SG_OK)
        return 0;
    if (sg_sbom__gobuildinfo_parse(s, ver, nl ? nl + 1 : data,
                                   nl ? size - (size_t)(nl + 1 - data) : size,
                                   "fuzz", NULL) == SG_OK) {
        for (size_t i = 0; i < s->n_pkgs; i++)
            if (!s->pkgs[i].name || !s->pkgs[i].version ||
                s->pkgs[i].parent > s->n_pkgs)
                abort();
    }
    sg_sbom_free(s);
    return 0;
}
