/*
 * sbom module internals shared between the scanner (scan.c) and the
 * catalogers' parsers. Parsers take untrusted bytes and append packages;
 * they do no I/O, so they can be fuzzed. A bad record is skipped with a
 * warning (sg_warn, to the ctx's hook) naming it; only an unusable
 * database fails. ctx may be NULL (default limits, no warnings).
 */
#ifndef SIGIL_SBOM_INT_H
#define SIGIL_SBOM_INT_H

#include "sigil/sbom.h"

/* dpkg: var/lib/dpkg/status (require_status=1: only "install ok
 * installed"-style third word "installed") or one status.d/ file
 * (require_status=0, distroless). */
sg_err sg_sbom__dpkg_parse(struct sg_sbom *s,
                           const void *data,
                           size_t len,
                           int require_status,
                           const char *db_path,
                           const char *layer,
                           const struct sg_ctx *ctx);
/* DEP-5 copyright → SPDX license expression (malloc'd) or NULL. */
sg_err
sg_sbom__dpkg_copyright_license(char **out, const void *data, size_t len);
/* apk: lib/apk/db/installed */
sg_err sg_sbom__apk_parse(struct sg_sbom *s,
                          const void *data,
                          size_t len,
                          const char *db_path,
                          const char *layer,
                          const struct sg_ctx *ctx);
/* os-release into s->distro (does not overwrite fields already set). */
sg_err sg_sbom__os_release_parse(struct sg_distro *d,
                                 const void *data,
                                 size_t len,
                                 const struct sg_ctx *ctx);

/* rpm databases (sbom_rpm.c, rpmdb.c). */
enum sg_rpmdb_kind {
    SG_RPMDB_SQLITE = 1, /* var/lib/rpm/rpmdb.sqlite (also usr/lib/sysimage) */
    SG_RPMDB_BDB,        /* var/lib/rpm/Packages (Berkeley DB hash) */
    SG_RPMDB_NDB         /* var/lib/rpm/Packages.db (NDB) */
};
sg_err sg_sbom__rpmdb_parse(struct sg_sbom *s,
                            enum sg_rpmdb_kind kind,
                            const void *data,
                            size_t len,
                            const char *db_path,
                            const char *layer,
                            const struct sg_ctx *ctx);
/* One rpm header blob (the "immutable region" format) → a package; a
 * gpg-pubkey entry sets *skipped. */
sg_err sg_sbom__rpm_header_parse(struct sg_pkg *out,
                                 int *skipped,
                                 const void *data,
                                 size_t len);

/* Go binaries (sbom_go.c): a streaming build-info finder fed every
 * regular file's bytes in order. Memory stays bounded. */
struct sg_gobin; /* opaque */
sg_err sg_sbom__gobin_begin(struct sg_gobin **out,
                            const char *path,
                            uint64_t size,
                            const struct sg_ctx *ctx);
/* Returns SG_OK; once the file is known not to be an executable the
 * finder ignores further data cheaply. */
sg_err sg_sbom__gobin_feed(struct sg_gobin *g, const void *p, size_t len);
/* At end of file: append the binary's packages (stdlib, main module,
 * deps) to s; nothing if it is not a Go binary. A Go binary without
 * build info (stripped, UPX) logs a warning naming the file. */
sg_err
sg_sbom__gobin_end(struct sg_gobin *g, struct sg_sbom *s, const char *layer);
void sg_sbom__gobin_free(struct sg_gobin *g);
/* Parse a Go build-info module text (`go version -m` style lines). */
sg_err sg_sbom__gobuildinfo_parse(struct sg_sbom *s,
                                  const char *go_version,
                                  const void *modinfo,
                                  size_t len,
                                  const char *path,
                                  const char *layer);
/* go.mod (and optional go.sum to fill versions). */
sg_err sg_sbom__gomod_parse(struct sg_sbom *s,
                            const void *gomod,
                            size_t len,
                            const void *gosum,
                            size_t sum_len,
                            const char *path,
                            const char *layer);

/* Go helpers shared by gobin.c, gobuildinfo.c and gomod.c. */
/* The 16-byte sentinels that frame runtime.modinfo in a Go binary
 * (infoStart/infoEnd of golang/go src/cmd/go/internal/modload). */
extern const unsigned char sg_sbom__go_info_start[16];
extern const unsigned char sg_sbom__go_info_end[16];
/* A NUL-ended malloc'd copy of p[0..n); NULL (message set) on OOM. */
char *sg_sbom__dupn(const char *p, size_t n);
/* Append a property (copies of key and vlen bytes of val). */
sg_err sg_sbom__go_prop_add(struct sg_pkg *p,
                            const char *key,
                            const char *val,
                            size_t vlen);

