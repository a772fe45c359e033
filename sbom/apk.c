/*
 * apk cataloger: lib/apk/db/installed (Alpine's "Apk spec", section
 * "Installed Database", wiki.alpinelinux.org/wiki/Apk_spec; our notes in
 * docs/sbom-formats.md §6.2). Blocks separated by blank lines, each line
 * "X:value" with a single case-sensitive letter. We use P V A o m L D p t
 * c U T I; file lines (F M R a Z) and other letters are ignored. A line
 * that is not "X:..." makes its block malformed: skipped with a warning
 * naming it.
 *
 * Untrusted: the database comes from an image layer. Nothing is copied
 * until a block is complete and well-formed (values are borrowed views
 * into the file), the number of records is bounded by db_records_max,
 * and every byte that reaches a warning is made printable first.
 */
#include "sbom_int.h"
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* One block, as views into the database. Indexed by the field letter
 * itself: the parser checks a letter is ASCII (< 128) before using it as
 * an index, so a byte >= 0x80 can never reach past the arrays. */
struct apk_block {
    const char *v[128]; /* value by letter (ASCII), NULL when absent */
    size_t n[128];      /* its length, continuation lines included */
    size_t first_line;  /* for warnings */
    const char *bad;    /* why the block is skipped, NULL when fine */
};

static char **set_field(struct sg_pkg *p, char letter)
{
    switch (letter) {
    case 'P':
        return &p->name;
    case 'V':
        return &p->version;
    case 'A':
        return &p->arch;
    case 'o':
        return &p->source_name;
    case 'm':
        return &p->supplier;
    case 'L':
        return &p->license;
    case 'T':
        return &p->description;
    case 'U':
        return &p->url;
    default:
        return NULL;
    }
}

/* Space-separated dependency/provides words: drop "!conflicts", keep the
 * name before any version operator. apk writes atoms such as "musl>=1.2",
 * "so:libc.musl-x86_64.so.1", "cmd:busybox=1.36.1-r2" or "!foo"; a
 * conflict is the opposite of a dependency, so it must not become an
 * edge, and the version constraint is not part of the name dependencies
 * are matched on (a provides "so:x=1" satisfies a depends "so:x"). */
static sg_err
split_words(char ***v, size_t *n, const char *p, size_t len, int drop_conflicts)
{
    const char *end = p + len;

    while (p < end) {
        const char *w;
        size_t wn = 0;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        w = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        if (w == p)
            continue;
        if (*w == '!' && drop_conflicts)
            continue;
        while (w + wn < p && !strchr("=<>~", w[wn]))
            wn++;
        if (wn) {
            sg_err rc = sg_strv_push(v, n, w, wn);
            if (rc)
                return rc;
        }
    }
    return SG_OK;
}

static sg_err block_to_pkg(struct sg_sbom *s,
                           const struct apk_block *b,
                           const char *db_path,
                           const char *layer)
{
    static const char letters[] = "PVAomLTU";
    struct sg_pkg *pkg;
    sg_err rc = sg_sbom_add_pkg(s, &pkg);

    if (rc)
        return rc;
    pkg->type = SG_PKG_APK;
    /* Only now are the values copied: a block that turned out malformed
     * never cost an allocation. */
    for (const char *l = letters; *l; l++) {
        char **dst = set_field(pkg, *l);
        char *o;
        if (!b->v[(unsigned char)*l])
            continue;
        if (!(*dst = sg_text_dup_trim(b->v[(unsigned char)*l],
                                      b->n[(unsigned char)*l])))
            return sg_error_oom();
        /* Fold continuation lines ("\n  more") into single spaces: the
         * value spans them (see the parser), and a newline in a name or
         * licence would break the line-oriented output formats. */
        o = *dst;
        for (const char *c = *dst; *c; c++) {
            if (*c == '\r' || *c == '\n') {
                while (c[1] == ' ' || c[1] == '\t' || c[1] == '\n' ||
                       c[1] == '\r')
                    c++;
                *o++ = ' ';
            } else {
                *o++ = *c;
            }
        }
        *o = '\0';
    }
    /* I: installed size in bytes. Digits only and overflow-checked, not
     * strtoull: that would accept a sign, spaces and "0x", and saturate
     * silently. A bad value leaves the size unknown (0), it is not worth
     * dropping the package for. */
    if (b->v['I']) {
        uint64_t v = 0;
        size_t i;
        for (i = 0; i < b->n['I'] && isdigit((unsigned char)b->v['I'][i]) &&
                    v <= (UINT64_MAX - 9) / 10;
             i++)
            v = v * 10 + (uint64_t)(b->v['I'][i] - '0');
        if (i == b->n['I'])
            pkg->installed_size = v;
    }
    if (b->v['D'] && (rc = split_words(&pkg->depends, &pkg->n_depends,
                                       b->v['D'], b->n['D'], 1)))
        return rc;
    if (b->v['p'] && (rc = split_words(&pkg->provides, &pkg->n_provides,
                                       b->v['p'], b->n['p'], 0)))
        return rc;
    if (!(pkg->found_by = sg_text_dup("apk-db-cataloger")) ||
        (db_path && !(pkg->db_path = sg_text_dup(db_path))) ||
        (layer && !(pkg->layer_diff_id = sg_text_dup(layer))))
        return sg_error_oom();
    /* Build time and commit as properties (used by CycloneDX). */
    for (const char *l = "tc"; *l; l++) {
        struct sg_pkg_kv *kv;
        if (!b->v[(unsigned char)*l])
            continue;
        kv = realloc(pkg->props, (pkg->n_props + 1) * sizeof(*kv));
        if (!kv)
            return sg_error_oom();
        pkg->props = kv;
        kv = &pkg->props[pkg->n_props];
        kv->key = sg_text_dup(*l == 't' ? "apk:buildTime" : "apk:commit");
        kv->value =
            sg_text_dup_trim(b->v[(unsigned char)*l], b->n[(unsigned char)*l]);
        pkg->n_props++;
        if (!kv->key || !kv->value)
            return sg_error_oom();
    }
    return SG_OK;
}

