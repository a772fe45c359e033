/*
 * sigil: sign, verify and inventory container images. Entry point:
 * global options, the command table, help and version.
 */
#include "cli.h"

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

static int verbosity = 1;

static void log_hook(enum sg_log_level level, const char *msg, void *payload)
{
    static const char *const names[] = { "error", "warning", "info",
                                         "debug" };
    (void)payload;
    if ((int)level > verbosity)
        return;
    fprintf(stderr, "sigil: %s: %s\n", names[level], msg);
}

/* Progress: one status line per blob on a TTY stderr, nothing otherwise. */
static void progress_hook(const char *what, uint64_t bytes, uint64_t total,
                          int done, void *payload)
{
    char short_what[24];
    (void)payload;
    if (verbosity < 1)
        return;
    snprintf(short_what, sizeof(short_what), "%s", what ? what : "");
    if (total)
        fprintf(stderr, "\r%-23s %10llu / %llu bytes%s", short_what,
                (unsigned long long)bytes, (unsigned long long)total,
                done ? "\n" : "");
    else
        fprintf(stderr, "\r%-23s %10llu bytes%s", short_what,
                (unsigned long long)bytes, done ? "\n" : "");
}

static void print_help(FILE *f)
{
    fprintf(f, "usage: sigil [-v|-q] COMMAND [ARGS...]\n\n"
               "Sign, verify and list what is inside container images.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-24s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\nGlobal options: -v (more), -q (quiet), --version, "
               "--help\n"
               "Run 'sigil help COMMAND' for a command's options.\n");
}

static const struct cli_command *find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    struct cli_ctx ctx;
    const struct cli_command *cmd;
    int i = 1, rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.verbosity = 1;
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--version") == 0) {
            printf("sigil %s\n", SG_VERSION);
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
        printf("sigil %s\n", SG_VERSION);
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
    if (isatty(STDERR_FILENO))
        sg_progress_set_hook(progress_hook, NULL);
    if (sg_oci_global_init()) {
        fprintf(stderr, "sigil: %s\n", sg_error_last());
        return CLI_EXIT_FAIL;
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
