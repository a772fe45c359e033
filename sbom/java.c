/*
 * Java archives (.jar .war .ear and Jenkins' .jpi .hpi): Maven
 * coordinates from each META-INF/maven/<group>/<artifact>/pom.properties,
 * else a name and version from META-INF/MANIFEST.MF (JAR File
 * Specification, "Manifest Specification") and the file name; the same
 * for archives nested inside (Spring Boot BOOT-INF/lib/, WEB-INF/lib/).
 *
 * A zip is read through its central directory (libarchive's seekable zip
 * reader), so the scanner buffers the whole file (archive-bytes-max) and
 * hands it over here. Everything in it is untrusted: the central
 * directory may claim any size or entry count and an entry may inflate
 * without end, so only small entries (pom.properties, MANIFEST.MF) and
 * nested archives are read, each capped by what is left of one budget of
 * archive-bytes-max uncompressed bytes shared by the whole nest, entries
 * are counted against archive-entries-max (libarchive indexes the whole
 * directory, ~200 bytes an entry), and nesting is bounded. A hostile
 * archive costs a warning, never the scan.
 */
#include "sbom_core.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>

/* Archives nested deeper than this below the file in the image are not
 * opened (a jar in a jar in a war is three levels of real-world use). */
#define JAVA_DEPTH_MAX 4u

static const char *const java_exts[] = { ".jar", ".war", ".ear", ".jpi",
                                         ".hpi" };

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The archive extension's length when `path` ends in one (any case), else
 * 0. A bare ".jar" is not an archive name. */
static size_t archive_ext(const char *path)
{
    const char *b = base_of(path);
    size_t n = strlen(b);

    for (size_t i = 0; i < sizeof(java_exts) / sizeof(java_exts[0]); i++)
        if (n > 4 && strcasecmp(b + n - 4, java_exts[i]) == 0)
            return 4;
    return 0;
}

int sg_sbom__java_archive_name(const char *path)
{
    return archive_ext(path) != 0;
}

/* ------------------------------------------------------------------ */
/* MANIFEST.MF                                                          */

/* The value of attribute `key` in the manifest's main section (the
 * lines before the first blank line), continuation lines joined. A line
 * is at most 72 bytes, so longer values go on following lines that start
 * with one space, which is dropped. Line ends: CRLF, LF or CR. Names are
 * compared without case. *out NULL when absent; trailing blanks trimmed. */
sg_err sg_sbom__java_manifest_get(char **out,
                                  const void *data,
                                  size_t len,
                                  const char *key)
{
    const char *p = data, *end = p + len;
    size_t klen = strlen(key);
    struct sg_buf v = SG_BUF_INIT(len + 1);
    int in_value = 0;
    sg_err rc = SG_OK;

    *out = NULL;
    while (p < end) {
        const char *e = p;
        const char *next;
        while (e < end && *e != '\n' && *e != '\r')
            e++;
        next = e;
        if (next < end && *next == '\r')
            next++;
        if (next < end && *next == '\n' && (next == e || next[-1] == '\r'))
            next++;
        if (e == p)
            break; /* blank line: end of the main section */
        if (*p == ' ') {
            if (in_value)
                rc = sg_buf_add(&v, p + 1, (size_t)(e - p - 1));
        } else {
            if (in_value)
                break; /* the attribute ended; first one wins */
            if ((size_t)(e - p) > klen + 1 && p[klen] == ':' &&
                strncasecmp(p, key, klen) == 0) {
                const char *s = p + klen + 1;
                if (s < e && *s == ' ')
                    s++;
                in_value = 1;
                rc = sg_buf_add(&v, s, (size_t)(e - s));
            }
        }
        if (rc)
            break;
        p = next;
    }
    if (!rc && in_value) {
        while (v.len && (v.data[v.len - 1] == ' ' || v.data[v.len - 1] == '\t'))
            v.data[--v.len] = '\0';
        if (v.len)
            rc = sg_buf_take(out, NULL, &v);
    }
    sg_buf_release(&v);
    return rc;
}

