/* libFuzzer harness: one tags/list page (sigil ls, tag listing). Every
 * tag it lets through must be in the distribution spec's grammar, and no
 * more than the limit may come back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char **tags = calloc(1, sizeof(*tags));
    size_t n = 0;

    if (!tags || size > (1u << 20)) {
        free(tags);
        return 0;
    }
    /* the same page twice, as two pages of one listing, limit 64 */
    if (sg_oci__tag_list_add(&tags, &n, data, size, 64) == SG_OK)
        (void)sg_oci__tag_list_add(&tags, &n, data, size, 64);
    if (n > 64)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!tags[i] || sg_oci__check_tag(tags[i], "fuzz") != SG_OK)
            abort();
    if (tags[n])
        abort();
    sg_oci_strv_free(tags);
    sg_error_clear();
    return 0;
}
