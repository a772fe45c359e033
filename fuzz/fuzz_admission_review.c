/* libFuzzer harness: the AdmissionReview parser (server/review.c), then
 * the response builder and the JSONPatch over canned verdicts (every
 * other image denied, the rest allowed with a digest). Invariants: a
 * parsed review has a uid, every use points at one of its images, and a
 * response is JSON that echoes the uid; a denial never carries a patch;
 * a review over the container/image counts is denied with no image. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char digest[] = "sha256:e3b0c44298fc1c149afbf4c8996fb924"
                                 "27ae41e4649b934ca495991b7852b855";
    struct sg_review *r = NULL;
    struct sg_admit_result *res = NULL;
    struct sg_review_outcome oc = { 0 };
    struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
    json_t *doc = NULL;
    json_error_t jerr;
    size_t i;

    if (sg_server__review_parse(&r, data, size)) {
        sg_error_clear();
        return 0;
    }
    if (!r->uid || !*r->uid)
        abort();
    for (i = 0; i < r->n_uses; i++)
        if (r->uses[i].image >= r->n_images || r->uses[i].path[0] != '/')
            abort();
    res = calloc(r->n_images + 1, sizeof(*res));
    if (!res)
        goto done;
    for (i = 0; i < r->n_images; i++) {
        res[i].verdict = i % 2 ? SG_ADMIT_DENY : SG_ADMIT_ALLOW;
        res[i].reason = (char *)(uintptr_t) "canned";
        res[i].digest = (char *)(uintptr_t)digest;
    }
    if (sg_server__review_respond(&out, &oc, r, res, 1) == SG_OK) {
        const json_t *resp;
        doc = json_loadb(out.data, out.len, 0, &jerr);
        resp = json_object_get(doc, "response");
        if (!doc ||
            strcmp(json_string_value(json_object_get(resp, "uid")), r->uid))
            abort();
        if (json_is_false(json_object_get(resp, "allowed")) &&
            json_object_get(resp, "patch"))
            abort();
        /* over the counts: denied as a whole, nothing checked */
        if (r->refuse &&
            (r->n_images || !json_is_false(json_object_get(resp, "allowed"))))
            abort();
    }
    sg_error_clear();
done:
    json_decref(doc);
    sg_buf_release(&out);
    sg_server__outcome_release(&oc);
    free(res);
    sg_server__review_free(r);
    return 0;
}
