/* The AdmissionReview parser, response builder and JSONPatch (server/
 * review.c) and one review run end to end against the canned engine
 * (admit_stub.c): images found per workload kind, malformed bodies with
 * their one-line reasons, UPDATE checks only changed images, one engine
 * call per distinct image, denial status, mutate patch, ?timeout=. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit_stub.h"
#include "server_int.h"

#define HEAD                                                                \
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"," \
    "\"request\":{\"uid\":\"u-1\",\"operation\":\"CREATE\","                \
    "\"namespace\":\"ns1\","

static struct sg_review *parse_ok(const char *body)
{
    struct sg_review *r = NULL;
    sg_err rc = sg_server__review_parse(&r, body, strlen(body));
    if (rc)
        fail_msg("parse failed: %s (%s)", sg_error_last(), body);
    return r;
}

static void review__pod_images_all_lists_deduplicated(void **state)
{
    const char *body =
        HEAD "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
             "\"resource\":{\"group\":\"\",\"version\":\"v1\","
             "\"resource\":\"pods\"},\"dryRun\":true,"
             "\"object\":{\"metadata\":{\"name\":\"p1\",\"labels\":{\"app\":"
             "\"web\"}},\"spec\":{"
             "\"initContainers\":[{\"name\":\"i\",\"image\":\"init:1\"}],"
             "\"containers\":[{\"image\":\"nginx:1.25\"},{\"image\":"
             "\"nginx:1.25\"},{\"name\":\"noimage\"}],"
             "\"ephemeralContainers\":[{\"image\":\"debug:2\"}]}}}}";
    struct sg_review *r = parse_ok(body);

    (void)state;
    assert_string_equal(r->uid, "u-1");
    assert_string_equal(r->kind, "Pod");
    assert_string_equal(r->resource, "pods");
    assert_string_equal(r->namespace, "ns1");
    assert_string_equal(r->name, "p1");
    assert_int_equal(r->dry_run, 1);
    assert_int_equal(r->skip, 0);
    assert_int_equal(r->n_labels, 1);
    assert_string_equal(r->label_keys[0], "app");
    assert_string_equal(r->label_values[0], "web");
    assert_int_equal(r->n_images, 3);
    assert_string_equal(r->images[0], "init:1");
    assert_string_equal(r->images[1], "nginx:1.25");
    assert_string_equal(r->images[2], "debug:2");
    assert_int_equal(r->n_uses, 4);
    assert_string_equal(r->uses[0].path, "/spec/initContainers/0/image");
    assert_string_equal(r->uses[1].path, "/spec/containers/0/image");
    assert_string_equal(r->uses[2].path, "/spec/containers/1/image");
    assert_int_equal(r->uses[2].image, 1);
    assert_string_equal(r->uses[3].path, "/spec/ephemeralContainers/0/image");
    sg_server__review_free(r);
}

static void review__workload_kinds_find_the_pod_template(void **state)
{
    static const struct {
        const char *group, *kind, *wrap_open, *wrap_close, *path;
    } kinds[] = {
        { "apps", "Deployment", "{\"spec\":{\"template\":", "}}",
          "/spec/template/spec/containers/0/image" },
        { "apps", "ReplicaSet", "{\"spec\":{\"template\":", "}}",
          "/spec/template/spec/containers/0/image" },
        { "apps", "StatefulSet", "{\"spec\":{\"template\":", "}}",
          "/spec/template/spec/containers/0/image" },
        { "apps", "DaemonSet", "{\"spec\":{\"template\":", "}}",
          "/spec/template/spec/containers/0/image" },
        { "batch", "Job", "{\"spec\":{\"template\":", "}}",
          "/spec/template/spec/containers/0/image" },
        { "", "ReplicationController", "{\"spec\":{\"template\":", "}}",
          "/spec/template/spec/containers/0/image" },
        { "batch", "CronJob",
          "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":", "}}}}",
          "/spec/jobTemplate/spec/template/spec/containers/0/image" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        char body[2048];
        struct sg_review *r;
        snprintf(body, sizeof(body),
                 HEAD "\"kind\":{\"group\":\"%s\",\"version\":\"v1\","
                      "\"kind\":\"%s\"},\"object\":%s{\"spec\":{"
                      "\"containers\":[{\"image\":\"app:%zu\"}]}}%s}}",
                 kinds[i].group, kinds[i].kind, kinds[i].wrap_open, i,
                 kinds[i].wrap_close);
        r = parse_ok(body);
        assert_int_equal(r->skip, 0);
        assert_int_equal(r->n_images, 1);
        assert_int_equal(r->n_uses, 1);
        assert_string_equal(r->uses[0].path, kinds[i].path);
        sg_server__review_free(r);
    }
}

static void review__malformed_bodies_say_why(void **state)
{
    static const struct {
        const char *body, *msg;
    } bad[] = {
        { "not json", "invalid JSON" },
        { "null", "invalid JSON" },
        { "[]", "expected an object" },
        { "{}", "apiVersion is missing" },
        { "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":"
          "\"AdmissionReview\",\"request\":{\"uid\":\"x\"}}",
          "apiVersion must be admission.k8s.io/v1" },
        { "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}",
          "kind must be AdmissionReview" },
        { "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
          "\"AdmissionReview\"}",
          "request is missing" },
        { "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
          "\"AdmissionReview\",\"request\":null}",
          "request is missing" },
        { "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
          "\"AdmissionReview\",\"request\":[]}",
          "request: expected an object" },
        { "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
          "\"AdmissionReview\",\"request\":{}}",
          "request.uid is missing" },
        { "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
          "\"AdmissionReview\",\"request\":{\"uid\":42}}",
          "request.uid: expected a non-empty string" },
        { "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
          "\"AdmissionReview\",\"request\":{\"uid\":\"\"}}",
          "request.uid: expected a non-empty string" },
        { HEAD "\"kind\":{\"kind\":\"Pod\"}}}", "request.object is missing" },
        { HEAD "\"kind\":\"Pod\",\"object\":{}}}",
          "request.kind: expected an object" },
        { HEAD "\"kind\":{\"kind\":\"Pod\"},\"object\":{\"spec\":{"
               "\"containers\":{}}}}}",
          "request.object/spec/containers: expected an array" },
        { HEAD "\"kind\":{\"kind\":\"Pod\"},\"object\":{\"spec\":{"
               "\"containers\":[{\"image\":7}]}}}}",
          "request.object/spec/containers/0/image: expected a string" },
        { HEAD "\"kind\":{\"kind\":\"Pod\"},\"object\":{\"spec\":{"
               "\"containers\":[5]}}}}",
          "containers/0: expected an object" },
        { HEAD "\"kind\":{\"kind\":\"Pod\"},\"dryRun\":\"yes\","
               "\"object\":{}}}",
          "request.dryRun: expected a boolean" },
        { "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
          "\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":"
          "\"Pod\"},\"operation\":\"PATCH\"}}",
          "request.operation: expected CREATE" },
        { "{\"a\":1,\"a\":2}", "duplicate" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sg_review *r = NULL;
        sg_err rc =
            sg_server__review_parse(&r, bad[i].body, strlen(bad[i].body));
        if (!rc || !strstr(sg_error_last(), bad[i].msg))
            fail_msg("case %zu: rc=%d msg='%s', want '%s'", i, (int)rc,
                     sg_error_last(), bad[i].msg);
        assert_null(r);
        assert_null(strchr(sg_error_last(), '\n'));
        sg_error_clear();
    }
}

/* A Pod with n containers of image "img<i % distinct>". */
static char *pod_with(size_t n, size_t distinct)
{
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char *out = NULL;
    size_t i;

    assert_int_equal(sg_buf_adds(&b, HEAD "\"kind\":{\"kind\":\"Pod\"},"
                                          "\"object\":{\"spec\":{"
                                          "\"containers\":["),
                     0);
    for (i = 0; i < n; i++)
        assert_int_equal(sg_buf_addf(&b, "%s{\"image\":\"reg.example/img%zu\"}",
                                     i ? "," : "", i % distinct),
                         0);
    assert_int_equal(sg_buf_adds(&b, "]}}}}"), 0);
    assert_int_equal(sg_buf_take(&out, NULL, &b), 0);
    return out;
}