/* ------------------------------------------------------------------ */
/* pom.properties (java.util.Properties text)                          */

/* Append one code point as UTF-8 (surrogates and NUL as '?'). */
static sg_err add_utf8(struct sg_buf *b, unsigned cp)
{
    char u[3];

    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
        return sg_buf_addc(b, '?');
    if (cp < 0x80)
        return sg_buf_addc(b, (char)cp);
    if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        return sg_buf_add(b, u, 2);
    }
    u[0] = (char)(0xe0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    u[2] = (char)(0x80 | (cp & 0x3f));
    return sg_buf_add(b, u, 3);
}

/* One logical line [p,end) of a properties file, continuation
 * backslashes already handled by the caller: split into key and value,
 * unescaping both (\t \n \r \f, \uXXXX, any other \c is c). */
static sg_err props_unescape(struct sg_buf *b, const char *p, const char *end)
{
    sg_err rc = SG_OK;

    while (p < end && !rc) {
        if (*p != '\\' || p + 1 >= end) {
            rc = sg_buf_addc(b, *p++);
            continue;
        }
        p++;
        switch (*p) {
        case 't':
            rc = sg_buf_addc(b, '\t');
            break;
        case 'n':
            rc = sg_buf_addc(b, '\n');
            break;
        case 'r':
            rc = sg_buf_addc(b, '\r');
            break;
        case 'f':
            rc = sg_buf_addc(b, '\f');
            break;
        case 'u': {
            unsigned cp = 0;
            int ok = end - p > 4;
            for (int i = 1; ok && i <= 4; i++) {
                int h = sg_hex_digit(p[i]);
                ok = h >= 0;
                cp = cp * 16 + (unsigned)(h < 0 ? 0 : h);
            }
            if (!ok) { /* malformed: Java throws; keep the text */
                rc = sg_buf_addc(b, 'u');
                break;
            }
            rc = add_utf8(b, cp);
            p += 4;
            break;
        }
        default:
            rc = sg_buf_addc(b, *p);
        }
        p++;
    }
    return rc;
}

static int props_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* The value of `key` in a java.util.Properties text (ISO 8859-1 or
 * UTF-8; bytes are kept as they are). Comment lines start with # or !;
 * key and value are separated by '=', ':' or blanks; a line ending in an
 * odd number of backslashes continues on the next (leading blanks
 * dropped). The last occurrence wins, as in Properties.load. */
