/*
 * sigil oci module: image references, manifests/indexes, and image stores
 * (a registry repository, an OCI layout directory, an OCI archive, a
 * `docker save` tarball, a root filesystem directory) behind one
 * interface. Every byte read from a store is untrusted: bounded by
 * sg_limits and digest-checked.
 *
 * Ownership: objects returned through `**out` belong to the caller and are
 * freed with the matching _free(); pointers returned as values are
 * borrowed from their parent object.
 */
#ifndef SIGIL_OCI_H
#define SIGIL_OCI_H

#include "sigil/common.h"

/* ------------------------------------------------------------------ */
/* Media types                                                          */

#define SG_MT_OCI_MANIFEST   "application/vnd.oci.image.manifest.v1+json"
#define SG_MT_OCI_INDEX      "application/vnd.oci.image.index.v1+json"
#define SG_MT_OCI_CONFIG     "application/vnd.oci.image.config.v1+json"
#define SG_MT_OCI_LAYER      "application/vnd.oci.image.layer.v1.tar"
#define SG_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define SG_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define SG_MT_OCI_EMPTY      "application/vnd.oci.empty.v1+json"
#define SG_MT_DOCKER_MANIFEST \
    "application/vnd.docker.distribution.manifest.v2+json"
#define SG_MT_DOCKER_LIST \
    "application/vnd.docker.distribution.manifest.list.v2+json"
#define SG_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define SG_MT_DOCKER_LAYER_GZIP \
    "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define SG_MT_DOCKER_SCHEMA1 \
    "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define SG_EMPTY_JSON_DIGEST \
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define SG_ANNOT_REF_NAME "org.opencontainers.image.ref.name"

/* ------------------------------------------------------------------ */
/* References: [host[:port]/]path[:tag][@algo:hex]                       */

struct sg_oci_ref {
    char *registry;   /* normalised: "docker.io", "localhost:5000", ... */
    char *repository; /* "library/alpine", "team/app" */
    char *tag;        /* NULL when absent (and no digest: "latest" implied) */
    char *digest;     /* "sha256:<hex>" or NULL */
};

/* Parse and normalise (Docker Hub: "alpine" → docker.io/library/alpine,
 * "index.docker.io" → "docker.io"). A reference with neither tag nor
 * digest gets tag "latest". On failure the message says what is wrong
 * and *out is zeroed. Release with sg_oci_ref_release(). */
SG_MUST_USE sg_err sg_oci_ref_parse(struct sg_oci_ref *out, const char *s);
void sg_oci_ref_release(struct sg_oci_ref *r);
SG_MUST_USE sg_err sg_oci_ref_copy(struct sg_oci_ref *out,
                                   const struct sg_oci_ref *r);
/* "registry/repository" (cosign's docker-reference). Appended to out. */
SG_MUST_USE sg_err sg_oci_ref_repo_name(struct sg_buf *out,
                                        const struct sg_oci_ref *r);
/* Full canonical string "registry/repository[:tag][@digest]". */
SG_MUST_USE sg_err sg_oci_ref_string(struct sg_buf *out,
                                     const struct sg_oci_ref *r);
/* The host to contact: docker.io → registry-1.docker.io. Borrowed/static. */
const char *sg_oci_ref_api_host(const struct sg_oci_ref *r);

/* ------------------------------------------------------------------ */
/* Descriptors, manifests and indexes                                   */

struct sg_oci_kv {
    char *key;
    char *value;
};

struct sg_oci_platform {
    char *os;           /* NULL when absent */
    char *architecture; /* NULL when absent */
    char *variant;      /* NULL when absent */
    char *os_version;   /* NULL when absent */
};

struct sg_oci_descriptor {
    char *media_type;
    char *digest; /* validated "sha256:<hex>"/"sha512:<hex>" */
    uint64_t size;
    char *artifact_type;             /* NULL when absent */
    struct sg_oci_platform platform; /* all NULL when absent */
    struct sg_oci_kv *annotations;
    size_t n_annotations;
    char *data_b64; /* embedded "data" field, NULL when absent */
};

/* A parsed image manifest or index (either may come back from a store). */
struct sg_oci_manifest {
    int is_index;        /* 1: index/manifest list; 0: image manifest */
    char *media_type;    /* from the JSON "mediaType" or the transport */
    char *artifact_type; /* NULL when absent */
    struct sg_oci_descriptor config;  /* image manifests only */
    struct sg_oci_descriptor *layers; /* image: layers; index: manifests */
    size_t n_layers;
    struct sg_oci_descriptor *subject; /* NULL when absent */
    struct sg_oci_kv *annotations;
    size_t n_annotations;
};