static void review__limits(void **state)
{
    struct sg_review *r = NULL;
    char *body = pod_with(SG_REVIEW_CONTAINERS_MAX, 3);
    char *big = malloc(SG_REVIEW_BODY_MAX + 2);

    (void)state;
    r = parse_ok(body);
    assert_int_equal(r->n_uses, SG_REVIEW_CONTAINERS_MAX);
    assert_int_equal(r->n_images, 3);
    sg_server__review_free(r);
    free(body);

    /* over the counts: a well-formed review, denied as a whole (a verdict,
     * not a 400 the API server would count as a failed call) */
    body = pod_with(SG_REVIEW_CONTAINERS_MAX + 1, 3);
    r = parse_ok(body);
    assert_non_null(r->refuse);
    assert_string_equal(r->refuse, "too many images: request.object has "
                                   "more containers than 10000");
    assert_int_equal(r->n_images, 0);
    assert_int_equal(r->n_uses, 0);
    sg_server__review_free(r);
    free(body);

    body = pod_with(SG_REVIEW_IMAGES_MAX + 1, SG_REVIEW_IMAGES_MAX + 1);
    r = parse_ok(body);
    assert_non_null(r->refuse);
    assert_string_equal(r->refuse, "too many images: request.object has "
                                   "more distinct images than 256");
    assert_int_equal(r->n_images, 0);
    {
        struct sg_buf out = SG_BUF_INIT(SG_BUF_NOLIMIT);
        struct sg_review_outcome oc;
        assert_int_equal(sg_server__review_respond(&out, &oc, r, NULL, 1), 0);
        assert_int_equal(oc.verdict, SG_REVIEW_DENIED);
        assert_non_null(strstr(out.data, "\"allowed\":false"));
        assert_non_null(strstr(out.data, "\"code\":403"));
        assert_non_null(strstr(out.data, "more distinct images than 256"));
        assert_null(strstr(out.data, "patch"));
        sg_server__outcome_release(&oc);
        sg_buf_release(&out);
    }
    sg_server__review_free(r);
    free(body);

    assert_non_null(big);
    memset(big, ' ', SG_REVIEW_BODY_MAX + 1);
    assert_int_equal(sg_server__review_parse(&r, big, SG_REVIEW_BODY_MAX + 1),
                     SG_ELIMIT);
    assert_non_null(strstr(sg_error_last(), "over the limit"));
    free(big);
    sg_error_clear();
}

