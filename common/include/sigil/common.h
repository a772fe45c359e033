/*
 * sigil common module: the error convention, the capped owned buffer, the
 * bounds-checked reader, checked size arithmetic, named limits, logging
 * hooks, digests, base64 and small file helpers. Depends on nothing inside
 * sigil; everything else builds on it.
 */
#ifndef SIGIL_COMMON_H
#define SIGIL_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SG_MUST_USE     __attribute__((warn_unused_result))
#define SG_FALLTHROUGH  __attribute__((fallthrough))
#else
#define SG_PRINTF(f, a)
#define SG_MUST_USE
#define SG_FALLTHROUGH
#endif

#define SG_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                              */

typedef enum sg_err {
    SG_OK = 0,
    SG_ENOMEM,       /* allocation failed */
    SG_EINVAL,       /* caller broke an API precondition (a bug upstream) */
    SG_EPARSE,       /* untrusted input is malformed */
    SG_ELIMIT,       /* untrusted input exceeds a configured limit */
    SG_EUNSUPPORTED, /* well-formed, but a media type/algorithm we lack */
    SG_EIO,          /* local file system */
    SG_ENET,         /* transport (libcurl) */
    SG_EHTTP,        /* registry answered with an unexpected status */
    SG_EAUTH,        /* credentials missing or refused */
    SG_ENOTFOUND,    /* manifest, blob, tag or file does not exist */
    SG_EDIGEST,      /* content does not match its digest */
    SG_ECRYPTO,      /* OpenSSL reported a failure */
    SG_EVERIFY,      /* signature checked and rejected */
    SG_EEXIST,       /* refusing to overwrite something that exists */
    SG_EINTERNAL     /* invariant violated: always a bug */
} sg_err;

/* Record a message for this thread and return `code`:
 *     return sg_error_set(SG_EPARSE, "layers[%zu]: bad digest", i);   */
sg_err sg_error_set(sg_err code, const char *fmt, ...) SG_PRINTF(2, 3);
sg_err sg_error_vset(sg_err code, const char *fmt, va_list ap) SG_PRINTF(2, 0);
/* Prefix the current message with "what: " keeping the code (for callers
 * that add context, e.g. a file name). Returns `code`. */
sg_err sg_error_prefix(sg_err code, const char *fmt, ...) SG_PRINTF(2, 3);
sg_err sg_error_oom(void);
/* Drain OpenSSL's error queue into the message; returns SG_ECRYPTO. */
sg_err sg_error_openssl(const char *what);
/* errno → SG_EIO (or SG_ENOTFOUND for ENOENT) with "what: strerror". */
sg_err sg_error_errno(const char *what, int errnum);
/* Never NULL; "" when no error was recorded. Borrowed, per thread. */
const char *sg_error_last(void);
void sg_error_clear(void);
/* "ENOMEM", "EPARSE", ... (static string). */
const char *sg_err_name(sg_err code);

/* Untrusted text in messages (common/escape.c): every byte outside
 * printable ASCII becomes \n, \r, \t or \xNN, so registry strings can
 * neither break lines nor send terminal escapes. Idempotent. */
struct sg_buf;
/* Append the escaped form of len bytes at s to out. */
SG_MUST_USE sg_err sg_escape_buf(struct sg_buf *out, const void *s, size_t len);
/* The escaped form of the string s (NULL gives "") in dst (cap bytes,
 * ending in "..." when cut); returns dst, for message arguments. */
const char *sg_escape(char *dst, size_t cap, const char *s);

