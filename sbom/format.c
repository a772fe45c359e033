/*
 * Writer dispatch and the helpers the SPDX / CycloneDX / table writers
 * share: format names, stable package ids, UUIDs (random, or derived
 * from the content for reproducible output), SPDX licence expressions,
 * actors and the image root purl.
 */
#include "sbom_core.h"
#include "sbom_writer.h"
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <jansson.h>

sg_err sg_sbom_format_parse(enum sg_sbom_format *out, const char *name)
{
    if (strcmp(name, "spdx-json") == 0 || strcmp(name, "spdx") == 0 ||
        strcmp(name, "spdxjson") == 0)
        *out = SG_SBOM_SPDX_JSON;
    else if (strcmp(name, "cyclonedx-json") == 0 ||
             strcmp(name, "cyclonedx") == 0)
        *out = SG_SBOM_CYCLONEDX_JSON;
    else if (strcmp(name, "table") == 0)
        *out = SG_SBOM_TABLE;
    else
        return sg_error_set(SG_EINVAL,
                            "unknown SBOM format \"%s\" (spdx-json, "
                            "cyclonedx-json, table)",
                            name);
    return SG_OK;
}

sg_err sg_sbom_write(struct sg_buf *out,
                     const struct sg_sbom *s,
                     enum sg_sbom_format fmt,
                     const struct sg_sbom_write_opts *opts)
{
    struct sg_sbom_write_opts def = { 0, 0, NULL };

    if (!opts)
        opts = &def;
    switch (fmt) {
    case SG_SBOM_SPDX_JSON:
        return sg_sbom__write_spdx(out, s, opts);
    case SG_SBOM_CYCLONEDX_JSON:
        return sg_sbom__write_cyclonedx(out, s, opts);
    case SG_SBOM_TABLE:
        return sg_sbom__write_table(out, s, opts);
    }
    return sg_error_set(SG_EINVAL, "unknown SBOM format %d", (int)fmt);
}

const char *sg_pkg_type_name(enum sg_pkg_type t)
{
    switch (t) {
    case SG_PKG_DEB:
        return "deb";
    case SG_PKG_APK:
        return "apk";
    case SG_PKG_RPM:
        return "rpm";
    case SG_PKG_GO_MODULE:
        return "go-module";
    case SG_PKG_GO_STDLIB:
        return "go-stdlib";
    case SG_PKG_PYTHON:
        return "python";
    case SG_PKG_NPM:
        return "npm";
    case SG_PKG_JAVA:
        return "java-archive";
    }
    return "unknown";
}

void sg_sbom__time(char out[32], int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (!gmtime_r(&tt, &tm))
        memset(&tm, 0, sizeof(tm));
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

sg_err sg_spdx_idstring(struct sg_buf *b, const char *s)
{
    sg_err rc = SG_OK;

    for (; !rc && s && *s; s++) {
        char c = *s;
        if (!isalnum((unsigned char)c) && c != '.' && c != '-')
            c = '-';
        rc = sg_buf_addc(b, c);
    }
    return rc;
}

static sg_err add_field(struct sg_buf *b, const char *s)
{
    return sg_buf_addf(b, "%s%c", s ? s : "", 0) ? SG_ENOMEM : SG_OK;
}

sg_err sg_sbom__pkg_ids(char ***ids, const struct sg_sbom *s)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char **v = calloc(s->n_pkgs + 1, sizeof(*v));
    sg_err rc = SG_OK;

    *ids = NULL;
    if (!v)
        return sg_error_oom();
    for (size_t i = 0; i < s->n_pkgs && !rc; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        char dg[SG_DIGEST_STR_MAX];
        sg_buf_reset(&b);
        if (add_field(&b, sg_pkg_type_name(p->type)) ||
            add_field(&b, p->name) || add_field(&b, p->version) ||
            add_field(&b, p->arch) || add_field(&b, p->layer_diff_id) ||
            add_field(&b, p->db_path) || add_field(&b, p->deleted ? "d" : "")) {
            rc = sg_error_oom();
            break;
        }
        rc = sg_sha256_digest(dg, b.data, b.len);
        if (rc)
            break;
        sg_buf_reset(&b);
        if (sg_spdx_idstring(&b, sg_pkg_type_name(p->type)) ||
            sg_buf_addc(&b, '-') || sg_spdx_idstring(&b, p->name) ||
            sg_buf_addf(&b, "-%.16s", dg + 7)) {
            rc = sg_error_oom();
            break;
        }
        /* Identical packages (same fields) get a numeric suffix. */
        for (size_t j = 0, k = 2; j < i; j++) {
            if (strcmp(v[j], b.data) == 0) {
                size_t base = b.len;
                if (sg_buf_addf(&b, "-%zu", k++)) {
                    rc = sg_error_oom();
                    break;
                }
                (void)base;
                j = (size_t)-1; /* recheck from the start */
            }
        }
        if (!rc)
            rc = sg_buf_take(&v[i], NULL, &b);
    }
    sg_buf_release(&b);
    if (rc) {
        sg_strv_free_n(v, s->n_pkgs);
        return rc;
    }
    *ids = v;
    return SG_OK;
}

