/*
 * sigil sbom SOURCE [-o FORMAT[=FILE]]... [--platform P]
 *                   [--scope squashed|all-layers] [--attest --key K [--sign]]
 *
 * Scans the image once, renders every requested format into memory, and
 * only then writes each FILE (temp file + rename); nothing is written
 * when the scan fails. With --attest the first JSON document (spdx-json
 * by default) is attached as a signed attestation (cmd_attest.c).
 */
#include "cli.h"
#include "sigil/sbom.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_take_sbom_output(void *arg, char *v)
{
    struct cli_sbom_outputs *o = arg;
    struct cli_sbom_output *out = &o->v[o->n];
    const char *eq = strchr(v, '=');
    size_t n = eq ? (size_t)(eq - v) : strlen(v);

    if (o->n == CLI_SBOM_OUTPUTS_MAX)
        return cli_usage_error(o->cmd, "too many -o options");
    if (n == 0 || n >= sizeof(out->name))
        n = 0;
    memcpy(out->name, v, n);
    out->name[n] = '\0';
    if (!n || sg_sbom_format_parse(&out->fmt, out->name) != SG_OK)
        return cli_usage_error(o->cmd,
                               "-o %s: expected FORMAT[=FILE] with "
                               "FORMAT spdx-json, cyclonedx-json "
                               "or table",
                               v);
    out->file = eq && eq[1] && strcmp(eq + 1, "-") != 0 ? eq + 1 : NULL;
    o->n_stdout += out->file == NULL;
    sg_buf_init(&out->doc, SG_BUF_NOLIMIT);
    o->n++;
    return CLI_EXIT_OK;
}

int cli_sbom_outputs_check(struct cli_sbom_outputs *o)
{
    long long t;
    int set;

    if (o->n_stdout > 1)
        return cli_usage_error(o->cmd, "only one -o may go to stdout; give "
                                       "the others a =FILE");
    if (cli_source_date_epoch(o->cmd, &t, &set))
        return CLI_EXIT_USAGE;
    o->wo.created = (int64_t)t;
    if (set)
        o->wo.deterministic = 1;
    return CLI_EXIT_OK;
}

int cli_sbom_outputs_write(struct cli_sbom_outputs *o,
                           const struct sg_sbom *sbom)
{
    int ret = CLI_EXIT_OK;

    for (size_t i = 0; i < o->n; i++) {
        sg_err rc = sg_sbom_write(&o->v[i].doc, sbom, o->v[i].fmt, &o->wo);
        if (rc)
            return cli_fail(rc, "%s", o->v[i].name);
    }
    for (size_t i = 0; i < o->n && !ret; i++)
        ret = cli_output(o->v[i].file, o->v[i].doc.data, o->v[i].doc.len);
    return ret;
}

void cli_sbom_outputs_release(struct cli_sbom_outputs *o)
{
    for (size_t i = 0; i < o->n; i++)
        sg_buf_release(&o->v[i].doc);
}

/* What the sbom option callbacks fill in (run_sbom's locals). */
struct sbom_args {
    struct sg_sbom_opts *opts;
    unsigned jobs;             /* --jobs (batch mode) */
    unsigned shard_k, shard_n; /* --shard K/N; n 0: none */
};

static int take_scope(void *arg, char *v)
{
    struct sbom_args *a = arg;

    if (strcmp(v, "squashed") == 0)
        a->opts->scope = SG_SBOM_SQUASHED;
    else if (strcmp(v, "all-layers") == 0)
        a->opts->scope = SG_SBOM_ALL_LAYERS;
    else
        return cli_usage_error(&cli_cmd_sbom,
                               "--scope: squashed or all-layers, "
                               "not \"%s\"",
                               v);
    return CLI_EXIT_OK;
}

/* A decimal number in [lo, hi] (the whole string), or -1. */
static long number_in(const char *v, long lo, long hi)
{
    char *end;
    long t;

    if (*v < '0' || *v > '9')
        return -1;
    t = strtol(v, &end, 10);
    return *end || t < lo || t > hi ? -1 : t;
}

static int take_threads(void *arg, char *v)
{
    struct sbom_args *a = arg;
    long t = number_in(v, 1, 64);

    if (t < 0)
        return cli_usage_error(&cli_cmd_sbom, "--threads: 1..64, not \"%s\"",
                               v);
    a->opts->threads = (unsigned)t;
    return CLI_EXIT_OK;
}