/* API-misuse check: aborts in debug builds, returns SG_EINVAL otherwise. */
#ifdef NDEBUG
#define SG_ASSERT_ARG(x)                                               \
    do {                                                               \
        if (!(x))                                                      \
            return sg_error_set(SG_EINVAL, "%s: invalid argument: %s", \
                                __func__, #x);                         \
    } while (0)
#else
#include <assert.h>
#define SG_ASSERT_ARG(x) assert(x)
#endif

/* ------------------------------------------------------------------ */
/* Owned, capped, NUL-terminated buffer                                */

struct sg_buf {
    char *data; /* NUL-terminated; points at sg_buf__empty while cap == 0 */
    size_t len; /* bytes used, not counting the terminator */
    size_t cap; /* bytes allocated, 0 if nothing is allocated yet */
    size_t max; /* hard upper bound for len, at most SG_BUF_NOLIMIT */
};

#define SG_BUF_NOLIMIT (SIZE_MAX / 2)
extern char sg_buf__empty[1];
#define SG_BUF_INIT(m)           \
    {                            \
        sg_buf__empty, 0, 0, (m) \
    }

void sg_buf_init(struct sg_buf *b, size_t max);
/* Frees the storage; the buffer is empty and reusable (same max). */
void sg_buf_release(struct sg_buf *b);
/* Empties but keeps storage. */
void sg_buf_reset(struct sg_buf *b);
/* Appends; on failure the buffer is released (emptied) and the error set. */
SG_MUST_USE sg_err sg_buf_add(struct sg_buf *b, const void *p, size_t len);
SG_MUST_USE sg_err sg_buf_adds(struct sg_buf *b, const char *s);
SG_MUST_USE sg_err sg_buf_addc(struct sg_buf *b, char c);
SG_MUST_USE sg_err sg_buf_addf(struct sg_buf *b, const char *fmt, ...)
    SG_PRINTF(2, 3);
/* Make room for `extra` more bytes without changing len. */
SG_MUST_USE sg_err sg_buf_grow(struct sg_buf *b, size_t extra);
/* Move the bytes to the caller: *out must later be passed to free().
 * The buffer is left empty. len_out may be NULL. */
SG_MUST_USE sg_err sg_buf_take(char **out, size_t *len_out, struct sg_buf *b);

/* Room for one more element in a growable array: when n == *cap, the
 * array at *(T **)arr (elements of `size` bytes) is reallocated to twice
 * *cap (`first` when empty) and *cap updated. On failure (SG_ENOMEM,
 * message set; also when the size would overflow) nothing is changed.
 * Usage: rc = sg_array_grow(&v->items, &v->cap, v->n, sizeof(*v->items), 16);
 */
SG_MUST_USE sg_err
sg_array_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first);

/* ------------------------------------------------------------------ */
/* Borrowed views and the bounds-checked reader                         */

struct sg_slice {
    const unsigned char *p;
    size_t n;
};

struct sg_rd {
    const unsigned char *p;   /* next byte */
    const unsigned char *end; /* one past the last byte */
};

void sg_rd_init(struct sg_rd *rd, const void *data, size_t len);
size_t sg_rd_left(const struct sg_rd *rd);
/* Each returns SG_EPARSE ("truncated input") on a short read and leaves
 * rd unchanged in that case. */
SG_MUST_USE sg_err sg_rd_u8(struct sg_rd *rd, uint8_t *v);
SG_MUST_USE sg_err sg_rd_u16be(struct sg_rd *rd, uint16_t *v);
SG_MUST_USE sg_err sg_rd_u16le(struct sg_rd *rd, uint16_t *v);
SG_MUST_USE sg_err sg_rd_u32be(struct sg_rd *rd, uint32_t *v);
SG_MUST_USE sg_err sg_rd_u32le(struct sg_rd *rd, uint32_t *v);
SG_MUST_USE sg_err sg_rd_u64be(struct sg_rd *rd, uint64_t *v);
SG_MUST_USE sg_err sg_rd_u64le(struct sg_rd *rd, uint64_t *v);
SG_MUST_USE sg_err sg_rd_bytes(struct sg_rd *rd,
                               size_t n,
                               struct sg_slice *out);
SG_MUST_USE sg_err sg_rd_skip(struct sg_rd *rd, size_t n);
/* Unsigned LEB128 varint (Go's binary.Uvarint), at most 10 bytes. */
SG_MUST_USE sg_err sg_rd_uvarint(struct sg_rd *rd, uint64_t *v);

/* ------------------------------------------------------------------ */
/* Checked size arithmetic                                             */

SG_MUST_USE sg_err sg_add_size(size_t *out, size_t a, size_t b);
SG_MUST_USE sg_err sg_mul_size(size_t *out, size_t a, size_t b);
SG_MUST_USE sg_err sg_add_u64(uint64_t *out, uint64_t a, uint64_t b);

/* ------------------------------------------------------------------ */
/* Named limits on untrusted input. Defaults below; each operation gets
 * its own copy in struct sg_ctx (no process-wide limits). */

