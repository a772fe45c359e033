/*
 * sigil cache ls|prune|clean [--cache-dir D] [--max-size N]
 *
 * The layer cache `sigil sbom` fills (sigil/layercache.h): list its
 * entries, evict the least recently used ones down to a size, or empty
 * it. The directory is found as the scanning commands find it
 * (cli_cache.c).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* "512 B", "3.2 KiB", "1.0 GiB" */
static void human_size(char *out, size_t cap, uint64_t n)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)n;
    size_t u = 0;

    while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, cap, "%llu B", (unsigned long long)n);
    else
        snprintf(out, cap, "%.1f %s", v, unit[u]);
}

/* "45s", "12m", "3h", "9d": time since the entry's last use. */
static void human_age(char *out, size_t cap, int64_t mtime, time_t now)
{
    long long s = (long long)now - (long long)mtime;

    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(out, cap, "%llds", s);
    else if (s < 2 * 3600)
        snprintf(out, cap, "%lldm", s / 60);
    else if (s < 2 * 86400)
        snprintf(out, cap, "%lldh", s / 3600);
    else
        snprintf(out, cap, "%lldd", s / 86400);
}

static int cache_ls(struct sg_layer_cache *c, const char *dir)
{
    struct sg_layer_cache_entry *v = NULL;
    size_t n = 0;
    uint64_t total = 0;
    time_t now = time(NULL);
    char sz[32], age[32];
    sg_err rc = sg_layer_cache_list(&v, &n, c);

    if (rc)
        return cli_fail(rc, "%s", dir);
    if (n)
        printf("%-71s  %10s  %s\n", "LAYER", "SIZE", "LAST USED");
    for (size_t i = 0; i < n; i++) {
        human_size(sz, sizeof(sz), v[i].size);
        human_age(age, sizeof(age), v[i].mtime, now);
        /* The blob digest comes from the entry's header: printed only
         * when it is one (an unreadable entry shows its file name). */
        printf("%-71s  %10s  %s ago\n",
               v[i].blob && sg_digest_valid(v[i].blob) ? v[i].blob : v[i].file,
               sz, age);
        total += v[i].size;
    }
    human_size(sz, sizeof(sz), total);
    printf("%zu entr%s, %s in %s\n", n, n == 1 ? "y" : "ies", sz, dir);
    sg_layer_cache_list_free(v, n);
    return CLI_EXIT_OK;
}

static int
cache_prune(struct sg_layer_cache *c, const char *dir, uint64_t max_bytes)
{
    size_t removed = 0;
    uint64_t freed = 0;
    char sz[32];
    sg_err rc = sg_layer_cache_prune(c, max_bytes, &removed, &freed);

    if (rc)
        return cli_fail(rc, "%s", dir);
    human_size(sz, sizeof(sz), freed);
    printf("removed %zu entr%s (%s) from %s\n", removed,
           removed == 1 ? "y" : "ies", sz, dir);
    return CLI_EXIT_OK;
}

int cli_run_cache(struct cli_ctx *ctx, int argc, char **argv)
{
    struct cli_cache cc = { .cmd = &cli_cmd_cache };
    const char *sub = NULL, *max_size = NULL;
    struct sg_layer_cache *c = NULL;
    struct sg_layer_cache_opts o = { .ctx = &ctx->sg };
    uint64_t max_bytes = SG_LAYER_CACHE_MAX_DEFAULT;
    struct sg_buf dir = SG_BUF_INIT(4096);
    struct cli_opt opts[1 + CLI_CACHE_N_OPTS] = {
        { .name = "--max-size", .value = &max_size },
    };
    struct cli_args a = { .opts = opts, .n_opts = CLI_N(opts), .pos = &sub };
    int ret;

    cli_cache_opts(opts + 1, &cc);
    if (cli_parse_args(ctx, &cli_cmd_cache, argc, argv, 1, &a))
        return CLI_EXIT_USAGE;
    if (!sub || (strcmp(sub, "ls") != 0 && strcmp(sub, "prune") != 0 &&
                 strcmp(sub, "clean") != 0))
        return cli_usage_error(&cli_cmd_cache, "expected ls, prune or clean");
    if (cc.off)
        return cli_usage_error(&cli_cmd_cache,
                               "--no-cache: no cache to work on");
    if (max_size && cc.max_size)
        return cli_usage_error(&cli_cmd_cache,
                               "--max-size and --cache-max-size are the same "
                               "option: give one");
    if (!max_size)
        max_size = cc.max_size;
    if (max_size && strcmp(sub, "prune") != 0)
        return cli_usage_error(&cli_cmd_cache, "--max-size is for prune");
    if (max_size &&
        cli_cache_size(&max_bytes, &cli_cmd_cache, "--max-size", max_size))
        return CLI_EXIT_USAGE;
    /* The directory the scanning commands use (cli_cache_open), opened
     * here by hand to keep its name for the messages. */
    cc.max_size = NULL;
    ret = cli_cache_dir(&dir, &cc);
    if (ret)
        return ret;
    o.dir = dir.data;
    o.max_bytes = max_bytes;
    {
        sg_err rc = sg_layer_cache_open(&c, &o);
        if (rc) {
            sg_buf_release(&dir);
            return cli_fail(rc, "layer cache %s", dir.data);
        }
    }
    if (strcmp(sub, "ls") == 0)
        ret = cache_ls(c, dir.data);
    else
        ret =
            cache_prune(c, dir.data, strcmp(sub, "clean") == 0 ? 0 : max_bytes);
    sg_layer_cache_free(c);
    sg_buf_release(&dir);
    return ret;
}