sg_err sg_sbom__uuid(char out[37], const void *seed, size_t seed_len)
{
    unsigned char u[16];

    if (seed) {
        char dg[SG_DIGEST_STR_MAX];
        sg_err rc = sg_sha256_digest(dg, seed, seed_len);
        if (rc)
            return rc;
        rc = sg_hex_decode(u, sizeof(u), dg + 7, 2 * sizeof(u));
        if (rc)
            return rc;
        u[6] = (unsigned char)((u[6] & 0x0f) | 0x50); /* name-based */
    } else {
        size_t got = 0;
        while (got < sizeof(u)) {
            ssize_t n = getrandom(u + got, sizeof(u) - got, 0);
            if (n <= 0)
                return sg_error_set(SG_EIO, "getrandom failed");
            got += (size_t)n;
        }
        u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* random */
    }
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
             "%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
             u[11], u[12], u[13], u[14], u[15]);
    return SG_OK;
}

sg_err sg_sbom__seed(struct sg_buf *b, const struct sg_sbom *s)
{
    if (add_field(b, s->source.name) || add_field(b, s->source.digest) ||
        add_field(b, s->source.manifest_digest) || add_field(b, s->distro.id) ||
        add_field(b, s->distro.version_id))
        return sg_error_oom();
    for (size_t i = 0; i < s->n_pkgs; i++) {
        const struct sg_pkg *p = &s->pkgs[i];
        if (add_field(b, sg_pkg_type_name(p->type)) || add_field(b, p->name) ||
            add_field(b, p->version) || add_field(b, p->arch) ||
            add_field(b, p->purl) || add_field(b, p->license) ||
            add_field(b, p->layer_diff_id) ||
            add_field(b, p->deleted ? "d" : ""))
            return sg_error_oom();
    }
    return SG_OK;
}

/* ------------------------------------------------------------------ */
/* SPDX licence expressions                                             */

struct lex {
    const char *p;
    struct sg_buf *out;
    int depth;
    int bad;
};

static void lex_ws(struct lex *l)
{
    while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')
        l->p++;
}

/* Next word [A-Za-z0-9.:+-]+ into w (NUL-terminated); 0 if none. */
static size_t lex_word(struct lex *l, char *w, size_t cap)
{
    size_t n = 0;

    lex_ws(l);
    while ((isalnum((unsigned char)l->p[n]) || l->p[n] == '.' ||
            l->p[n] == '-' || l->p[n] == '+' || l->p[n] == ':') &&
           n + 1 < cap)
        n++;
    memcpy(w, l->p, n);
    w[n] = '\0';
    return n;
}

static void emit(struct lex *l, const char *s)
{
    if (!l->bad && sg_buf_adds(l->out, s))
        l->bad = 2;
}

static void parse_expr(struct lex *l);

static void parse_simple(struct lex *l)
{
    char w[256];
    size_t n;

    lex_ws(l);
    if (*l->p == '(') {
        l->p++;
        if (++l->depth > 32) {
            l->bad = 1;
            return;
        }
        emit(l, "(");
        parse_expr(l);
        lex_ws(l);
        if (*l->p != ')') {
            l->bad = 1;
            return;
        }
        l->p++;
        l->depth--;
        emit(l, ")");
        return;
    }
    n = lex_word(l, w, sizeof(w));
    if (!n) {
        l->bad = 1;
        return;
    }
    l->p += n;
    if (strncmp(w, "LicenseRef-", 11) == 0 ||
        strncmp(w, "DocumentRef-", 12) == 0) {
        for (size_t i = 0; i < n; i++)
            if (w[i] == '+')
                l->bad = 1;
        emit(l, w);
    } else {
        int plus = n > 1 && w[n - 1] == '+';
        const char *id;
        if (plus)
            w[n - 1] = '\0';
        id = strchr(w, ':') || strchr(w, '+') ? NULL : sg_spdx_license_id(w);
        if (!id) {
            l->bad = 1;
            return;
        }
        emit(l, id);
        if (plus)
            emit(l, "+");
    }
    lex_ws(l);
    if (strncmp(l->p, "WITH ", 5) == 0) {
        l->p += 5;
        n = lex_word(l, w, sizeof(w));
        if (!n || !sg_spdx_license_id(w)) {
            l->bad = 1;
            return;
        }
        l->p += n;
        emit(l, " WITH ");
        emit(l, sg_spdx_license_id(w));
    }
}