struct sg_limits {
    size_t manifest_max;      /* manifest/index bytes */
    size_t descriptors_max;   /* descriptors per manifest/index */
    size_t json_depth_max;    /* JSON nesting depth */
    size_t token_max;         /* bearer token response bytes */
    size_t config_blob_max;   /* image config bytes */
    size_t small_blob_max;    /* payloads, envelopes, signatures held whole */
    size_t tar_entries_max;   /* tar entries per layer */
    size_t path_max;          /* path length inside a layer */
    size_t file_keep_max;     /* bytes kept per file claimed by a cataloger */
    uint64_t kept_bytes_max;  /* bytes kept for all claimed files of a scan */
    uint64_t layer_bytes_max; /* decompressed bytes per layer */
    uint64_t image_bytes_max; /* decompressed bytes per image */
    uint64_t ratio_max;       /* decompressed / compressed ratio */
    size_t db_records_max;    /* package DB records */
    size_t tags_max;          /* tags listed */
    size_t header_max;        /* one HTTP header line */
    size_t pkg_meta_max;      /* one language package metadata file
                                 (METADATA, RECORD, package.json, lock) */
    size_t archive_max;       /* one Java archive buffered for its zip
                                 central directory */
    size_t zip_entries_max;   /* zip entries of one Java archive, nested
                                 ones included (indexed in memory) */
};

#define SG_LIMIT_MANIFEST_MAX    (4u * 1024u * 1024u)
#define SG_LIMIT_DESCRIPTORS_MAX 1024u
#define SG_LIMIT_JSON_DEPTH_MAX  64u
#define SG_LIMIT_TOKEN_MAX       (1u * 1024u * 1024u)
#define SG_LIMIT_CONFIG_MAX      (8u * 1024u * 1024u)
#define SG_LIMIT_SMALL_BLOB_MAX  (64u * 1024u * 1024u)
#define SG_LIMIT_TAR_ENTRIES_MAX 2000000u
#define SG_LIMIT_PATH_MAX        4096u
#define SG_LIMIT_FILE_KEEP_MAX   (64u * 1024u * 1024u)
#define SG_LIMIT_KEPT_BYTES_MAX  (256ull * 1024u * 1024u)
#define SG_LIMIT_LAYER_BYTES_MAX (64ull * 1024u * 1024u * 1024u)
#define SG_LIMIT_IMAGE_BYTES_MAX (256ull * 1024u * 1024u * 1024u)
#define SG_LIMIT_RATIO_MAX       1000u
#define SG_LIMIT_DB_RECORDS_MAX  1000000u
#define SG_LIMIT_TAGS_MAX        100000u
#define SG_LIMIT_HEADER_MAX      (64u * 1024u)
#define SG_LIMIT_PKG_META_MAX    (16u * 1024u * 1024u)
#define SG_LIMIT_ARCHIVE_MAX     (64u * 1024u * 1024u)
#define SG_LIMIT_ZIP_ENTRIES_MAX 200000u

/* Fill l with the defaults above. */
void sg_limits_init(struct sg_limits *l);
/* Set the limit called `name` (e.g. "manifest-max") from `value`, a
 * nonzero number with an optional K, M or G suffix (powers of 1024).
 * SG_ENOTFOUND for an unknown name, SG_EPARSE for a bad or overflowing
 * value (the message names the limit). */
SG_MUST_USE sg_err sg_limits_set(struct sg_limits *l,
                                 const char *name,
                                 const char *value);
/* The i-th limit's name (and one-line help in *help when not NULL), in
 * table order; NULL past the last one. */
const char *sg_limits_name(size_t i, const char **help);

/* ------------------------------------------------------------------ */
/* Logging: the library never prints. It calls the hook in the ctx.      */

enum sg_log_level {
    SG_LOG_ERROR = 0,
    SG_LOG_WARN = 1,
    SG_LOG_INFO = 2,
    SG_LOG_DEBUG = 3
};

/* Called from several threads at once during a parallel scan: hooks
 * must be thread-safe. */
typedef void (*sg_log_fn)(enum sg_log_level level,
                          const char *msg,
                          void *payload);

/* Progress: the library reports bytes per blob; the CLI draws it (on a
 * TTY only). `total` may be 0 when unknown. `done` is 0 while in
 * progress, 1 on the last call of a finished transfer and -1 on the last
 * call of one that failed. oci/store.c reports every blob it reads (`what`
 * is its digest), from several threads at once during a parallel scan:
 * hooks must be thread-safe. */
typedef void (*sg_progress_fn)(
    const char *what, uint64_t bytes, uint64_t total, int done, void *payload);

/* Which gzip decoder sbom layer scans use (the CLI maps SIGIL_INFLATE). */
enum sg_inflate_impl {
    SG_INFLATE_DEFAULT = 0, /* ISA-L when built with it, else zlib */
    SG_INFLATE_ZLIB = 1     /* always zlib */
};

