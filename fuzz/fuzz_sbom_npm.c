/* libFuzzer harness: the npm cataloger (package.json, lock files and the
 * edges between them). The input is one or more files separated by
 * "\n--file PATH--\n" lines (PATH: where the file lies in the image;
 * "~PATH" for an earlier version of it, as for --scope all-layers);
 * text before the first separator is "package-lock.json". So the
 * lock parser, the package.json reader and the node_modules resolution
 * all see fuzzed bytes, and sg_sbom_finish() resolves the edges. */
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

#define FILES_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n--file ";
    struct sg_npm_file f[FILES_MAX];
    char *paths[FILES_MAX];
    size_t n = 0;
    const char *p = (const char *)data, *end = p + size;
    char *path = strdup("package-lock.json");
    struct sg_ctx ctx;
    struct sg_sbom *s = NULL;

    if (size > (1u << 20) || !path) {
        free(path);
        return 0;
    }
    sg_ctx_init(&ctx);
    ctx.log = quiet;                       /* still formats every message */
    ctx.limits.pkg_meta_max = 64u * 1024u; /* the limit path too */
    while (path) {
        const char *next = NULL, *ps, *pe;
        for (const char *q = p; q + sizeof(sep) - 1 <= end; q++)
            if (memcmp(q, sep, sizeof(sep) - 1) == 0) {
                next = q;
                break;
            }
        paths[n] = path;
        /* "~PATH": an earlier version (all-layers) */
        f[n].deleted = path[0] == '~';
        f[n].path = path + (path[0] == '~');
        f[n].data = p;
        f[n].len = (size_t)((next ? next : end) - p);
        f[n].layer = "sha256:l";
        n++;
        path = NULL;
        if (!next || n == FILES_MAX)
            break;
        /* "\n--file PATH--\n" */
        ps = pe = next + sizeof(sep) - 1;
        while (pe + 3 <= end && memcmp(pe, "--\n", 3) != 0)
            pe++;
        if (pe + 3 > end || pe == ps || ps[0] == '/')
            break; /* sg_path_normalise's output has no leading '/' */
        path = malloc((size_t)(pe - ps) + 1);
        if (path) {
            memcpy(path, ps, (size_t)(pe - ps));
            path[pe - ps] = '\0';
        }
        p = pe + 3;
    }
    if (sg_sbom_create(&s) == SG_OK) {
        if (sg_sbom__npm_catalog(s, f, n, &ctx) == SG_OK &&
            sg_sbom_finish(s) == SG_OK) {
            for (size_t i = 0; i < s->n_pkgs; i++)
                if (s->pkgs[i].type != SG_PKG_NPM || !s->pkgs[i].name ||
                    !s->pkgs[i].purl)
                    abort();
            for (size_t i = 0; i < s->n_rels; i++)
                if (s->rels[i].to >= s->n_pkgs ||
                    (s->rels[i].from != SIZE_MAX &&
                     s->rels[i].from >= s->n_pkgs))
                    abort();
        }
        sg_sbom_free(s);
    }
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    sg_error_clear();
    return 0;
}