static void review__update_checks_changed_images_delete_skips(void **state)
{
    const char *upd =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
        "\"request\":{\"uid\":\"u\",\"operation\":\"UPDATE\","
        "\"kind\":{\"group\":\"apps\",\"kind\":\"Deployment\"},"
        "\"object\":{\"spec\":{\"template\":{\"spec\":{\"containers\":["
        "{\"image\":\"keep:1\"},{\"image\":\"new:2\"}]}}}},"
        "\"oldObject\":{\"spec\":{\"template\":{\"spec\":{"
        "\"containers\":[{\"image\":\"keep:1\"},{\"image\":\"old:1\"}]}}}}"
        "}}";
    const char *del =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
        "\"request\":{\"uid\":\"d\",\"kind\":{\"kind\":\"Pod\"},"
        "\"operation\":\"DELETE\",\"object\":null}}";
    struct sg_review *r;

    (void)state;
    r = parse_ok(upd);
    assert_string_equal(r->operation, "UPDATE");
    assert_int_equal(r->n_images, 1);
    assert_string_equal(r->images[0], "new:2");
    assert_int_equal(r->n_unchanged, 1);
    assert_string_equal(r->uses[0].path,
                        "/spec/template/spec/containers/1/image");
    sg_server__review_free(r);

    r = parse_ok(del);
    assert_int_equal(r->skip, 1);
    assert_int_equal(r->n_images, 0);
    sg_server__review_free(r);
}

static struct sg_admit_engine *stub_engine(void)
{
    struct sg_admit_engine *e = NULL;
    struct sg_admit_engine_opts o;

    memset(&o, 0, sizeof(o));
    assert_int_equal(sg_admit_engine_create(&e, &o), 0);
    return e;
}

/* Parse the run's body as a JSON AdmissionReview response. */
static json_t *response_of(const struct sg_review_run *run)
{
    json_error_t jerr;
    json_t *doc;

    assert_int_equal(run->status, 200);
    doc = json_loadb(run->body.data, run->body.len, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "apiVersion")),
                        "admission.k8s.io/v1");
    assert_string_equal(json_string_value(json_object_get(doc, "kind")),
                        "AdmissionReview");
    return doc;
}