static void parse_expr(struct lex *l)
{
    parse_simple(l);
    while (!l->bad) {
        lex_ws(l);
        if (strncmp(l->p, "AND ", 4) == 0 || strncmp(l->p, "AND(", 4) == 0) {
            l->p += 3;
            emit(l, " AND ");
        } else if (strncmp(l->p, "OR ", 3) == 0 ||
                   strncmp(l->p, "OR(", 3) == 0) {
            l->p += 2;
            emit(l, " OR ");
        } else {
            return;
        }
        parse_simple(l);
    }
}

sg_err sg_spdx_expr_normalise(char **out, const char *expr)
{
    struct sg_buf b = SG_BUF_INIT(64 * 1024);
    struct lex l = { expr, &b, 0, 0 };

    *out = NULL;
    parse_expr(&l);
    lex_ws(&l);
    if (l.bad == 2) {
        sg_buf_release(&b);
        return sg_error_oom();
    }
    if (!l.bad && *l.p == '\0' && b.len)
        return sg_buf_take(out, NULL, &b);
    sg_buf_release(&b);
    return SG_OK;
}

int sg_spdx_expr_valid(const char *expr)
{
    char *n = NULL;
    int ok = sg_spdx_expr_normalise(&n, expr) == SG_OK && n;

    free(n);
    return ok;
}

sg_err sg_spdx_license_ref(char **out, const char *text)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    size_t n = 0;
    sg_err rc;

    *out = NULL;
    rc = sg_buf_adds(&b, "LicenseRef-");
    for (const char *c = text; !rc && *c && n < 200; c++, n++) {
        char ch = *c;
        if (!isalnum((unsigned char)ch) && ch != '.' && ch != '-')
            ch = '-';
        rc = sg_buf_addc(&b, ch);
    }
    return rc ? rc : sg_buf_take(out, NULL, &b);
}

sg_err sg_spdx_actor(struct sg_buf *b, const char *who, int org)
{
    const char *lt = strchr(who, '<');
    const char *gt = lt ? strchr(lt, '>') : NULL;
    size_t nl = lt ? (size_t)(lt - who) : strlen(who);
    char *name;
    sg_err rc;

    while (nl > 0 && isspace((unsigned char)who[nl - 1]))
        nl--;
    name = sg_text_dup_trim(who, nl);
    if (!name)
        return sg_error_oom();
    /* Keep the actor on one line and free of the "(email)" syntax. */
    for (char *c = name; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '(' || *c == ')')
            *c = ' ';
    rc = sg_buf_addf(b, "%s: %s", org ? "Organization" : "Person", name);
    if (!rc && lt && gt && gt > lt + 1)
        rc = sg_buf_addf(b, " (%.*s)", (int)(gt - lt - 1), lt + 1);
    free(name);
    return rc;
}

/* purl percent-encoding: unreserved and ':' stay. */
static sg_err pct(struct sg_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        sg_err rc = isalnum(c) || strchr(".-_~:", c)
                        ? sg_buf_addc(b, (char)c)
                        : sg_buf_addf(b, "%%%02X", c);
        if (rc)
            return rc;
    }
    return SG_OK;
}

sg_err sg_sbom__root_purl(struct sg_buf *b, const struct sg_sbom *s)
{
    const struct sg_sbom_source *src = &s->source;
    const char *repo = src->repo_name ? src->repo_name : src->name;
    const char *last = repo ? strrchr(repo, '/') : NULL;
    char *name;
    sg_err rc;
    int q = 0;

    if (!src->digest)
        return SG_OK;
    name = sg_text_dup(last ? last + 1 : repo ? repo : "image");
    if (!name)
        return sg_error_oom();
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    rc = sg_buf_adds(b, "pkg:oci/");
    if (!rc)
        rc = pct(b, name);
    if (!rc)
        rc = sg_buf_addc(b, '@');
    if (!rc)
        rc = pct(b, src->digest);
    if (!rc && src->arch && src->arch[0]) {
        rc = sg_buf_adds(b, "?arch=");
        if (!rc)
            rc = pct(b, src->arch);
        q = 1;
    }
    if (!rc && src->repo_name && src->repo_name[0]) {
        rc = sg_buf_adds(b, q ? "&repository_url=" : "?repository_url=");
        if (!rc)
            rc = pct(b, src->repo_name);
        q = 1;
    }
    if (!rc && src->tag && src->tag[0]) {
        rc = sg_buf_adds(b, q ? "&tag=" : "?tag=");
        if (!rc)
            rc = pct(b, src->tag);
    }
    free(name);
    return rc;
}

