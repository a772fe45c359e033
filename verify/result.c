/* Verification results: every candidate checked, with its reason. */
#include "sigil/verify.h"

#include <stdlib.h>
#include <string.h>

void sg_verify_result_release(struct sg_verify_result *r)
{
    for (size_t i = 0; i < r->n_items; i++) {
        free(r->items[i].reason);
        free(r->items[i].payload);
        free(r->items[i].source);
        free(r->items[i].keyless);
    }
    free(r->items);
    memset(r, 0, sizeof(*r));
}

void sg_attest_result_release(struct sg_attest_result *r)
{
    for (size_t i = 0; i < r->n_items; i++) {
        free(r->items[i].reason);
        free(r->items[i].source);
        free(r->items[i].predicate_type);
        free(r->items[i].statement);
        free(r->items[i].envelope);
        free(r->items[i].keyless);
    }
    free(r->items);
    memset(r, 0, sizeof(*r));
}
