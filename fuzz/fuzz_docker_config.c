/* libFuzzer harness: docker config.json lookup (for a few hosts) and the
 * credential-helper answer parser, on the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigil/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *hosts[] = { "docker.io", "127.0.0.1:5000", "h" };
    struct sg_oci_credentials c;
    char *helper = NULL;

    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        if (sg_oci_docker_config_lookup(&c, &helper, data, size, hosts[i]) ==
            SG_OK) {
            if (c.username && !c.password)
                abort();
            if (helper && !helper[0])
                abort();
        } else if (c.username || c.password || helper) {
            abort();
        }
        sg_oci_credentials_release(&c);
        free(helper);
        helper = NULL;
    }
    if (sg_oci_cred_helper_parse(&c, data, size) == SG_OK &&
        (!c.username || !c.password))
        abort();
    sg_oci_credentials_release(&c);
    sg_error_clear();
    return 0;
}
