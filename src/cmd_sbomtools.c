/* STUB: commands to be implemented. */
#include "cli.h"

#include <stdio.h>

static int run_diff(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil diff: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_diff = {
    "diff", "Compare two SBOMs or images",
    "usage: sigil diff\n", run_diff
};

static int run_convert(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil convert: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_convert = {
    "convert", "Convert an SBOM between SPDX and CycloneDX",
    "usage: sigil convert\n", run_convert
};

