/*
 * sigil sbom module: the package model, the one-pass layer scanner with
 * its catalogers (dpkg, apk, rpm, Go), and the SPDX 2.3 / CycloneDX 1.6 /
 * table writers and readers. Everything read from a layer is untrusted.
 */
#ifndef SIGIL_SBOM_H
#define SIGIL_SBOM_H

#include "sigil/common.h"
#include "sigil/oci.h"

struct sg_layer_cache; /* sigil/layercache.h */

enum sg_pkg_type {
    SG_PKG_DEB = 1,
    SG_PKG_APK,
    SG_PKG_RPM,
    SG_PKG_GO_MODULE, /* a module inside a Go binary or go.mod */
    SG_PKG_GO_STDLIB, /* the Go toolchain a binary was built with */
    SG_PKG_PYTHON,    /* an installed Python distribution (pkg:pypi) */
    SG_PKG_NPM,       /* a Node.js package (pkg:npm) */
    SG_PKG_JAVA       /* a Java archive's Maven coordinates (pkg:maven) */
};

/* What a package is for (SPDX primaryPackagePurpose, CycloneDX
 * component type). 0: the writer's default for the package type. */
enum sg_pkg_purpose {
    SG_PURPOSE_DEFAULT = 0,
    SG_PURPOSE_LIBRARY,
    SG_PURPOSE_APPLICATION,
    SG_PURPOSE_FRAMEWORK,
    SG_PURPOSE_OPERATING_SYSTEM
};

/* Catalogers, for sg_sbom_opts.catalogers (0 means all of them). */
enum sg_cataloger {
    SG_CAT_DPKG = 1u << 0,
    SG_CAT_APK = 1u << 1,
    SG_CAT_RPM = 1u << 2,
    SG_CAT_GO = 1u << 3,
    SG_CAT_PYTHON = 1u << 4,
    SG_CAT_NODE = 1u << 5,
    SG_CAT_JAVA = 1u << 6,
    SG_CAT_ALL = (1u << 7) - 1
};

struct sg_pkg_kv {
    char *key;
    char *value;
};

/* One package. All strings malloc'd and owned by the package (NULL when
 * unknown). */
struct sg_pkg {
    enum sg_pkg_type type;
    char *name;
    char *version;       /* full version as the package manager shows it:
                            deb "1:2.3-4", rpm "2.3-4.el9" (epoch apart),
                            apk "1.2.3-r0", go "v1.2.3" */
    unsigned long epoch; /* rpm epoch (has_epoch says if present) */
    int has_epoch;
    char *arch;
    char *group;             /* java: Maven groupId (purl namespace) */
    char *source_name;       /* deb Source / rpm SOURCERPM / apk origin */
    char *source_version;    /* deb Source "(ver)" when it differs */
    char *supplier;          /* deb Maintainer, rpm Vendor, apk maintainer */
    char *license;           /* declared: SPDX expression, or raw text */
    uint64_t installed_size; /* bytes (deb Installed-Size × 1024) */
    char *description;       /* short summary, may be NULL */
    char *url;               /* homepage/project URL, may be NULL */
    char **depends;          /* dependency names as written (unresolved) */
    size_t n_depends;
    char **provides; /* virtual names this package provides */
    size_t n_provides;
    char *layer_diff_id;     /* layer that last wrote the DB entry */
    char *db_path;           /* path of the DB / binary in the image */
    char *purl;              /* filled by sg_sbom_finish() */
    char *cpe;               /* CPE 2.3, filled by sg_sbom_finish() */
    char *found_by;          /* cataloger name, e.g. "dpkg-db-cataloger" */
    char *checksum;          /* go: "h1:..." sum, may be NULL */
    struct sg_pkg_kv *props; /* extra properties (go build settings...) */
    size_t n_props;
    int deleted;   /* all-layers scope: later deleted or replaced */
    size_t parent; /* index+1 of the package this one belongs to, 0 if
                      none. Go modules: the binary's main module
                      (DEPENDS_ON); any other type: the package that
                      ships it, e.g. the deb owning a Python dist or the
                      jar around a nested jar (parent CONTAINS it). */
    enum sg_pkg_purpose purpose;
};

struct sg_distro {
    char *id;         /* "debian", "alpine", "rhel", ... */
    char *version_id; /* "12", "3.19.1" */
    char *version;    /* point release (debian_version, alpine-release) */
    char *pretty_name;
    char *name;
    char *id_like;
    char *version_codename;
};

enum sg_rel_type {
    SG_REL_CONTAINS = 1,
    SG_REL_DEPENDS_ON,
};

struct sg_rel {
    size_t from; /* package index; SIZE_MAX means the image root */
    size_t to;   /* package index */
    enum sg_rel_type type;
};

/* The subject the SBOM describes. */
struct sg_sbom_source {
    char *name;            /* the reference as given, e.g. "alpine:3.19" */
    char *digest;          /* what it resolved to ("sha256:..."), or NULL
                              for dir: sources */
    char *manifest_digest; /* platform manifest digest, may equal digest */
    char *repo_name;       /* "registry/repository" for the oci purl */
    char *tag;             /* may be NULL */
    char *os, *arch, *variant;
    char **diff_ids; /* layers, base first */
    size_t n_diff_ids;
    int is_dir; /* a dir: source */
};

struct sg_sbom {
    struct sg_sbom_source source;
    struct sg_distro distro;
    struct sg_pkg *pkgs;
    size_t n_pkgs;
    size_t cap_pkgs;
    struct sg_rel *rels;
    size_t n_rels;
    size_t cap_rels;
    size_t pkgs_max; /* 0: 4 * SG_LIMIT_DB_RECORDS_MAX (the scan sets it
                        from its ctx's db_records_max) */
};

