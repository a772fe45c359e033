/*
 * Matching images and objects against ClusterImagePolicy documents, and
 * the jq attestation policies.
 *
 * Globs follow sigstore policy-controller's pkg/apis/glob/glob.go:
 * - a glob is valid when it has only letters, digits and - _ : / * . @
 *   (their validGlob regexp);
 * - a glob of one star means index.docker.io/library/STAR, and STAR/STAR
 *   means index.docker.io/STAR/STAR (their Compile() rewrites both);
 * - "**" matches any run of characters ("/" included), "*" any run of
 *   characters other than "/", everything else itself; the whole string
 *   must match (they build ^...$);
 * - Match(glob, image) tries the reference's normalized name first
 *   (go-containerregistry's Reference.Name(): Docker Hub as
 *   index.docker.io, "library/" for one-component names, ":latest" when
 *   neither tag nor digest, "@digest" replacing a tag), then the image as
 *   written when that differs (their deprecated fallback, kept so that
 *   policies written against it keep matching).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "policy_int.h"

int sg_pa_glob_valid(const char *g)
{
    if (!g || !*g)
        return 0;
    for (; *g; g++) {
        unsigned char c = (unsigned char)*g;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("-_:/*.@", c)))
            return 0;
    }
    return 1;
}

/* Token kinds of a compiled glob. */
#define TK_STAR  (-1) /* [^/]* */
#define TK_DSTAR (-2) /* .* */

int sg_pa_glob_match_str(const char *glob, const char *s)
{
    int tok[SG_PA_GLOB_MAX];
    size_t nt = 0, n = strlen(s);
    unsigned char *row, *next;
    int ok;

    if (strcmp(glob, "*/*") == 0)
        glob = "index.docker.io/*/*";
    else if (strcmp(glob, "*") == 0)
        glob = "index.docker.io/library/*";
    if (!sg_pa_glob_valid(glob) || strlen(glob) > SG_PA_GLOB_MAX)
        return 0;
    for (const char *p = glob; *p;) {
        if (p[0] == '*' && p[1] == '*') {
            tok[nt++] = TK_DSTAR;
            p += 2;
        } else if (*p == '*') {
            tok[nt++] = TK_STAR;
            p++;
        } else {
            tok[nt++] = (unsigned char)*p++;
        }
    }
    /* row[j]: tokens so far match s[0..j). O(tokens * length), no
     * backtracking whatever the input. */
    row = calloc(n + 1, 1);
    next = calloc(n + 1, 1);
    if (!row || !next) {
        free(row);
        free(next);
        return 0;
    }
    row[0] = 1;
    for (size_t i = 0; i < nt; i++) {
        memset(next, 0, n + 1);
        if (tok[i] == TK_DSTAR || tok[i] == TK_STAR) {
            int run = 0;
            for (size_t j = 0; j <= n; j++) {
                if (tok[i] == TK_STAR && j > 0 && s[j - 1] == '/')
                    run = 0;
                run = run || row[j];
                next[j] = (unsigned char)run;
            }
        } else {
            for (size_t j = 1; j <= n; j++)
                next[j] = row[j - 1] && (unsigned char)s[j - 1] == tok[i];
        }
        {
            unsigned char *t = row;
            row = next;
            next = t;
        }
    }
    ok = row[n];
    free(row);
    free(next);
    return ok;
}

sg_err sg_pa_ref_name(struct sg_buf *out, const struct sg_oci_ref *r)
{
    const char *reg = r->registry;
    sg_err rc;

    if (strcmp(reg, "docker.io") == 0)
        reg = "index.docker.io";
    rc = sg_buf_addf(out, "%s/%s", reg, r->repository);
    if (!rc && r->digest)
        rc = sg_buf_addf(out, "@%s", r->digest);
    else if (!rc)
        rc = sg_buf_addf(out, ":%s", r->tag ? r->tag : "latest");
    return rc;
}

int sg_pa_glob_match(const char *glob, const char *image)
{
    struct sg_oci_ref r;
    struct sg_buf name = SG_BUF_INIT(8192);
    int m;

    if (!sg_pa_glob_valid(glob) || sg_oci_ref_parse(&r, image) != SG_OK)
        return -1;
    if (sg_pa_ref_name(&name, &r) != SG_OK) {
        sg_oci_ref_release(&r);
        sg_buf_release(&name);
        return -1;
    }
    m = sg_pa_glob_match_str(glob, name.data);
    if (!m && strcmp(name.data, image) != 0)
        m = sg_pa_glob_match_str(glob, image);
    sg_oci_ref_release(&r);
    sg_buf_release(&name);
    return m;
}