sg_err sg_sbom__java_props_get(char **out,
                               const void *data,
                               size_t len,
                               const char *key)
{
    const char *p = data, *end = p + len;
    struct sg_buf line = SG_BUF_INIT(len + 1);
    struct sg_buf k = SG_BUF_INIT(len + 1);
    struct sg_buf v = SG_BUF_INIT(len + 1);
    sg_err rc = SG_OK;

    *out = NULL;
    while (p < end && !rc) {
        const char *ks, *ke, *vs;
        int cont = 1, first = 1;
        sg_buf_reset(&line);
        /* Gather one logical line. */
        while (cont && p < end && !rc) {
            const char *e = p;
            size_t bs = 0;
            while (p < end && props_blank(*p))
                p++;
            if (first && p < end && (*p == '#' || *p == '!')) {
                while (p < end && *p != '\n' && *p != '\r')
                    p++;
                cont = 0;
            }
            e = p;
            while (e < end && *e != '\n' && *e != '\r')
                e++;
            for (const char *q = e; q > p && q[-1] == '\\'; q--)
                bs++;
            if (cont) {
                cont = bs % 2 == 1;
                rc = sg_buf_add(&line, p, (size_t)(e - p) - (cont ? 1 : 0));
            }
            if (e < end && *e == '\r')
                e++;
            if (e < end && *e == '\n')
                e++;
            p = e;
            first = 0;
        }
        if (rc || !line.len)
            continue;
        /* Split: the key ends at an unescaped '=', ':' or blank. */
        ks = line.data;
        ke = ks;
        while (*ke && *ke != '=' && *ke != ':' && !props_blank(*ke)) {
            if (*ke == '\\' && ke[1])
                ke++;
            ke++;
        }
        vs = ke;
        while (*vs && props_blank(*vs))
            vs++;
        if (*vs == '=' || *vs == ':')
            vs++;
        while (*vs && props_blank(*vs))
            vs++;
        sg_buf_reset(&k);
        rc = props_unescape(&k, ks, ke);
        if (rc || strcmp(k.data, key) != 0)
            continue;
        sg_buf_reset(&v);
        rc = props_unescape(&v, vs, line.data + line.len);
        if (!rc) {
            char *t = sg_text_dup_trim(v.data, v.len);
            if (!t) {
                rc = SG_ENOMEM;
                break;
            }
            free(*out);
            *out = t;
        }
    }
    sg_buf_release(&line);
    sg_buf_release(&k);
    sg_buf_release(&v);
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* File names: "artifact-1.2.3.jar"                                     */

/* Split a file's base name (extension dropped) at the first '-' followed
 * by a digit: name before, version after ("guava-31.1-jre.jar" →
 * guava, 31.1-jre). No such dash: the whole stem is the name. */
sg_err sg_sbom__java_filename(char **name, char **version, const char *path)
{
    const char *b = base_of(path);
    size_t n = strlen(b) - archive_ext(b);
    size_t cut = n;

    *name = *version = NULL;
    for (size_t i = 0; i + 1 < n; i++) {
        if (b[i] == '-' && b[i + 1] >= '0' && b[i + 1] <= '9') {
            cut = i;
            break;
        }
    }
    if (!cut)
        return SG_OK;
    *name = sg_sbom__dupn(b, cut);
    if (*name && cut < n)
        *version = sg_sbom__dupn(b + cut + 1, n - cut - 1);
    if (!*name || (cut < n && !*version)) {
        free(*name);
        *name = NULL;
        return SG_ENOMEM;
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* Reading zips                                                         */

struct jwalk {
    struct sg_sbom *s;
    const struct sg_ctx *ctx;
    const char *db_path; /* the file in the image (outermost archive) */
    const char *layer;   /* diffID, may be NULL */
    uint64_t left;       /* uncompressed bytes still allowed, whole nest */
    size_t entries_left; /* zip entries still allowed, whole nest */
    int exhausted;       /* a budget ran out: warned once */
};

/* What one archive yields before it becomes packages. */
struct pom {
    char *group, *artifact, *version;
};

struct found {
    struct pom *poms;
    size_t n_poms, cap_poms;
    char *manifest; /* MANIFEST.MF bytes (NUL-ended), first one */
    size_t manifest_len;
};

static void found_release(struct found *f)
{
    for (size_t i = 0; i < f->n_poms; i++) {
        free(f->poms[i].group);
        free(f->poms[i].artifact);
        free(f->poms[i].version);
    }
    free(f->poms);
    free(f->manifest);
}

/* "META-INF/maven/<g>/<a>/pom.properties" → group and artifact slices. */
static int pom_path(
    const char *name, const char **g, size_t *gl, const char **a, size_t *al)
{
    const char *p, *s1, *s2;

    if (strncmp(name, "META-INF/maven/", 15) != 0)
        return 0;
    p = name + 15;
    s1 = strchr(p, '/');
    if (!s1 || s1 == p)
        return 0;
    s2 = strchr(s1 + 1, '/');
    if (!s2 || s2 == s1 + 1 || strcmp(s2, "/pom.properties") != 0)
        return 0;
    *g = p;
    *gl = (size_t)(s1 - p);
    *a = s1 + 1;
    *al = (size_t)(s2 - s1 - 1);
    return 1;
}

/* Read the current entry's data into b (capped at `cap` and at the
 * nest's budget). *too_big when it did not fit (b emptied); a read error
 * is a warning (*too_big stays 0, b emptied) and SG_OK. */
static sg_err read_entry(struct jwalk *w,
                         struct archive *a,
                         struct sg_buf *b,
                         size_t cap,
                         int *too_big,
                         const char *vpath)
{
    sg_err rc = SG_OK;

    *too_big = 0;
    sg_buf_reset(b);
    if (cap > w->left)
        cap = (size_t)w->left;
    for (;;) {
        const void *blk;
        size_t n;
        la_int64_t off;
        int r = archive_read_data_block(a, &blk, &n, &off);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            sg_warn(w->ctx, "%s: %s, not read", vpath,
                    archive_error_string(a) ? archive_error_string(a)
                                            : "read error");
            sg_buf_release(b);
            return SG_OK;
        }
        /* Sparse offsets do not occur in zips; trust only the bytes. */
        if (n > cap - b->len) {
            *too_big = 1;
            w->left -= b->len;
            sg_buf_release(b);
            return SG_OK;
        }
        rc = sg_buf_add(b, blk, n);
        if (rc)
            return rc;
    }
    w->left -= b->len;
    return SG_OK;
}

static sg_err read_archive(struct jwalk *w,
                           const void *data,
                           size_t len,
                           const char *vpath,
                           unsigned depth);

/* Add a package for the archive at vpath; *idx its index. */
static sg_err add_pkg(struct jwalk *w,
                      size_t *idx,
                      const char *group,
                      const char *name,
                      const char *version,
                      const char *how,
                      const char *vpath,
                      const char *supplier)
{
    struct sg_pkg *p;
    sg_err rc = sg_sbom_add_pkg(w->s, &p);

    if (rc)
        return rc;
    *idx = w->s->n_pkgs - 1;
    p->type = SG_PKG_JAVA;
    if (!(p->name = sg_text_dup(name)) ||
        (version && !(p->version = sg_text_dup(version))) ||
        (group && *group && !(p->group = sg_text_dup(group))) ||
        (supplier && !(p->supplier = sg_text_dup(supplier))) ||
        !(p->found_by = sg_text_dup("java-archive-cataloger")) ||
        !(p->db_path = sg_text_dup(w->db_path)) ||
        (w->layer && !(p->layer_diff_id = sg_text_dup(w->layer))))
        return SG_ENOMEM;
    rc = sg_sbom__go_prop_add(p, "java:found-by", how, strlen(how));
    if (!rc && strcmp(vpath, w->db_path) != 0)
        rc = sg_sbom__go_prop_add(p, "java:virtual-path", vpath, strlen(vpath));
    return rc;
}

/* The packages of one archive from what was found in it: one per
 * pom.properties, else one from the manifest and the file name. *main:
 * index+1 of the archive's own package (the pom whose artifact is the
 * file's name, else the first), 0 if none. */
static sg_err
emit(struct jwalk *w, const struct found *f, const char *vpath, size_t *main)
{
    char *fname = NULL, *fver = NULL, *title = NULL, *ver = NULL;
    char *vendor = NULL, *vendor_id = NULL;
    sg_err rc;

    *main = 0;
    rc = sg_sbom__java_filename(&fname, &fver, vpath);
    if (!rc && f->manifest) {
        const char *m = f->manifest;
        size_t ml = f->manifest_len;
        rc =
            sg_sbom__java_manifest_get(&vendor, m, ml, "Implementation-Vendor");
        if (!rc && !vendor)
            rc = sg_sbom__java_manifest_get(&vendor, m, ml, "Bundle-Vendor");
        if (!rc && !f->n_poms) {
            rc = sg_sbom__java_manifest_get(&ver, m, ml,
                                            "Implementation-Version");
            if (!rc && !ver)
                rc = sg_sbom__java_manifest_get(&ver, m, ml, "Bundle-Version");
            if (!rc)
                rc = sg_sbom__java_manifest_get(&title, m, ml,
                                                "Implementation-Title");
            if (!rc && !title) {
                rc = sg_sbom__java_manifest_get(&title, m, ml,
                                                "Bundle-SymbolicName");
                /* "org.x.y;singleton:=true": directives are not the name */
                if (!rc && title)
                    title[strcspn(title, ";")] = '\0';
            }
            if (!rc)
                rc = sg_sbom__java_manifest_get(&vendor_id, m, ml,
                                                "Implementation-Vendor-Id");
        }
    }
    if (rc)
        goto done;
    if (f->n_poms) {
        size_t pick = 0;
        for (size_t i = 0; i < f->n_poms; i++) {
            if (fname && strcmp(f->poms[i].artifact, fname) == 0) {
                pick = i;
                break;
            }
        }
        for (size_t i = 0; i < f->n_poms && !rc; i++) {
            const struct pom *pm = &f->poms[i];
            size_t idx;
            rc = add_pkg(w, &idx, pm->group, pm->artifact, pm->version,
                         "pom.properties", vpath, i == pick ? vendor : NULL);
            if (!rc && i == pick)
                *main = idx + 1;
        }
    } else {
        /* The file name is the artifactId for Maven-built archives (its
         * default finalName), so it names the package; a manifest title
         * only when the name gives none. The version: the manifest's, else
         * the file name's. */
        const char *name = fname ? fname : title;
        const char *version = ver ? ver : fver;
        size_t idx;
        if (name && *name) {
            rc =
                add_pkg(w, &idx, vendor_id, name, version,
                        ver || !fname ? "manifest" : "filename", vpath, vendor);
            if (!rc)
                *main = idx + 1;
        }
    }
done:
    free(fname);
    free(fver);
    free(title);
    free(ver);
    free(vendor);
    free(vendor_id);
    return rc;
}

/* Collect a pom.properties entry's coordinates (the file's own values;
 * the path's group/artifact when the file lacks them). */
static sg_err take_pom(struct found *f,
                       const struct sg_buf *b,
                       const char *g,
                       size_t gl,
                       const char *a,
                       size_t al)
{
    struct pom pm = { 0 };
    sg_err rc;

    rc = sg_sbom__java_props_get(&pm.group, b->data, b->len, "groupId");
    if (!rc)
        rc = sg_sbom__java_props_get(&pm.artifact, b->data, b->len,
                                     "artifactId");
    if (!rc)
        rc = sg_sbom__java_props_get(&pm.version, b->data, b->len, "version");
    if (!rc && (!pm.group || !*pm.group)) {
        free(pm.group);
        if (!(pm.group = sg_sbom__dupn(g, gl)))
            rc = SG_ENOMEM;
    }
    if (!rc && (!pm.artifact || !*pm.artifact)) {
        free(pm.artifact);
        if (!(pm.artifact = sg_sbom__dupn(a, al)))
            rc = SG_ENOMEM;
    }
    if (!rc)
        rc = sg_array_grow(&f->poms, &f->cap_poms, f->n_poms, sizeof(*f->poms),
                           4);
    if (rc) {
        free(pm.group);
        free(pm.artifact);
        free(pm.version);
        return rc;
    }
    f->poms[f->n_poms++] = pm;
    return SG_OK;
}

/* Count the central-directory signatures "PK\1\2" in the archive: an
 * upper bound on the entries libarchive's seekable reader indexes before
 * the first header is returned (it allocates for each), so a hostile
 * directory is refused before that memory is spent. */
static size_t cd_signatures(const unsigned char *p, size_t len)
{
    size_t n = 0;
    const unsigned char *end = p + len;

    while (end - p >= 4) {
        const unsigned char *q = memchr(p, 'P', (size_t)(end - p - 3));
        if (!q)
            break;
        if (q[1] == 'K' && q[2] == 1 && q[3] == 2)
            n++;
        p = q + 1;
    }
    return n;
}

/* Warn once per nest when a budget runs out. */
static void exhausted(struct jwalk *w, const char *vpath, const char *what)
{
    if (w->exhausted)
        return;
    w->exhausted = 1;
    sg_warn(w->ctx, "%s: %s, the rest of the archive is not read", vpath, what);
}

static sg_err read_archive(struct jwalk *w,
                           const void *data,
                           size_t len,
                           const char *vpath,
                           unsigned depth)
{
    const struct sg_limits *lim = sg_ctx_limits(w->ctx);
    struct archive *a = NULL;
    struct archive_entry *e;
    struct found f = { 0 };
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf sub = SG_BUF_INIT(SG_BUF_NOLIMIT);
    size_t start = w->s->n_pkgs, mid, main = 0;
    size_t n_sig = cd_signatures(data, len);
    sg_err rc = SG_OK;

    if (n_sig > w->entries_left) {
        sg_warn(w->ctx,
                "%s: zip directory of over %zu entries (archive-entries-max), "
                "not read",
                vpath, w->entries_left);
        return SG_OK;
    }
    a = archive_read_new();
    if (!a)
        return sg_error_oom();
    archive_read_support_format_zip_seekable(a);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        sg_warn(w->ctx, "%s: not a readable zip archive (%s)", vpath,
                archive_error_string(a) ? archive_error_string(a) : "?");
        goto done;
    }
    for (;;) {
        const char *name, *g, *ar;
        size_t gl, al, cap;
        int r = archive_read_next_header(a, &e), too_big = 0, by_budget;
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            sg_warn(w->ctx, "%s: %s, rest of the archive not read", vpath,
                    archive_error_string(a) ? archive_error_string(a)
                                            : "bad zip entry");
            break;
        }
        if (!w->entries_left) {
            exhausted(w, vpath, "more zip entries than archive-entries-max");
            break;
        }
        w->entries_left--;
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        name = archive_entry_pathname(e);
        if (!name)
            name = archive_entry_pathname_utf8(e);
        if (!name)
            continue;
        {
            int is_pom = pom_path(name, &g, &gl, &ar, &al);
            int is_mf =
                !f.manifest && strcasecmp(name, "META-INF/MANIFEST.MF") == 0;
            int is_nested = !is_pom && !is_mf && archive_ext(name);
            if (!is_pom && !is_mf && !is_nested)
                continue;
            if (is_nested && depth >= JAVA_DEPTH_MAX) {
                sg_warn(w->ctx, "%s:%s: archives nested over %u deep, not read",
                        vpath, name, JAVA_DEPTH_MAX);
                continue;
            }
            if (archive_entry_is_encrypted(e)) {
                sg_warn(w->ctx, "%s:%s: encrypted, not read", vpath, name);
                continue;
            }
            cap = is_nested ? lim->archive_max : lim->pkg_meta_max;
            /* The directory's declared size is only a hint (it may lie
             * both ways); one beyond the cap is not worth inflating. */
            if (archive_entry_size_is_set(e) &&
                (uint64_t)archive_entry_size(e) > cap) {
                sg_warn(w->ctx,
                        "%s:%s: %lld bytes, over the %zu-byte limit, not read",
                        vpath, name, (long long)archive_entry_size(e), cap);
                continue;
            }
            if (!w->left) {
                exhausted(w, vpath,
                          "more uncompressed bytes than archive-bytes-max");
                break;
            }
            by_budget = w->left < cap;
            rc = read_entry(w, a, &b, cap, &too_big, name);
            if (rc)
                break;
            if (too_big) {
                if (by_budget)
                    sg_warn(w->ctx,
                            "%s:%s: over what is left of archive-bytes-max "
                            "(%zu uncompressed bytes for the whole archive), "
                            "not read",
                            vpath, name, lim->archive_max);
                else
                    sg_warn(w->ctx, "%s:%s: over the %zu-byte limit, not read",
                            vpath, name, cap);
                continue;
            }
            if (is_pom) {
                rc = take_pom(&f, &b, g, gl, ar, al);
            } else if (is_mf) {
                rc = sg_buf_take(&f.manifest, &f.manifest_len, &b);
            } else if (b.len) {
                sg_buf_reset(&sub);
                rc = sg_buf_addf(&sub, "%s:%s", vpath, name);
                if (!rc) {
                    char *sp = NULL;
                    rc = sg_buf_take(&sp, NULL, &sub);
                    if (!rc)
                        rc = read_archive(w, b.data, b.len, sp, depth + 1);
                    free(sp);
                }
                sg_buf_release(&b);
            }
            if (rc)
                break;
        }
    }
    if (rc)
        goto done;
    mid = w->s->n_pkgs;
    rc = emit(w, &f, vpath, &main);
    /* Nested archives' own packages (their parent still 0) belong to
     * this archive's package: finish.c makes that "outer CONTAINS". */
    for (size_t i = start; i < mid && !rc && main; i++)
        if (!w->s->pkgs[i].parent)
            w->s->pkgs[i].parent = main;
done:
    if (a)
        archive_read_free(a);
    found_release(&f);
    sg_buf_release(&b);
    sg_buf_release(&sub);
    return rc;
}

