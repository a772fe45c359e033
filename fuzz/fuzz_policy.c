/* libFuzzer harness: the ClusterImagePolicy parser (untrusted YAML/JSON,
 * multi-document), then every loaded glob against a few images; every
 * loaded keyless authority has a trusted root and identities that name
 * one subject and one issuer (exact or regexp). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/policy_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *images[] = { "nginx", "ghcr.io/a/b:1",
                                    "localhost:5000/x@sha256:"
                                    "5504f2a95018e3d8a52d80d9e1a128c6ea337581"
                                    "808ff9fe96f5628ce2336350" };
    struct sg_admit_policies *p = NULL;
    size_t docs = 0;
    sg_err rc;

    if (sg_pa_new(&p, 1) != SG_OK)
        return 0;
    rc = sg_pa_parse(p, data, size, "fuzz", &docs, NULL);
    if (rc == SG_OK) {
        for (size_t i = 0; i < p->n; i++) {
            const struct sg_pa_policy *pol = &p->v[i];
            if (!pol->n_globs || !pol->n_auth || !pol->name)
                abort();
            for (size_t j = 0; j < pol->n_auth; j++) {
                const struct sg_pa_authority *a = &pol->auth[j];
                if (a->kind != SG_PA_AUTH_KEYLESS)
                    continue;
                if (!a->root || !a->root->data || !a->n_ids)
                    abort();
                for (size_t k = 0; k < a->n_ids; k++) {
                    const struct sg_pa_identity *id = &a->ids[k];
                    if (!id->subject == !id->subject_re ||
                        !id->issuer == !id->issuer_re)
                        abort();
                }
            }
            for (size_t g = 0; g < pol->n_globs; g++) {
                for (size_t k = 0; k < sizeof(images) / sizeof(images[0]);
                     k++) {
                    if (sg_pa_glob_match(pol->globs[g], images[k]) < 0)
                        abort(); /* loaded globs are valid */
                }
            }
        }
    } else if (!sg_error_last()[0] || strchr(sg_error_last(), '\n')) {
        abort(); /* every refusal is one line with a reason */
    }
    sg_admit_policies_unref(p);
    sg_error_clear();
    return 0;
}
