/*
 * Node.js packages (npm): what is installed under node_modules/, each
 * project's own package.json as the application, and the dependency
 * edges of its lock file.
 *
 * What is read (sg_sbom__npm_claims decides, by path alone):
 *   P/package.json              a project's own manifest (the
 *                               application), when P has a lock or a
 *                               node_modules/ with packages in it
 *   P/node_modules/N/package.json, P/node_modules/@S/N/package.json, and
 *   the same nested under .../node_modules/N/node_modules/...
 *                               an installed package (N not starting
 *                               with '.': .bin, .cache, .pnpm are npm's)
 *   P/npm-shrinkwrap.json, P/package-lock.json, then
 *   P/node_modules/.package-lock.json (npm 7+'s "hidden" lock)
 *                               the first one present is P's lock
 * P is the directory above the first node_modules component, so a
 * package's test fixtures (node_modules/resolve/test/node_modules/x) and
 * its subdirectory manifests (node_modules/x/lib/package.json, often just
 * {"type":"module"}) are not packages, as for npm.
 *
 * Installed metadata describes packages; the lock only adds edges
 * (lockfileVersion 2/3 "packages" map, keyed by install path; version 1
 * "dependencies" tree, turned into the same keys). A package the lock
 * does not list (no lock, an extraneous package) gets the names of its
 * own package.json's dependencies, optionalDependencies and
 * peerDependencies, as `npm ls` reads them. Each edge is resolved
 * as Node.js resolves require(): the dependency's name looked up in the
 * nearest node_modules up the dependent's path, so two versions of one
 * package get the right dependents. The edge is recorded in
 * sg_pkg.depends as "name@version" and sg_sbom_finish() resolves it to
 * that exact package. A lock entry that is not installed (an optional
 * dependency for another platform, a dev dependency omitted with
 * --omit=dev) is not reported, as syft does for images (its lock
 * cataloger only runs on directories); a project with a lock and no
 * node_modules at all reports the lock's non-dev entries instead
 * ("javascript-lock-cataloger", syft's default), so a source tree still
 * gets an SBOM.
 *
 * A package is reported once per (name, version) in the image: two
 * copies of one version (nested node_modules, two applications) are one
 * package, with the union of their edges, credited to the first path.
 * npm's own node_modules (usr/lib/node_modules/npm/...) is reported like
 * any other installed tree: it is in the image, as syft reports it.
 *
 * Untrusted: every file is bounded by pkg_meta_max and parsed by jansson
 * with json_depth_max (sg_json_parse); a lock's entries by
 * db_records_max. A bad file is skipped with a warning naming it.
 */
#include "sbom_core.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define CAT_PKG  "javascript-package-cataloger"
#define CAT_LOCK "javascript-lock-cataloger"

/* ------------------------------------------------------------------ */
/* Paths                                                                */

enum npm_kind {
    NPM_NONE = 0,
    NPM_APP,        /* P/package.json */
    NPM_INSTALLED,  /* P/node_modules/.../package.json */
    NPM_SHRINKWRAP, /* P/npm-shrinkwrap.json (preferred lock) */
    NPM_LOCK,       /* P/package-lock.json */
    NPM_HIDDEN_LOCK /* P/node_modules/.package-lock.json */
};

struct npm_path {
    enum npm_kind kind;
    size_t proj_len; /* length of P ("" for the root: 0) */
    size_t key_off;  /* installed: where "node_modules/..." starts */
    size_t key_len;  /* ... and its length (without "/package.json") */
};