sg_err sg_sbom__java_parse(struct sg_sbom *s,
                           const void *data,
                           size_t len,
                           const char *path,
                           const char *layer,
                           const struct sg_ctx *ctx)
{
    const struct sg_limits *lim = sg_ctx_limits(ctx);
    struct jwalk w;

    memset(&w, 0, sizeof(w));
    w.s = s;
    w.ctx = ctx;
    w.db_path = path;
    w.layer = layer;
    w.left = lim->archive_max;
    w.entries_left = lim->zip_entries_max;
    return read_archive(&w, data, len, path, 0);
}

/* ------------------------------------------------------------------ */
/* The scanner's side: buffering one file                              */

struct sg_jar {
    char *path;
    struct sg_buf data;
    const struct sg_ctx *ctx;
    int over; /* grew past archive-bytes-max: warned, dropped */
};

sg_err sg_sbom__jar_begin(struct sg_jar **out,
                          const char *path,
                          uint64_t size,
                          const struct sg_ctx *ctx)
{
    const struct sg_limits *lim = sg_ctx_limits(ctx);
    struct sg_jar *j;

    *out = NULL;
    if (!archive_ext(path))
        return SG_OK;
    if (size > lim->archive_max) {
        sg_warn(ctx,
                "%s: Java archive of %llu bytes, over archive-bytes-max "
                "(%zu), not catalogued",
                path, (unsigned long long)size, lim->archive_max);
        return SG_OK;
    }
    j = calloc(1, sizeof(*j));
    if (!j || !(j->path = sg_text_dup(path))) {
        free(j);
        return sg_error_oom();
    }
    sg_buf_init(&j->data, lim->archive_max);
    /* Known size (tar header, stat): one allocation. */
    if (size && sg_buf_grow(&j->data, (size_t)size) != SG_OK) {
        sg_error_clear();
        sg_buf_release(&j->data);
    }
    j->ctx = ctx;
    *out = j;
    return SG_OK;
}

sg_err sg_sbom__jar_feed(struct sg_jar *j, const void *p, size_t len)
{
    sg_err rc;

    if (!j || j->over)
        return SG_OK;
    if (len > j->data.max - j->data.len) {
        j->over = 1;
        sg_buf_release(&j->data);
        sg_warn(j->ctx,
                "%s: Java archive over archive-bytes-max (%zu), not "
                "catalogued",
                j->path, j->data.max);
        return SG_OK;
    }
    rc = sg_buf_add(&j->data, p, len);
    return rc;
}

sg_err sg_sbom__jar_end(struct sg_jar *j, struct sg_sbom *s, const char *layer)
{
    if (!j || j->over || !j->data.len)
        return SG_OK;
    return sg_sbom__java_parse(s, j->data.data, j->data.len, j->path, layer,
                               j->ctx);
}

void sg_sbom__jar_free(struct sg_jar *j)
{
    if (!j)
        return;
    sg_buf_release(&j->data);
    free(j->path);
    free(j);
}
