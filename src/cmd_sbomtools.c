/*
 * `sigil diff` and `sigil convert`: the two things CI does with SBOMs
 * after making them. Inputs are SPDX 2.x JSON or CycloneDX JSON files
 * (sigil's, syft's, Trivy's; see sbom/sbomread.c) or, for diff, image
 * sources scanned on the fly.
 */
#include "cli.h"
#include "sigil/sbom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SBOM_FILE_MAX (256u * 1024u * 1024u)

/* Read an SBOM file ("-" = stdin); failures printed. */
static int read_sbom(struct sg_sbom **out, const char *path)
{
    struct sg_buf b = SG_BUF_INIT(SBOM_FILE_MAX);
    int ret = cli_read_input(&b, path, SBOM_FILE_MAX);
    sg_err rc;

    if (!ret && (rc = sg_sbom_read(out, b.data, b.len)))
        ret = cli_fail(rc, "%s", path);
    sg_buf_release(&b);
    return ret;
}

/* Is `arg` an SBOM file (a regular file or "-" starting with '{')? */
static int looks_like_sbom_file(const char *arg)
{
    struct stat st;
    FILE *f;
    int c;

    if (strcmp(arg, "-") == 0)
        return 1;
    if (stat(arg, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    f = fopen(arg, "rb");
    if (!f)
        return 0;
    do
        c = fgetc(f);
    while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
    fclose(f);
    return c == '{';
}

/* An SBOM from a file or by scanning an image source. Prints errors. */
static int load(struct cli_ctx *ctx, const char *arg, struct sg_sbom **out)
{
    struct sg_oci_store *st = NULL;
    struct sg_oci_image *img = NULL;
    struct sg_oci_platform plat, *pp = NULL;
    struct sg_sbom_opts opts;
    sg_err rc;
    int ret = 0;

    *out = NULL;
    memset(&plat, 0, sizeof(plat));
    if (looks_like_sbom_file(arg))
        return read_sbom(out, arg);
    if (ctx->platform) {
        rc = sg_oci_platform_parse(&plat, ctx->platform);
        if (rc)
            return cli_fail(rc, "--platform %s", ctx->platform);
        pp = &plat;
    }
    if (cli_open_store(&st, ctx, arg, 0)) {
        ret = CLI_EXIT_FAIL;
        goto done;
    }
    rc = sg_oci_image_resolve(&img, st, NULL, pp);
    if (rc) {
        ret = cli_store_fail(rc, st, arg);
        goto done;
    }
    memset(&opts, 0, sizeof(opts));
    opts.scope = SG_SBOM_SQUASHED;
    opts.source_name = arg;
    opts.ctx = &ctx->sg;
    rc = sg_sbom_scan(out, st, img, &opts);
    if (rc)
        ret = cli_fail(rc, "%s", arg);
done:
    sg_oci_image_free(img);
    sg_oci_store_free(st);
    sg_oci_platform_release(&plat);
    return ret;
}

int cli_run_diff(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *pos[2], *fmt = "table";
    struct sg_sbom *a = NULL, *b = NULL;
    struct sg_sbom_diff d = { NULL, 0 };
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    int ret;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--output", .alt = "-o", .value = &fmt },
    };
    struct cli_args args = { .opts = opts, .n_opts = CLI_N(opts), .pos = pos };

    if (cli_parse_args(ctx, &cli_cmd_diff, argc, argv, 1, &args))
        return CLI_EXIT_USAGE;
    if (args.n_pos != 2)
        return cli_usage_error(&cli_cmd_diff, "expected OLD and NEW");
    if (strcmp(fmt, "table") != 0 && strcmp(fmt, "json") != 0)
        return cli_usage_error(&cli_cmd_diff, "-o: table or json, not '%s'",
                               fmt);
    if (strcmp(pos[0], "-") == 0 && strcmp(pos[1], "-") == 0)
        return cli_usage_error(&cli_cmd_diff, "only one input can be '-'");
    /* as diff(1): 0 same, 1 different, 2 trouble */
    ret = CLI_EXIT_USAGE;
    if (load(ctx, pos[0], &a) || load(ctx, pos[1], &b))
        goto done;
    rc = sg_sbom_diff(&d, a, b);
    if (!rc)
        rc = sg_sbom_diff_write(&out, &d, strcmp(fmt, "json") == 0);
    if (rc)
        cli_fail(rc, "diff");
    else if (!cli_output(NULL, out.data, out.len))
        ret = d.n ? 1 : 0;
done:
    sg_sbom_diff_release(&d);
    sg_buf_release(&out);
    sg_sbom_free(a);
    sg_sbom_free(b);
    return ret;
}

int cli_run_convert(struct cli_ctx *ctx, int argc, char **argv)
{
    struct cli_sbom_outputs co = { .cmd = &cli_cmd_convert };
    struct sg_sbom *s = NULL;
    const char *input = NULL;
    int det = 0, ret;
    const struct cli_opt opts[] = {
        { .name = "--output",
          .alt = "-o",
          .take = cli_take_sbom_output,
          .arg = &co },
        { .name = "--deterministic", .flag = &det },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts), .pos = &input };

    if (cli_parse_args(ctx, &cli_cmd_convert, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    co.wo.deterministic = det;
    if (!input)
        return cli_usage_error(&cli_cmd_convert, "expected an input SBOM");
    if (!co.n)
        return cli_usage_error(&cli_cmd_convert, "-o FORMAT is required");
    if (cli_sbom_outputs_check(&co))
        return CLI_EXIT_USAGE;
    ret = read_sbom(&s, input);
    if (!ret)
        ret = cli_sbom_outputs_write(&co, s);
    cli_sbom_outputs_release(&co);
    sg_sbom_free(s);
    return ret;
}