static int seg_is(const char *p, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* A package directory name in node_modules: not empty, not ".x", not
 * "node_modules" (npm refuses that name). */
static int pkg_seg(const char *p, size_t n)
{
    return n > 0 && p[0] != '.' && !seg_is(p, n, "node_modules");
}

/* Classify a normalised path (no leading '/'). */
static struct npm_path classify(const char *path)
{
    struct npm_path r = { NPM_NONE, 0, 0, 0 };
    const char *nm = NULL, *base = strrchr(path, '/');
    size_t dir_len;

    base = base ? base + 1 : path;
    dir_len = base > path ? (size_t)(base - path) - 1 : 0;
    /* The first "node_modules" component, if any. */
    for (const char *c = path; *c;) {
        const char *e = strchr(c, '/');
        size_t n = e ? (size_t)(e - c) : strlen(c);
        if (seg_is(c, n, "node_modules") && e) {
            nm = c;
            break;
        }
        c += n + (e ? 1 : 0);
        if (!e)
            break;
    }
    r.proj_len = nm ? (nm > path ? (size_t)(nm - path) - 1 : 0) : dir_len;
    if (!nm) {
        if (strcmp(base, "package.json") == 0)
            r.kind = NPM_APP;
        else if (strcmp(base, "package-lock.json") == 0)
            r.kind = NPM_LOCK;
        else if (strcmp(base, "npm-shrinkwrap.json") == 0)
            r.kind = NPM_SHRINKWRAP;
        return r;
    }
    if (strcmp(base, ".package-lock.json") == 0) {
        /* directly in P/node_modules */
        if (base == nm + 13)
            r.kind = NPM_HIDDEN_LOCK;
        return r;
    }
    if (strcmp(base, "package.json") != 0 || base <= nm + 13)
        return r;
    /* node_modules/(@S/)?N(/node_modules/(@S/)?N)* then /package.json */
    {
        const char *c = nm, *end = base - 1; /* end: the '/' before base */
        while (c < end) {
            const char *s;
            size_t n;
            /* "node_modules/" and at least one character of a name
             * before `end` ("a/node_modules/package.json" is none) */
            if (end - c < 14 || strncmp(c, "node_modules/", 13) != 0)
                return r;
            c += 13;
            s = memchr(c, '/', (size_t)(end - c));
            n = s ? (size_t)(s - c) : (size_t)(end - c);
            if (n > 1 && c[0] == '@') { /* a scope, then the name */
                if (!s)
                    return r;
                c = s + 1;
                s = memchr(c, '/', (size_t)(end - c));
                n = s ? (size_t)(s - c) : (size_t)(end - c);
            }
            if (!pkg_seg(c, n))
                return r;
            c += n;
            if (c < end)
                c++; /* the '/' before the next node_modules */
        }
        r.kind = NPM_INSTALLED;
        r.key_off = (size_t)(nm - path);
        r.key_len = (size_t)(end - nm);
    }
    return r;
}

int sg_sbom__npm_claims(const char *path)
{
    return classify(path).kind != NPM_NONE;
}

/* ------------------------------------------------------------------ */
/* package.json                                                         */

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One licence value: a string, or the legacy {"type": "MIT", "url": ...}. */
static const char *license_of(const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_object(v))
        return jstr(v, "type");
    return NULL;
}

/* "license" (string or legacy object), else the legacy "licenses" array
 * (or single object), its entries joined with " OR " (npm's docs: a
 * package offered under several licences). NULL when none. */
static sg_err license_dup(char **out, const json_t *o)
{
    const json_t *ls = json_object_get(o, "licenses");
    const char *one = license_of(json_object_get(o, "license"));
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = SG_OK;

    *out = NULL;
    if (one && *one)
        return (*out = sg_text_dup(one)) ? SG_OK : SG_ENOMEM;
    if (json_is_array(ls)) {
        size_t i;
        const json_t *v;
        json_array_foreach(ls, i, v)
        {
            const char *t = license_of(v);
            if (!t || !*t)
                continue;
            if (b.len && (rc = sg_buf_adds(&b, " OR ")))
                break;
            if ((rc = sg_buf_adds(&b, t)))
                break;
        }
    } else if ((one = license_of(ls)) && *one) {
        rc = sg_buf_adds(&b, one);
    }
    if (!rc && b.len)
        rc = sg_buf_take(out, NULL, &b);
    sg_buf_release(&b);
    return rc;
}

/* Strict enough for an identity: printable, no blanks, bounded. Real
 * names are at most 214 characters (npm's validate-npm-package-name). */
static int good_ident(const char *s)
{
    size_t n = strlen(s);

    if (!n || n > 1024)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return 0;
    return 1;
}

static sg_err parse_json(json_t **out,
                         const void *data,
                         size_t len,
                         const char *path,
                         const struct sg_ctx *ctx)
{
    const struct sg_limits *lim = sg_ctx_limits(ctx);

    return sg_json_parse(out, data, len, lim->pkg_meta_max, lim->json_depth_max,
                         path ? path : "package.json");
}

/* Fill p from a parsed package.json object; *ok = 0 without a usable
 * name and version. */
static sg_err pkg_from_json(struct sg_pkg *p,
                            int *ok,
                            const json_t *o,
                            const char *path,
                            const char *layer)
{
    const char *name = jstr(o, "name"), *version = jstr(o, "version");
    const char *desc = jstr(o, "description"), *home = jstr(o, "homepage");
    sg_err rc;

    *ok = 0;
    memset(p, 0, sizeof(*p));
    if (!name || !version || !good_ident(name) || !good_ident(version))
        return SG_OK;
    p->type = SG_PKG_NPM;
    if (!(p->name = sg_text_dup(name)) ||
        !(p->version = sg_text_dup(version)) ||
        !(p->found_by = sg_text_dup(CAT_PKG)) ||
        (desc && *desc && !(p->description = sg_text_dup(desc))) ||
        (home && *home && !(p->url = sg_text_dup(home))) ||
        (path && !(p->db_path = sg_text_dup(path))) ||
        (layer && !(p->layer_diff_id = sg_text_dup(layer)))) {
        sg_pkg_release(p);
        return sg_error_oom();
    }
    rc = license_dup(&p->license, o);
    if (rc) {
        sg_pkg_release(p);
        return rc == SG_ENOMEM ? sg_error_oom() : rc;
    }
    *ok = 1;
    return SG_OK;
}

