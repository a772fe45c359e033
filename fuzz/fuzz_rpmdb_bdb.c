/* libFuzzer harness: the rpm BDB database reader (rpmdb.c) over a whole
 * Packages file. Bad records are skipped, bad files fail; every package
 * that comes out must be complete. Small record limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_ctx ctx;
    struct sg_sbom *s = NULL;
    size_t n = 0;

    sg_ctx_init(&ctx);
    ctx.limits.db_records_max = 64;
    if (sg_sbom_create(&s) != SG_OK)
        return 0;
    if (sg_sbom__rpmdb_parse(s, SG_RPMDB_BDB, data, size, "Packages",
                             "sha256:0", &ctx) == SG_OK) {
        for (size_t i = 0; i < s->n_pkgs; i++) {
            const struct sg_pkg *p = &s->pkgs[i];

            if (!p->name || !p->version || !p->db_path)
                abort();
            n += strlen(p->name) + strlen(p->version);
        }
    } else if (s->n_pkgs != 0) {
        abort(); /* a failed database leaves nothing behind */
    }
    (void)n;
    sg_sbom_free(s);
    sg_error_clear();
    return 0;
}
