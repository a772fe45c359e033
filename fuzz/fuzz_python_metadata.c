/* libFuzzer harness: the Python cataloger's parsers on the same bytes:
 * METADATA / PKG-INFO headers (and the package's purl), RECORD rows and
 * the dpkg .list filter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(enum sg_log_level l, const char *m, void *p)
{
    (void)l;
    (void)m;
    (void)p;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_ctx ctx;
    struct sg_sbom *s = NULL;
    size_t files = 0;
    char *list = NULL;

    sg_ctx_init(&ctx);
    ctx.log = quiet; /* still formats every message */
    if (sg_sbom_create(&s) != SG_OK)
        return 0;
    if (sg_sbom__python_parse(s, data, size, "x.dist-info/METADATA", "l",
                              &ctx) == SG_OK) {
        if (s->n_pkgs > 1)
            abort(); /* one file, one distribution */
        for (size_t i = 0; i < s->n_pkgs; i++) {
            const struct sg_pkg *p = &s->pkgs[i];
            if (!p->name[0] || !p->version[0])
                abort(); /* never empty */
            for (const char *c = p->name; *c; c++)
                if ((unsigned char)*c < 0x20)
                    abort(); /* no control bytes reach the writers */
        }
        if (sg_sbom_finish(s) != SG_OK)
            sg_error_clear();
    }
    if (sg_sbom__python_record_parse(&files, data, size) == SG_OK &&
        files > size)
        abort(); /* a row needs at least one byte */
    if (sg_sbom__python_list_filter(&list, data, size) == SG_OK) {
        /* only ".dist-info" / ".egg-info" lines survive */
        for (char *l = list, *nl; *l; l = nl + 1) {
            nl = strchr(l, '\n');
            if (!nl || !(ends_with(l, (size_t)(nl - l), ".dist-info") ||
                         ends_with(l, (size_t)(nl - l), ".egg-info")))
                abort();
        }
        if (strlen(list) > size + 1)
            abort();
    }
    free(list);
    sg_sbom_free(s);
    sg_error_clear();
    return 0;
}