sg_err sg_sbom__npm_package_json(struct sg_pkg *out,
                                 int *ok,
                                 const void *data,
                                 size_t len,
                                 const char *path,
                                 const char *layer,
                                 const struct sg_ctx *ctx)
{
    json_t *o = NULL;
    sg_err rc;

    *ok = 0;
    memset(out, 0, sizeof(*out));
    rc = parse_json(&o, data, len, path, ctx);
    if (rc)
        return rc;
    if (json_is_object(o))
        rc = pkg_from_json(out, ok, o, path, layer);
    else
        rc = sg_error_set(SG_EPARSE, "%s: not a JSON object",
                          path ? path : "package.json");
    json_decref(o);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Lock files                                                           */

struct lock_ent {
    char *key;     /* "" (the project), "node_modules/a/node_modules/b" */
    char *name;    /* the package's own name (aliases), may be NULL */
    char *version; /* may be NULL */
    char *license;
    char **deps; /* dependency names */
    size_t n_deps;
    int dev;
};

struct lock {
    struct lock_ent *v;
    size_t n, cap;
    size_t max;           /* db_records_max */
    char *name, *version; /* the top-level "name"/"version" */
};

static void lock_release(struct lock *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].name);
        free(l->v[i].version);
        free(l->v[i].license);
        sg_strv_free_n(l->v[i].deps, l->v[i].n_deps);
    }
    free(l->v);
    free(l->name);
    free(l->version);
    memset(l, 0, sizeof(*l));
}

/* The keys of each object-valued member of o named in `fields` (a
 * package's dependencies of every kind) appended to e->deps, each name
 * once. Keys are unique within one object (sg_json_parse refuses
 * duplicates), so a name is only looked up in the earlier fields' objects:
 * hash lookups, not a scan of e->deps (a hostile lock could list 10^6). */
static sg_err
add_dep_names(struct lock_ent *e, const json_t *o, const char *const *fields)
{
    for (size_t f = 0; fields[f]; f++) {
        json_t *d = json_object_get(o, fields[f]);
        const char *k;
        json_t *v;
        if (!json_is_object(d))
            continue;
        json_object_foreach(d, k, v)
        {
            int dup = 0;
            (void)v;
            for (size_t g = 0; g < f && !dup; g++)
                dup = json_is_object(json_object_get(o, fields[g])) &&
                      json_object_get(json_object_get(o, fields[g]), k);
            if (!dup && good_ident(k)) {
                sg_err rc = sg_strv_push(&e->deps, &e->n_deps, k, strlen(k));
                if (rc)
                    return rc;
            }
        }
    }
    return SG_OK;
}

/* v2/v3 entries list what they need in these; peers are installed by
 * npm 7+ and resolved the same way. */
static const char *const v2_dep_fields[] = { "dependencies",
                                             "optionalDependencies",
                                             "peerDependencies", NULL };
/* The project's own entry (and its package.json) also has dev ones. */
static const char *const root_dep_fields[] = { "dependencies",
                                               "optionalDependencies",
                                               "peerDependencies",
                                               "devDependencies", NULL };
/* v1: "requires" maps every dependency kind of the package. */
static const char *const v1_dep_fields[] = { "requires", NULL };

static sg_err lock_add(struct lock *l,
                       struct lock_ent **out,
                       const char *key,
                       size_t key_len,
                       const char *path)
{
    struct lock_ent *e;
    sg_err rc;

    if (l->n >= l->max)
        return sg_error_set(SG_ELIMIT, "%s: more than %zu entries", path,
                            l->max);
    rc = sg_array_grow(&l->v, &l->cap, l->n, sizeof(*l->v), 64);
    if (rc)
        return rc;
    e = &l->v[l->n];
    memset(e, 0, sizeof(*e));
    if (!(e->key = sg_sbom__dupn(key, key_len)))
        return SG_ENOMEM;
    l->n++;
    *out = e;
    return SG_OK;
}

static sg_err ent_strings(struct lock_ent *e, const json_t *o)
{
    const char *name = jstr(o, "name"), *version = jstr(o, "version");
    sg_err rc;

    if ((name && good_ident(name) && !(e->name = sg_text_dup(name))) ||
        (version && good_ident(version) &&
         !(e->version = sg_text_dup(version))))
        return SG_ENOMEM;
    rc = license_dup(&e->license, o);
    e->dev = json_is_true(json_object_get(o, "dev"));
    return rc;
}

