/* Helpers for tests/unit/test_sigstore_*.c: the vendored conformance
 * assets (testdata/sigstore-conformance, see its PROVENANCE.md). */
#ifndef SIGSTORE_TEST_UTIL_H
#define SIGSTORE_TEST_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "sigil/common.h"
#include "verify/sigstore_int.h"

#define CASES     "testdata/sigstore-conformance/bundle-verify/"
#define PROD_ROOT "testdata/sigstore-conformance/trusted_root.production.json"

static inline void st_path(char *out, size_t cap, const char *rel)
{
    const char *src = getenv("SG_SOURCE_DIR");

    snprintf(out, cap, "%s/%s", src ? src : SG_SOURCE_DIR, rel);
}

static inline void st_read(struct sg_buf *b, const char *rel)
{
    char p[1024];

    st_path(p, sizeof(p), rel);
    sg_buf_init(b, (size_t)64 << 20);
    if (sg_file_read(b, p, (size_t)64 << 20)) {
        fprintf(stderr, "cannot read %s: %s\n", p, sg_error_last());
        abort();
    }
}

static inline json_t *st_json(const char *rel)
{
    struct sg_buf b;
    json_t *j = NULL;

    st_read(&b, rel);
    if (sg_json_parse(&j, b.data, b.len, (size_t)64 << 20, 0, "test"))
        abort();
    sg_buf_release(&b);
    return j;
}

static inline struct sg_sigstore_trust *st_root(const char *rel)
{
    struct sg_sigstore_trust *t = NULL;
    char p[1024];

    st_path(p, sizeof(p), rel);
    if (sg_sigstore_trust_load(&t, p)) {
        fprintf(stderr, "%s: %s\n", p, sg_error_last());
        abort();
    }
    return t;
}
#endif