static int take_jobs(void *arg, char *v)
{
    struct sbom_args *a = arg;
    long t = number_in(v, 1, 64);

    if (t < 0)
        return cli_usage_error(&cli_cmd_sbom, "--jobs: 1..64, not \"%s\"", v);
    a->jobs = (unsigned)t;
    return CLI_EXIT_OK;
}

static int take_shard(void *arg, char *v)
{
    struct sbom_args *a = arg;
    char *slash = strchr(v, '/');
    long k = -1, n = -1;

    if (slash) {
        *slash = '\0';
        k = number_in(v, 0, 1000000);
        n = number_in(slash + 1, 1, 1000000);
        *slash = '/';
    }
    if (k < 0 || n < 0 || k >= n)
        return cli_usage_error(&cli_cmd_sbom,
                               "--shard: K/N with 0 <= K < N <= 1000000, "
                               "not \"%s\"",
                               v);
    a->shard_k = (unsigned)k;
    a->shard_n = (unsigned)n;
    return CLI_EXIT_OK;
}

static int take_catalogers(void *arg, char *v)
{
    struct sbom_args *a = arg;

    if (sg_sbom_catalogers_parse(&a->opts->catalogers, v))
        return cli_usage_error(&cli_cmd_sbom, "--catalogers: %s",
                               sg_error_last());
    return CLI_EXIT_OK;
}

struct reopen {
    const struct sg_oci_registry_opts *reg;
    const char *spec;
};

/* Another handle on the same source, for a parallel layer reader. */
static sg_err reopen_store(struct sg_oci_store **out, void *payload)
{
    const struct reopen *r = payload;

    return sg_oci_store_open(out, r->spec, r->reg, 0);
}

/* Attach the first JSON output (spdx-json when there is none) as a
 * signed attestation of img, and with do_sign sign it. With k the key is
 * the one loaded already, else key_path's. The digest is printed to
 * stderr when print_digest. */
static int attest_sbom(struct cli_ctx *ctx,
                       struct sg_oci_store *store,
                       const struct sg_oci_image *img,
                       const struct sg_sbom *sbom,
                       const struct cli_sbom_outputs *outs,
                       const char *key_path,
                       const struct sg_sign_key *k,
                       int do_sign,
                       int print_digest)
{
    const struct cli_sbom_output *j = NULL;
    struct sg_buf extra = SG_BUF_INIT(SG_BUF_NOLIMIT);
    enum sg_sbom_format af = SG_SBOM_SPDX_JSON;
    int ret;
    sg_err rc;

    for (size_t i = 0; i < outs->n && !j; i++)
        if (outs->v[i].fmt != SG_SBOM_TABLE)
            j = &outs->v[i];
    if (j)
        af = j->fmt;
    else if ((rc = sg_sbom_write(&extra, sbom, af, &outs->wo)))
        return cli_fail(rc, "spdx-json");
    {
        struct cli_pipeline p = {
            .s = store,
            .digest = img->digest,
            .key_path = key_path,
            .key = k,
            .sbom = j ? j->doc.data : extra.data,
            .sbom_len = j ? j->doc.len : extra.len,
            .predicate_type =
                af == SG_SBOM_SPDX_JSON ? "spdxjson" : "cyclonedx",
            .do_sign = do_sign,
        };
        ret = cli_pipeline_attest(ctx, &p);
    }
    sg_buf_release(&extra);
    if (ret == CLI_EXIT_OK && print_digest)
        fprintf(stderr, "%s\n", img->digest);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Batch mode: many images in one process                              */
/*
 * The list (IMAGE arguments, then --from-file lines) is cut to this
 * shard, the output templates are checked so that no two images write
 * one file, and then --jobs workers take images in list order. Each image
 * has its own store, scan and documents; the layer cache, the signing key
 * and the settings are shared (read-only, or thread-safe for the cache).
 * A failing image prints one line naming it and the others go on.
 */

#define BATCH_LIST_MAX     (64u << 20) /* --from-file bytes */
#define BATCH_JOBS_DEFAULT 2

/* Template placeholders, in the order of their names below. */
enum {
    PH_NAME,
    PH_REGISTRY,
    PH_REPO,
    PH_TAG,
    PH_INDEX,
    PH_DIGEST,
    PH_N
};
static const char *const ph_names[PH_N] = { "name", "registry", "repo",
                                            "tag",  "index",    "digest" };

struct batch_item {
    const char *ref; /* as given (argv, or the list buffer) */
    size_t index;    /* in the whole list, before --shard */
    char *val[PH_N]; /* sanitised values; digest once resolved */
    char *digest;    /* phase 0: what ref resolved to (NULL: dir:) */
    char **paths;    /* per output, when known */
    int failed;
};

struct batch {
    struct cli_ctx *ctx;
    const struct sg_oci_registry_opts *reg;
    const struct sg_sbom_opts *opts;
    const struct cli_sbom_outputs *outs; /* formats and templates */
    const struct sg_oci_platform *plat;
    const char *key_path;
    const struct sg_sign_key *key;
    int attest, do_sign;
    struct batch_item *v;
    size_t n;
    int phase; /* 0: resolve digests only; 1: scan and write */
    pthread_mutex_t mu;
    size_t next; /* the next item a worker takes (under mu) */
};

/* A placeholder value: letters, digits, '.', '-' and '_' kept, anything
 * else (a '/', ':', '@', a control byte) becomes '_', and a leading '.'
 * too, so a value is never "..", a hidden name or a path separator. */
static char *sanitise(const char *v)
{
    char *o = strdup(v ? v : "");

    for (char *p = o; p && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              (c == '.' && p != o)))
            *p = '_';
    }
    return o;
}