/* Parse untrusted manifest/index JSON. `content_type` (may be NULL) is the
 * media type the transport reported; schema1 is rejected with a clear
 * message; unknown top-level media types are SG_EUNSUPPORTED. Limits come
 * from ctx (NULL: defaults). */
SG_MUST_USE sg_err sg_oci_manifest_parse(struct sg_oci_manifest **out,
                                         const void *data,
                                         size_t len,
                                         const char *content_type,
                                         const struct sg_ctx *ctx);
void sg_oci_manifest_free(struct sg_oci_manifest *m);
/* Borrowed value of an annotation or NULL. */
const char *sg_oci_descriptor_annotation(const struct sg_oci_descriptor *d,
                                         const char *key);
const char *sg_oci_manifest_annotation(const struct sg_oci_manifest *m,
                                       const char *key);
void sg_oci_descriptor_release(struct sg_oci_descriptor *d);
SG_MUST_USE sg_err sg_oci_descriptor_copy(struct sg_oci_descriptor *out,
                                          const struct sg_oci_descriptor *d);

/* Image config: the parts sigil uses. */
struct sg_oci_config {
    char *os;
    char *architecture;
    char *variant;
    char **diff_ids; /* rootfs.diff_ids, one per layer */
    size_t n_diff_ids;
};
SG_MUST_USE sg_err sg_oci_config_parse(struct sg_oci_config **out,
                                       const void *data,
                                       size_t len,
                                       const struct sg_ctx *ctx);
void sg_oci_config_free(struct sg_oci_config *c);

/* Platforms: "os/arch[/variant]". Default is linux/<host arch>. */
SG_MUST_USE sg_err sg_oci_platform_parse(struct sg_oci_platform *out,
                                         const char *s);
void sg_oci_platform_release(struct sg_oci_platform *p);
SG_MUST_USE sg_err sg_oci_platform_host(struct sg_oci_platform *out);
/* Index entry matching `want` (variant compared properly; unknown/unknown
 * attestation entries skipped). SG_ENOTFOUND lists available platforms. */
SG_MUST_USE sg_err sg_oci_index_select(const struct sg_oci_descriptor **out,
                                       const struct sg_oci_manifest *index,
                                       const struct sg_oci_platform *want);

/* ------------------------------------------------------------------ */
/* Registry options (filled by the CLI; the library reads no files)      */

struct sg_oci_credentials {
    char *username;       /* NULL for anonymous */
    char *password;       /* or identity token when username is "<token>" */
    char *registry_token; /* used directly as Bearer, NULL if none */
};

/* Called by the registry client to get credentials for `host` (as it
 * appears in the reference, e.g. "localhost:5000" or "docker.io").
 * Fill *out (strings malloc'd; the client frees them) or leave it zeroed
 * for anonymous. Return SG_OK even when none are found. */
typedef sg_err (*sg_oci_cred_fn)(struct sg_oci_credentials *out,
                                 const char *host,
                                 void *payload);

struct sg_oci_registry_opts {
    sg_oci_cred_fn get_credentials; /* may be NULL: anonymous */
    void *cred_payload;
    const char *ca_file;               /* extra CA bundle, NULL = system */
    const char *const *insecure_hosts; /* NULL-terminated; plain HTTP or
                                          unverified TLS allowed */
    long connect_timeout_s;            /* 0: default (30) */
    long low_speed_time_s;  /* a download below 1 KiB/s this long is a
                               stall (retried/resumed); 0: default 15 */
    unsigned max_retries;   /* 0: default (4) */
    const char *user_agent; /* NULL: "sigil/<version>" */
    /* The whole command's deadline: absolute, on the sg_oci_now_ms()
     * clock; 0 = none. Every exchange gets only the time left, retries
     * and resumes never extend it; past it calls fail with SG_ENET and
     * "timed out after <timeout_ms> fetching <what> from <host/repo>". */
    int64_t deadline_ms;
    int64_t timeout_ms; /* the timeout the deadline came from (messages) */
    /* Limits and hooks for everything done through the store (copied by
     * sg_oci_store_open); NULL: defaults, no hooks. */
    const struct sg_ctx *ctx;
};
/* A monotonic clock in milliseconds, the one deadline_ms is read on. */
int64_t sg_oci_now_ms(void);
void sg_oci_credentials_release(struct sg_oci_credentials *c);

/* docker config.json (untrusted bytes): credentials for `host`. Looks at
 * credHelpers (sets *helper_out to the helper name, caller runs it),
 * auths (auth / username+password / identitytoken / registrytoken, keys as
 * bare hosts or URLs, Docker Hub as https://index.docker.io/v1/) and
 * credsStore. *helper_out is NULL or malloc'd. */
SG_MUST_USE sg_err sg_oci_docker_config_lookup(struct sg_oci_credentials *out,
                                               char **helper_out,
                                               const void *data,
                                               size_t len,
                                               const char *host);