static int str_eq_or_any(const char *want, const char *have)
{
    return !want || !*want || (have && strcmp(want, have) == 0);
}

int sg_pa_match_object(const struct sg_pa_policy *pol,
                       const struct sg_admit_object *obj)
{
    if (!pol->n_match || !obj)
        return 1;
    for (size_t i = 0; i < pol->n_match; i++) {
        const struct sg_pa_match *m = &pol->match[i];
        size_t j;

        /* group "" is the core group: compared as written. */
        if (strcmp(m->group, obj->group ? obj->group : "") != 0 ||
            !str_eq_or_any(m->version, obj->version) ||
            !str_eq_or_any(m->resource, obj->resource))
            continue;
        for (j = 0; j < m->n_labels; j++) {
            size_t k;
            for (k = 0; k < obj->n_labels; k++) {
                if (strcmp(obj->label_keys[k], m->label_keys[j]) == 0 &&
                    strcmp(obj->label_values[k], m->label_values[j]) == 0)
                    break;
            }
            if (k == obj->n_labels)
                break;
        }
        if (j == m->n_labels)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* jq                                                                   */

static pthread_mutex_t jq_mu = PTHREAD_MUTEX_INITIALIZER;

struct jq_err {
    char msg[256];
};

static void jq_err_cb(void *arg, jv msg)
{
    struct jq_err *e = arg;

    if (!e->msg[0]) {
        if (jv_get_kind(msg) == JV_KIND_STRING)
            sg_escape(e->msg, sizeof(e->msg), jv_string_value(msg));
        else
            snprintf(e->msg, sizeof(e->msg), "error");
    }
    jv_free(msg);
}

static sg_err
jq_run(int *pass, const char *program, const char *input, size_t len)
{
    struct jq_err err;
    jq_state *jq;
    sg_err rc = SG_OK;

    memset(&err, 0, sizeof(err));
    if (pass)
        *pass = 0;
    if (strlen(program) > SG_PA_SCALAR_MAX)
        return sg_error_set(SG_ELIMIT, "jq program too long");
    pthread_mutex_lock(&jq_mu);
    jq = jq_init();
    if (!jq) {
        pthread_mutex_unlock(&jq_mu);
        return sg_error_oom();
    }
    jq_set_error_cb(jq, jq_err_cb, &err);
    if (!jq_compile(jq, program)) {
        rc = sg_error_set(SG_EPARSE, "jq program does not compile: %s",
                          err.msg[0] ? err.msg : "syntax error");
        goto done;
    }
    if (input) {
        jv in;
        jv out;
        if (len > (size_t)SG_LIMIT_SMALL_BLOB_MAX) {
            rc = sg_error_set(SG_ELIMIT, "statement too large for jq");
            goto done;
        }
        in = jv_parse_sized(input, (int)len);
        if (!jv_is_valid(in)) {
            jv_free(in);
            rc = sg_error_set(SG_EPARSE, "statement is not JSON");
            goto done;
        }
        jq_start(jq, in, 0);
        /* The first output decides; an error or no output fails. */
        out = jq_next(jq);
        if (jv_is_valid(out)) {
            if (jv_get_kind(out) == JV_KIND_TRUE)
                *pass = 1;
            else
                rc = sg_error_set(SG_EVERIFY,
                                  "jq policy did not evaluate to true");
        } else {
            jv m = jv_invalid_get_msg(jv_copy(out));
            if (jv_get_kind(m) == JV_KIND_STRING) {
                char esc[256];
                rc = sg_error_set(
                    SG_EVERIFY, "jq policy failed: %s",
                    sg_escape(esc, sizeof(esc), jv_string_value(m)));
            } else {
                rc = sg_error_set(SG_EVERIFY, "jq policy gave no output");
            }
            jv_free(m);
        }
        jv_free(out);
    }
done:
    jq_teardown(&jq);
    pthread_mutex_unlock(&jq_mu);
    return rc;
}

sg_err
sg_pa_jq_eval(int *pass, const char *program, const char *input, size_t len)
{
    SG_ASSERT_ARG(pass && program && input);
    return jq_run(pass, program, input, len);
}

sg_err sg_pa_jq_check(const char *program)
{
    SG_ASSERT_ARG(program);
    return jq_run(NULL, program, NULL, 0);
}