/* Java archives (java.c). */
/* Does the base name end in .jar, .war, .ear, .jpi or .hpi (any case)? */
int sg_sbom__java_archive_name(const char *path);
/* One Java archive (a zip) held whole in memory: a package per
 * META-INF/maven/<g>/<a>/pom.properties, else one from MANIFEST.MF and
 * the file name, and the same for archives nested in it (their packages'
 * parent: the outer archive's package). All get db_path = path. Bounded
 * by ctx's archive_max (uncompressed bytes of the whole nest),
 * zip_entries_max (zip entries) and a nesting depth; a hostile or broken
 * archive is a warning, only OOM and the package limit are errors. */
sg_err sg_sbom__java_parse(struct sg_sbom *s,
                           const void *data,
                           size_t len,
                           const char *path,
                           const char *layer,
                           const struct sg_ctx *ctx);
/* The parsers behind it, for tests. *out malloc'd or NULL when absent. */
sg_err sg_sbom__java_manifest_get(char **out,
                                  const void *data,
                                  size_t len,
                                  const char *key);
sg_err sg_sbom__java_props_get(char **out,
                               const void *data,
                               size_t len,
                               const char *key);
/* "dir/guava-31.1-jre.jar" → "guava", "31.1-jre" (version NULL when the
 * name has none). */
sg_err sg_sbom__java_filename(char **name, char **version, const char *path);
/* The scanner's buffer for one file: *out NULL when `path` is not a Java
 * archive or `size` is over archive_max (warned). feed/end/free accept
 * NULL. A file growing past archive_max is dropped with a warning. */
struct sg_jar; /* opaque */
sg_err sg_sbom__jar_begin(struct sg_jar **out,
                          const char *path,
                          uint64_t size,
                          const struct sg_ctx *ctx);
sg_err sg_sbom__jar_feed(struct sg_jar *j, const void *p, size_t len);
sg_err sg_sbom__jar_end(struct sg_jar *j, struct sg_sbom *s, const char *layer);
void sg_sbom__jar_free(struct sg_jar *j);
/* Python (python.c). Which file sg_path_claimed() keeps for it: a
 * distribution's metadata (*.dist-info/METADATA and RECORD,
 * *.egg-info/PKG-INFO, a *.egg-info file; bounded by pkg_meta_max) or a
 * dpkg file list (dpkg/info/NAME.list, filtered on keeping). 0: neither. */
enum {
    SG_PY_META = 1,
    SG_PY_DPKG_LIST = 2
};
int sg_sbom__python_claims(const char *path);
/* One METADATA / PKG-INFO / .egg-info file → at most one SG_PKG_PYTHON
 * package appended to s (none, with a warning, when it has no usable
 * Name/Version or is over pkg_meta_max). */
sg_err sg_sbom__python_parse(struct sg_sbom *s,
                             const void *data,
                             size_t len,
                             const char *path,
                             const char *layer,
                             const struct sg_ctx *ctx);
/* Number of files (rows with a path) a RECORD lists. */
sg_err
sg_sbom__python_record_parse(size_t *n_files, const void *data, size_t len);
/* A dpkg .list reduced to its .dist-info/.egg-info lines (malloc'd,
 * "\n"-terminated lines, "" when none). */
sg_err sg_sbom__python_list_filter(char **out, const void *data, size_t len);
/* Node.js (npm.c). A live file of the squashed image, as the npm
 * cataloger reads it. */
struct sg_npm_file {
    const char *path; /* normalised: no leading '/' */
    const void *data;
    size_t len;
    const char *layer; /* diffID of the layer that wrote it, or NULL */
    int deleted; /* all-layers: a version a later layer deleted/replaced */
};
/* Does the npm cataloger read this path? package.json of a project or of
 * a package installed under node_modules/, package-lock.json,
 * npm-shrinkwrap.json, node_modules/.package-lock.json. */
int sg_sbom__npm_claims(const char *path);
/* One package.json into *out (name, version, licence, description,
 * homepage; type SG_PKG_NPM); *ok = 0, nothing allocated, when it has no
 * usable name or version. Malformed JSON: SG_EPARSE. */
sg_err sg_sbom__npm_package_json(struct sg_pkg *out,
                                 int *ok,
                                 const void *data,
                                 size_t len,
                                 const char *path,
                                 const char *layer,
                                 const struct sg_ctx *ctx);
/* Catalog the files f[0..n) (any order; paths npm does not claim are
 * ignored): from the live ones, installed packages, each project's
 * application package and the lock's DEPENDS_ON edges as "name@version"
 * depends; from the deleted ones (in layer order), installed packages
 * not in the live set, marked deleted and credited to the newest layer
 * that had them. A bad or oversized (pkg_meta_max) file is skipped with
 * a warning. */
sg_err sg_sbom__npm_catalog(struct sg_sbom *s,
                            const struct sg_npm_file *f,
                            size_t n,
                            const struct sg_ctx *ctx);

/* Drop packages whose cataloger is not in mask (0: keep all); before
 * sg_sbom_finish(). */
sg_err sg_sbom__keep_catalogers(struct sg_sbom *s, unsigned mask);

#endif /* SIGIL_SBOM_INT_H */