/* v1: {"dependencies": {NAME: {"version", "requires", "dev",
 * "dependencies": {...nested...}}}}; NAME's key is the parent's key +
 * "node_modules/NAME". Recursion is bounded by the parse's depth limit. */
static sg_err
lock_v1(struct lock *l, json_t *deps, struct sg_buf *key, const char *path)
{
    const char *name;
    json_t *v;
    size_t base = key->len;
    sg_err rc = SG_OK;

    json_object_foreach(deps, name, v)
    {
        struct lock_ent *e;
        json_t *sub;
        if (!json_is_object(v) || !good_ident(name))
            continue;
        key->len = base;
        if (key->cap)
            key->data[base] = '\0';
        if ((base && (rc = sg_buf_addc(key, '/'))) ||
            (rc = sg_buf_addf(key, "node_modules/%s", name)) ||
            (rc = lock_add(l, &e, key->data, key->len, path)) ||
            (rc = ent_strings(e, v)) ||
            (rc = add_dep_names(e, v, v1_dep_fields)))
            break;
        /* v1's "version" of an aliased or git dependency is not a version
         * ("npm:x@1", "git+https://..."); the installed package.json
         * has the real one, and lock-only mode keeps only plain ones. */
        sub = json_object_get(v, "dependencies");
        if (json_is_object(sub) && (rc = lock_v1(l, sub, key, path)))
            break;
    }
    key->len = base;
    if (key->cap)
        key->data[base] = '\0';
    return rc;
}

static int cmp_ent(const void *a, const void *b)
{
    return strcmp(((const struct lock_ent *)a)->key,
                  ((const struct lock_ent *)b)->key);
}

/* Parse a lock file into l (sorted by key). */
static sg_err lock_parse(struct lock *l,
                         const void *data,
                         size_t len,
                         const char *path,
                         const struct sg_ctx *ctx)
{
    json_t *o = NULL;
    json_t *pk, *deps;
    sg_err rc;

    memset(l, 0, sizeof(*l));
    l->max = sg_ctx_limits(ctx)->db_records_max;
    rc = parse_json(&o, data, len, path, ctx);
    if (rc)
        return rc;
    if (!json_is_object(o)) {
        json_decref(o);
        return sg_error_set(SG_EPARSE, "%s: not a JSON object", path);
    }
    {
        const char *n = jstr(o, "name"), *v = jstr(o, "version");
        if ((n && good_ident(n) && !(l->name = sg_text_dup(n))) ||
            (v && good_ident(v) && !(l->version = sg_text_dup(v)))) {
            json_decref(o);
            return SG_ENOMEM;
        }
    }
    pk = json_object_get(o, "packages");
    deps = json_object_get(o, "dependencies");
    if (json_is_object(pk)) {
        const char *k;
        const json_t *v;
        json_object_foreach(pk, k, v)
        {
            struct lock_ent *e;
            /* Links (workspaces, "file:" dependencies) point at a
             * directory entry elsewhere in the map; that one describes
             * the package. */
            if (!json_is_object(v) ||
                json_is_true(json_object_get(v, "link")) ||
                (*k && strncmp(k, "node_modules/", 13) != 0 &&
                 !strstr(k, "/node_modules/")))
                continue;
            if ((rc = lock_add(l, &e, k, strlen(k), path)) ||
                (rc = ent_strings(e, v)) ||
                (rc =
                     add_dep_names(e, v, *k ? v2_dep_fields : root_dep_fields)))
                break;
        }
    } else if (json_is_object(deps)) {
        struct sg_buf key = SG_BUF_INIT(SG_BUF_NOLIMIT);
        rc = sg_buf_adds(&key, "");
        if (!rc)
            rc = lock_v1(l, deps, &key, path);
        sg_buf_release(&key);
    } else {
        rc = sg_error_set(
            SG_EPARSE, "%s: neither \"packages\" nor \"dependencies\"", path);
    }
    json_decref(o);
    if (rc == SG_ENOMEM)
        rc = sg_error_oom();
    if (!rc && l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), cmp_ent);
    /* Keys are unique: JSON object keys (sg_json_parse refuses
     * duplicates), or in v1 a parent's key plus one of its keys. */
    return rc;
}