/* Parse a credential helper's `get` answer {"Username","Secret"}. */
SG_MUST_USE sg_err sg_oci_cred_helper_parse(struct sg_oci_credentials *out,
                                            const void *data,
                                            size_t len);

/* ------------------------------------------------------------------ */
/* Stores: where an image lives                                         */

enum sg_oci_store_kind {
    SG_OCI_STORE_REGISTRY = 1,
    SG_OCI_STORE_OCI_DIR,
    SG_OCI_STORE_OCI_ARCHIVE,
    SG_OCI_STORE_DOCKER_ARCHIVE,
    SG_OCI_STORE_DIR /* a root filesystem: no manifest, no blobs */
};

enum sg_oci_open_flags {
    SG_OCI_OPEN_WRITE = 1u << 0, /* will push/put (creates an OCI layout) */
};

struct sg_oci_store; /* opaque */

/* Open what `spec` names: "oci-dir:PATH[:tag|@digest]",
 * "oci-archive:FILE[:tag]", "docker-archive:FILE[:tag]", "dir:PATH",
 * "registry:REF" or a bare REF; a bare argument that is an existing path
 * is detected by its shape (directory with oci-layout → oci-dir, other
 * directory → dir, tar with index.json → oci-archive, with manifest.json →
 * docker-archive). The tag/digest part of spec is the store's default
 * reference (sg_oci_store_default_ref). opts may be NULL (defaults, no
 * hooks, anonymous). The store keeps a copy of opts->ctx. */
SG_MUST_USE sg_err sg_oci_store_open(struct sg_oci_store **out,
                                     const char *spec,
                                     const struct sg_oci_registry_opts *opts,
                                     unsigned flags);
void sg_oci_store_free(struct sg_oci_store *s);
enum sg_oci_store_kind sg_oci_store_kind(const struct sg_oci_store *s);
/* The settings the store was opened with (its copy; never NULL). Code
 * that reads through a store uses these limits and hooks. */
const struct sg_ctx *sg_oci_store_ctx(const struct sg_oci_store *s);
/* The tag or digest named in the spec ("latest" if none). Borrowed. */
const char *sg_oci_store_default_ref(const struct sg_oci_store *s);
/* For registries, the parsed reference; for other stores a synthetic one
 * (registry "", repository from the path/tag). Borrowed. */
const struct sg_oci_ref *sg_oci_store_ref(const struct sg_oci_store *s);
/* For SG_OCI_STORE_DIR: the root path. Borrowed; NULL otherwise. */
const char *sg_oci_store_dir_path(const struct sg_oci_store *s);
/* A store for another repository on the same registry (cosign's
 * COSIGN_REPOSITORY, cross-repo mount). Not for local stores. */

/* Manifests. `ref` is a tag or "sha256:..." digest. Returns the exact
 * bytes; *media_type_out and *digest_out are malloc'd (may pass NULL).
 * The digest is computed from the bytes received and, when `ref` is a
 * digest, checked against it (SG_EDIGEST). SG_ENOTFOUND when absent. */
SG_MUST_USE sg_err sg_oci_store_get_manifest(struct sg_oci_store *s,
                                             const char *ref,
                                             struct sg_buf *body,
                                             char **media_type_out,
                                             char **digest_out);
/* HEAD: digest, media type and size without the body (falls back to GET
 * when the registry gives no digest). */
SG_MUST_USE sg_err sg_oci_store_head_manifest(struct sg_oci_store *s,
                                              const char *ref,
                                              char **media_type_out,
                                              char **digest_out,
                                              uint64_t *size_out);
/* Put a manifest (its blobs must already be there). tag may be NULL (by
 * digest only). *digest_out may be NULL. For an OCI layout, a tag is an
 * org.opencontainers.image.ref.name entry in index.json (replacing the
 * previous holder of the tag); an untagged put adds a descriptor once. */
SG_MUST_USE sg_err sg_oci_store_put_manifest(struct sg_oci_store *s,
                                             const char *tag,
                                             const char *media_type,
                                             const void *data,
                                             size_t len,
                                             char **digest_out);
/* Delete a manifest by digest (registry DELETE; layout: drop from index). */
SG_MUST_USE sg_err sg_oci_store_delete_manifest(struct sg_oci_store *s,
                                                const char *digest);
/* Tags (all pages). *tags_out is a malloc'd NULL-terminated array of
 * malloc'd strings (free with sg_oci_strv_free). */
SG_MUST_USE sg_err sg_oci_store_list_tags(struct sg_oci_store *s,
                                          char ***tags_out);
void sg_oci_strv_free(char **v);

