/* STUB: commands to be implemented. */
#include "cli.h"

#include <stdio.h>

static int run_sbom(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sigil sbom: not implemented yet\n");
    return CLI_EXIT_FAIL;
}

const struct cli_command cli_cmd_sbom = {
    "sbom", "List the packages in an image (SPDX, CycloneDX, table)",
    "usage: sigil sbom\n", run_sbom
};

