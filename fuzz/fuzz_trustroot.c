/* libFuzzer harness: Sigstore trusted_root.json parser
 * (verify/sigstore_trust.c). Touches everything it promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify/sigstore_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_sigstore_trust *t = NULL;
    size_t n = 0;

    if (sg_sigstore_trust_parse(&t, data, size) == SG_OK) {
        for (size_t i = 0; i < t->n_tlogs; i++) {
            if (!t->tlogs[i].key || !t->tlogs[i].id_len)
                abort();
            n += (size_t)sg_sigstore_range_has(&t->tlogs[i].valid, 0);
            if (sg_sigstore_trust_tlog(t, t->tlogs[i].id, t->tlogs[i].id_len) ==
                NULL)
                abort();
        }
        for (size_t i = 0; i < t->n_ctlogs; i++)
            n += (size_t)EVP_PKEY_get_bits(t->ctlogs[i].key);
        for (size_t i = 0; i < t->n_cas; i++)
            if (sk_X509_num(t->cas[i].chain) < 1)
                abort();
        for (size_t i = 0; i < t->n_tsas; i++)
            if (sk_X509_num(t->tsas[i].chain) < 1)
                abort();
    }
    (void)n;
    sg_sigstore_trust_free(t);
    sg_error_clear();
    return 0;
}
