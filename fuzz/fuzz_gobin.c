/* libFuzzer harness: the streaming ELF/PE/Mach-O build-info locator
 * (sbom/gobin.c). The input is fed in chunks whose sizes come from the
 * first byte, so chunk-boundary paths are fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_sbom *s = NULL;
    struct sg_gobin *g = NULL;
    size_t chunk, off;

    if (size < 1 || size > (1u << 20))
        return 0;
    chunk = (size_t)data[0] * 7 + 1;
    data++;
    size--;
    if (sg_sbom_create(&s) != SG_OK)
        return 0;
    if (sg_sbom__gobin_begin(&g, "fuzz", size, NULL) == SG_OK) {
        for (off = 0; off < size; off += chunk) {
            size_t n = size - off < chunk ? size - off : chunk;
            if (sg_sbom__gobin_feed(g, data + off, n) != SG_OK)
                break;
        }
        (void)sg_sbom__gobin_end(g, s, "layer");
        sg_sbom__gobin_free(g);
    }
    sg_sbom_free(s);
    return 0;
}