json_t *sg_sbom__jstr(const char *s)
{
    json_t *j;
    char *c;

    if (!s)
        return json_null();
    j = json_string(s);
    if (j)
        return j;
    c = strdup(s);
    if (!c)
        return NULL;
    for (unsigned char *p = (unsigned char *)c; *p; p++)
        if (*p >= 0x80)
            *p = '?';
    j = json_string(c);
    free(c);
    return j;
}

int sg_sbom__json_sink(const char *p, size_t n, void *payload)
{
    return sg_buf_add(payload, p, n) == SG_OK ? 0 : -1;
}

sg_err sg_sbom__json_put(struct sg_buf *out, json_t *v, size_t indent)
{
    struct sg_buf t = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc = SG_OK;

    if (!v)
        return sg_error_oom();
    if (json_dump_callback(v, sg_sbom__json_sink, &t,
                           JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
        sg_buf_release(&t);
        return sg_error_oom();
    }
    for (size_t i = 0; i < indent && !rc; i++)
        rc = sg_buf_addc(out, ' ');
    for (size_t i = 0, start = 0; i <= t.len && !rc; i++) {
        if (i < t.len && t.data[i] != '\n')
            continue;
        rc = sg_buf_add(out, t.data + start, i - start);
        if (!rc && i < t.len) {
            rc = sg_buf_addc(out, '\n');
            for (size_t k = 0; k < indent && !rc; k++)
                rc = sg_buf_addc(out, ' ');
        }
        start = i + 1;
    }
    sg_buf_release(&t);
    return rc;
}

sg_err sg_sbom__json_head(struct sg_buf *out, json_t *v, int keep_open)
{
    size_t before = out->len;

    if (!v || json_dump_callback(v, sg_sbom__json_sink, out,
                                 JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
        return sg_error_oom();
    /* "{\n  ...\n}": drop the closing "\n}" to append more members. */
    if (keep_open && out->len >= before + 2 && out->data[out->len - 1] == '}') {
        out->len -= 1;
        while (out->len > before && out->data[out->len - 1] == '\n')
            out->len--;
        out->data[out->len] = '\0';
    }
    return SG_OK;
}

/* Both take ownership of v (as the _new jansson calls do), also when the
 * container is NULL because its own allocation failed: the builder is
 * then marked bad and the document is never written. */
void sg_sbom__jset(struct sg_jb *b, json_t *o, const char *k, json_t *v)
{
    if (!o)
        json_decref(v);
    if (!v || !o || json_object_set_new(o, k, v) != 0)
        b->bad = 1;
}

void sg_sbom__jpush(struct sg_jb *b, json_t *a, json_t *v)
{
    if (!a)
        json_decref(v);
    if (!v || !a || json_array_append_new(a, v) != 0)
        b->bad = 1;
}

sg_err sg_sbom__doc_uuid(char out[37],
                         const struct sg_sbom *s,
                         const struct sg_sbom_write_opts *o,
                         const char *salt)
{
    struct sg_buf t = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    if (!o->deterministic)
        return sg_sbom__uuid(out, NULL, 0);
    rc = sg_sbom__seed(&t, s);
    if (!rc && salt)
        rc = sg_buf_adds(&t, salt);
    if (!rc)
        rc = sg_sbom__uuid(out, t.data, t.len);
    sg_buf_release(&t);
    return rc;
}

sg_err sg_sbom__json_elem(struct sg_buf *out,
                          const struct sg_jb *b,
                          const char *sep,
                          json_t *v)
{
    sg_err rc = b->bad ? sg_error_oom() : sg_buf_adds(out, sep);

    if (!rc)
        rc = sg_sbom__json_put(out, v, 4);
    json_decref(v);
    return rc;
}

const char *sg_sbom__purpose_spdx(const struct sg_pkg *p)
{
    switch (p->purpose) {
    case SG_PURPOSE_LIBRARY:
        return "LIBRARY";
    case SG_PURPOSE_APPLICATION:
        return "APPLICATION";
    case SG_PURPOSE_FRAMEWORK:
        return "FRAMEWORK";
    case SG_PURPOSE_OPERATING_SYSTEM:
        return "OPERATING-SYSTEM";
    case SG_PURPOSE_DEFAULT:
        break;
    }
    switch (p->type) {
    case SG_PKG_PYTHON:
    case SG_PKG_NPM:
    case SG_PKG_JAVA:
        return "LIBRARY";
    default:
        return NULL;
    }
}

const char *sg_sbom__purpose_cdx(const struct sg_pkg *p)
{
    switch (p->purpose) {
    case SG_PURPOSE_APPLICATION:
        return "application";
    case SG_PURPOSE_FRAMEWORK:
        return "framework";
    case SG_PURPOSE_OPERATING_SYSTEM:
        return "operating-system";
    case SG_PURPOSE_LIBRARY:
    case SG_PURPOSE_DEFAULT:
        break;
    }
    return "library";
}