/* The caller's settings for one operation: limits, hooks and backend
 * choices. Library calls take a `const struct sg_ctx *`; NULL means the
 * default limits and no hooks. Nothing here is process-wide: an admission
 * server may run many operations at once, each with its own ctx. */
struct sg_ctx {
    struct sg_limits limits;
    sg_log_fn log;           /* NULL: messages dropped */
    sg_progress_fn progress; /* NULL: no progress */
    void *payload;           /* passed to both hooks */
    enum sg_inflate_impl inflate;
};

/* Default limits, no hooks. */
void sg_ctx_init(struct sg_ctx *c);
/* c, or the (immutable) default ctx when c is NULL. */
const struct sg_ctx *sg_ctx_get(const struct sg_ctx *c);
/* The limits of c (the defaults when c is NULL). */
#define sg_ctx_limits(c) (&sg_ctx_get(c)->limits)

void sg_log(const struct sg_ctx *c,
            enum sg_log_level level,
            const char *fmt,
            ...) SG_PRINTF(3, 4);
#define sg_warn(c, ...)  sg_log((c), SG_LOG_WARN, __VA_ARGS__)
#define sg_info(c, ...)  sg_log((c), SG_LOG_INFO, __VA_ARGS__)
#define sg_debug(c, ...) sg_log((c), SG_LOG_DEBUG, __VA_ARGS__)
void sg_progress(const struct sg_ctx *c,
                 const char *what,
                 uint64_t bytes,
                 uint64_t total,
                 int done);

/* ------------------------------------------------------------------ */
/* Digests ("sha256:<hex>")                                            */

struct sg_digester; /* opaque streaming hash */

/* algo: "sha256" or "sha512". */
SG_MUST_USE sg_err sg_digester_create(struct sg_digester **out,
                                      const char *algo);
SG_MUST_USE sg_err sg_digester_update(struct sg_digester *d,
                                      const void *p,
                                      size_t len);
/* Writes "algo:hex" into out (capacity >= SG_DIGEST_STR_MAX). */
SG_MUST_USE sg_err sg_digester_final(struct sg_digester *d,
                                     char *out,
                                     size_t cap);
void sg_digester_free(struct sg_digester *d);

#define SG_DIGEST_STR_MAX 136 /* "sha512:" + 128 hex + NUL, rounded */

/* One-shot "sha256:<hex>" of a memory range. */
SG_MUST_USE sg_err sg_sha256_digest(char out[SG_DIGEST_STR_MAX],
                                    const void *p,
                                    size_t len);
/* Validates "sha256:<64 lower hex>" or "sha512:<128 lower hex>". */
int sg_digest_valid(const char *s);

/* ------------------------------------------------------------------ */
/* Hexadecimal                                                          */

/* Value of one hex digit (either case), or -1. */
int sg_hex_digit(int c);
/* Decode exactly 2 * n_out digits (either case) from hex[0..len) into
 * out. SG_EPARSE when len is not 2 * n_out or a digit is bad; out may be
 * partly written then. */
SG_MUST_USE sg_err sg_hex_decode(unsigned char *out,
                                 size_t n_out,
                                 const char *hex,
                                 size_t len);
/* Lower-case hex of p[0..len) into out (capacity 2 * len + 1, NUL-ended). */
void sg_hex_encode(char *out, const void *p, size_t len);

/* ------------------------------------------------------------------ */
/* Base64 (standard alphabet, padded)                                   */

SG_MUST_USE sg_err sg_base64_encode(struct sg_buf *out,
                                    const void *p,
                                    size_t len);
/* Strict: rejects bad characters and bad padding. Whitespace (\r \n space
 * tab) is skipped. */
SG_MUST_USE sg_err sg_base64_decode(struct sg_buf *out,
                                    const char *s,
                                    size_t len);

/* ------------------------------------------------------------------ */
/* JSON (jansson) with limits                                          */

/* Parse untrusted JSON: rejects duplicate keys, nesting deeper than
 * `max_depth` (0 = SG_LIMIT_JSON_DEPTH_MAX) and documents over `max_len`.
 * *out is a new reference (json_decref it). `what` prefixes the message. */
struct json_t;
SG_MUST_USE sg_err sg_json_parse(struct json_t **out,
                                 const void *data,
                                 size_t len,
                                 size_t max_len,
                                 size_t max_depth,
                                 const char *what);

/* Append v serialized by jansson with `flags` (json_dumps flags; 0 means
 * JSON_COMPACT) to out: the way to write JSON, so that no string is ever
 * pasted into JSON text. A NULL v (from a json_pack or json_object that
 * failed) is SG_ENOMEM: callers that pass strings which may not be valid
 * UTF-8 check them first (json_stringn returns NULL). On failure out is
 * released (as after every failed sg_buf append). */