sg_err sg_sbom__apk_parse(struct sg_sbom *s,
                          const void *data,
                          size_t len,
                          const char *db_path,
                          const char *layer,
                          const struct sg_ctx *ctx)
{
    struct sg_lines it;
    const char *line;
    size_t llen, n_block = 0, n_records = 0;
    const char *where = db_path ? db_path : "apk installed";
    struct apk_block b;
    int in_block = 0, more = 1;
    unsigned char last = 0;

    memset(&b, 0, sizeof(b));
    sg_lines_init(&it, data, len);
    while (more) {
        more = sg_lines_next(&it, &line, &llen);
        if (more && llen > 0) {
            if (!in_block) {
                memset(&b, 0, sizeof(b));
                b.first_line = it.lineno;
                in_block = 1;
                last = 0;
            }
            if (b.bad)
                continue;
            if (line[0] == ' ' || line[0] == '\t') {
                /* Tolerated continuation of the previous value (some
                 * hand-written databases fold long descriptions). The
                 * value and its continuations are contiguous in the
                 * file, so extending the view's length is enough; only
                 * fields we keep are extended, never the file lists. */
                if (!last) {
                    b.bad = "continuation line before any field";
                } else if (strchr("PVAomLTUDpI", (char)last) && b.v[last]) {
                    b.n[last] = (size_t)(line + llen - b.v[last]);
                }
                continue;
            }
            if (llen < 2 || line[1] != ':' || (unsigned char)line[0] >= 128 ||
                !isalpha((unsigned char)line[0])) {
                b.bad = "line is not \"X:value\"";
                continue;
            }
            last = (unsigned char)line[0];
            if (strchr("PVAomLTUDpItc", (char)last)) {
                /* Two names, versions or arches in one block: apk never
                 * writes that, and picking either would let a crafted
                 * database report one package as another. Other
                 * repeated fields: the last one wins. */
                if (b.v[last] && strchr("PVA", (char)last)) {
                    b.bad = "duplicate P/V/A field";
                    continue;
                }
                b.v[last] = line + 2;
                b.n[last] = llen - 2;
            }
            continue;
        }
        if (!in_block)
            continue;
        in_block = 0;
        n_block++;
        if (!b.bad && (!b.v['P'] || !b.n['P']))
            b.bad = "no P: (name) field";
        if (!b.bad && (!b.v['V'] || !b.n['V']))
            b.bad = "no V: (version) field";
        if (b.bad) {
            /* The warning names the package when it can: at most 79
             * bytes of it, non-printable bytes replaced, so a crafted
             * name cannot write escape sequences to the terminal. */
            char name[80] = "";
            if (b.v['P']) {
                size_t n =
                    b.n['P'] < sizeof(name) - 1 ? b.n['P'] : sizeof(name) - 1;
                memcpy(name, b.v['P'], n);
                name[n] = '\0';
                for (size_t i = 0; i < n; i++)
                    if (!isprint((unsigned char)name[i]))
                        name[i] = '?';
            }
            sg_warn(ctx, "%s: block %zu (line %zu%s%s): %s, skipped", where,
                    n_block, b.first_line, name[0] ? ", package " : "", name,
                    b.bad);
            continue;
        }
        /* Each record costs a package in memory and in every output
         * format: bound them, the file size alone does not (a block can
         * be as short as "P:x\nV:1\n"). */
        if (++n_records > sg_ctx_limits(ctx)->db_records_max)
            return sg_error_set(SG_ELIMIT, "%s: more than %zu records", where,
                                sg_ctx_limits(ctx)->db_records_max);
        {
            sg_err rc = block_to_pkg(s, &b, db_path, layer);
            if (rc)
                return rc == SG_ENOMEM ? sg_error_oom() : rc;
        }
    }
    return SG_OK;
}
