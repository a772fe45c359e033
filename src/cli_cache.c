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

/* The directory the flags and the environment name; empty when there is
 * none (no --cache-dir, XDG_CACHE_HOME nor HOME). */
static sg_err cache_dir(struct sg_buf *out, const struct cli_cache *c)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");

    if (c->dir)
        return sg_buf_adds(out, c->dir);
    if (xdg && *xdg == '/') /* relative values are ignored (XDG spec) */
        return sg_buf_addf(out, "%s/sigil", xdg);
    if (home && *home)
        return sg_buf_addf(out, "%s/.cache/sigil", home);
    return SG_OK;
}

int cli_cache_dir(struct sg_buf *out, const struct cli_cache *c)
{
    sg_err rc = cache_dir(out, c);

    if (!rc && !out->len)
        rc = sg_error_set(SG_EINVAL, "neither XDG_CACHE_HOME nor HOME is set "
                                     "(give --cache-dir)");
    return rc ? cli_fail(rc, "layer cache") : 0;
}

int cli_cache_open(struct sg_layer_cache **out,
                   struct cli_ctx *ctx,
                   const struct cli_cache *c)
{
    struct sg_layer_cache_opts o = { .ctx = &ctx->sg };
    struct sg_buf dir = SG_BUF_INIT(4096);
    sg_err rc = SG_OK;

    *out = NULL;
    if (c->max_size &&
        cli_cache_size(&o.max_bytes, c->cmd, "--cache-max-size", c->max_size))
        return CLI_EXIT_USAGE;
    /* --no-cache, or no directory to use (no HOME): layers are cached in
     * memory for this run only. */
    if (!c->off)
        rc = cache_dir(&dir, c);
    o.dir = dir.len ? dir.data : NULL;
    if (!rc)
        rc = sg_layer_cache_open(out, &o);
    sg_buf_release(&dir);
    return rc ? cli_fail(rc, "layer cache") : 0;
}