/* The placeholder at t ("{name}..."): its index, or -1. */
static int ph_at(const char *t, size_t *len)
{
    for (int i = 0; i < PH_N; i++) {
        size_t n = strlen(ph_names[i]);
        if (strncmp(t + 1, ph_names[i], n) == 0 && t[n + 1] == '}') {
            *len = n + 2;
            return i;
        }
    }
    return -1;
}

/* Check a template: every '{' starts a known placeholder. Sets *digest
 * when {digest} is used. */
static int template_check(const char *t, int *digest)
{
    for (const char *p = t; *p; p++) {
        size_t len = 0;
        int ph;
        if (*p != '{')
            continue;
        ph = ph_at(p, &len);
        if (ph < 0)
            return cli_usage_error(&cli_cmd_sbom,
                                   "-o %s: unknown placeholder at \"%.20s\" "
                                   "(name, registry, repo, tag, index, "
                                   "digest)",
                                   t, p);
        *digest |= ph == PH_DIGEST;
        p += len - 1;
    }
    return CLI_EXIT_OK;
}

/* Expand template t for item it into a malloc'd path (NULL: no memory). */
static char *template_expand(const char *t, const struct batch_item *it)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *out = NULL;
    sg_err rc = SG_OK;

    for (const char *p = t; *p && !rc; p++) {
        size_t len = 0;
        int ph = *p == '{' ? ph_at(p, &len) : -1;
        if (ph < 0) {
            rc = sg_buf_addc(&b, *p);
            continue;
        }
        rc = sg_buf_adds(&b, it->val[ph] ? it->val[ph] : "");
        p += len - 1;
    }
    if (!rc)
        rc = sg_buf_take(&out, NULL, &b);
    sg_buf_release(&b);
    return out;
}

/* Is spec a local source (not a registry reference)? As
 * sg_oci_store_open decides, from the string and the file system. */
