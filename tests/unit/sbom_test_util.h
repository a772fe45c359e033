/* Helpers for the sbom unit tests: fixture files and captured warnings. */
#ifndef SBOM_TEST_UTIL_H
#define SBOM_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigil/sbom.h"

static char sbom_test_log[16384];

static void
sbom_test_hook(enum sg_log_level level, const char *msg, void *payload)
{
    size_t n = strlen(sbom_test_log);
    (void)payload;
    (void)level;
    snprintf(sbom_test_log + n, sizeof(sbom_test_log) - n, "%s\n", msg);
}

static struct sg_ctx sbom_test_ctx;

/* The tests' ctx: default limits, warnings into sbom_test_log. */
static inline const struct sg_ctx *sbom_test_sg(void)
{
    if (!sbom_test_ctx.log) {
        sg_ctx_init(&sbom_test_ctx);
        sbom_test_ctx.log = sbom_test_hook;
    }
    return &sbom_test_ctx;
}

static inline void sbom_test_capture(void)
{
    sbom_test_log[0] = '\0';
    (void)sbom_test_sg();
}

/* testdata/sbom/NAME into b (asserts on failure). */
static inline void sbom_test_fixture(struct sg_buf *b, const char *name)
{
    char path[4096];
    const char *src = getenv("SG_SOURCE_DIR");

    snprintf(path, sizeof(path), "%s/testdata/sbom/%s", src ? src : ".", name);
    sg_buf_init(b, SG_BUF_NOLIMIT);
    if (sg_file_read(b, path, 1u << 20) != SG_OK) {
        fprintf(stderr, "%s: %s\n", path, sg_error_last());
        abort();
    }
}

static inline const struct sg_pkg *sbom_test_find(const struct sg_sbom *s,
                                                  const char *name)
{
    for (size_t i = 0; i < s->n_pkgs; i++)
        if (strcmp(s->pkgs[i].name, name) == 0)
            return &s->pkgs[i];
    return NULL;
}

#endif
