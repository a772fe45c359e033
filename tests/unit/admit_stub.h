/*
 * A canned policy engine behind server/admit.h for the server's tests
 * (tests/unit/admit_stub.c), so the HTTP server and the AdmissionReview
 * handling are tested without the real engine. Verdicts by image name:
 *   contains "unsigned" -> DENY "no valid signature" (WARN when the policy
 *                          file says "mode: warn")
 *   contains "error"    -> sg_admit_image fails (SG_ENET)
 *   contains "slow"     -> waits up to 1.5 s or the deadline; past the
 *                          deadline DENY "verification did not finish in time"
 *   anything else       -> ALLOW, digest sha256 of the image string
 * A policy file containing "INVALID" fails to load.
 */
#ifndef SIGIL_TEST_ADMIT_STUB_H
#define SIGIL_TEST_ADMIT_STUB_H

#include <stdint.h>

/* sg_admit_image calls since start (all threads). */
uint64_t admit_stub_calls(void);

#endif