static int local_source(const char *spec)
{
    static const char *const prefixes[] = {
        "oci-dir:", "oci:", "oci-archive:", "docker-archive:",
        "dir:",     "/",    "./",           "../"
    };

    for (size_t i = 0; i < CLI_N(prefixes); i++)
        if (strncmp(spec, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return access(spec, F_OK) == 0;
}

/* One line "sigil: REF: [what: ]message" (control bytes of REF shown as
 * '?'), printed in one step. */
static void item_fail(struct batch_item *it, sg_err rc, const char *what)
{
    const char *msg = sg_error_last()[0] ? sg_error_last() : sg_err_name(rc);
    char line[1600];
    size_t n;

    n = (size_t)snprintf(line, sizeof(line), "sigil: %s", it->ref);
    for (size_t i = 7; i < n && i < sizeof(line); i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = '?';
    snprintf(line + strlen(line), sizeof(line) - strlen(line), ": %s%s%s\n",
             what ? what : "", what ? ": " : "", msg);
    cli_progress_line(line);
    it->failed = 1;
}

/* The static placeholder values of it (all but {digest}); a reference
 * that does not parse fails the item here. */
static int item_values(struct batch_item *it)
{
    struct sg_oci_ref r;
    const char *spec = it->ref;
    char idx[24];
    int bad = 0, local = local_source(spec);
    sg_err rc = SG_OK;

    memset(&r, 0, sizeof(r));
    snprintf(idx, sizeof(idx), "%zu", it->index);
    if (!local) {
        if (strncmp(spec, "registry:", 9) == 0 ||
            strncmp(spec, "docker://", 9) == 0)
            spec += 9;
        rc = sg_oci_ref_parse(&r, spec);
        if (rc) {
            item_fail(it, rc, NULL);
            bad = 1;
        }
    }
    it->val[PH_NAME] = sanitise(it->ref);
    it->val[PH_REGISTRY] = sanitise(r.registry);
    it->val[PH_REPO] = sanitise(r.repository);
    /* a reference with neither tag nor digest means "latest" */
    it->val[PH_TAG] = sanitise(r.tag                       ? r.tag
                               : (local || r.digest || rc) ? ""
                                                           : "latest");
    it->val[PH_INDEX] = sanitise(idx);
    sg_oci_ref_release(&r);
    for (int i = 0; i < PH_DIGEST; i++)
        if (!it->val[i])
            return -1;
    return bad;
}

struct path_entry {
    const char *path;
    size_t item;
};

static int path_cmp(const void *a, const void *b)
{
    const struct path_entry *x = a, *y = b;
    int c = strcmp(x->path, y->path);

    return c ? c : (x->item > y->item) - (x->item < y->item);
}

/* Expand every output template for every live item (into it->paths) and
 * refuse two (image, output) pairs that would write one file. */
static int paths_check(struct batch *b)
{
    const struct cli_sbom_outputs *o = b->outs;
    struct path_entry *e;
    size_t n = 0;
    int ret = CLI_EXIT_OK;

    e = calloc(b->n * o->n + 1, sizeof(*e));
    if (!e)
        return cli_error(sg_error_oom());
    for (size_t i = 0; i < b->n; i++) {
        struct batch_item *it = &b->v[i];
        if (it->failed)
            continue;
        if (!it->paths && !(it->paths = calloc(o->n + 1, sizeof(char *)))) {
            ret = cli_error(sg_error_oom());
            goto done;
        }
        for (size_t k = 0; k < o->n; k++) {
            free(it->paths[k]);
            it->paths[k] = template_expand(o->v[k].file, it);
            if (!it->paths[k]) {
                ret = cli_error(sg_error_oom());
                goto done;
            }
            e[n].path = it->paths[k];
            e[n++].item = i;
        }
    }
    qsort(e, n, sizeof(*e), path_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(e[i - 1].path, e[i].path) != 0)
            continue;
        if (e[i - 1].item == e[i].item)
            ret = cli_usage_error(&cli_cmd_sbom,
                                  "two outputs of %s would write %s",
                                  b->v[e[i].item].ref, e[i].path);
        else
            ret = cli_usage_error(&cli_cmd_sbom,
                                  "%s and %s would both write %s; add "
                                  "{index}, {tag} or {name} to the -o "
                                  "template",
                                  b->v[e[i - 1].item].ref, b->v[e[i].item].ref,
                                  e[i].path);
        break;
    }
done:
    free(e);
    return ret;
}

/* Log and progress hooks for one image: its reference goes in front of
 * every library message, then the command's own hooks run. */
struct item_hooks {
    const struct sg_ctx *base;
    const char *ref;
};

static void item_log(enum sg_log_level level, const char *msg, void *payload)
{
    const struct item_hooks *h = payload;
    char line[1200];

    if (!h->base->log)
        return;
    snprintf(line, sizeof(line), "%s: %s", h->ref, msg);
    h->base->log(level, line, h->base->payload);
}

static void item_progress(
    const char *what, uint64_t bytes, uint64_t total, int done, void *payload)
{
    const struct item_hooks *h = payload;

    h->base->progress(what, bytes, total, done, h->base->payload);
}

/* Phase 0: what the reference resolves to, for {digest}. */
static int item_resolve(struct batch_item *it,
                        const struct sg_oci_registry_opts *reg)
{
    struct sg_oci_store *s = NULL;
    char *digest = NULL;
    sg_err rc = sg_oci_store_open(&s, it->ref, reg, 0);

    if (!rc && sg_oci_store_kind(s) != SG_OCI_STORE_DIR)
        rc = sg_oci_store_head_manifest(s, sg_oci_store_default_ref(s), NULL,
                                        &digest, NULL);
    /* (dir: has no digest: "") */
    if (!rc && !(it->val[PH_DIGEST] = sanitise(digest)))
        rc = sg_error_oom();
    if (rc)
        item_fail(it, rc, NULL);
    /* The scan resolves this digest, not the tag again: what {digest}
     * names is what is scanned, even when the tag moves meanwhile. */
    it->digest = digest;
    sg_oci_store_free(s);
    return rc ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* Phase 1: scan one image, write its documents, attest it. */
static int item_scan(struct batch *b,
                     struct batch_item *it,
                     const struct sg_oci_registry_opts *reg)
{
    struct cli_sbom_outputs outs = *b->outs;
    struct sg_sbom_opts opts = *b->opts;
    struct reopen ro = { reg, it->ref };
    struct sg_oci_store *store = NULL;
    struct sg_oci_image *img = NULL;
    struct sg_sbom *sbom = NULL;
    int ret = CLI_EXIT_FAIL;
    sg_err rc;

    for (size_t k = 0; k < outs.n; k++)
        sg_buf_init(&outs.v[k].doc, SG_BUF_NOLIMIT);
    rc = sg_oci_store_open(&store, it->ref, reg, 0);
    if (rc) {
        item_fail(it, rc, NULL);
        goto done;
    }
    if (sg_oci_store_kind(store) == SG_OCI_STORE_DIR) {
        if (b->attest) {
            sg_error_set(SG_EINVAL, "--attest needs an image, not dir:");
            item_fail(it, SG_EINVAL, NULL);
            goto done;
        }
    } else {
        /* by the digest phase 0 found, when the templates name it */
        rc = sg_oci_image_resolve(&img, store, it->digest, b->plat);
        if (rc) {
            item_fail(it, rc, NULL);
            goto done;
        }
    }
    opts.source_name = it->ref;
    opts.open_store = reopen_store;
    opts.open_payload = &ro;
    opts.ctx = reg->ctx;
    rc = sg_sbom_scan(&sbom, store, img, &opts);
    for (size_t k = 0; !rc && k < outs.n; k++)
        rc = sg_sbom_write(&outs.v[k].doc, sbom, outs.v[k].fmt, &outs.wo);
    if (rc) {
        item_fail(it, rc, NULL);
        goto done;
    }
    for (size_t k = 0; k < outs.n; k++) {
        const char *path = it->paths[k];
        const char *slash = strrchr(path, '/');
        if (slash && slash != path) {
            char *dir = strndup(path, (size_t)(slash - path));
            rc = dir ? sg_mkdir_p(dir, 0755) : sg_error_oom();
            free(dir);
        }
        if (!rc)
            rc = sg_file_write_atomic(path, outs.v[k].doc.data,
                                      outs.v[k].doc.len, 0644);
        if (rc) {
            item_fail(it, rc, NULL);
            goto done;
        }
    }
    if (b->attest) {
        ret = attest_sbom(b->ctx, store, img, sbom, &outs, b->key_path, b->key,
                          b->do_sign, 0);
        if (ret) {
            it->failed = 1; /* printed, naming repository@digest */
            goto done;
        }
    }
    if (b->ctx->verbosity >= 2) {
        char line[1200];
        snprintf(line, sizeof(line), "sigil: %s: ok%s%s\n", it->ref,
                 img ? " " : "", img ? img->digest : "");
        cli_progress_line(line);
    }
    ret = CLI_EXIT_OK;
done:
    for (size_t k = 0; k < outs.n; k++)
        sg_buf_release(&outs.v[k].doc);
    sg_sbom_free(sbom);
    sg_oci_image_free(img);
    sg_oci_store_free(store);
    return ret;
}

/* A worker: take the next image in list order until none is left. */
static void *batch_worker(void *arg)
{
    struct batch *b = arg;

    for (;;) {
        struct sg_oci_registry_opts reg = *b->reg;
        struct sg_ctx ctx = *b->reg->ctx;
        struct item_hooks hooks;
        struct batch_item *it;

        pthread_mutex_lock(&b->mu);
        while (b->next < b->n && b->v[b->next].failed)
            b->next++;
        it = b->next < b->n ? &b->v[b->next++] : NULL;
        pthread_mutex_unlock(&b->mu);
        if (!it)
            return NULL;
        hooks.base = b->reg->ctx;
        hooks.ref = it->ref;
        ctx.log = item_log;
        ctx.progress = hooks.base->progress ? item_progress : NULL;
        ctx.payload = &hooks;
        reg.ctx = &ctx;
        /* --timeout bounds each image, not the whole batch */
        if (reg.timeout_ms)
            reg.deadline_ms = sg_oci_now_ms() + reg.timeout_ms;
        /* (a failure marks the item, printed) */
        if (b->phase == 0)
            item_resolve(it, &reg);
        else
            item_scan(b, it, &reg);
    }
}

/* Run the current phase over the list with up to `jobs` workers. */
static int batch_phase(struct batch *b, unsigned jobs)
{
    pthread_t th[64];
    unsigned n = 0;

    b->next = 0;
    if (jobs > b->n)
        jobs = b->n ? (unsigned)b->n : 1;
    for (; n + 1 < jobs; n++)
        if (pthread_create(&th[n], NULL, batch_worker, b) != 0)
            break; /* fewer workers: still correct */
    batch_worker(b);
    for (unsigned i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    return CLI_EXIT_OK;
}

/* --shard: an image belongs to shard (first 8 bytes of SHA-256(ref),
 * big-endian) mod N — a function of the reference string alone, so
 * every machine cuts the same list the same way, with no coordinator. */
static int in_shard(const char *ref, unsigned k, unsigned n)
{
    char d[SG_DIGEST_STR_MAX];
    uint64_t v = 0;

    if (!n)
        return 1;
    if (sg_sha256_digest(d, ref, strlen(ref)))
        return -1;
    for (int i = 0; i < 16; i++) {
        char c = d[7 + i];
        v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return v % n == k;
}

/* Append the references of the --from-file text (one per line, blank
 * lines and '#' comments skipped, surrounding blanks trimmed) to refs. */
static int list_lines(char *text, size_t len, const char ***refs, size_t *n)
{
    char *p = text, *end = text + len;

    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end, *s = p;
        const char **nr;
        p = nl ? nl + 1 : end;
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if (s == e || *s == '#')
            continue;
        *e = '\0';
        nr = realloc(*refs, (*n + 1) * sizeof(*nr));
        if (!nr)
            return cli_error(sg_error_oom());
        *refs = nr;
        nr[(*n)++] = s;
    }
    return CLI_EXIT_OK;
}

struct batch_args {
    const char **images;
    int n_images;
    const char *from_file;
    struct sbom_args *sa;
    struct cli_sbom_outputs *outs;
    const struct sg_oci_platform *plat;
    const char *key_path;
    int attest, do_sign;
    const struct cli_cache *cache_flags;
};

static int run_batch(struct cli_ctx *ctx, const struct batch_args *a)
{
    struct sg_buf list = SG_BUF_INIT(BATCH_LIST_MAX);
    const char **refs = NULL;
    size_t n_refs = 0, n_all, n_failed = 0;
    struct sg_sign_key *key = NULL;
    struct sg_layer_cache *cache = NULL;
    struct sg_sbom_opts opts = *a->sa->opts;
    struct batch b = { .ctx = ctx,
                       .opts = &opts,
                       .outs = a->outs,
                       .plat = a->plat,
                       .key_path = a->key_path,
                       .attest = a->attest,
                       .do_sign = a->do_sign };
    int use_digest = 0, ret = CLI_EXIT_OK;

    for (size_t k = 0; k < a->outs->n; k++) {
        if (!a->outs->v[k].file) {
            ret = cli_usage_error(&cli_cmd_sbom,
                                  "-o %s: several images are written to "
                                  "files: -o FORMAT=TEMPLATE",
                                  a->outs->v[k].name);
            goto done;
        }
        if ((ret = template_check(a->outs->v[k].file, &use_digest)))
            goto done;
    }
    if (!a->outs->n && !a->attest) {
        ret = cli_usage_error(&cli_cmd_sbom, "several images: give -o "
                                             "FORMAT=TEMPLATE (or --attest)");
        goto done;
    }
    for (int i = 0; i < a->n_images; i++) {
        const char **nr = realloc(refs, (n_refs + 1) * sizeof(*nr));
        if (!nr) {
            ret = cli_error(sg_error_oom());
            goto done;
        }
        refs = nr;
        refs[n_refs++] = a->images[i];
    }
    if (a->from_file &&
        ((ret = cli_read_input(&list, a->from_file, BATCH_LIST_MAX)) ||
         (ret = list_lines(list.data, list.len, &refs, &n_refs))))
        goto done;
    n_all = n_refs;
    b.v = calloc(n_refs + 1, sizeof(*b.v));
    if (!b.v) {
        ret = cli_error(sg_error_oom());
        goto done;
    }
    for (size_t i = 0; i < n_refs; i++) {
        int in = in_shard(refs[i], a->sa->shard_k, a->sa->shard_n);
        if (in < 0) {
            ret = cli_error(SG_ENOMEM);
            goto done;
        }
        if (!in)
            continue;
        b.v[b.n].ref = refs[i];
        b.v[b.n].index = i;
        if (item_values(&b.v[b.n]) < 0) {
            ret = cli_error(sg_error_oom());
            goto done;
        }
        b.n++;
    }
    /* Without {digest} every file name is known now; with it, two
     * references may only be told apart once resolved. */
    if (!use_digest && (ret = paths_check(&b)))
        goto done;
    if (a->attest && cli_key_private(&key, a->key_path, CLI_KEY_PROMPT)) {
        ret = CLI_EXIT_FAIL;
        goto done;
    }
    /* One cache for the whole run, given to every scan: a layer shared
     * by several images is fetched and catalogued once (in memory only
     * with --no-cache). */
    if ((ret = cli_cache_open(&cache, ctx, a->cache_flags)))
        goto done;
    b.key = key;
    b.reg = cli_registry_opts(ctx);
    opts.cache = cache;
    pthread_mutex_init(&b.mu, NULL);
    if (use_digest) {
        b.phase = 0;
        batch_phase(&b, a->sa->jobs);
        ret = paths_check(&b);
    }
    if (!ret) {
        b.phase = 1;
        batch_phase(&b, a->sa->jobs);
    }
    pthread_mutex_destroy(&b.mu);
    if (ret)
        goto done;
    for (size_t i = 0; i < b.n; i++)
        n_failed += b.v[i].failed != 0;
    if (ctx->verbosity >= 1) {
        char line[200];
        snprintf(line, sizeof(line), "sigil sbom: %zu image%s", b.n,
                 b.n == 1 ? "" : "s");
        if (a->sa->shard_n)
            snprintf(line + strlen(line), sizeof(line) - strlen(line),
                     " (shard %u/%u of %zu)", a->sa->shard_k, a->sa->shard_n,
                     n_all);
        snprintf(line + strlen(line), sizeof(line) - strlen(line),
                 ": %zu ok, %zu failed\n", b.n - n_failed, n_failed);
        cli_progress_line(line);
    }
    ret = n_failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
done:
    for (size_t i = 0; b.v && i < b.n; i++) {
        for (int k = 0; k < PH_N; k++)
            free(b.v[i].val[k]);
        for (size_t k = 0; b.v[i].paths && k < a->outs->n; k++)
            free(b.v[i].paths[k]);
        free(b.v[i].paths);
        free(b.v[i].digest);
    }
    free(b.v);
    free(refs);
    sg_layer_cache_free(cache);
    sg_sign_key_free(key);
    sg_buf_release(&list);
    return ret;
}

/* Batch mode: several images, a list, a shard, or a file template. */
static int is_batch(int n_images,
                    const char *from_file,
                    const struct sbom_args *sa,
                    const struct cli_sbom_outputs *outs)
{
    if (n_images > 1 || from_file || sa->shard_n)
        return 1;
    for (size_t k = 0; k < outs->n; k++)
        if (outs->v[k].file && strchr(outs->v[k].file, '{'))
            return 1;
    return 0;
}

int cli_run_sbom(struct cli_ctx *ctx, int argc, char **argv)
{
    struct reopen ro;
    struct cli_sbom_outputs outs = { .cmd = &cli_cmd_sbom };
    const char *images[CLI_SBOM_IMAGES_MAX];
    const char *source = NULL, *key = NULL, *from_file = NULL;
    int attest = 0, do_sign = 0, exit_code = CLI_EXIT_FAIL;
    struct sg_sbom_opts opts = { .scope = SG_SBOM_SQUASHED };
    struct sg_oci_store *store = NULL;
    struct sg_oci_image *img = NULL;
    struct sg_oci_platform plat = { 0 };
    int have_plat = 0;
    struct sg_sbom *sbom = NULL;
    struct sg_layer_cache *cache = NULL;
    struct cli_cache cache_flags = { .cmd = &cli_cmd_sbom };
    char deflt[16];
    sg_err rc;
    struct sbom_args sa = { .opts = &opts, .jobs = BATCH_JOBS_DEFAULT };
    struct cli_opt copts[10 + CLI_CACHE_N_OPTS] = {
        { .name = "--output",
          .alt = "-o",
          .take = cli_take_sbom_output,
          .arg = &outs },
        { .name = "--scope", .take = take_scope, .arg = &sa },
        { .name = "--threads", .take = take_threads, .arg = &sa },
        { .name = "--key", .value = &key },
        { .name = "--attest", .flag = &attest },
        { .name = "--sign", .flag = &do_sign },
        { .name = "--catalogers", .take = take_catalogers, .arg = &sa },
        { .name = "--from-file", .value = &from_file },
        { .name = "--jobs", .take = take_jobs, .arg = &sa },
        { .name = "--shard", .take = take_shard, .arg = &sa },
    };
    struct cli_args args = { .opts = copts,
                             .n_opts = CLI_N(copts),
                             .pos = images };

    cli_cache_opts(&copts[10], &cache_flags);
    if (cli_parse_args(ctx, &cli_cmd_sbom, argc, argv, 1, &args))
        return CLI_EXIT_USAGE;
    source = args.n_pos ? images[0] : NULL;
    if (!source && !from_file)
        return cli_usage_error(&cli_cmd_sbom, "SOURCE is required");
    if ((key || do_sign) && !attest)
        return cli_usage_error(&cli_cmd_sbom, "--key/--sign need --attest");
    if (attest && !key)
        return cli_usage_error(&cli_cmd_sbom, "--attest needs --key");
    if (from_file && strcmp(from_file, "-") == 0 && ctx->password)
        return cli_usage_error(&cli_cmd_sbom,
                               "--from-file - and --password-stdin both "
                               "read stdin");
    if (is_batch(args.n_pos, from_file, &sa, &outs)) {
        struct batch_args ba = { .images = images,
                                 .n_images = args.n_pos,
                                 .from_file = from_file,
                                 .sa = &sa,
                                 .outs = &outs,
                                 .key_path = key,
                                 .attest = attest,
                                 .do_sign = do_sign,
                                 .cache_flags = &cache_flags };
        if (cli_sbom_outputs_check(&outs))
            return CLI_EXIT_USAGE;
        if (ctx->platform) {
            rc = sg_oci_platform_parse(&plat, ctx->platform);
            if (rc)
                return cli_fail(rc, "--platform %s", ctx->platform);
            have_plat = 1;
            ba.plat = &plat;
        }
        exit_code = run_batch(ctx, &ba);
        goto done;
    }
    if (!outs.n) {
        snprintf(deflt, sizeof(deflt), "%s",
                 isatty(STDOUT_FILENO) ? "table" : "spdx-json");
        cli_take_sbom_output(&outs, deflt);
    }
    /* (no document is allocated before the scan: returning is fine) */
    if (cli_sbom_outputs_check(&outs))
        return CLI_EXIT_USAGE;
    exit_code = cli_cache_open(&cache, ctx, &cache_flags);
    if (exit_code)
        goto done;
    exit_code = CLI_EXIT_FAIL;
    opts.cache = cache;
    if (cli_open_store(&store, ctx, source, 0))
        goto done;
    opts.source_name = source;
    ro.reg = cli_registry_opts(ctx);
    ro.spec = source;
    opts.open_store = reopen_store;
    opts.open_payload = &ro;
    opts.ctx = &ctx->sg;
    if (sg_oci_store_kind(store) == SG_OCI_STORE_DIR) {
        if (attest) {
            exit_code = cli_usage_error(&cli_cmd_sbom,
                                        "--attest needs an image, not dir:");
            goto done;
        }
    } else {
        if (ctx->platform) {
            rc = sg_oci_platform_parse(&plat, ctx->platform);
            if (rc) {
                exit_code = cli_fail(rc, "--platform %s", ctx->platform);
                goto done;
            }
            have_plat = 1;
        }
        rc = sg_oci_image_resolve(&img, store, NULL, have_plat ? &plat : NULL);
        if (rc) {
            exit_code = cli_store_fail(rc, store, source);
            goto done;
        }
    }
    rc = sg_sbom_scan(&sbom, store, img, &opts);
    if (rc) {
        exit_code = cli_fail(rc, "%s", source);
        goto done;
    }
    exit_code = cli_sbom_outputs_write(&outs, sbom);
    if (!exit_code && attest)
        exit_code =
            attest_sbom(ctx, store, img, sbom, &outs, key, NULL, do_sign, 1);
done:
    cli_sbom_outputs_release(&outs);
    if (have_plat)
        sg_oci_platform_release(&plat);
    sg_layer_cache_free(cache);
    sg_sbom_free(sbom);
    sg_oci_image_free(img);
    sg_oci_store_free(store);
    return exit_code;
}
