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

static int take_threads(void *arg, char *v)
{
    struct sbom_args *a = arg;
    char *end;
    long t = strtol(v, &end, 10);

    if (*end || t < 1 || t > 64)
        return cli_usage_error(&cli_cmd_sbom, "--threads: 1..64, not \"%s\"",
                               v);
    a->opts->threads = (unsigned)t;
    return CLI_EXIT_OK;
}

struct reopen {
    struct cli_ctx *ctx;
    const char *spec;
};

/* Another handle on the same source, for a parallel layer reader. */
static sg_err reopen_store(struct sg_oci_store **out, void *payload)
{
    const struct reopen *r = payload;

    return sg_oci_store_open(out, r->spec, cli_registry_opts(r->ctx), 0);
}

/* Attach the first JSON output (spdx-json when there is none) as a
 * signed attestation of img, and with do_sign sign it. */
static int attest_sbom(struct cli_ctx *ctx,
                       struct sg_oci_store *store,
                       const struct sg_oci_image *img,
                       const struct sg_sbom *sbom,
                       const struct cli_sbom_outputs *outs,
                       const char *key,
                       int do_sign)
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
            .key_path = key,
            .sbom = j ? j->doc.data : extra.data,
            .sbom_len = j ? j->doc.len : extra.len,
            .predicate_type =
                af == SG_SBOM_SPDX_JSON ? "spdxjson" : "cyclonedx",
            .do_sign = do_sign,
        };
        ret = cli_pipeline_attest(ctx, &p);
    }
    sg_buf_release(&extra);
    if (ret == CLI_EXIT_OK)
        fprintf(stderr, "%s\n", img->digest);
    return ret;
}

int cli_run_sbom(struct cli_ctx *ctx, int argc, char **argv)
{
    struct reopen ro;
    struct cli_sbom_outputs outs = { .cmd = &cli_cmd_sbom };
    const char *source = NULL, *key = NULL;
    int attest = 0, do_sign = 0, exit_code = CLI_EXIT_FAIL;
    struct sg_sbom_opts opts = { .scope = SG_SBOM_SQUASHED };
    struct sg_oci_store *store = NULL;
    struct sg_oci_image *img = NULL;
    struct sg_oci_platform plat = { 0 };
    int have_plat = 0;
    struct sg_sbom *sbom = NULL;
    char deflt[16];
    sg_err rc;
    struct sbom_args sa = { &opts };
    struct cli_cache cc = { .cmd = &cli_cmd_sbom };
    struct cli_opt copts[6 + CLI_CACHE_N_OPTS] = {
        { .name = "--output",
          .alt = "-o",
          .take = cli_take_sbom_output,
          .arg = &outs },
        { .name = "--scope", .take = take_scope, .arg = &sa },
        { .name = "--threads", .take = take_threads, .arg = &sa },
        { .name = "--key", .value = &key },
        { .name = "--attest", .flag = &attest },
        { .name = "--sign", .flag = &do_sign },
    };
    struct cli_args args = { .opts = copts,
                             .n_opts = CLI_N(copts),
                             .pos = &source };

    cli_cache_opts(copts + 6, &cc);
    if (cli_parse_args(ctx, &cli_cmd_sbom, argc, argv, 1, &args))
        return CLI_EXIT_USAGE;
    if (!source)
        return cli_usage_error(&cli_cmd_sbom, "SOURCE is required");
    if ((key || do_sign) && !attest)
        return cli_usage_error(&cli_cmd_sbom, "--key/--sign need --attest");
    if (attest && !key)
        return cli_usage_error(&cli_cmd_sbom, "--attest needs --key");
    if (!outs.n) {
        snprintf(deflt, sizeof(deflt), "%s",
                 isatty(STDOUT_FILENO) ? "table" : "spdx-json");
        cli_take_sbom_output(&outs, deflt);
    }
    /* (no document is allocated before the scan: returning is fine) */
    if (cli_sbom_outputs_check(&outs))
        return CLI_EXIT_USAGE;
    exit_code = cli_cache_open(&opts.cache, ctx, &cc);
    if (exit_code)
        goto done;
    exit_code = CLI_EXIT_FAIL;
    if (cli_open_store(&store, ctx, source, 0))
        goto done;
    opts.source_name = source;
    ro.ctx = ctx;
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
        exit_code = attest_sbom(ctx, store, img, sbom, &outs, key, do_sign);
done:
    cli_sbom_outputs_release(&outs);
    if (have_plat)
        sg_oci_platform_release(&plat);
    sg_sbom_free(sbom);
    sg_oci_image_free(img);
    sg_oci_store_free(store);
    sg_layer_cache_free(opts.cache);
    return exit_code;
}
