/* libFuzzer harness: WWW-Authenticate challenge parser. A parsed Bearer
 * challenge always has a realm. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_oci__challenge c;
    char *s;

    if (size > 16384)
        return 0;
    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (sg_oci__challenge_parse(&c, s) == SG_OK) {
        if (!c.scheme)
            abort();
        if (strcmp(c.scheme, "Bearer") == 0 && (!c.realm || !c.realm[0]))
            abort();
        sg_oci__challenge_release(&c);
    } else if (c.scheme || c.realm || c.service || c.scope) {
        abort(); /* failure leaves nothing behind */
    }
    free(s);
    sg_error_clear();
    return 0;
}
