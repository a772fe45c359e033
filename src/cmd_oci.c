/*
 * Image plumbing commands: `sigil manifest`, `sigil digest`, `sigil copy`.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse exactly cmd->pos.max positional arguments into pos, and with
 * signatures != NULL the --signatures flag. */
static int parse_args(const struct cli_command *cmd,
                      struct cli_ctx *ctx,
                      int argc,
                      char **argv,
                      const char **pos,
                      int *signatures)
{
    const struct cli_opt opts[] = {
        { .name = "--signatures", .flag = signatures },
    };
    struct cli_args a = { .opts = opts,
                          .n_opts = signatures ? 1 : 0,
                          .pos = pos };

    if (cli_parse_args(ctx, cmd, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (a.n_pos != cmd->pos.max)
        return cli_usage_error(cmd, "expected %d argument%s", cmd->pos.max,
                               cmd->pos.max > 1 ? "s" : "");
    return 0;
}

/* The top-level manifest of `spec`, or with --platform the platform's
 * manifest when the top level is an index. */
static int
fetch(struct cli_ctx *ctx, const char *spec, struct sg_buf *body, char **digest)
{
    struct sg_oci_store *s = NULL;
    struct sg_oci_manifest *m = NULL;
    struct sg_oci_platform want;
    const struct sg_oci_descriptor *sel = NULL;
    char *mt = NULL;
    sg_err rc;
    int ret = CLI_EXIT_OK;

    memset(&want, 0, sizeof(want));
    if (ctx->platform && (rc = sg_oci_platform_parse(&want, ctx->platform)))
        return cli_fail(rc, "--platform");
    if (cli_open_store(&s, ctx, spec, 0)) {
        ret = CLI_EXIT_FAIL;
        goto done;
    }
    rc = sg_oci_store_get_manifest(s, NULL, body, &mt, digest);
    if (rc) {
        ret = cli_store_fail(rc, s, spec);
        goto done;
    }
    if (!ctx->platform)
        goto done;
    /* an index: that platform's manifest */
    rc = sg_oci_manifest_parse(&m, body->data, body->len, mt, &ctx->sg);
    if (!rc && m->is_index)
        rc = sg_oci_index_select(&sel, m, &want);
    if (rc) {
        ret = cli_fail(rc, "%s", spec);
        goto done;
    }
    if (sel) {
        char *child = strdup(sel->digest);
        free(*digest);
        *digest = NULL;
        sg_buf_release(body);
        rc = child ? sg_oci_store_get_manifest(s, child, body, NULL, digest)
                   : sg_error_oom();
        free(child);
        if (rc)
            ret = cli_store_fail(rc, s, spec);
    }
done:
    sg_oci_platform_release(&want);
    sg_oci_manifest_free(m);
    sg_oci_store_free(s);
    free(mt);
    return ret;
}

/* manifest and digest: fetch what IMAGE refers to, print the manifest
 * itself or its digest. */
static int show(struct cli_ctx *ctx,
                const struct cli_command *cmd,
                int argc,
                char **argv,
                int digest_only)
{
    struct sg_buf body = SG_BUF_INIT(SG_BUF_NOLIMIT);
    const char *pos[1];
    char *digest = NULL;
    int ret;

    ret = parse_args(cmd, ctx, argc, argv, pos, NULL);
    if (!ret)
        ret = fetch(ctx, pos[0], &body, &digest);
    if (!ret && digest_only)
        printf("%s\n", digest);
    else if (!ret)
        ret = cli_output(NULL, body.data, body.len);
    free(digest);
    sg_buf_release(&body);
    return ret;
}

int cli_run_manifest(struct cli_ctx *ctx, int argc, char **argv)
{
    return show(ctx, &cli_cmd_manifest, argc, argv, 0);
}

int cli_run_digest(struct cli_ctx *ctx, int argc, char **argv)
{
    return show(ctx, &cli_cmd_digest, argc, argv, 1);
}

int cli_run_copy(struct cli_ctx *ctx, int argc, char **argv)
{
    struct sg_oci_store *src = NULL, *dst = NULL;
    const char *pos[2];
    const char *dst_tag;
    char *digest = NULL;
    int ret, sigs = 0;
    sg_err rc;

    ret = parse_args(&cli_cmd_copy, ctx, argc, argv, pos, &sigs);
    if (ret)
        return ret;
    if (ctx->platform)
        return cli_usage_error(&cli_cmd_copy,
                               "copy takes every platform; --platform is "
                               "not supported");
    if (cli_open_store(&src, ctx, pos[0], 0) ||
        cli_open_store(&dst, ctx, pos[1], SG_OCI_OPEN_WRITE)) {
        ret = CLI_EXIT_FAIL;
        goto done;
    }
    dst_tag = sg_oci_store_default_ref(dst);
    if (dst_tag && sg_digest_valid(dst_tag))
        dst_tag = NULL;
    rc = sg_oci_copy(dst, dst_tag, src, NULL, sigs ? SG_OCI_COPY_SIGNATURES : 0,
                     &digest);
    if (rc) {
        ret = cli_fail(rc, "copy %s to %s", pos[0], pos[1]);
        goto done;
    }
    printf("%s\n", digest);
done:
    free(digest);
    sg_oci_store_free(dst);
    sg_oci_store_free(src);
    return ret;
}
