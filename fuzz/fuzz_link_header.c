/* libFuzzer harness: Link header parser (tag-list pagination). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s, *next = NULL;

    if (size > 16384)
        return 0;
    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (sg_oci__link_next(&next, s) == SG_OK && next) {
        if (!next[0] || strchr(next, '>'))
            abort();
    } else if (next) {
        abort();
    }
    free(next);
    free(s);
    sg_error_clear();
    return 0;
}
