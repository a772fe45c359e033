/*
 * Internals of the scanner (scan.c, squash.c, inflate.c), the finishing
 * pass (finish.c) and the writers. Not a public header.
 */
#ifndef SIGIL_SBOM_CORE_H
#define SIGIL_SBOM_CORE_H

#include "sbom_int.h"

#include <stdatomic.h>

/* Point release from etc/debian_version / etc/alpine-release into
 * d->version (numeric "12.7"/"3.19.1" only; first one wins). */
sg_err sg_sbom__distro_point_release(struct sg_distro *d,
                                     const void *data,
                                     size_t len);

/* ------------------------------------------------------------------ */
/* Streaming decompression by magic bytes (inflate.c).                  */

enum sg_codec {
    SG_CODEC_TAR = 0,
    SG_CODEC_GZIP,
    SG_CODEC_ZSTD
};

struct sg_inflate; /* opaque */

/* Pull-side source of compressed bytes: fill up to cap, *n = 0 at end. */
typedef sg_err (*sg_inflate_src)(void *p, size_t cap, size_t *n, void *payload);

/* Create a decoder reading from src. The codec is chosen from the first
 * bytes; ctx->inflate selects the gzip backend (isal when built with it
 * and not SG_INFLATE_ZLIB); ratio_max comes from ctx's limits. */
SG_MUST_USE sg_err sg_inflate_create(struct sg_inflate **out,
                                     sg_inflate_src src,
                                     void *payload,
                                     const struct sg_ctx *ctx);
/* Decompressed bytes into out (up to cap); *n = 0 at the end. Enforces
 * ratio_max (after 8 MiB) as SG_ELIMIT "decompression bomb: ratio over N".
 */
SG_MUST_USE sg_err sg_inflate_read(struct sg_inflate *z,
                                   void *out,
                                   size_t cap,
                                   size_t *n);
enum sg_codec sg_inflate_codec(const struct sg_inflate *z);
const char *sg_inflate_backend(const struct sg_inflate *z);
uint64_t sg_inflate_total_in(const struct sg_inflate *z);
uint64_t sg_inflate_total_out(const struct sg_inflate *z);
void sg_inflate_free(struct sg_inflate *z);

/* ------------------------------------------------------------------ */
/* One layer's catalogued view and the squash (squash.c)               */

enum sg_kept_kind {
    SG_KEPT_REG = 1,
    SG_KEPT_SYMLINK
};

struct sg_kept {
    char *path; /* normalised: no leading '/', no '.'/'..' */
    enum sg_kept_kind kind;
    unsigned char *data; /* REG: contents (NUL-terminated copy) */
    size_t len;
    char *target; /* SYMLINK: target as written */
};

struct sg_layer_view {
    struct sg_kept *kept;
    size_t n_kept, cap_kept;
    char **whiteouts; /* paths deleted from lower layers */
    size_t n_whiteouts;
    char **opaque; /* directories whose lower content is hidden */
    size_t n_opaque;
    uint64_t *nondir; /* sorted hashes of every non-directory entry */
    size_t n_nondir, cap_nondir;
    struct sg_sbom *go;  /* Go packages found in this layer's files */
    const char *diff_id; /* borrowed: this layer's diffID, NULL for dir: */
    size_t *slots;       /* open-addressing index of kept: position + 1 */
    size_t n_slots;      /* a power of two, > 2 * n_kept (0: none yet) */
    _Atomic uint64_t *kept_total; /* shared by a scan's views (NULL: no
                                     budget); see sg_layer_view_budget */
    uint64_t charged;             /* what this view charged to kept_total
                                     (a layer cache hit charges it again) */
    const struct sg_ctx *ctx;     /* borrowed: the scan's limits and hooks
                                     (NULL: defaults, no hooks) */
};

void sg_layer_view_release(struct sg_layer_view *v);
/* Charge `len` kept bytes to the scan's budget (sg_limits
 * kept_bytes_max, all layers together): SG_ELIMIT naming `path` once the
 * image keeps more, so hostile images cannot grow memory without bound. */
SG_MUST_USE sg_err sg_layer_view_budget(struct sg_layer_view *v,
                                        size_t len,
                                        const char *path);
uint64_t sg_path_hash(const char *p, size_t n);
/* Normalise a tar/dir path in place-ish: malloc'd result or NULL for the
 * root/empty path. "./a//b/../c/" → "a/c"; ".." clamps at the root. */
SG_MUST_USE sg_err sg_path_normalise(char **out, const char *in);
/* Does a cataloger want this path's bytes? Besides the databases' usual
 * paths, every file a symlinked directory could make one of them (by
 * base name: status, installed, rpmdb.sqlite, Packages, Packages.db,
 * os-release, debian_version, alpine-release, status.d/NAME), and the
 * Node.js files by path (sg_sbom__npm_claims). */
int sg_path_claimed(const char *path);
/* Bytes kept at most for a claimed file: pkg_meta_max for language
 * package metadata, file_keep_max for the rest. */
size_t sg_path_keep_max(const char *path, const struct sg_limits *lim);
/* Should a symlink at this path be remembered? (Every one: any directory
 * may be on the way to a database.) */
int sg_path_link_relevant(const char *path);
SG_MUST_USE sg_err sg_layer_view_keep(struct sg_layer_view *v,
                                      const char *path,
                                      enum sg_kept_kind k,
                                      const void *data,
                                      size_t len,
                                      const char *target);
/* The entry kept for `path` in v, or NULL. */
const struct sg_kept *sg_layer_view_find(const struct sg_layer_view *v,
                                         const char *path);
