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
        /* Keys and chains are decoded on first use: that may fail (the
         * parse only checks each is one DER SEQUENCE), must not crash,
         * and caches what it decoded. */
        for (size_t i = 0; i < t->n_tlogs; i++) {
            EVP_PKEY *k = NULL, *k2 = NULL;

            if (!t->tlogs[i].id_len || !t->tlogs[i].der)
                abort();
            n += (size_t)sg_sigstore_range_has(&t->tlogs[i].valid, 0);
            if (sg_sigstore_trust_tlog(t, t->tlogs[i].id, t->tlogs[i].id_len) ==
                NULL)
                abort();
            if (sg_sigstore_log_key(&k, &t->tlogs[i]) == SG_OK &&
                (!k || sg_sigstore_log_key(&k2, &t->tlogs[i]) != SG_OK ||
                 k2 != k))
                abort();
        }
        for (size_t i = 0; i < t->n_ctlogs; i++) {
            EVP_PKEY *k = NULL;

            if (sg_sigstore_log_key(&k, &t->ctlogs[i]) == SG_OK)
                n += (size_t)EVP_PKEY_get_bits(k);
        }
        for (size_t i = 0; i < t->n_cas + t->n_tsas; i++) {
            const struct sg_sigstore_ca *c =
                i < t->n_cas ? &t->cas[i] : &t->tsas[i - t->n_cas];
            STACK_OF(X509) *chain = NULL;

            if (c->n_certs < 1)
                abort();
            if (sg_sigstore_ca_chain(&chain, c) == SG_OK &&
                sk_X509_num(chain) != (int)c->n_certs)
                abort();
        }
    }
    (void)n;
    sg_sigstore_trust_free(t);
    sg_error_clear();
    return 0;
}
