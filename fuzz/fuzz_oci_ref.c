/* libFuzzer harness: image reference parser, then the canonical string
 * must re-parse to the same repository. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigil/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_oci_ref r, r2;
    struct sg_buf s = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *str;

    if (size > 8192)
        return 0;
    str = malloc(size + 1);
    if (!str)
        return 0;
    memcpy(str, data, size);
    str[size] = '\0';
    if (sg_oci_ref_parse(&r, str) == SG_OK) {
        if (sg_oci_ref_string(&s, &r) == SG_OK) {
            if (sg_oci_ref_parse(&r2, s.data) != SG_OK ||
                strcmp(r2.repository, r.repository) != 0 ||
                strcmp(r2.registry, r.registry) != 0)
                abort();
            sg_oci_ref_release(&r2);
        }
        (void)sg_oci_ref_api_host(&r);
        sg_oci_ref_release(&r);
    }
    sg_buf_release(&s);
    free(str);
    sg_error_clear();
    return 0;
}