SG_MUST_USE sg_err sg_json_dump_buf(struct sg_buf *out,
                                    const struct json_t *v,
                                    size_t flags);

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* Read a whole (small) file, capped at max bytes (SG_ELIMIT beyond). */
SG_MUST_USE sg_err sg_file_read(struct sg_buf *out,
                                const char *path,
                                size_t max);
/* One read(2) of up to cap bytes, retried on EINTR; *n is 0 at end of
 * file. An error names `what` (the file's path) and errno. */
SG_MUST_USE sg_err
sg_read_some(int fd, void *buf, size_t cap, size_t *n, const char *what);
/* Write all len bytes to fd (retrying short writes and EINTR); an error
 * names `what` (the file's path) and errno. */
SG_MUST_USE sg_err sg_write_all(int fd,
                                const void *p,
                                size_t len,
                                const char *what);
/* Write atomically: temp file in the same directory, fsync, rename.
 * mode is applied to the new file (e.g. 0644, 0600). */
SG_MUST_USE sg_err sg_file_write_atomic(const char *path,
                                        const void *data,
                                        size_t len,
                                        unsigned mode);
/* Create directories like `mkdir -p`. */
SG_MUST_USE sg_err sg_mkdir_p(const char *path, unsigned mode);

/* Zero memory in a way the optimiser keeps (OPENSSL_cleanse). */
void sg_wipe(void *p, size_t len);

/* ------------------------------------------------------------------ */
/* Bounded byte ring between one producer and one consumer thread      */

/* Typical use: the producer thread runs a streaming source with
 * sg_ring_write as its callback, then calls sg_ring_close(r, rc); the
 * consumer pulls with sg_ring_read until it returns 0 bytes, then calls
 * sg_ring_abort (always, also after its own failure), joins the producer
 * and asks sg_ring_status for the producer's verdict. Members are private. */
#include <pthread.h>

struct sg_ring {
    pthread_mutex_t mu;
    pthread_cond_t cv_data;  /* reader waits for bytes or the close */
    pthread_cond_t cv_space; /* writer waits for room or the abort */
    unsigned char *buf;      /* cap bytes; NULL once released */
    size_t cap;
    size_t head, len; /* buf[head .. head+len) mod cap is buffered */
    int reader_waiting, writer_waiting;
    int closed;        /* the writer finished (writer_rc says how) */
    int aborted;       /* the reader gave up */
    int write_refused; /* a write failed because of that */
    sg_err writer_rc;
    char writer_msg[512];
};

/* Allocates a ring of `cap` bytes (> 0). On failure nothing is left to
 * release (sg_ring_release is still safe). */
SG_MUST_USE sg_err sg_ring_init(struct sg_ring *r, size_t cap);
/* Frees the storage; only once neither side uses the ring any more
 * (the producer thread joined). Safe on a released or failed ring. */
void sg_ring_release(struct sg_ring *r);
/* Producer: copies all `len` bytes in, blocking while the ring is full.
 * Fails (SG_EINTERNAL) once the reader aborted, also when blocked then.
 * Matches sg_oci_write_fn; `ring` is the struct sg_ring. */
SG_MUST_USE sg_err sg_ring_write(const void *p, size_t len, void *ring);
/* Producer: no more writes. rc != SG_OK is the producer's failure; its
 * code and the thread's current message (sg_error_last) are kept for the
 * reader. Wakes a blocked reader. */
void sg_ring_close(struct sg_ring *r, sg_err rc);
/* Consumer: copies up to `cap` bytes out, blocking while the ring is empty
 * and not closed. *n == 0 with SG_OK means the producer closed cleanly
 * and every byte was read; once the remaining bytes are read after a
 * failed close, returns the producer's code with its message instead.
 * Matches sg_oci_read_fn and sg_inflate_src. */
SG_MUST_USE sg_err sg_ring_read(void *p, size_t cap, size_t *n, void *ring);
/* Consumer: stop reading. A blocked or later sg_ring_write fails, so the
 * producer never hangs on a full ring. */
void sg_ring_abort(struct sg_ring *r);
/* After the producer closed: SG_OK, or its code with its message set again
 * for this thread. *refused (may be NULL) is set when that failure came
 * from a write refused after sg_ring_abort. */
SG_MUST_USE sg_err sg_ring_status(struct sg_ring *r, int *refused);

#endif /* SIGIL_COMMON_H */
