/*
 * The named limits on untrusted input: defaults, the one table of their
 * names (for `--limit NAME=VALUE` and `sigil --help`), and the per-call
 * settings (struct sg_ctx) that carry them. Nothing here is mutable
 * process-wide state: every operation reads the limits of the ctx it was
 * handed.
 */
#include "sigil/common.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define LIMITS_DEFAULT                                                    \
    {                                                                     \
        .manifest_max = SG_LIMIT_MANIFEST_MAX,                            \
        .descriptors_max = SG_LIMIT_DESCRIPTORS_MAX,                      \
        .json_depth_max = SG_LIMIT_JSON_DEPTH_MAX,                        \
        .token_max = SG_LIMIT_TOKEN_MAX,                                  \
        .config_blob_max = SG_LIMIT_CONFIG_MAX,                           \
        .small_blob_max = SG_LIMIT_SMALL_BLOB_MAX,                        \
        .tar_entries_max = SG_LIMIT_TAR_ENTRIES_MAX,                      \
        .path_max = SG_LIMIT_PATH_MAX,                                    \
        .file_keep_max = SG_LIMIT_FILE_KEEP_MAX,                          \
        .kept_bytes_max = SG_LIMIT_KEPT_BYTES_MAX,                        \
        .layer_bytes_max = SG_LIMIT_LAYER_BYTES_MAX,                      \
        .image_bytes_max = SG_LIMIT_IMAGE_BYTES_MAX,                      \
        .ratio_max = SG_LIMIT_RATIO_MAX,                                  \
        .db_records_max = SG_LIMIT_DB_RECORDS_MAX,                        \
        .tags_max = SG_LIMIT_TAGS_MAX, .header_max = SG_LIMIT_HEADER_MAX, \
        .pkg_meta_max = SG_LIMIT_PKG_META_MAX,                            \
        .archive_max = SG_LIMIT_ARCHIVE_MAX,                              \
        .zip_entries_max = SG_LIMIT_ZIP_ENTRIES_MAX,                      \
    }

/* Immutable: what a NULL ctx means. */
static const struct sg_ctx default_ctx = { .limits = LIMITS_DEFAULT };

static const struct {
    const char *name;
    size_t off;
    int is_u64;
    const char *help;
} limit_tab[] = {
#define L(n, f, u, h)                          \
    {                                          \
        n, offsetof(struct sg_limits, f), u, h \
    }
    L("manifest-max", manifest_max, 0, "manifest/index bytes"),
    L("descriptors-max", descriptors_max, 0, "descriptors per manifest/index"),
    L("json-depth-max", json_depth_max, 0, "JSON nesting depth"),
    L("token-max", token_max, 0, "bearer token response bytes"),
    L("config-max", config_blob_max, 0, "image config bytes"),
    L("small-blob-max",
      small_blob_max,
      0,
      "payloads, envelopes, signatures held whole"),
    L("tar-entries-max", tar_entries_max, 0, "tar entries per layer"),
    L("path-max", path_max, 0, "path length inside a layer"),
    L("file-keep-max",
      file_keep_max,
      0,
      "bytes kept per file claimed by a cataloger"),
    L("kept-bytes-max",
      kept_bytes_max,
      1,
      "bytes kept for all claimed files of a scan"),
    L("layer-bytes-max", layer_bytes_max, 1, "decompressed bytes per layer"),
    L("image-bytes-max", image_bytes_max, 1, "decompressed bytes per image"),
    L("ratio-max", ratio_max, 1, "decompressed / compressed ratio"),
    L("db-records-max", db_records_max, 0, "package DB records"),
    L("tags-max", tags_max, 0, "tags listed"),
    L("header-max", header_max, 0, "one HTTP header line"),
    L("pkg-meta-max",
      pkg_meta_max,
      0,
      "bytes of one language package metadata file"),
    L("archive-bytes-max",
      archive_max,
      0,
      "bytes of one Java archive read for its zip directory"),
    L("archive-entries-max",
      zip_entries_max,
      0,
      "zip entries of one Java archive, nested ones included"),
#undef L
};

void sg_limits_init(struct sg_limits *l)
{
    *l = default_ctx.limits;
}

void sg_ctx_init(struct sg_ctx *c)
{
    *c = default_ctx;
}

const struct sg_ctx *sg_ctx_get(const struct sg_ctx *c)
{
    return c ? c : &default_ctx;
}

const char *sg_limits_name(size_t i, const char **help)
{
    if (i >= sizeof(limit_tab) / sizeof(limit_tab[0]))
        return NULL;
    if (help)
        *help = limit_tab[i].help;
    return limit_tab[i].name;
}

sg_err sg_limits_set(struct sg_limits *l, const char *name, const char *value)
{
    unsigned long long v;
    unsigned shift = 0;
    char *end;
    size_t i;

    if (*value < '0' || *value > '9')
        goto bad;
    errno = 0;
    v = strtoull(value, &end, 10);
    if (errno || end == value)
        goto bad;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift) {
        if (v > (ULLONG_MAX >> shift))
            goto bad;
        v <<= shift;
        end++;
    }
    if (*end || v == 0 || v > SIZE_MAX)
        goto bad;
    /* (the value is checked first: a bad value is a bad value whatever
     * the name) */
    for (i = 0; i < sizeof(limit_tab) / sizeof(limit_tab[0]); i++)
        if (strcmp(limit_tab[i].name, name) == 0)
            break;
    if (i == sizeof(limit_tab) / sizeof(limit_tab[0]))
        return sg_error_set(SG_ENOTFOUND, "unknown limit '%s'", name);
    if (limit_tab[i].is_u64) {
        uint64_t u = v;
        memcpy((char *)l + limit_tab[i].off, &u, sizeof(u));
    } else {
        size_t z = (size_t)v;
        memcpy((char *)l + limit_tab[i].off, &z, sizeof(z));
    }
    return SG_OK;
bad:
    return sg_error_set(SG_EPARSE,
                        "limit %s: '%s' is not a nonzero NUMBER[K|M|G] that "
                        "fits",
                        name, value);
}
