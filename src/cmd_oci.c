/* STUB: commands to be implemented. */
#include "cli.h"

#include <stdio.h>

static int run_manifest(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil manifest: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_manifest = {
    "manifest", "Print an image's raw manifest",
    "usage: sigil manifest\n", run_manifest
};

static int run_digest(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil digest: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_digest = {
    "digest", "Print the digest a reference resolves to",
    "usage: sigil digest\n", run_digest
};

static int run_copy(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil copy: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_copy = {
    "copy", "Copy an image between registries and layouts",
    "usage: sigil copy\n", run_copy
};

