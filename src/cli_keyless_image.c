/*
 * Keyless flags of the image verify commands (cli_keyless_image.h).
 */
#include "cli_keyless_image.h"

#include <stdlib.h>

int cli_keyless_image_policy(const struct cli_command *cmd,
                             struct cli_keyless_image *kl,
                             const char *key,
                             const struct sg_keyless_policy **pol)
{
    const struct sg_keyless_policy *p = &kl->pol;
    const char *any = p->identity          ? "--certificate-identity"
                      : p->identity_regexp ? "--certificate-identity-regexp"
                      : p->issuer          ? "--certificate-oidc-issuer"
                      : p->issuer_regexp   ? "--certificate-oidc-issuer-regexp"
                      : kl->trusted_root   ? "--trusted-root"
                      : (p->gh_workflow_trigger || p->gh_workflow_sha ||
                         p->gh_workflow_name || p->gh_workflow_repository ||
                         p->gh_workflow_ref)
                          ? "--certificate-github-workflow-*"
                          : NULL;

    *pol = NULL;
    if (key) {
        if (any)
            return cli_usage_error(cmd,
                                   "--key and %s do not mix: a key checks "
                                   "key-signed signatures, the identity flags "
                                   "keyless ones",
                                   any);
        return CLI_EXIT_OK;
    }
    if (!p->identity && !p->identity_regexp)
        return cli_usage_error(cmd, "--certificate-identity or "
                                    "--certificate-identity-regexp is "
                                    "required for keyless verification");
    if (!p->issuer && !p->issuer_regexp)
        return cli_usage_error(cmd, "--certificate-oidc-issuer or "
                                    "--certificate-oidc-issuer-regexp is "
                                    "required for keyless verification");
    if (p->identity && p->identity_regexp)
        return cli_usage_error(cmd, "--certificate-identity and "
                                    "--certificate-identity-regexp: give one");
    if (p->issuer && p->issuer_regexp)
        return cli_usage_error(cmd, "--certificate-oidc-issuer and "
                                    "--certificate-oidc-issuer-regexp: give "
                                    "one");
    kl->pol.trusted_root_path =
        kl->trusted_root ? kl->trusted_root : getenv("SIGSTORE_TRUSTED_ROOT");
    /* The embedded public-good root is the default once src/cli_keyless.c
     * is merged; until then a root must be named. */
    if (!kl->pol.trusted_root_path || !kl->pol.trusted_root_path[0])
        return cli_usage_error(cmd, "keyless verification needs "
                                    "--trusted-root FILE (or "
                                    "SIGSTORE_TRUSTED_ROOT)");
    *pol = &kl->pol;
    return CLI_EXIT_OK;
}
