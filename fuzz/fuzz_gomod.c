/* libFuzzer harness: go.mod parser; a "\n--go.sum--\n" separator in the
 * input splits it into go.mod and go.sum. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n--go.sum--\n";
    struct sg_sbom *s = NULL;
    const uint8_t *sum = NULL;
    size_t mod_len = size, sum_len = 0;

    if (size > (1u << 20))
        return 0;
    for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++)
        if (memcmp(data + i, sep, sizeof(sep) - 1) == 0) {
            mod_len = i;
            sum = data + i + sizeof(sep) - 1;
            sum_len = size - i - (sizeof(sep) - 1);
            break;
        }
    if (sg_sbom_create(&s) != SG_OK)
        return 0;
    if (sg_sbom__gomod_parse(s, data, mod_len, sum, sum_len, "go.mod", NULL) ==
        SG_OK) {
        for (size_t i = 0; i < s->n_pkgs; i++)
            if (!s->pkgs[i].name || !s->pkgs[i].version)
                abort();
    }
    sg_sbom_free(s);
    return 0;
}
