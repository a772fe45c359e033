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
#include <time.h>
#include <unistd.h>

#define MAX_OUTPUTS 8

struct output {
    enum sg_sbom_format fmt;
    const char *name; /* format name as given */
    const char *file; /* NULL or "-": stdout */
    struct sg_buf doc;
};

static const char usage[] =
    "usage: sigil sbom SOURCE [-o FORMAT[=FILE]]... [--platform OS/ARCH]\n"
    "                  [--scope squashed|all-layers] [--threads N]\n"
    "                  [--attest --key KEY [--sign]]\n"
    "\n"
    "List the OS packages (dpkg, apk, rpm) and Go modules in an image and\n"
    "write an SBOM. SOURCE is any image source: REF (registry),\n"
    "registry:REF, oci-dir:PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG],\n"
    "docker-archive:FILE[:TAG] or dir:PATH (a root filesystem).\n"
    "\n"
    "  -o, --output FORMAT[=FILE]  spdx-json (SPDX 2.3), cyclonedx-json\n"
    "                          (CycloneDX 1.6) or table; repeat for several\n"
    "                          outputs. Without FILE the document goes to\n"
    "                          stdout (at most one). Default: table when\n"
    "                          stdout is a terminal, spdx-json otherwise.\n"
    "  --scope SCOPE           squashed (default): the image as it runs;\n"
    "                          all-layers: also packages deleted or replaced\n"
    "                          by later layers (marked deleted)\n"
    "  --platform OS/ARCH[/VARIANT]  pick from a multi-platform index\n"
    "  --threads N             layers read in parallel (default: cores)\n"
    "  --attest --key KEY      attach the SBOM (first JSON output, spdx-json\n"
    "                          by default) as a signed attestation; --sign\n"
    "                          also signs the image; the digest is printed\n"
    "                          to stderr\n"
    "  -v, -q, --ca-file, --insecure-registry, --username,\n"
    "  --password-stdin        as for every registry command\n"
    "\n"
    "SOURCE_DATE_EPOCH=N fixes the creation time and derives the document\n"
    "namespace and serial number from the content: byte-identical output.\n"
    "Exit status: 0 ok, 1 failure (nothing written), 2 usage.\n";

static int parse_output(struct output *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    static char names[MAX_OUTPUTS][32];
    static size_t used;
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    char *nm;

    if (n == 0 || n >= sizeof(names[0]) || used >= MAX_OUTPUTS)
        return -1;
    nm = names[used++];
    memcpy(nm, arg, n);
    nm[n] = '\0';
    if (sg_sbom_format_parse(&o->fmt, nm) != SG_OK)
        return -1;
    o->name = nm;
    o->file = eq ? eq + 1 : NULL;
    if (o->file && (!o->file[0] || strcmp(o->file, "-") == 0))
        o->file = NULL;
    sg_buf_init(&o->doc, SG_BUF_NOLIMIT);
    return 0;
}

/* What the sbom option callbacks fill in (run_sbom's locals). */
struct sbom_args {
    struct output *outs; /* MAX_OUTPUTS */
    size_t *n_outs;
    struct sg_sbom_opts *opts;
};

static int take_output(void *arg, char *v)
{
    struct sbom_args *a = arg;

    if (*a->n_outs == MAX_OUTPUTS)
        return cli_usage_error(&cli_cmd_sbom, "too many -o options");
    if (parse_output(&a->outs[*a->n_outs], v) != 0)
        return cli_usage_error(&cli_cmd_sbom,
                               "-o %s: expected FORMAT[=FILE] with "
                               "FORMAT spdx-json, cyclonedx-json "
                               "or table",
                               v);
    (*a->n_outs)++;
    return CLI_EXIT_OK;
}

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

