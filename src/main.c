/*
 * sigil: sign, verify and inventory container images. Entry point:
 * global options, the command table, help and version.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sigil/oci.h"

static const struct cli_command *const commands[] = {
    &cli_cmd_manifest,
    &cli_cmd_digest,
    &cli_cmd_copy,
    &cli_cmd_sbom,
    &cli_cmd_diff,
    &cli_cmd_convert,
    &cli_cmd_generate_key_pair,
    &cli_cmd_import_key_pair,
    &cli_cmd_public_key,
    &cli_cmd_sign,
    &cli_cmd_sign_blob,
    &cli_cmd_verify,
    &cli_cmd_verify_blob,
    &cli_cmd_triangulate,
    &cli_cmd_attest,
    &cli_cmd_attest_blob,
    &cli_cmd_verify_attestation,
    &cli_cmd_verify_blob_attestation,
    &cli_cmd_tree,
    &cli_cmd_download,
    &cli_cmd_attach,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

#define DEFAULT_TIMEOUT_MS (3 * 60 * 1000) /* cosign's --timeout default */

static int verbosity = 1;

static void log_hook(enum sg_log_level level, const char *msg, void *payload)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    (void)payload;
    if ((int)level > verbosity)
        return;
    cli_progress_clear();
    fprintf(stderr, "sigil: %s: %s\n", names[level], msg);
}

/* --limit NAME=VALUE: override one of the named limits on untrusted
 * input (common.h). VALUE is a number with an optional K, M or G suffix
 * (powers of 1024). Returns 0, or -1 after printing why. */
static int set_limit(const char *arg)
{
    struct sg_limits *l = sg_limits_default();
    static const struct {
        const char *name;
        size_t off;
        int is_u64;
    } tab[] = {
#define L(n, f, u) { n, offsetof(struct sg_limits, f), u }
        L("manifest-max", manifest_max, 0),
        L("descriptors-max", descriptors_max, 0),
        L("json-depth-max", json_depth_max, 0),
        L("token-max", token_max, 0),
        L("config-max", config_blob_max, 0),
        L("small-blob-max", small_blob_max, 0),
        L("tar-entries-max", tar_entries_max, 0),
        L("path-max", path_max, 0),
        L("file-keep-max", file_keep_max, 0),
        L("kept-bytes-max", kept_bytes_max, 1),
        L("layer-bytes-max", layer_bytes_max, 1),
        L("image-bytes-max", image_bytes_max, 1),
        L("ratio-max", ratio_max, 1),
        L("db-records-max", db_records_max, 0),
        L("tags-max", tags_max, 0),
        L("header-max", header_max, 0),
#undef L
    };
    const char *eq = strchr(arg, '=');
    unsigned long long v;
    char *end;

    if (!eq)
        goto bad;
    errno = 0;
    v = strtoull(eq + 1, &end, 10);
    if (errno || end == eq + 1)
        goto bad;
    {
        unsigned shift = 0;
        if (*end == 'K' || *end == 'k')
            shift = 10;
        else if (*end == 'M' || *end == 'm')
            shift = 20;
        else if (*end == 'G' || *end == 'g')
            shift = 30;
        if (shift) {
            if (v > (ULLONG_MAX >> shift))
                goto bad;
            v <<= shift;
            end++;
        }
    }
    if (*end || v == 0 || v > SIZE_MAX)
        goto bad;
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        if (strlen(tab[i].name) != (size_t)(eq - arg) ||
            strncmp(tab[i].name, arg, (size_t)(eq - arg)) != 0)
            continue;
        if (tab[i].is_u64) {
            uint64_t u = v;
            memcpy((char *)l + tab[i].off, &u, sizeof(u));
        } else {
            size_t z = (size_t)v;
            memcpy((char *)l + tab[i].off, &z, sizeof(z));
        }
        return 0;
    }
    fprintf(stderr,
            "sigil: --limit %s: unknown limit (names: see 'sigil "
            "--help')\n",
            arg);
    return -1;
bad:
    fprintf(stderr, "sigil: --limit %s: expected NAME=NUMBER[K|M|G]\n", arg);
    return -1;
}

/* --timeout D: a Go-style duration ("30s", "3m", "1h30m", "1.5s",
 * "250ms") or plain seconds ("90"); "0" = no deadline. */
static int parse_timeout(const char *arg, int64_t *ms_out)
{
    static const struct {
        const char *name;
        double ms;
    } units[] = { { "ms", 1 },        { "us", 1e-3 },   { "ns", 1e-6 },
                  { "h", 3600000.0 }, { "m", 60000.0 }, { "s", 1000.0 } };
    const char *p = arg;
    int plain = strspn(arg, "0123456789.") == strlen(arg);
    double total = 0;

    if (!*p)
        goto bad;
    while (*p) {
        double v = 0, scale = 1;
        size_t u, ndig = 0;
        while (*p >= '0' && *p <= '9' && ndig < 12) {
            v = v * 10 + (*p++ - '0');
            ndig++;
        }
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++, ndig++)
                v += (*p - '0') * (scale /= 10);
        if (!ndig)
            goto bad;
        if (plain) {
            if (*p)
                goto bad; /* "1.2.3" */
            total = v * 1000.0;
            break;
        }
        for (u = 0; u < CLI_N(units); u++)
            if (strncmp(p, units[u].name, strlen(units[u].name)) == 0)
                break;
        if (u == CLI_N(units))
            goto bad;
        p += strlen(units[u].name);
        total += v * units[u].ms;
    }
    if (total > 1e12) /* about 31 years */
        goto bad;
    *ms_out = (int64_t)total;
    if (total > 0 && *ms_out == 0)
        *ms_out = 1;
    return 0;
