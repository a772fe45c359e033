/* Helpers for the sbom unit tests that build layer views by hand and
 * squash them (test_sbom_squash, _python, _npm). Include after cmocka.h,
 * sbom/sbom_core.h and sbom_test_util.h. */
#ifndef SBOM_VIEW_UTIL_H
#define SBOM_VIEW_UTIL_H

/* A regular file at path with data, as the scanner keeps a claimed one. */
static inline void
sbom_view_keep(struct sg_layer_view *v, const char *path, const char *data)
{
    assert_int_equal(
        sg_layer_view_keep(v, path, SG_KEPT_REG, data, strlen(data), NULL),
        SG_OK);
    assert_int_equal(sg_layer_view_nondir(v, path), SG_OK);
}

/* Append s to a string vector (whiteouts, opaque directories). */
static inline void sbom_view_push(char ***v, size_t *n, const char *s)
{
    assert_int_equal(sg_strv_push(v, n, s, strlen(s)), SG_OK);
}

/* Seal and squash n views (released afterwards), then finish. */
static inline struct sg_sbom *sbom_view_squash(struct sg_layer_view *v,
                                               size_t n,
                                               char *const *diff_ids,
                                               enum sg_sbom_scope scope)
{
    struct sg_sbom *s = NULL;

    assert_int_equal(sg_sbom_create(&s), SG_OK);
    for (size_t i = 0; i < n; i++)
        sg_layer_view_seal(&v[i]);
    assert_int_equal(
        sg_sbom__squash_catalog(s, v, n, diff_ids, scope, sbom_test_sg()),
        SG_OK);
    assert_int_equal(sg_sbom_finish(s), SG_OK);
    for (size_t i = 0; i < n; i++)
        sg_layer_view_release(&v[i]);
    return s;
}

#endif
