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
#include <time.h>
#include <unistd.h>

#define SBOM_FILE_MAX (256u * 1024u * 1024u)

/* Read a file ("-" = stdin) whole, capped. */
static sg_err read_input(struct sg_buf *b, const char *path)
{
    char tmp[65536];
    size_t n;

    if (strcmp(path, "-") != 0)
        return sg_file_read(b, path, SBOM_FILE_MAX);
    while ((n = fread(tmp, 1, sizeof(tmp), stdin)) > 0) {
        sg_err rc = sg_buf_add(b, tmp, n);
        if (rc)
            return rc;
    }
    if (ferror(stdin))
        return sg_error_set(SG_EIO, "stdin: read error");
    return SG_OK;
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
    struct sg_buf b = SG_BUF_INIT(SBOM_FILE_MAX);
    struct sg_oci_store *st = NULL;
    struct sg_oci_image *img = NULL;
    struct sg_oci_platform plat, *pp = NULL;
    struct sg_sbom_opts opts;
    sg_err rc;
    int ret = 0;

    *out = NULL;
    memset(&plat, 0, sizeof(plat));
    if (looks_like_sbom_file(arg)) {
        rc = read_input(&b, arg);
        if (!rc)
            rc = sg_sbom_read(out, b.data, b.len);
        if (rc)
            ret = cli_fail(rc, "%s", arg);
        sg_buf_release(&b);
        return ret;
    }
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
    if (!rc) {
        memset(&opts, 0, sizeof(opts));
        opts.scope = SG_SBOM_SQUASHED;
        opts.source_name = arg;
        opts.ctx = &ctx->sg;
        rc = sg_sbom_scan(out, st, img, &opts);
    }
    if (rc)
        ret = cli_fail(rc, "%s", arg);
done:
    sg_oci_image_free(img);
    sg_oci_store_free(st);
    sg_oci_platform_release(&plat);
    return ret;
}

static int run_diff(struct cli_ctx *ctx, int argc, char **argv)
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
    struct cli_args args = { .opts = opts,
                             .n_opts = CLI_N(opts),
                             .pos = pos,
                             .max_pos = 2,
                             .unknown = CLI_UNKNOWN_QUOTED,
                             .dashdash = 1 };

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
    if (!rc)
        rc = cli_write_output(NULL, out.data, out.len);
    if (rc) {
        cli_fail(rc, "diff");
        goto done;
    }
    ret = d.n ? 1 : 0;
done:
    sg_sbom_diff_release(&d);
    sg_buf_release(&out);
    sg_sbom_free(a);
    sg_sbom_free(b);
    return ret;
}

const struct cli_command cli_cmd_diff = {
    "diff", "Compare two SBOMs or images",
    "usage: sigil diff [-o table|json] [--platform OS/ARCH[/VARIANT]] OLD NEW\n"
    "\n"
    "Compare the packages of two SBOMs and print what was added, removed\n"
    "or changed (old -> new version). OLD and NEW are each an SBOM file\n"
    "(SPDX 2.3 JSON or CycloneDX JSON, as written by sigil, syft or\n"
    "Trivy; '-' reads one of them from stdin) or an image source, which is\n"
    "scanned on the fly (as 'sigil sbom' does).\n"
    "\n"
    "Packages are matched by purl type, namespace/name, arch qualifier and\n"
    "the distro name (not its version), so a point-release upgrade shows\n"
    "packages as changed.\n"
    "\n"
    "  -o, --output FMT   table (default) or json\n"
    "\n"
    "Exit status, as diff(1): 0 no differences, 1 differences, 2 error.\n",
    run_diff
};

/* -o FORMAT[=FILE] */
struct conv_out {
    enum sg_sbom_format fmt;
    const char *file; /* NULL: stdout */
};

/* The -o outputs of convert so far. */
struct conv_outs {
    struct conv_out v[8];
    size_t n, n_stdout;
};