static void review__run_one_call_per_image_and_mutate_patch(void **state)
{
    struct sg_admit_engine *e = stub_engine();
    struct sg_review_run run;
    char *body = pod_with(8, 1);
    json_t *doc, *resp;
    uint64_t before = admit_stub_calls();
    struct sg_buf dec = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char digest[SG_DIGEST_STR_MAX], want[256];
    json_error_t jerr;
    json_t *patch;
    size_t i;

    (void)state;
    sg_server__review_run(&run, e, body, strlen(body), 1,
                          sg_oci_now_ms() + 5000);
    assert_int_equal(admit_stub_calls() - before, 1);
    doc = response_of(&run);
    resp = json_object_get(doc, "response");
    assert_string_equal(json_string_value(json_object_get(resp, "uid")), "u-1");
    assert_true(json_is_true(json_object_get(resp, "allowed")));
    assert_null(json_object_get(resp, "status"));
    assert_string_equal(json_string_value(json_object_get(resp, "patchType")),
                        "JSONPatch");
    assert_int_equal(
        sg_base64_decode(
            &dec, json_string_value(json_object_get(resp, "patch")),
            strlen(json_string_value(json_object_get(resp, "patch")))),
        0);
    patch = json_loadb(dec.data, dec.len, 0, &jerr);
    assert_non_null(patch);
    assert_int_equal(json_array_size(patch), 8);
    assert_int_equal(sg_sha256_digest(digest, "reg.example/img0",
                                      strlen("reg.example/img0")),
                     0);
    snprintf(want, sizeof(want), "reg.example/img0@%s", digest);
    for (i = 0; i < 8; i++) {
        json_t *op = json_array_get(patch, i);
        char path[64];
        snprintf(path, sizeof(path), "/spec/containers/%zu/image", i);
        assert_string_equal(json_string_value(json_object_get(op, "op")),
                            "replace");
        assert_string_equal(json_string_value(json_object_get(op, "path")),
                            path);
        assert_string_equal(json_string_value(json_object_get(op, "value")),
                            want);
    }
    assert_non_null(strstr(run.log.data, "\"verdict\":\"allow\""));
    assert_non_null(strstr(run.log.data, "\"uid\":\"u-1\""));
    json_decref(patch);
    json_decref(doc);
    sg_buf_release(&dec);
    sg_server__review_run_release(&run);

    /* /validate: the same review, no patch */
    sg_server__review_run(&run, e, body, strlen(body), 0,
                          sg_oci_now_ms() + 5000);
    doc = response_of(&run);
    resp = json_object_get(doc, "response");
    assert_null(json_object_get(resp, "patch"));
    assert_null(json_object_get(resp, "patchType"));
    json_decref(doc);
    sg_server__review_run_release(&run);
    free(body);
    sg_admit_engine_free(e);
}

static void review__run_denies_unsigned_and_engine_errors(void **state)
{
    const char *body =
        HEAD "\"kind\":{\"kind\":\"Pod\"},\"object\":{\"spec\":{"
             "\"containers\":[{\"image\":\"ok:1\"},{\"image\":"
             "\"reg/unsigned:1\"},{\"image\":\"reg/error:1\"}]}}}}";
    struct sg_admit_engine *e = stub_engine();
    struct sg_review_run run;
    json_t *doc, *resp, *st;
    const char *msg;

    (void)state;
    sg_server__review_run(&run, e, body, strlen(body), 1,
                          sg_oci_now_ms() + 5000);
    doc = response_of(&run);
    resp = json_object_get(doc, "response");
    assert_true(json_is_false(json_object_get(resp, "allowed")));
    assert_null(json_object_get(resp, "patch")); /* never on a denial */
    st = json_object_get(resp, "status");
    assert_int_equal(json_integer_value(json_object_get(st, "code")), 403);
    msg = json_string_value(json_object_get(st, "message"));
    assert_string_equal(msg, "reg/unsigned:1: no valid signature; "
                             "reg/error:1: verification error: stub: "
                             "registry unreachable");
    assert_int_equal(run.engine_errors, 1);
    assert_int_equal(run.verdict, SG_REVIEW_DENIED);
    json_decref(doc);
    sg_server__review_run_release(&run);

    /* a malformed body: 400 with the reason, one line */
    sg_server__review_run(&run, e, "{\"apiVersion\":1}", 16, 0, 0);
    assert_int_equal(run.status, 400);
    assert_int_equal(run.bad_request, 1);
    assert_string_equal(run.body.data,
                        "AdmissionReview.apiVersion: expected a string\n");
    sg_server__review_run_release(&run);
    sg_admit_engine_free(e);
}

static void review__timeout_query(void **state)
{
    (void)state;
    assert_int_equal(sg_server__timeout_ms("timeout=10s"), 10000);
    assert_int_equal(sg_server__timeout_ms("a=b&timeout=3s"), 3000);
    assert_int_equal(sg_server__timeout_ms("timeout=2m"), 120000);
    assert_int_equal(sg_server__timeout_ms("timeout=7"), 7000);
    assert_int_equal(sg_server__timeout_ms(NULL), -1);
    assert_int_equal(sg_server__timeout_ms("timeout="), -1);
    assert_int_equal(sg_server__timeout_ms("timeout=5x"), -1);
    assert_int_equal(sg_server__timeout_ms("timeouts=5s"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(review__pod_images_all_lists_deduplicated),
        cmocka_unit_test(review__workload_kinds_find_the_pod_template),
        cmocka_unit_test(review__malformed_bodies_say_why),
        cmocka_unit_test(review__limits),
        cmocka_unit_test(review__update_checks_changed_images_delete_skips),
        cmocka_unit_test(review__run_one_call_per_image_and_mutate_patch),
        cmocka_unit_test(review__run_denies_unsigned_and_engine_errors),
        cmocka_unit_test(review__timeout_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
