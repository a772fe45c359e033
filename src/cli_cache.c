/*
 * The layer cache flags of the scanning commands (sigil/layercache.h):
 * where the cache lives is decided here, in the CLI, since the library
 * never reads the environment.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_cache_opts(struct cli_opt *out, struct cli_cache *c)
{
    const struct cli_opt opts[CLI_CACHE_N_OPTS] = {
        { .name = "--cache-dir", .value = &c->dir },
        { .name = "--no-cache", .flag = &c->off },
    };

    memcpy(out, opts, sizeof(opts));
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