/* Blobs */
SG_MUST_USE sg_err sg_oci_store_blob_exists(struct sg_oci_store *s,
                                            const char *digest,
                                            int *exists);
/* Receives streamed bytes; return non-zero to abort (that code is
 * returned by get_blob). */
typedef sg_err (*sg_oci_write_fn)(const void *p, size_t len, void *payload);
/* Stream a blob to `cb`. Size and digest are checked while streaming:
 * on a mismatch the call returns SG_EDIGEST naming the digest AFTER the
 * bytes were delivered, so consumers must not commit anything until this
 * returns SG_OK. Retries/resumes are handled inside (bytes are never
 * delivered twice). */
SG_MUST_USE sg_err sg_oci_store_get_blob(struct sg_oci_store *s,
                                         const struct sg_oci_descriptor *d,
                                         sg_oci_write_fn cb,
                                         void *payload);
/* Small blob into memory (capped at `max`; checked like get_blob). */
SG_MUST_USE sg_err sg_oci_store_get_blob_buf(struct sg_oci_store *s,
                                             const struct sg_oci_descriptor *d,
                                             struct sg_buf *out,
                                             size_t max);
/* Pull-side reader for pushing: fill up to cap bytes into p, *n_out = 0 at
 * end. */
typedef sg_err (*sg_oci_read_fn)(void *p,
                                 size_t cap,
                                 size_t *n_out,
                                 void *payload);
/* A blob to push: its digest and size, and the reader that yields its
 * bytes (rd(..., payload)). */
struct sg_oci_blob_src {
    const char *digest;
    uint64_t size;
    sg_oci_read_fn rd;
    void *payload;
};
/* Push a blob of known digest and size from a reader (skips when it
 * exists). */
SG_MUST_USE sg_err sg_oci_store_put_blob(struct sg_oci_store *s,
                                         const struct sg_oci_blob_src *b);
/* Push a small in-memory blob; digest computed; *digest_out may be NULL. */
SG_MUST_USE sg_err sg_oci_store_put_blob_buf(struct sg_oci_store *s,
                                             const void *data,
                                             size_t len,
                                             char **digest_out);

/* Referrers of `digest`: the registry's referrers API, falling back to the
 * `sha256-<hex>` tag schema; for layouts, manifests in the layout whose
 * subject is `digest`. Returns index JSON bytes (possibly an empty
 * index). artifact_type may be NULL. */
SG_MUST_USE sg_err sg_oci_store_referrers(struct sg_oci_store *s,
                                          const char *digest,
                                          const char *artifact_type,
                                          struct sg_buf *index_json);
/* After pushing a manifest with a subject: keep the fallback tag index
 * up to date when the registry has no referrers API (no-op otherwise). */
SG_MUST_USE sg_err sg_oci_store_add_referrer(struct sg_oci_store *s,
                                             const char *subject_digest,
                                             const struct sg_oci_descriptor *d);

/* ------------------------------------------------------------------ */
/* Resolved images                                                      */

struct sg_oci_image {
    char *digest;          /* what the reference resolves to (index or image) */
    char *media_type;      /* of that top-level object */
    char *manifest_digest; /* the platform image manifest's digest */
    struct sg_oci_manifest *manifest; /* that image manifest */
    struct sg_buf manifest_raw;       /* its exact bytes */
    struct sg_oci_config *config;     /* parsed config */
    struct sg_buf config_raw;         /* exact config bytes */
};

/* Resolve `ref` (tag or digest; NULL = the store's default) in `s`,
 * selecting `platform` (NULL = host default) from an index. */
SG_MUST_USE sg_err sg_oci_image_resolve(struct sg_oci_image **out,
                                        struct sg_oci_store *s,
                                        const char *ref,
                                        const struct sg_oci_platform *platform);
void sg_oci_image_free(struct sg_oci_image *img);

/* Copy everything reachable from `ref` in src into dst: all platforms of
 * an index, every blob (skipping what exists), then the manifest under
 * dst_tag (NULL = by digest only, or the same tag). With
 * SG_OCI_COPY_SIGNATURES also the sha256-<hex>.sig/.att/.sbom tags and
 * referrers of each digest. *digest_out may be NULL. */
enum sg_oci_copy_flags {
    SG_OCI_COPY_SIGNATURES = 1u << 0,
};
SG_MUST_USE sg_err sg_oci_copy(struct sg_oci_store *dst,
                               const char *dst_tag,
                               struct sg_oci_store *src,
                               const char *ref,
                               unsigned flags,
                               char **digest_out);

/* Global init/cleanup (curl_global_init); the CLI calls them once. */
SG_MUST_USE sg_err sg_oci_global_init(void);
void sg_oci_global_cleanup(void);

#endif /* SIGIL_OCI_H */
