/*
 * The per-layer cache: what the catalogers kept from one layer (claimed
 * files, whiteouts, opaque directories, non-directory path hashes, the
 * packages found inside its files), keyed by the layer's blob digest and
 * diff_id plus a format/cataloger version. A hit skips the layer's
 * download and inflation; the squash then runs over cached and fresh
 * layers alike, so a warm SBOM equals the cold one byte for byte.
 *
 * One cache may be shared by concurrent scans (threads) and, on disk, by
 * several processes. Entries are untrusted on read: each carries its own
 * digest; a bad entry is ignored with a warning and the layer rescanned.
 */
#ifndef SIGIL_LAYERCACHE_H
#define SIGIL_LAYERCACHE_H

#include "sigil/common.h"

struct sg_layer_cache; /* opaque */

struct sg_layer_cache_opts {
    const char *dir;          /* NULL: in memory only, for one run (batch mode
                                 with --no-cache still catalogs a layer once) */
    uint64_t max_bytes;       /* on-disk bound; 0: 1 GiB */
    const struct sg_ctx *ctx; /* warnings; NULL: none */
};

SG_MUST_USE sg_err sg_layer_cache_open(struct sg_layer_cache **out,
                                       const struct sg_layer_cache_opts *o);
void sg_layer_cache_free(struct sg_layer_cache *c);

#endif /* SIGIL_LAYERCACHE_H */
