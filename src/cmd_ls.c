/*
 * sigil ls REPO [--full-ref]
 *
 * The tags of a registry repository, one per line, as `crane ls` prints
 * them (the registry's order), so a whole repository can be piped into
 * `sigil sbom --from-file -`. The registry client pages through the tag
 * list (Link headers, same host only), bounds the count (--limit
 * tags-max) and refuses tags outside the spec's grammar, so every line
 * printed is a valid tag.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_run_ls(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *repo = NULL;
    int full = 0, ret = CLI_EXIT_OK;
    struct sg_oci_store *s = NULL;
    const struct sg_oci_ref *ref;
    const char *given, *slash;
    struct sg_buf name = SG_BUF_INIT(SG_BUF_NOLIMIT);
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char **tags = NULL;
    sg_err rc;
    const struct cli_opt opts[] = {
        { .name = "--full-ref", .flag = &full },
    };
    struct cli_args args = { .opts = opts,
                             .n_opts = CLI_N(opts),
                             .pos = &repo };

    if (cli_parse_args(ctx, &cli_cmd_ls, argc, argv, 1, &args))
        return CLI_EXIT_USAGE;
    if (!repo)
        return cli_usage_error(&cli_cmd_ls, "REPO is required");
    given = repo;
    if (cli_open_store(&s, ctx, repo, 0))
        return CLI_EXIT_FAIL;
    if (sg_oci_store_kind(s) != SG_OCI_STORE_REGISTRY) {
        ret =
            cli_usage_error(&cli_cmd_ls, "%s: not a registry repository", repo);
        goto done;
    }
    /* The parsed reference has "latest" filled in: whether REPO itself
     * names a tag (a ':' after the last '/') or a digest is in the
     * string. */
    ref = sg_oci_store_ref(s);
    if (strncmp(repo, "registry:", 9) == 0 ||
        strncmp(repo, "docker://", 9) == 0)
        given = repo + 9;
    slash = strrchr(given, '/');
    if (strchr(given, '@') || strchr(slash ? slash : given, ':')) {
        ret = cli_usage_error(&cli_cmd_ls,
                              "%s: give the repository, without a tag or "
                              "digest",
                              repo);
        goto done;
    }
    rc = sg_oci_store_list_tags(s, &tags);
    if (!rc && full)
        rc = sg_oci_ref_repo_name(&name, ref);
    /* Everything is listed before anything is printed: a failure on a
     * later page prints no partial list. */
    for (size_t i = 0; !rc && tags[i]; i++)
        rc = sg_buf_addf(&out, "%s%s%s\n", full ? name.data : "",
                         full ? ":" : "", tags[i]);
    if (rc) {
        ret = cli_fail(rc, "%s", repo);
        goto done;
    }
    ret = cli_output(NULL, out.data, out.len);
done:
    sg_oci_strv_free(tags);
    sg_buf_release(&name);
    sg_buf_release(&out);
    sg_oci_store_free(s);
    return ret;
}
