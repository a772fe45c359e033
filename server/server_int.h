/*
 * sigil server, private: the AdmissionReview (admission.k8s.io/v1) parser
 * and response builder (review.c) and the review runner the HTTP server
 * calls on its workers (http.c). review.c never calls the engine, so the
 * parser can be fuzzed on its own.
 */
#ifndef SIGIL_SERVER_INT_H
#define SIGIL_SERVER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "admit.h"
#include "sigil/common.h"

/* Bounds on one review (untrusted input). */
#define SG_REVIEW_BODY_MAX       (3u * 1024u * 1024u)
#define SG_REVIEW_JSON_DEPTH     100u
#define SG_REVIEW_CONTAINERS_MAX 10000u /* container entries per object */
#define SG_REVIEW_IMAGES_MAX     256u   /* distinct images checked */
#define SG_REVIEW_IMAGE_LEN_MAX  4096u  /* one image reference */
#define SG_REVIEW_UID_LEN_MAX    256u
#define SG_REVIEW_LABELS_MAX     1024u
#define SG_REVIEW_MESSAGE_MAX    4096u /* status.message bytes */
#define SG_REVIEW_WARNING_MAX    256u  /* bytes per warning */

/* One container image field to check: where it is in the object. */
struct sg_review_use {
    char
        *path; /* JSON pointer to the image field, "/spec/containers/0/image" */
    size_t image; /* index into sg_review.images */
};

struct sg_review {
    char *uid;
    char *operation;               /* CREATE, UPDATE, DELETE, CONNECT */
    char *group, *version, *kind;  /* request.kind */
    char *resource, *subresource;  /* request.resource.resource */
    char *res_group, *res_version; /* request.resource */
    char *namespace;               /* "" when cluster-scoped */
    char *name;                    /* request.name or metadata.(generate)name */
    int dry_run;
    int skip; /* DELETE/CONNECT or no pod spec: allowed without checks */
    char **label_keys, **label_values;
    size_t n_labels;
    char **images; /* distinct images to check, first-seen order */
    size_t n_images;
    struct sg_review_use *uses; /* every changed image field */
    size_t n_uses;
    size_t n_unchanged; /* UPDATE: image fields equal to oldObject's */
    /* A well-formed review over a count bound (containers, distinct
     * images): denied as a whole, without checking any image, so that the
     * answer is a verdict (HTTP 200, allowed: false) and not a 400, which
     * the API server would treat as a failed call (failurePolicy Ignore
     * would then admit the pod). NULL otherwise. */
    char *refuse;
};

/* Parse an AdmissionReview body. SG_EPARSE / SG_ELIMIT with a one-line
 * message (the HTTP 400 reason) for anything malformed: not JSON, null,
 * wrong apiVersion/kind, no request or uid, wrong types, over a size bound.
 * Over the container or distinct-image count: SG_OK with r->refuse set.
 * *out is the caller's (sg_server__review_free). */
SG_MUST_USE sg_err sg_server__review_parse(struct sg_review **out,
                                           const void *body,
                                           size_t len);
void sg_server__review_free(struct sg_review *r);

/* The verdict for logs and metrics. */
enum sg_review_verdict {
    SG_REVIEW_ALLOWED = 0,
    SG_REVIEW_DENIED,
    SG_REVIEW_WARNED /* allowed with warnings */
};
struct sg_review_outcome {
    enum sg_review_verdict verdict;
    char *reason; /* owned; one line ("" when allowed cleanly) */
    size_t n_patched;
};
void sg_server__outcome_release(struct sg_review_outcome *oc);

/* Build the AdmissionReview response for r from results[i] (the verdict on
 * r->images[i]; NULL when r->skip). `mutate`: add a JSONPatch pinning every
 * allowed image with a digest to IMAGE@DIGEST (only when allowed and there
 * is something to pin). The JSON goes to out; the verdict to *oc. */
SG_MUST_USE sg_err
sg_server__review_respond(struct sg_buf *out,
                          struct sg_review_outcome *oc,
                          const struct sg_review *r,
                          const struct sg_admit_result *results,
                          int mutate);

/* The JSONPatch alone (a JSON array, "[]" when nothing to pin). */
SG_MUST_USE sg_err
sg_server__review_patch(struct sg_buf *out,
                        size_t *n_ops,
                        const struct sg_review *r,
                        const struct sg_admit_result *results);

/* Run one review against the engine (http.c, on a worker thread): parse,
 * sg_admit_image once per distinct image (an engine error denies), build
 * the response. *status is the HTTP status (200, or 400 with the reason
 * in out as text). The log line (JSON object) goes to *log when not NULL. */
struct sg_review_run {
    int status;         /* HTTP status */
    struct sg_buf body; /* response body (JSON, or the 400 reason) */
    struct sg_buf log;  /* the structured log line */
    enum sg_review_verdict verdict;
    int bad_request; /* 400 */
    uint64_t engine_errors;
};
void sg_server__review_run(struct sg_review_run *run,
                           struct sg_admit_engine *e,
                           const void *body,
                           size_t len,
                           int mutate,
                           int64_t deadline_ms);
void sg_server__review_run_release(struct sg_review_run *run);

/* "?timeout=10s" (the API server's): the seconds, or -1 when absent or
 * malformed. Accepts "Ns", "Nm", plain N. */
int64_t sg_server__timeout_ms(const char *query);

#endif