bad:
    fprintf(stderr,
            "sigil: --timeout %s: expected a duration like 30s, 3m, 1h30m "
            "or seconds (0 = none)\n",
            arg);
    return -1;
}

static void print_help(FILE *f)
{
    fprintf(f, "usage: sigil [-v|-q] [--timeout D] COMMAND [ARGS...]\n\n"
               "Sign, verify and list what is inside container images.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-24s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\nGlobal options: -v (more), -q (quiet), --version, "
               "--help,\n"
               "  --timeout D  bound the whole command (30s, 3m, 1h; "
               "default 3m; 0 = none)\n"
               "  --limit NAME=N[K|M|G]  override a limit on untrusted "
               "input; names:\n"
               "    manifest-max descriptors-max json-depth-max token-max "
               "config-max\n"
               "    small-blob-max tar-entries-max path-max file-keep-max "
               "kept-bytes-max\n"
               "    layer-bytes-max image-bytes-max ratio-max "
               "db-records-max tags-max\n"
               "    header-max\n"
               "copy, sbom, sign and attest show per-blob progress on "
               "standard error\n"
               "when it is a terminal (not with -q).\n"
               "Run 'sigil help COMMAND' for a command's options.\n");
}

static const struct cli_command *find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

/* The version and the date of the built-in trusted root snapshot. */
static void print_version(void)
{
    const char *date;
    size_t len;

    (void)sg_verify_trust_builtin(&len, &date);
    printf("sigil %s\ntrusted root: Sigstore public-good, snapshot %s\n",
           SG_VERSION, date);
}

int main(int argc, char **argv)
{
    struct cli_ctx ctx;
    const struct cli_command *cmd;
    int64_t timeout_ms = DEFAULT_TIMEOUT_MS;
    int i = 1, rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.verbosity = 1;
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--version") == 0) {
            print_version();
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--help") == 0 ||
                   strcmp(argv[i], "-h") == 0) {
            print_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "-v") == 0 ||
                   strcmp(argv[i], "--verbose") == 0) {
            ctx.verbosity++;
        } else if (strcmp(argv[i], "-q") == 0 ||
                   strcmp(argv[i], "--quiet") == 0) {
            ctx.verbosity = 0;
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            if (parse_timeout(argv[++i], &timeout_ms))
                return CLI_EXIT_USAGE;
        } else if (strncmp(argv[i], "--timeout=", 10) == 0) {
            if (parse_timeout(argv[i] + 10, &timeout_ms))
                return CLI_EXIT_USAGE;
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            if (set_limit(argv[++i]))
                return CLI_EXIT_USAGE;
        } else if (strncmp(argv[i], "--limit=", 8) == 0) {
            if (set_limit(argv[i] + 8))
                return CLI_EXIT_USAGE;
        } else {
            fprintf(stderr, "sigil: unknown option '%s'\n", argv[i]);
            return CLI_EXIT_USAGE;
        }
        i++;
    }
    if (i >= argc) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 < argc) {
            cmd = find(argv[i + 1]);
            if (!cmd) {
                fprintf(stderr, "sigil: unknown command '%s'\n", argv[i + 1]);
                return CLI_EXIT_USAGE;
            }
            cli_print_usage(cmd);
        } else {
            print_help(stdout);
        }
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[i], "version") == 0) {
        print_version();
        return CLI_EXIT_OK;
    }
    cmd = find(argv[i]);
    if (!cmd) {
        fprintf(stderr, "sigil: unknown command '%s' (see 'sigil help')\n",
                argv[i]);
        return CLI_EXIT_USAGE;
    }
    if (cli_wants_help(argc - i, argv + i)) {
        cli_print_usage(cmd);
        return CLI_EXIT_OK;
    }

    /* Command options may change verbosity too: hooks read it live. */
    verbosity = ctx.verbosity;
    sg_log_set_hook(log_hook, NULL);
    cli_progress_start(&ctx, cmd->name);
    if (sg_oci_global_init()) {
        fprintf(stderr, "sigil: %s\n", sg_error_last());
        return CLI_EXIT_FAIL;
    }
    /* One deadline for the whole command, on the library's clock. */
    if (timeout_ms) {
        ctx.reg.timeout_ms = timeout_ms;
        ctx.reg.deadline_ms = sg_oci_now_ms() + timeout_ms;
    }
    rc = cmd->run(&ctx, argc - i, argv + i);
    sg_oci_global_cleanup();
    if (ctx.password) {
        sg_wipe(ctx.password, strlen(ctx.password));
        free(ctx.password);
    }
    free(ctx.insecure);
    return rc;
}

void cli_set_verbosity(int v)
{
    verbosity = v;
}