/* -o FORMAT[=FILE] */
static int take_conv_out(void *arg, char *v)
{
    struct conv_outs *o = arg;
    const char *eq = strchr(v, '=');
    char name[32];
    size_t ln = eq ? (size_t)(eq - v) : strlen(v);

    if (o->n == CLI_N(o->v))
        return cli_usage_error(&cli_cmd_convert, "too many -o options");
    if (ln >= sizeof(name))
        ln = sizeof(name) - 1;
    memcpy(name, v, ln);
    name[ln] = '\0';
    if (sg_sbom_format_parse(&o->v[o->n].fmt, name) != SG_OK)
        return cli_usage_error(&cli_cmd_convert,
                               "-o: unknown format '%s' "
                               "(spdx-json, cyclonedx-json, "
                               "table)",
                               name);
    o->v[o->n].file = eq && eq[1] ? eq + 1 : NULL;
    if (!o->v[o->n].file || strcmp(o->v[o->n].file, "-") == 0)
        o->n_stdout++;
    o->n++;
    return CLI_EXIT_OK;
}

static int run_convert(struct cli_ctx *ctx, int argc, char **argv)
{
    struct conv_outs co;
    struct sg_sbom_write_opts wo;
    struct sg_buf in = SG_BUF_INIT(SBOM_FILE_MAX);
    struct sg_sbom *s = NULL;
    const char *input = NULL, *sde;
    int det = 0, ret = CLI_EXIT_OK;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--output", .alt = "-o", .take = take_conv_out, .arg = &co },
        { .name = "--deterministic", .flag = &det },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = CLI_N(opts),
                          .pos = &input,
                          .max_pos = 1,
                          .unknown = CLI_UNKNOWN_QUOTED,
                          .dashdash = 1 };

    memset(&wo, 0, sizeof(wo));
    memset(&co, 0, sizeof(co));
    if (cli_parse_args(ctx, &cli_cmd_convert, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    wo.deterministic = det;
    if (!input)
        return cli_usage_error(&cli_cmd_convert, "expected an input SBOM");
    if (!co.n)
        return cli_usage_error(&cli_cmd_convert, "-o FORMAT is required");
    if (co.n_stdout > 1)
        return cli_usage_error(&cli_cmd_convert,
                               "only one -o may write to stdout");
    sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *e;
        long long t = strtoll(sde, &e, 10);
        if (*e || t < 0)
            return cli_usage_error(&cli_cmd_convert,
                                   "SOURCE_DATE_EPOCH: not a number");
        wo.created = (int64_t)t;
        wo.deterministic = 1;
    } else {
        wo.created = (int64_t)time(NULL);
    }

    rc = read_input(&in, input);
    if (!rc)
        rc = sg_sbom_read(&s, in.data, in.len);
    if (rc) {
        ret = cli_fail(rc, "%s", input);
        goto done;
    }
    /* render everything first: nothing is written if one fails */
    {
        struct sg_buf bufs[8];
        size_t k;
        for (k = 0; k < co.n; k++)
            sg_buf_init(&bufs[k], SG_BUF_NOLIMIT);
        for (k = 0; k < co.n && !rc; k++)
            rc = sg_sbom_write(&bufs[k], s, co.v[k].fmt, &wo);
        if (rc)
            ret = cli_fail(rc, "convert %s", input);
        for (k = 0; k < co.n && !ret; k++) {
            rc = cli_write_output(co.v[k].file, bufs[k].data, bufs[k].len);
            if (rc)
                ret = cli_fail(rc, "write %s",
                               co.v[k].file ? co.v[k].file : "stdout");
        }
        for (k = 0; k < co.n; k++)
            sg_buf_release(&bufs[k]);
    }
done:
    sg_sbom_free(s);
    sg_buf_release(&in);
    return ret;
}

const struct cli_command cli_cmd_convert = {
    "convert", "Convert an SBOM between SPDX and CycloneDX",
    "usage: sigil convert [--deterministic] IN -o FORMAT[=FILE]...\n"
    "\n"
    "Read IN (SPDX 2.3 JSON or CycloneDX JSON, as written by sigil, syft or\n"
    "Trivy; '-' = stdin) and write it as FORMAT: spdx-json (SPDX 2.3),\n"
    "cyclonedx-json (CycloneDX 1.6) or table. Purls, versions, licences,\n"
    "CPEs, suppliers and package relationships are kept; elements that are\n"
    "not packages (files, Trivy's application nodes) are dropped.\n"
    "\n"
    "  -o, --output FORMAT[=FILE]  repeatable; FILE is written atomically,\n"
    "                              without =FILE to stdout (at most one)\n"
    "  --deterministic             document namespace / serial number\n"
    "                              derived from the content\n"
    "\n"
    "SOURCE_DATE_EPOCH, when set, fixes the creation time (and implies\n"
    "--deterministic).\n",
    run_convert
};