static const struct lock_ent *lock_find(const struct lock *l, const char *key)
{
    size_t lo = 0, hi = l->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, l->v[mid].key);
        if (c == 0)
            return &l->v[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The catalog                                                          */

/* Packages added by this cataloger, by (name, version): open addressing
 * over indexes into s->pkgs (+1; 0 is empty), at most half full. */
struct seen {
    size_t *slot;
    size_t n_slot, n;
};

static size_t seen_hash(const char *name, const char *version)
{
    uint64_t h = sg_path_hash(name, strlen(name));
    h ^= sg_path_hash(version ? version : "", version ? strlen(version) : 0) *
         31u;
    return (size_t)h;
}

static size_t seen_pos(const struct seen *t,
                       const struct sg_sbom *s,
                       const char *name,
                       const char *version)
{
    size_t m = t->n_slot - 1, i = seen_hash(name, version) & m;

    while (t->slot[i]) {
        const struct sg_pkg *p = &s->pkgs[t->slot[i] - 1];
        if (strcmp(p->name, name) == 0 &&
            strcmp(p->version ? p->version : "", version ? version : "") == 0)
            break;
        i = (i + 1) & m;
    }
    return i;
}

static sg_err seen_grow(struct seen *t, const struct sg_sbom *s)
{
    size_t n = t->n_slot ? t->n_slot * 2 : 256;
    size_t *old = t->slot, old_n = t->n_slot;

    t->slot = calloc(n, sizeof(*t->slot));
    if (!t->slot) {
        t->slot = old;
        return sg_error_oom();
    }
    t->n_slot = n;
    for (size_t i = 0; i < old_n; i++)
        if (old[i]) {
            const struct sg_pkg *p = &s->pkgs[old[i] - 1];
            t->slot[seen_pos(t, s, p->name, p->version)] = old[i];
        }
    free(old);
    return SG_OK;
}

/* Append *p to s (taking its strings) unless (name, version) is there:
 * then p is released. *idx: the package's index. */
static sg_err
add_once(struct sg_sbom *s, struct seen *t, struct sg_pkg *p, size_t *idx)
{
    struct sg_pkg *d;
    size_t pos;
    sg_err rc;

    if ((t->n + 1) * 2 > t->n_slot && (rc = seen_grow(t, s))) {
        sg_pkg_release(p);
        return rc;
    }
    pos = seen_pos(t, s, p->name, p->version);
    if (t->slot[pos]) {
        *idx = t->slot[pos] - 1;
        sg_pkg_release(p);
        return SG_OK;
    }
    rc = sg_sbom_add_pkg(s, &d);
    if (rc) {
        sg_pkg_release(p);
        return rc;
    }
    *d = *p;
    memset(p, 0, sizeof(*p));
    *idx = s->n_pkgs - 1;
    t->slot[pos] = s->n_pkgs;
    t->n++;
    return SG_OK;
}

struct file_ref {
    const struct sg_npm_file *f;
    struct npm_path c;
};

static int cmp_file_ref(const void *a, const void *b)
{
    const struct file_ref *x = a, *y = b;
    size_t n = x->c.proj_len < y->c.proj_len ? x->c.proj_len : y->c.proj_len;
    int c = memcmp(x->f->path, y->f->path, n);

    if (c)
        return c;
    if (x->c.proj_len != y->c.proj_len)
        return x->c.proj_len < y->c.proj_len ? -1 : 1;
    if (x->c.kind != y->c.kind)
        return x->c.kind < y->c.kind ? -1 : 1;
    return strcmp(x->f->path, y->f->path);
}

/* An installed package of the project: its key and package index. */
struct inst {
    const char *key; /* borrowed from the file path, or a lock entry */
    size_t key_len;
    size_t idx;
    struct lock_ent pj; /* deps: its package.json's dependency names */
};

/* An installed package.json: the package, and the names it depends on
 * (used when the lock has no entry for it: no lock, an extraneous
 * package). */
static sg_err installed_read(struct sg_pkg *p,
                             int *ok,
                             struct lock_ent *deps,
                             const struct sg_npm_file *f,
                             const struct sg_ctx *ctx)
{
    json_t *o = NULL;
    sg_err rc = parse_json(&o, f->data, f->len, f->path, ctx);

    *ok = 0;
    memset(p, 0, sizeof(*p));
    if (rc)
        return rc;
    if (!json_is_object(o))
        rc = sg_error_set(SG_EPARSE, "%s: not a JSON object", f->path);
    else
        rc = pkg_from_json(p, ok, o, f->path, f->layer);
    if (!rc && *ok && (rc = add_dep_names(deps, o, v2_dep_fields))) {
        sg_pkg_release(p);
        *ok = 0;
    }
    json_decref(o);
    return rc == SG_ENOMEM ? sg_error_oom() : rc;
}

static int cmp_inst_key(const char *k, size_t kl, const struct inst *b)
{
    size_t n = kl < b->key_len ? kl : b->key_len;
    int c = memcmp(k, b->key, n);

    return c ? c : (kl < b->key_len ? -1 : kl > b->key_len);
}

static int cmp_inst(const void *a, const void *b)
{
    const struct inst *x = a;
    int c = cmp_inst_key(x->key, x->key_len, b);

    return c ? c : (x->idx < ((const struct inst *)b)->idx ? -1 : 0);
}

static const struct inst *
inst_find(const struct inst *v, size_t n, const char *k, size_t kl)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_inst_key(k, kl, &v[mid]);
        if (c == 0)
            return &v[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Node's lookup of `name` from the package at `key` ("" for the
 * project): key/node_modules/name, then each node_modules further up. */
static const struct inst *resolve(const struct inst *v,
                                  size_t n,
                                  const char *key,
                                  const char *name,
                                  struct sg_buf *b)
{
    size_t cur = strlen(key);

    for (;;) {
        const struct inst *r;
        sg_buf_reset(b);
        if (sg_buf_add(b, key, cur) || (cur && sg_buf_addc(b, '/')) ||
            sg_buf_adds(b, "node_modules/") || sg_buf_adds(b, name)) {
            sg_error_clear(); /* cannot happen: the buffer is unlimited */
            return NULL;
        }
        r = inst_find(v, n, b->data, b->len);
        if (r || !cur)
            return r;
        /* Up to the package that holds this node_modules. */
        {
            size_t i = cur;
            while (i >= 14 && memcmp(key + i - 14, "/node_modules/", 14) != 0)
                i--;
            cur = i >= 14 ? i - 14 : 0;
            /* key[0..cur) is now the package whose node_modules holds
             * ours ("" when ours is the project's). */
        }
    }
}

/* Record "name@version" of package `to` in from's depends; duplicates
 * (a package installed twice, a name in two dependency kinds) are
 * removed once at the end (dedupe_depends()), not searched for here. */
static sg_err add_edge(struct sg_sbom *s, size_t from, size_t to)
{
    struct sg_pkg *p = &s->pkgs[from];
    const struct sg_pkg *q = &s->pkgs[to];
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    if (from == to)
        return SG_OK;
    rc = sg_buf_addf(&b, "%s@%s", q->name, q->version ? q->version : "");
    if (!rc)
        rc = sg_strv_push(&p->depends, &p->n_depends, b.data, b.len);
    sg_buf_release(&b);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort each package's depends (from `first` on) and drop repeats. */
static void dedupe_depends(struct sg_sbom *s, size_t first)
{
    for (size_t i = first; i < s->n_pkgs; i++) {
        struct sg_pkg *p = &s->pkgs[i];
        size_t o = 0;
        if (p->type != SG_PKG_NPM || p->n_depends < 2)
            continue;
        qsort(p->depends, p->n_depends, sizeof(*p->depends), cmp_str);
        for (size_t k = 0; k < p->n_depends; k++) {
            if (o && strcmp(p->depends[o - 1], p->depends[k]) == 0) {
                free(p->depends[k]);
                continue;
            }
            p->depends[o++] = p->depends[k];
        }
        p->n_depends = o;
    }
}

/* Edges of every installed package (and the application, `root`'s
 * names): the names its lock entry lists, or without one those of its
 * package.json, each resolved as Node would from where it is installed. */
static sg_err edges(struct sg_sbom *s,
                    const struct lock *l,
                    const struct inst *v,
                    size_t n,
                    size_t app,
                    const struct lock_ent *root)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = SG_OK;

    for (size_t i = 0; i < n && !rc; i++) {
        struct sg_buf key = SG_BUF_INIT(SG_BUF_NOLIMIT);
        const struct lock_ent *e;
        rc = sg_buf_add(&key, v[i].key, v[i].key_len);
        if (rc)
            break;
        e = lock_find(l, key.data);
        if (!e)
            e = &v[i].pj;
        for (size_t d = 0; d < e->n_deps && !rc; d++) {
            const struct inst *r = resolve(v, n, key.data, e->deps[d], &b);
            if (r)
                rc = add_edge(s, v[i].idx, r->idx);
        }
        sg_buf_release(&key);
    }
    for (size_t d = 0; root && app != SIZE_MAX && d < root->n_deps && !rc;
         d++) {
        const struct inst *r = resolve(v, n, "", root->deps[d], &b);
        if (r)
            rc = add_edge(s, app, r->idx);
    }
    sg_buf_release(&b);
    return rc;
}

static int too_big(const struct sg_npm_file *f, const struct sg_ctx *ctx)
{
    size_t max = sg_ctx_limits(ctx)->pkg_meta_max;

    if (f->len <= max)
        return 0;
    sg_warn(ctx, "%s: larger than %zu bytes (pkg-meta-max), not catalogued",
            f->path, max);
    return 1;
}

/* A file that could not be read: warn, keep going (the error was set). */
static sg_err skip_bad(sg_err rc, const struct sg_ctx *ctx)
{
    if (rc == SG_ENOMEM)
        return rc;
    sg_warn(ctx, "%s, skipped", sg_error_last());
    sg_error_clear();
    return SG_OK;
}

/* The last component of a lock key: the package's directory name
 * ("@s/n" for a scoped one). */
static const char *key_name(const char *key)
{
    const char *p = key, *q;

    while ((q = strstr(p, "node_modules/")))
        p = q + 13;
    return p;
}

/* One project: files r[0..n) share the project directory. */
static sg_err project(struct sg_sbom *s,
                      struct seen *t,
                      const struct file_ref *r,
                      size_t n,
                      const struct sg_ctx *ctx)
{
    const struct file_ref *app = NULL, *lockf = NULL;
    struct lock l;
    struct inst *v = NULL;
    size_t nv = 0, cap = 0, app_idx = SIZE_MAX;
    struct lock_ent root_pj;
    const struct lock_ent *root = NULL;
    int have_lock = 0, lock_only;
    sg_err rc = SG_OK;

    memset(&l, 0, sizeof(l));
    memset(&root_pj, 0, sizeof(root_pj));
    for (size_t i = 0; i < n; i++) {
        if (r[i].c.kind == NPM_APP && !app)
            app = &r[i];
        if (r[i].c.kind >= NPM_SHRINKWRAP && !lockf && !too_big(r[i].f, ctx))
            lockf = &r[i];
    }
    if (lockf) {
        rc = lock_parse(&l, lockf->f->data, lockf->f->len, lockf->f->path, ctx);
        if (rc) {
            lock_release(&l);
            rc = skip_bad(rc, ctx);
        } else {
            have_lock = 1;
        }
    }
    /* Installed packages. */
    for (size_t i = 0; i < n && !rc; i++) {
        const struct sg_npm_file *f = r[i].f;
        struct sg_pkg p;
        struct lock_ent pj;
        int ok = 0;
        if (r[i].c.kind != NPM_INSTALLED || too_big(f, ctx))
            continue;
        memset(&pj, 0, sizeof(pj));
        rc = installed_read(&p, &ok, &pj, f, ctx);
        if (rc) {
            rc = skip_bad(rc, ctx);
            continue;
        }
        if (!ok)
            continue; /* no name or version: not a package npm installs */
        if ((rc = sg_array_grow(&v, &cap, nv, sizeof(*v), 64))) {
            sg_pkg_release(&p);
            sg_strv_free_n(pj.deps, pj.n_deps);
        } else if ((rc = add_once(s, t, &p, &v[nv].idx))) {
            sg_strv_free_n(pj.deps, pj.n_deps);
        } else {
            v[nv].pj = pj;
            v[nv].key = f->path + r[i].c.key_off;
            v[nv].key_len = r[i].c.key_len;
            nv++;
        }
    }
    /* A lock without anything installed: the lock describes the
     * packages (syft's lock cataloger: dev dependencies left out). */
    lock_only = !nv && have_lock;
    for (size_t i = 0; !rc && lock_only && i < l.n; i++) {
        const struct lock_ent *e = &l.v[i];
        const char *nm = e->name ? e->name : key_name(e->key);
        struct sg_pkg p;
        if (!*e->key || e->dev || !e->version || !good_ident(nm) ||
            strchr(e->version, ':'))
            continue; /* the project; dev; aliased/git/file versions */
        memset(&p, 0, sizeof(p));
        p.type = SG_PKG_NPM;
        if (!(p.name = sg_text_dup(nm)) ||
            !(p.version = sg_text_dup(e->version)) ||
            !(p.found_by = sg_text_dup(CAT_LOCK)) ||
            !(p.db_path = sg_text_dup(lockf->f->path)) ||
            (lockf->f->layer &&
             !(p.layer_diff_id = sg_text_dup(lockf->f->layer))) ||
            (e->license && !(p.license = sg_text_dup(e->license)))) {
            sg_pkg_release(&p);
            rc = sg_error_oom();
            break;
        }
        if ((rc = sg_array_grow(&v, &cap, nv + 1, sizeof(*v), 64))) {
            sg_pkg_release(&p);
            break;
        }
        memset(&v[nv], 0, sizeof(*v));
        v[nv].key = e->key;
        v[nv].key_len = strlen(e->key);
        if (!(rc = add_once(s, t, &p, &v[nv].idx)))
            nv++;
    }
    /* The application: P/package.json beside what npm installed or
     * locked. Without either it is just a JSON file of that name. */
    if (!rc && app && (nv || have_lock) && !too_big(app->f, ctx)) {
        json_t *o = NULL;
        struct sg_pkg p;
        int ok = 0;
        rc = parse_json(&o, app->f->data, app->f->len, app->f->path, ctx);
        if (rc) {
            rc = skip_bad(rc, ctx);
        } else if (json_is_object(o)) {
            const char *nm = jstr(o, "name");
            rc = pkg_from_json(&p, &ok, o, app->f->path, app->f->layer);
            if (!nm || !good_ident(nm))
                nm = l.name; /* the lock repeats it */
            if (!rc && !ok && nm) {
                /* Applications often have no version ("private": true). */
                memset(&p, 0, sizeof(p));
                p.type = SG_PKG_NPM;
                if (!(p.name = sg_text_dup(nm)) ||
                    !(p.found_by = sg_text_dup(CAT_PKG)) ||
                    !(p.db_path = sg_text_dup(app->f->path)) ||
                    (app->f->layer &&
                     !(p.layer_diff_id = sg_text_dup(app->f->layer))))
                    rc = sg_error_oom();
                else
                    rc = license_dup(&p.license, o);
                ok = !rc;
                if (rc)
                    sg_pkg_release(&p);
            }
            if (!rc && ok) {
                p.purpose = SG_PURPOSE_APPLICATION;
                rc = add_once(s, t, &p, &app_idx);
            }
            if (!rc && !(root = lock_find(&l, ""))) {
                rc = add_dep_names(&root_pj, o, root_dep_fields);
                root = &root_pj;
            }
        } else {
            sg_warn(ctx, "%s: not a JSON object, skipped", app->f->path);
        }
        json_decref(o);
    }
    if (!rc && nv > 1)
        qsort(v, nv, sizeof(*v), cmp_inst);
    if (!rc)
        rc = edges(s, &l, v, nv, app_idx, root);
    sg_strv_free_n(root_pj.deps, root_pj.n_deps);
    for (size_t i = 0; i < nv; i++)
        sg_strv_free_n(v[i].pj.deps, v[i].pj.n_deps);
    lock_release(&l);
    free(v);
    return rc;
}

/* all-layers: an earlier version of an installed package.json. Its
 * package is reported, marked deleted, unless the live image has that
 * (name, version); a later deleted version of it takes the credit (the
 * newest layer that still had it, as the database catalogers do). No
 * edges: the lock describes the live tree. */
static sg_err deleted_pkg(struct sg_sbom *s,
                          struct seen *t,
                          const struct sg_npm_file *f,
                          const struct sg_ctx *ctx)
{
    struct sg_pkg p;
    struct lock_ent pj;
    size_t pos, idx;
    int ok = 0;
    sg_err rc;

    if (too_big(f, ctx))
        return SG_OK;
    memset(&pj, 0, sizeof(pj));
    rc = installed_read(&p, &ok, &pj, f, ctx);
    sg_strv_free_n(pj.deps, pj.n_deps);
    if (rc)
        return skip_bad(rc, ctx);
    if (!ok)
        return SG_OK;
    if ((t->n + 1) * 2 > t->n_slot && (rc = seen_grow(t, s))) {
        sg_pkg_release(&p);
        return rc;
    }
    pos = seen_pos(t, s, p.name, p.version);
    if (t->slot[pos]) {
        struct sg_pkg *have = &s->pkgs[t->slot[pos] - 1];
        if (have->deleted) { /* newer: swap in its layer and path */
            char *x = have->layer_diff_id;
            have->layer_diff_id = p.layer_diff_id;
            p.layer_diff_id = x;
            x = have->db_path;
            have->db_path = p.db_path;
            p.db_path = x;
        }
        sg_pkg_release(&p);
        return SG_OK;
    }
    p.deleted = 1;
    return add_once(s, t, &p, &idx);
}

sg_err sg_sbom__npm_catalog(struct sg_sbom *s,
                            const struct sg_npm_file *files,
                            size_t n,
                            const struct sg_ctx *ctx)
{
    struct file_ref *r = NULL;
    struct seen t = { 0 };
    size_t nr = 0, first = s->n_pkgs;
    sg_err rc = SG_OK;

    if (!n)
        return SG_OK;
    r = calloc(n, sizeof(*r));
    if (!r)
        return sg_error_oom();
    for (size_t i = 0; i < n; i++) {
        struct npm_path c = classify(files[i].path);
        if (c.kind == NPM_NONE || !files[i].data || files[i].deleted)
            continue;
        r[nr].f = &files[i];
        r[nr++].c = c;
    }
    if (nr > 1)
        qsort(r, nr, sizeof(*r), cmp_file_ref);
    for (size_t i = 0; i < nr && !rc;) {
        size_t j = i + 1;
        while (j < nr && r[j].c.proj_len == r[i].c.proj_len &&
               memcmp(r[j].f->path, r[i].f->path, r[i].c.proj_len) == 0)
            j++;
        rc = project(s, &t, r + i, j - i, ctx);
        i = j;
    }
    dedupe_depends(s, first);
    for (size_t i = 0; i < n && !rc; i++)
        if (files[i].deleted && files[i].data &&
            classify(files[i].path).kind == NPM_INSTALLED)
            rc = deleted_pkg(s, &t, &files[i], ctx);
    free(t.slot);
    free(r);
    return rc;
}
