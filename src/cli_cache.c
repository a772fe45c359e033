/*
 * The layer cache flags of the scanning commands (sigil/layercache.h):
 * where the cache lives is decided here, in the CLI, since the library
 * never reads the environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_cache_opts(struct cli_opt *out, struct cli_cache *c)
{
    const struct cli_opt opts[CLI_CACHE_N_OPTS] = {
        { .name = "--cache-dir", .value = &c->dir },
        { .name = "--no-cache", .flag = &c->off },
        { .name = "--cache-max-size", .value = &c->max_size },
    };

    memcpy(out, opts, sizeof(opts));
}

int cli_cache_size(uint64_t *out,
                   const struct cli_command *cmd,
                   const char *opt,
                   const char *v)
{
    struct sg_limits l;

    /* The one size parser (K/M/G suffixes, overflow checked) is the
     * limits': read the value through a 64-bit limit of a scratch set. */
    sg_limits_init(&l);
    if (sg_limits_set(&l, "image-bytes-max", v) != SG_OK) {
        sg_error_clear();
        if (!cmd) {
            fprintf(stderr, "sigil: %s: expected a size such as 500M or 2G\n",
                    opt);
            return CLI_EXIT_USAGE;
        }
        return cli_usage_error(cmd,
                               "%s: expected a size such as 500M or 2G, "
                               "not \"%s\"",
                               opt, v);
    }
    *out = l.image_bytes_max;
    return 0;
}

int cli_cache_open(struct sg_layer_cache **out,
                   struct cli_ctx *ctx,
                   const struct cli_cache *c)
{
    struct sg_layer_cache_opts o = { .ctx = &ctx->sg };
    struct sg_buf dir = SG_BUF_INIT(4096);
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    sg_err rc = SG_OK;
    int exit_code = 0;

    *out = NULL;
    if (c->max_size &&
        cli_cache_size(&o.max_bytes, c->cmd, "--cache-max-size", c->max_size))
        return CLI_EXIT_USAGE;
    if (!c->off) {
        if (c->dir)
            rc = sg_buf_adds(&dir, c->dir);
        else if (xdg && *xdg == '/')
            rc = sg_buf_addf(&dir, "%s/sigil", xdg);
        else if (home && *home)
            rc = sg_buf_addf(&dir, "%s/.cache/sigil", home);
        o.dir = dir.len ? dir.data : NULL;
    }
    if (!rc)
        rc = sg_layer_cache_open(out, &o);
    if (rc)
        exit_code = cli_fail(rc, "layer cache %s", o.dir ? o.dir : "");
    sg_buf_release(&dir);
    return exit_code;
}