/* Hard links: copy an entry already kept (no re-conversion). */
SG_MUST_USE sg_err sg_layer_view_keep_copy(struct sg_layer_view *v,
                                           const char *path,
                                           const struct sg_kept *src);
SG_MUST_USE sg_err sg_layer_view_nondir(struct sg_layer_view *v,
                                        const char *path);
/* Sort nondir hashes (call once after the layer was read). */
void sg_layer_view_seal(struct sg_layer_view *v);

/* Read one layer blob held in memory (compressed or not) into v, as the
 * scanner does for a streamed blob (for fuzzing and tests). */
SG_MUST_USE sg_err sg_sbom__read_layer_mem(struct sg_layer_view *v,
                                           const void *data,
                                           size_t len);

/* Squash the layer views (base first) and run every cataloger on the
 * result, appending packages to s. diff_ids[i] names layer i (may be
 * NULL for a dir: source). */
SG_MUST_USE sg_err sg_sbom__squash_catalog(struct sg_sbom *s,
                                           struct sg_layer_view *views,
                                           size_t n_views,
                                           char *const *diff_ids,
                                           enum sg_sbom_scope scope,
                                           const struct sg_ctx *ctx);

/* The Python cataloger on the squashed view (python.c): f holds every
 * version of the files sg_sbom__python_claims() kept (alive: in the
 * final tree), in any order (sorted in place). Live distributions are
 * appended to s, related to the deb whose .list in dpkg_info (the
 * resolved var/lib/dpkg/info, may be NULL) names them; all-layers scope
 * adds removed ones as deleted. Call after the OS databases. */
struct sg_py_file {
    const struct sg_kept *k;
    size_t layer;
    int alive;
};
SG_MUST_USE sg_err sg_sbom__python_catalog(struct sg_sbom *s,
                                           struct sg_py_file *f,
                                           size_t n,
                                           const char *dpkg_info,
                                           char *const *diff_ids,
                                           enum sg_sbom_scope scope,
                                           const struct sg_ctx *ctx);

/* SPDX-ish helpers shared by the writers (format.c). */
/* Is `expr` a syntactically valid SPDX licence expression? */
int sg_spdx_expr_valid(const char *expr);
/* Stable id for package i: "<type>-<name>-<16 hex>" with unsafe characters
 * replaced by '-'; unique within s (suffix on collision). ids[i] malloc'd;
 * free with sg_strv_free_n. */
SG_MUST_USE sg_err sg_sbom__pkg_ids(char ***ids, const struct sg_sbom *s);
void sg_strv_free_n(char **v, size_t n);
const char *sg_pkg_type_name(enum sg_pkg_type t);
/* 16-byte UUID (v4 layout): random, or derived from `seed` when seed is
 * not NULL. Writes the 36-char lower-case form into out[37]. */
SG_MUST_USE sg_err sg_sbom__uuid(char out[37],
                                 const void *seed,
                                 size_t seed_len);

/* Canonical spelling of a known SPDX licence/exception id, or NULL. */
const char *sg_spdx_license_id(const char *id);
/* Rewrite a declared licence into a valid SPDX expression (known ids in
 * canonical case, LicenseRef-… kept); NULL when it is not one. */
SG_MUST_USE sg_err sg_spdx_expr_normalise(char **out, const char *expr);
/* "LicenseRef-" + the text with characters outside [A-Za-z0-9.-] as '-'. */
SG_MUST_USE sg_err sg_spdx_license_ref(char **out, const char *text);
/* Sanitise into an SPDXID-safe idstring appended to b. */
SG_MUST_USE sg_err sg_spdx_idstring(struct sg_buf *b, const char *s);
/* "Name <email>" → "Person: Name (email)" ("Organization:" when org). */
SG_MUST_USE sg_err sg_spdx_actor(struct sg_buf *b, const char *who, int org);
/* Seed for deterministic namespaces/serials: every field written. */
SG_MUST_USE sg_err sg_sbom__seed(struct sg_buf *b, const struct sg_sbom *s);
/* "pkg:oci/name@digest?arch=…&repository_url=…&tag=…" for the root. */
SG_MUST_USE sg_err sg_sbom__root_purl(struct sg_buf *b,
                                      const struct sg_sbom *s);
/* "YYYY-MM-DDThh:mm:ssZ" */
void sg_sbom__time(char out[32], int64_t t);

/* A JSON string for possibly non-UTF-8 text (bad bytes become '?');
 * json_null() for NULL. NULL only on OOM. */
struct json_t *sg_sbom__jstr(const char *s);

/* json_dump_callback sink appending to a struct sg_buf. */
int sg_sbom__json_sink(const char *p, size_t n, void *payload);

/* Append v as JSON_INDENT(2)|JSON_SORT_KEYS text, every line after the
 * first indented by `indent` more spaces, and the first line too (for an
 * element of an array at that depth). */
SG_MUST_USE sg_err sg_sbom__json_put(struct sg_buf *out,
                                     struct json_t *v,
                                     size_t indent);
/* Append an object's text; keep_open drops the closing "\n}" so that
 * further members (sorted after its keys) can follow. */
SG_MUST_USE sg_err sg_sbom__json_head(struct sg_buf *out,
                                      struct json_t *v,
                                      int keep_open);

/* The writers format.c chooses from: the document of s appended to out. */
typedef sg_err sg_sbom__writer_fn(struct sg_buf *out,
                                  const struct sg_sbom *s,
                                  const struct sg_sbom_write_opts *o);
sg_sbom__writer_fn sg_sbom__write_spdx;      /* spdx.c */
sg_sbom__writer_fn sg_sbom__write_cyclonedx; /* cyclonedx.c */
sg_sbom__writer_fn sg_sbom__write_table;     /* table.c */

#endif /* SIGIL_SBOM_CORE_H */
