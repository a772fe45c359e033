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
    &cli_cmd_ls,
    &cli_cmd_copy,
    &cli_cmd_sbom,
    &cli_cmd_diff,
    &cli_cmd_convert,
    &cli_cmd_cache,
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
    &cli_cmd_serve,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

#define DEFAULT_TIMEOUT_MS (3 * 60 * 1000) /* cosign's --timeout default */

static int verbosity = 1;

/* The library's log hook: any thread (sbom scans layers in parallel), so
 * the line goes out in one step under the progress lock. */
static void log_hook(enum sg_log_level level, const char *msg, void *payload)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    char line[1200];

    (void)payload;
    if ((int)level > verbosity)
        return;
    snprintf(line, sizeof(line), "sigil: %s: %s\n", names[level], msg);
    cli_progress_line(line);
}

/* --limit NAME=VALUE: override one of the named limits on untrusted
 * input (common/limits.c has the names). VALUE is a number with an
 * optional K, M or G suffix (powers of 1024). Returns 0, or -1 after
 * printing why. */
static int set_limit(struct sg_limits *l, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[64];
    sg_err rc;

    if (!eq)
        goto bad;
    if ((size_t)(eq - arg) >= sizeof(name)) {
        rc = SG_ENOTFOUND;
    } else {
        memcpy(name, arg, (size_t)(eq - arg));
        name[eq - arg] = '\0';
        rc = sg_limits_set(l, name, eq + 1);
    }
    sg_error_clear();
    if (!rc)
        return 0;
    if (rc == SG_ENOTFOUND) {
        fprintf(stderr,
                "sigil: --limit %s: unknown limit (names: see 'sigil "
                "--help')\n",
                arg);
        return -1;
    }
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
               "input; names:\n");
    for (size_t i = 0; sg_limits_name(i, NULL); i++)
        fprintf(f, "%s%s%s", i % 5 ? " " : "    ", sg_limits_name(i, NULL),
                i % 5 == 4 || !sg_limits_name(i + 1, NULL) ? "\n" : "");
    fprintf(f, "copy, sbom, sign and attest show per-blob progress on "
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
    sg_ctx_init(&ctx.sg);
    ctx.reg.ctx = &ctx.sg;
    {
        /* The library reads no environment: the CLI picks the backend. */
        const char *inflate = getenv("SIGIL_INFLATE");
        if (inflate && strcmp(inflate, "zlib") == 0)
            ctx.sg.inflate = SG_INFLATE_ZLIB;
    }
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
            if (set_limit(&ctx.sg.limits, argv[++i]))
                return CLI_EXIT_USAGE;
        } else if (strncmp(argv[i], "--limit=", 8) == 0) {
            if (set_limit(&ctx.sg.limits, argv[i] + 8))
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
    ctx.sg.log = log_hook;
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
