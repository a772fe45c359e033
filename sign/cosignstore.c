/* STUB: cosign storage (to be implemented). */
#include "sigil/sign.h"

sg_err sg_sign_tag_for(struct sg_buf *out, const char *digest,
                       const char *suffix)
{
    (void)out;
    (void)digest;
    (void)suffix;
    return sg_error_set(SG_EUNSUPPORTED, "not implemented yet");
}

sg_err sg_sign_append_layer(struct sg_oci_store *s, const char *digest,
                            const char *suffix, const void *data, size_t len,
                            const char *media_type,
                            const struct sg_sign_annotation *annotations,
                            size_t n_annotations)
{
    (void)s;
    (void)digest;
    (void)suffix;
    (void)data;
    (void)len;
    (void)media_type;
    (void)annotations;
    (void)n_annotations;
    return sg_error_set(SG_EUNSUPPORTED, "not implemented yet");
}
