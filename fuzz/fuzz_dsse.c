/* libFuzzer harness: DSSE envelope parser, then the in-toto Statement
 * parser on the decoded payload (the two parsers verify-attestation runs
 * on untrusted registry bytes). Touches everything they promise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigil/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_dsse_envelope *e = NULL;
    struct sg_intoto_statement *st = NULL;
    struct sg_buf pae = SG_BUF_INIT(SG_BUF_NOLIMIT);
    size_t n = 0;

    if (size > (1u << 20))
        return 0;
    if (sg_dsse_envelope_parse(&e, data, size, 1u << 20) == SG_OK) {
        n += strlen(e->payload_type);
        if (e->payload[e->payload_len] != '\0' || e->n_sigs == 0)
            abort();
        for (size_t i = 0; i < e->n_sigs; i++) {
            n += e->sigs[i].sig_len;
            if (e->sigs[i].keyid)
                n += strlen(e->sigs[i].keyid);
        }
        if (sg_sign_dsse_pae(&pae, e->payload_type, e->payload,
                             e->payload_len) != SG_OK ||
            pae.len < e->payload_len)
            abort();
        if (sg_intoto_statement_parse(&st, e->payload, e->payload_len, NULL) ==
            SG_OK) {
            if (st->n_subjects == 0)
                abort();
            n += strlen(st->type) + strlen(st->predicate_type);
            for (size_t i = 0; i < st->n_subjects; i++) {
                if (st->subjects[i].name)
                    n += strlen(st->subjects[i].name);
                if (st->subjects[i].sha256 &&
                    strlen(st->subjects[i].sha256) != 64)
                    abort();
            }
            (void)sg_intoto_statement_has_digest(
                st, "sha256:658781cd4ed9bca60dacd09f7bb914bb51502e8b5d619f5"
                    "7f39a1d652596cc24");
        }
    }
    /* The statement parser directly on the raw input too. */
    sg_intoto_statement_free(st);
    st = NULL;
    if (sg_intoto_statement_parse(&st, data, size, NULL) == SG_OK)
        n += st->n_subjects;
    (void)n;
    sg_intoto_statement_free(st);
    sg_dsse_envelope_free(e);
    sg_buf_release(&pae);
    sg_error_clear();
    return 0;
}
