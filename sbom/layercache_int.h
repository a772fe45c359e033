/*
 * The layer cache's side the scanner sees (layercache.c, scan.c). Not a
 * public header.
 */
#ifndef SIGIL_LAYERCACHE_INT_H
#define SIGIL_LAYERCACHE_INT_H

#include "sbom_core.h"
#include "sigil/layercache.h"

/* Bump SG_LAYER_CACHE_FORMAT on any change to what a layer's view holds:
 * the entry format, the files a cataloger claims (sg_path_claimed), what
 * keeping a file does to it (copyright → licence), or any cataloger that
 * runs while the layer is read (Go binaries, Java archives into
 * view->go). Old entries then simply miss: the version is part of the key
 * and of the header. SG_VERSION is in the key too, so a release never
 * reads a previous release's entries. */
#define SG_LAYER_CACHE_FORMAT 2u

struct sg_layer_cache_fill; /* opaque: a claim on one layer being scanned */

/* Look up the layer (blob digest `blob`, `diff_id` may be NULL) for view
 * v, whose ctx and kept_total must be set.
 * - Hit: *hit = 1, v is filled as the scan would have filled it (sealed),
 *   the warnings its scan gave are given again on v->ctx and its kept
 *   bytes are charged to the scan's budget (which may fail: SG_ELIMIT).
 * - Miss: *hit = 0 and *fill is a claim on the layer: another scan of the
 *   same layer in this process waits for it instead of scanning too. The
 *   caller scans into v and must then call sg_layer_cache__end(). Until
 *   then v->ctx records the warnings of the scan (and passes them on).
 * A bad entry (corrupt, truncated, foreign) is a warning and a miss. */
SG_MUST_USE sg_err sg_layer_cache__begin(struct sg_layer_cache *c,
                                         const char *blob,
                                         const char *diff_id,
                                         struct sg_layer_view *v,
                                         struct sg_layer_cache_fill **fill,
                                         int *hit);
/* End a claim (fill may be NULL: nothing). ok: v holds the layer, sealed;
 * it is stored (in memory and on disk). Restores v->ctx. Failures to
 * store are warnings. */
void sg_layer_cache__end(struct sg_layer_cache_fill *f,
                         struct sg_layer_view *v,
                         int ok);

/* The entry format, for tests and fuzzing: the file bytes for view v of
 * the layer (blob, diff_id), with `warnings` (n_warnings strings) to give
 * again on a hit, and back. decode checks magic, version, length, digest
 * and that the entry is the one asked for (SG_EPARSE / SG_EDIGEST with
 * the reason); on success v (zeroed by the caller, ctx/kept_total set) is
 * filled and sealed, *warnings is a malloc'd vector (free with
 * sg_strv_free_n), and the kept bytes the scan charged are in *charged
 * (not charged again here). */
SG_MUST_USE sg_err sg_layer_cache__encode(struct sg_buf *out,
                                          const char *blob,
                                          const char *diff_id,
                                          const struct sg_layer_view *v,
                                          uint64_t charged,
                                          char *const *warnings,
                                          size_t n_warnings);
SG_MUST_USE sg_err sg_layer_cache__decode(struct sg_layer_view *v,
                                          uint64_t *charged,
                                          char ***warnings,
                                          size_t *n_warnings,
                                          const void *data,
                                          size_t len,
                                          const char *blob,
                                          const char *diff_id);

#endif /* SIGIL_LAYERCACHE_INT_H */
