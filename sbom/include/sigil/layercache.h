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
 *
 * On disk: DIR (mode 0700) holds one file per layer, <64 hex>.layer,
 * written atomically (temp file + rename), so readers never see half an
 * entry and several processes may fill one cache at once. The directory
 * is kept under max_bytes after every write by removing the least
 * recently used entries (a hit touches its entry's mtime).
 */
#ifndef SIGIL_LAYERCACHE_H
#define SIGIL_LAYERCACHE_H

#include "sigil/common.h"

struct sg_layer_cache; /* opaque */

#define SG_LAYER_CACHE_MAX_DEFAULT (1024ull * 1024u * 1024u) /* 1 GiB */
#define SG_LAYER_CACHE_MEM_DEFAULT (32u * 1024u * 1024u)     /* 32 MiB */

struct sg_layer_cache_opts {
    const char *dir;          /* NULL: in memory only, for one run (batch mode
                                 with --no-cache still catalogs a layer once) */
    uint64_t max_bytes;       /* on-disk bound; 0: 1 GiB */
    size_t mem_bytes;         /* in-memory layer bound; 0: 32 MiB */
    const struct sg_ctx *ctx; /* warnings; NULL: none */
};

/* Open (creating DIR, mode 0700). A directory that cannot be created is
 * a warning, and the cache works in memory only. */
SG_MUST_USE sg_err sg_layer_cache_open(struct sg_layer_cache **out,
                                       const struct sg_layer_cache_opts *o);
void sg_layer_cache_free(struct sg_layer_cache *c);

/* One entry on disk, as `sigil cache ls` shows it. The blob digest and
 * diff_id come from the entry's header and are not verified here. */
struct sg_layer_cache_entry {
    char *file;    /* base name in the directory */
    char *blob;    /* the layer's blob digest, NULL when unreadable */
    char *diff_id; /* NULL when unreadable or unknown */
    uint64_t size; /* bytes on disk */
    int64_t mtime; /* last use (unix time) */
};

/* The entries on disk, most recently used first (*out malloc'd; free
 * with sg_layer_cache_list_free). None for a memory-only cache. */
SG_MUST_USE sg_err sg_layer_cache_list(struct sg_layer_cache_entry **out,
                                       size_t *n,
                                       struct sg_layer_cache *c);
void sg_layer_cache_list_free(struct sg_layer_cache_entry *v, size_t n);

/* Remove the least recently used entries until the directory holds at
 * most max_bytes of them (0 removes every entry), and leftover temp
 * files of writers that died. *removed / *freed (may be NULL) say what
 * went. */
SG_MUST_USE sg_err sg_layer_cache_prune(struct sg_layer_cache *c,
                                        uint64_t max_bytes,
                                        size_t *removed,
                                        uint64_t *freed);

#endif /* SIGIL_LAYERCACHE_H */