SG_MUST_USE sg_err sg_sbom_create(struct sg_sbom **out);
void sg_sbom_free(struct sg_sbom *s);
/* Append a zeroed package; *out borrowed until the next append. */
SG_MUST_USE sg_err sg_sbom_add_pkg(struct sg_sbom *s, struct sg_pkg **out);
SG_MUST_USE sg_err sg_sbom_add_rel(struct sg_sbom *s,
                                   size_t from,
                                   size_t to,
                                   enum sg_rel_type type);
void sg_pkg_release(struct sg_pkg *p);
/* Sort packages deterministically, compute purls/CPEs and resolve
 * dependency names into DEPENDS_ON relationships. */
SG_MUST_USE sg_err sg_sbom_finish(struct sg_sbom *s);
/* A comma-separated list of cataloger names (dpkg, apk, rpm, go, python,
 * node or javascript, java, all) → sg_cataloger bits. */
SG_MUST_USE sg_err sg_sbom_catalogers_parse(unsigned *out, const char *list);
/* The cataloger that finds packages of type t. */
unsigned sg_sbom_cataloger_of(enum sg_pkg_type t);

/* ------------------------------------------------------------------ */
/* Scanning an image                                                    */

enum sg_sbom_scope {
    SG_SBOM_SQUASHED = 0,
    SG_SBOM_ALL_LAYERS = 1
};

struct sg_sbom_opts {
    enum sg_sbom_scope scope;
    unsigned threads;        /* 0: number of cores */
    const char *source_name; /* the reference as the user gave it */
    /* Optional: open another handle on the same store for a parallel
     * layer reader. A registry store's connection is not shared between
     * threads, so without this its layers are fetched one at a time. */
    sg_err (*open_store)(struct sg_oci_store **out, void *payload);
    void *open_payload;
    /* Limits and hooks (may be called from several threads); NULL: the
     * store's (sg_oci_store_ctx). */
    const struct sg_ctx *ctx;
    /* Optional per-layer cache (sigil/layercache.h), shared by concurrent
     * scans; NULL: every layer is read. */
    struct sg_layer_cache *cache;
    /* sg_cataloger bits to run; 0: all. */
    unsigned catalogers;
};

/* Scan the resolved image `img` in store `s` (every layer read once,
 * digest checked while streaming) or, for a SG_OCI_STORE_DIR store, walk
 * the directory. *out owned by the caller. */
SG_MUST_USE sg_err sg_sbom_scan(struct sg_sbom **out,
                                struct sg_oci_store *s,
                                const struct sg_oci_image *img,
                                const struct sg_sbom_opts *opts);

/* ------------------------------------------------------------------ */
/* Writers and readers                                                  */

enum sg_sbom_format {
    SG_SBOM_SPDX_JSON = 1,
    SG_SBOM_CYCLONEDX_JSON,
    SG_SBOM_TABLE
};

/* "spdx-json", "cyclonedx-json", "table" (also "spdx", "cyclonedx"). */
SG_MUST_USE sg_err sg_sbom_format_parse(enum sg_sbom_format *out,
                                        const char *name);

struct sg_sbom_write_opts {
    int64_t created;          /* unix time for "created"/"timestamp" */
    int deterministic;        /* derive namespace/serial from content */
    const char *tool_version; /* NULL: SG_VERSION */
};

SG_MUST_USE sg_err sg_sbom_write(struct sg_buf *out,
                                 const struct sg_sbom *s,
                                 enum sg_sbom_format fmt,
                                 const struct sg_sbom_write_opts *opts);
/* Read SPDX 2.3 JSON or CycloneDX JSON (sigil's, syft's, Trivy's). */
SG_MUST_USE sg_err sg_sbom_read(struct sg_sbom **out,
                                const void *data,
                                size_t len);

/* purl for a package in a distro context (per the purl spec). */
SG_MUST_USE sg_err sg_sbom_purl(struct sg_buf *out,
                                const struct sg_pkg *p,
                                const struct sg_distro *d);
SG_MUST_USE sg_err sg_sbom_cpe(struct sg_buf *out,
                               const struct sg_pkg *p,
                               const struct sg_distro *d);

/* ------------------------------------------------------------------ */
/* Comparing two SBOMs (sbom/sbomdiff.c, `sigil diff`)                  */

/* Packages are matched by purl type + namespace/name + arch qualifier +
 * the distro qualifier's name part ("debian" of "debian-12.7"), so a
 * point-release upgrade shows packages as changed, not removed + added.
 * Packages read from an SBOM with a purl type the model has no enum for
 * carry type 0 and their purl. */
enum sg_sbom_change_kind {
    SG_CHANGE_ADDED = 1,
    SG_CHANGE_REMOVED,
    SG_CHANGE_CHANGED
};

struct sg_sbom_change {
    enum sg_sbom_change_kind kind;
    char *type;        /* purl type: "deb", "golang", "npm", ... */
    char *name;        /* "namespace/name" as in the purl (decoded) */
    char *arch;        /* arch qualifier, NULL if none */
    char *old_version; /* NULL when added */
    char *new_version; /* NULL when removed */
    char *old_purl, *new_purl;
};

struct sg_sbom_diff {
    struct sg_sbom_change *v; /* sorted by type, name, arch */
    size_t n;
};

SG_MUST_USE sg_err sg_sbom_diff(struct sg_sbom_diff *out,
                                const struct sg_sbom *old_sbom,
                                const struct sg_sbom *new_sbom);
void sg_sbom_diff_release(struct sg_sbom_diff *d);
/* Render as a table (json = 0) or a JSON object (json = 1). */
SG_MUST_USE sg_err sg_sbom_diff_write(struct sg_buf *out,
                                      const struct sg_sbom_diff *d,
                                      int json);

#endif /* SIGIL_SBOM_H */