static int run_sbom(struct cli_ctx *ctx, int argc, char **argv)
{
    struct reopen ro;
    struct output outs[MAX_OUTPUTS];
    size_t n_outs = 0, n_stdout = 0;
    const char *source = NULL, *key = NULL;
    int attest = 0, do_sign = 0, exit_code = CLI_EXIT_FAIL;
    struct sg_sbom_opts opts;
    struct sg_sbom_write_opts wo = { 0, 0, NULL };
    struct sg_oci_store *store = NULL;
    struct sg_oci_image *img = NULL;
    struct sg_oci_platform plat = { 0 };
    int have_plat = 0;
    struct sg_sbom *sbom = NULL;
    const char *sde;
    sg_err rc;
    struct sbom_args sa = { outs, &n_outs, &opts };
    const struct cli_opt copts[] = {
        { .name = "--output", .alt = "-o", .take = take_output, .arg = &sa },
        { .name = "--scope", .take = take_scope, .arg = &sa },
        { .name = "--threads", .take = take_threads, .arg = &sa },
        { .name = "--key", .value = &key },
        { .name = "--attest", .flag = &attest },
        { .name = "--sign", .flag = &do_sign },
    };
    struct cli_args args = { .opts = copts,
                             .n_opts = CLI_N(copts),
                             .pos = &source,
                             .max_pos = 1,
                             .too_many = "more than one SOURCE" };

    memset(outs, 0, sizeof(outs));
    memset(&opts, 0, sizeof(opts));
    opts.scope = SG_SBOM_SQUASHED;
    if (cli_parse_args(ctx, &cli_cmd_sbom, argc, argv, 1, &args))
        return CLI_EXIT_USAGE;
    if (!source)
        return cli_usage_error(&cli_cmd_sbom, "SOURCE is required");
    if ((key || do_sign) && !attest)
        return cli_usage_error(&cli_cmd_sbom, "--key/--sign need --attest");
    if (attest && !key)
        return cli_usage_error(&cli_cmd_sbom, "--attest needs --key");
    if (!n_outs) {
        outs[0].fmt = isatty(STDOUT_FILENO) ? SG_SBOM_TABLE : SG_SBOM_SPDX_JSON;
        outs[0].name = outs[0].fmt == SG_SBOM_TABLE ? "table" : "spdx-json";
        sg_buf_init(&outs[0].doc, SG_BUF_NOLIMIT);
        n_outs = 1;
    }
    for (size_t i = 0; i < n_outs; i++)
        n_stdout += outs[i].file == NULL;
    if (n_stdout > 1)
        return cli_usage_error(&cli_cmd_sbom,
                               "only one -o may go to stdout; give the "
                               "others a =FILE");

    sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long t = strtoll(sde, &end, 10);
        if (*end || t < 0)
            return cli_usage_error(&cli_cmd_sbom,
                                   "SOURCE_DATE_EPOCH: not a number: %s", sde);
        wo.created = (int64_t)t;
        wo.deterministic = 1;
    } else {
        wo.created = (int64_t)time(NULL);
    }

    rc = cli_open_store(&store, ctx, source, 0);
    if (rc)
        return CLI_EXIT_FAIL;
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
            exit_code = cli_fail(rc, "%s", source);
            goto done;
        }
    }
    rc = sg_sbom_scan(&sbom, store, img, &opts);
    if (rc) {
        exit_code = cli_fail(rc, "%s", source);
        goto done;
    }
    for (size_t i = 0; i < n_outs; i++) {
        rc = sg_sbom_write(&outs[i].doc, sbom, outs[i].fmt, &wo);
        if (rc) {
            exit_code = cli_fail(rc, "%s", outs[i].name);
            goto done;
        }
    }
    /* Everything rendered: now write (each file atomically). */
    for (size_t i = 0; i < n_outs; i++) {
        rc = cli_write_output(outs[i].file, outs[i].doc.data, outs[i].doc.len);
        if (rc) {
            exit_code =
                cli_fail(rc, "%s", outs[i].file ? outs[i].file : "stdout");
            goto done;
        }
    }
    if (attest) {
        const struct output *j = NULL;
        struct sg_buf extra = SG_BUF_INIT(SG_BUF_NOLIMIT);
        enum sg_sbom_format af = SG_SBOM_SPDX_JSON;
        for (size_t i = 0; i < n_outs && !j; i++)
            if (outs[i].fmt != SG_SBOM_TABLE)
                j = &outs[i];
        if (j)
            af = j->fmt;
        else if ((rc = sg_sbom_write(&extra, sbom, af, &wo))) {
            exit_code = cli_fail(rc, "spdx-json");
            sg_buf_release(&extra);
            goto done;
        }
        exit_code = cli_pipeline_attest(
            ctx, store, img->digest, key, j ? j->doc.data : extra.data,
            j ? j->doc.len : extra.len,
            af == SG_SBOM_SPDX_JSON ? "spdxjson" : "cyclonedx", do_sign);
        sg_buf_release(&extra);
        if (exit_code == CLI_EXIT_OK)
            fprintf(stderr, "%s\n", img->digest);
        goto done;
    }
    exit_code = CLI_EXIT_OK;
done:
    for (size_t i = 0; i < n_outs; i++)
        sg_buf_release(&outs[i].doc);
    if (have_plat)
        sg_oci_platform_release(&plat);
    sg_sbom_free(sbom);
    sg_oci_image_free(img);
    sg_oci_store_free(store);
    return exit_code;
}

const struct cli_command cli_cmd_sbom = {
    "sbom", "List the packages in an image (SPDX, CycloneDX, table)", usage,
    run_sbom
};
