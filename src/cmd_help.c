/*
 * The command table: every command's name, one-line summary, help text
 * and positional grammar, next to each other (the runners are in
 * src/cmd_*.c; main.c lists the commands in `sigil help` order).
 */
#include "cli.h"

/* ------------------------------------------------------------------ */
/* Images (cmd_oci.c) */

const struct cli_command cli_cmd_manifest = {
    "manifest", "Print an image's raw manifest",
    "usage: sigil manifest [--platform OS/ARCH[/VARIANT]] IMAGE\n"
    "\n"
    "Print the manifest (or index) IMAGE refers to, byte for byte as the\n"
    "store holds it. With --platform and an index, print that platform's\n"
    "image manifest instead.\n"
    "\n"
    "IMAGE: a registry reference (host/repo:tag, repo@sha256:...),\n"
    "oci-dir:PATH[:tag|@digest], oci-archive:FILE[:tag],\n"
    "docker-archive:FILE, or an existing path (detected).\n"
    "\n"
    "Options: --platform P, --insecure-registry HOST, --ca-file F,\n"
    "--username U --password-stdin, -v, -q\n",
    cli_run_manifest, .pos = { 1, NULL, CLI_UNKNOWN_QUOTED, 1 }
};

const struct cli_command cli_cmd_digest = {
    "digest", "Print the digest a reference resolves to",
    "usage: sigil digest [--platform OS/ARCH[/VARIANT]] IMAGE\n"
    "\n"
    "Print the digest (sha256:...) of the manifest or index IMAGE refers\n"
    "to, computed from its bytes. With --platform and an index, print the\n"
    "digest of that platform's image manifest.\n"
    "\n"
    "IMAGE: as for 'sigil manifest'.\n",
    cli_run_digest, .pos = { 1, NULL, CLI_UNKNOWN_QUOTED, 1 }
};

const struct cli_command cli_cmd_copy = {
    "copy", "Copy an image between registries and layouts",
    "usage: sigil copy [--signatures] SRC DST\n"
    "\n"
    "Copy the image SRC refers to (every platform of an index, every\n"
    "blob; blobs the destination has are skipped) to DST, then tag it\n"
    "with DST's tag (default: latest). Prints the copied digest.\n"
    "\n"
    "SRC: as IMAGE for 'sigil manifest'. DST: a registry reference or\n"
    "oci-dir:PATH[:tag] (created if missing); archives are read-only.\n"
    "\n"
    "  --signatures   also copy the sha256-<hex>.sig/.att/.sbom tags and\n"
    "                 the referrers of every copied manifest\n"
    "\n"
    "Registry options: --insecure-registry HOST, --ca-file F,\n"
    "--username U --password-stdin, -v, -q\n",
    cli_run_copy, .pos = { 2, NULL, CLI_UNKNOWN_QUOTED, 1 }
};

/* ------------------------------------------------------------------ */
/* SBOMs (cmd_sbom.c, cmd_sbomtools.c) */

const struct cli_command cli_cmd_ls = {
    "ls", "List the tags of a registry repository",
    "usage: sigil ls [--full-ref] REPO\n"
    "\n"
    "Print the tags of the registry repository REPO (no tag or digest), one\n"
    "per line in the registry's order, as crane ls does; every page of the\n"
    "registry's tag list is read (Link headers) before anything is printed.\n"
    "Pipe it into 'sigil sbom --from-file -' to scan a whole repository.\n"
    "\n"
    "  --full-ref   print REGISTRY/REPOSITORY:TAG instead of TAG\n"
    "  -v, -q, --ca-file, --insecure-registry, --username,\n"
    "  --password-stdin   as for every registry command\n"
    "\n"
    "At most --limit tags-max tags (default 100000); a tag outside the\n"
    "distribution spec's grammar is an error. Exit status: 0 ok, 1 failure\n"
    "(nothing printed), 2 usage.\n",
    cli_run_ls, .pos = { 1, "one REPO only", CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_sbom = {
    "sbom", "List the packages in an image (SPDX, CycloneDX, table)",
    "usage: sigil sbom SOURCE [-o FORMAT[=FILE]]... [--platform OS/ARCH]\n"
    "                  [--scope squashed|all-layers] [--threads N]\n"
    "                  [--catalogers LIST] [--cache-dir D | --no-cache]\n"
    "                  [--cache-max-size N]\n"
    "                  [--attest --key KEY [--sign]]\n"
    "       sigil sbom SOURCE... | --from-file F [--jobs N] [--shard K/N]\n"
    "                  -o FORMAT=TEMPLATE... [same options]\n"
    "\n"
    "List the OS packages (dpkg, apk, rpm), Go modules, Python\n"
    "distributions, Node.js packages and Java archives (Maven coordinates)\n"
    "in an image and write an SBOM. SOURCE is any image source: REF (registry),\n"
    "registry:REF, oci-dir:PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG],\n"
    "docker-archive:FILE[:TAG] or dir:PATH (a root filesystem).\n"
    "\n"
    "  -o, --output FORMAT[=FILE]  spdx-json (SPDX 2.3), cyclonedx-json\n"
    "                          (CycloneDX 1.6) or table; repeat for several\n"
    "                          outputs. Without FILE the document goes to\n"
    "                          stdout (at most one). Default: table when\n"
    "                          stdout is a terminal, spdx-json otherwise.\n"
    "  --scope SCOPE           squashed (default): the image as it runs;\n"
    "                          all-layers: also packages deleted or replaced\n"
    "                          by later layers (marked deleted)\n"
    "  --platform OS/ARCH[/VARIANT]  pick from a multi-platform index\n"
    "  --threads N             layers read in parallel (default: cores)\n"
    "  --catalogers LIST       run only these, comma-separated: dpkg, apk,\n"
    "                          rpm, go, python, node (or javascript), java,\n"
    "                          all (default: all)\n"
    "  --cache-dir D           layer cache (default $XDG_CACHE_HOME/sigil,\n"
    "                          else ~/.cache/sigil); a cached layer is not\n"
    "                          downloaded again (see 'sigil help cache')\n"
    "  --no-cache              no cache on disk (a layer shared by images\n"
    "                          of one run is still read once)\n"
    "  --cache-max-size N      bound of the cache (K, M, G; default 1G)\n"
    "  --attest --key KEY      attach the SBOM (first JSON output, spdx-json\n"
    "                          by default) as a signed attestation; --sign\n"
    "                          also signs the image; the digest is printed\n"
    "                          to stderr\n"
    "  -v, -q, --ca-file, --insecure-registry, --username,\n"
    "  --password-stdin        as for every registry command\n"
    "\n"
    "Batch mode (several SOURCEs, --from-file, --shard or a {placeholder}\n"
    "in a FILE): every image of the list in one process; a layer shared by\n"
    "several is read once.\n"
    "  --from-file F           one SOURCE per line ('-': stdin; blank lines\n"
    "                          and # comments skipped), after any SOURCEs\n"
    "  -o FORMAT=TEMPLATE      a file per image; TEMPLATE's {name} (SOURCE),\n"
    "                          {registry}, {repo}, {tag}, {digest} and\n"
    "                          {index} (position in the whole list, from 0)\n"
    "                          are replaced with the value, any character\n"
    "                          but A-Z a-z 0-9 . - _ made '_'; two images\n"
    "                          writing one file is a usage error\n"
    "  --jobs N                images scanned at once (default 2, max 64)\n"
    "  --shard K/N             only the images whose SHA-256(SOURCE) mod N\n"
    "                          is K (0 <= K < N): N machines, one list\n"
    "A failing image is reported on one line, \"sigil: SOURCE: error\", and\n"
    "the others go on; a summary line ends the run; --timeout bounds each\n"
    "image.\n"
    "\n"
    "SOURCE_DATE_EPOCH=N fixes the creation time and derives the document\n"
    "namespace and serial number from the content: byte-identical output.\n"
    "Exit status: 0 ok, 1 failure (nothing written; batch: some image\n"
    "failed, the others written), 2 usage.\n",
    cli_run_sbom,
    .pos = { CLI_SBOM_IMAGES_MAX, "too many IMAGE arguments: use --from-file",
             CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_diff = {
    "diff", "Compare two SBOMs or images",
    "usage: sigil diff [-o table|json] [--platform OS/ARCH[/VARIANT]] OLD NEW\n"
    "\n"
    "Compare the packages of two SBOMs and print what was added, removed\n"
    "or changed (old -> new version). OLD and NEW are each an SBOM file\n"
    "(SPDX 2.3 JSON or CycloneDX JSON, as written by sigil, syft or\n"
    "Trivy; '-' reads one of them from stdin) or an image source, which is\n"
    "scanned on the fly (as 'sigil sbom' does).\n"
    "\n"
    "Packages are matched by purl type, namespace/name, arch qualifier and\n"
    "the distro name (not its version), so a point-release upgrade shows\n"
    "packages as changed.\n"
    "\n"
    "  -o, --output FMT   table (default) or json\n"
    "\n"
    "Exit status, as diff(1): 0 no differences, 1 differences, 2 error.\n",
    cli_run_diff, .pos = { 2, NULL, CLI_UNKNOWN_QUOTED, 1 }
};

const struct cli_command cli_cmd_convert = {
    "convert", "Convert an SBOM between SPDX and CycloneDX",
    "usage: sigil convert [--deterministic] IN -o FORMAT[=FILE]...\n"
    "\n"
    "Read IN (SPDX 2.3 JSON or CycloneDX JSON, as written by sigil, syft or\n"
    "Trivy; '-' = stdin) and write it as FORMAT: spdx-json (SPDX 2.3),\n"
    "cyclonedx-json (CycloneDX 1.6) or table. Purls, versions, licences,\n"
    "CPEs, suppliers and package relationships are kept; elements that are\n"
    "not packages (files, Trivy's application nodes) are dropped.\n"
    "\n"
    "  -o, --output FORMAT[=FILE]  repeatable; FILE is written atomically,\n"
    "                              without =FILE to stdout (at most one)\n"
    "  --deterministic             document namespace / serial number\n"
    "                              derived from the content\n"
    "\n"
    "SOURCE_DATE_EPOCH, when set, fixes the creation time (and implies\n"
    "--deterministic).\n",
    cli_run_convert, .pos = { 1, NULL, CLI_UNKNOWN_QUOTED, 1 }
};

const struct cli_command cli_cmd_cache = {
    "cache", "List, prune or empty the layer cache of 'sigil sbom'",
    "usage: sigil cache ls|prune|clean [--cache-dir D] [--max-size N]\n"
    "\n"
    "'sigil sbom' keeps what it found in each layer in a cache, so a layer\n"
    "seen before is neither downloaded nor read again. The cache lives in\n"
    "$XDG_CACHE_HOME/sigil (else ~/.cache/sigil), or in --cache-dir D.\n"
    "\n"
    "  ls      the entries: layer digest, size, time since last use (most\n"
    "          recent first), then the total\n"
    "  prune   remove the least recently used entries until the cache\n"
    "          holds at most --max-size N (K, M, G suffixes; default 1G)\n"
    "  clean   remove every entry\n"
    "\n"
    "Entries are checked against their own digest when read; a bad one is\n"
    "ignored with a warning and the layer scanned again. See docs/cache.md.\n",
    cli_run_cache, .pos = { 1, NULL, CLI_UNKNOWN_QUOTED, 1 }
};

/* ------------------------------------------------------------------ */
/* Keys (cmd_keys.c) */

const struct cli_command cli_cmd_generate_key_pair = {
    "generate-key-pair", "Create a cosign-compatible key pair",
    "usage: sigil generate-key-pair [--output-key-prefix P] [--force]\n"
    "\n"
    "Creates an ECDSA P-256 key pair: P.key (default cosign.key, mode 0600)\n"
    "in cosign's encrypted format (ENCRYPTED SIGSTORE PRIVATE KEY: scrypt\n"
    "N=65536 r=8 p=1, NaCl secretbox, PKCS#8 inside) and P.pub (PEM public\n"
    "key). The password comes from COSIGN_PASSWORD (empty allowed) or is\n"
    "asked twice on the terminal. Existing files are never overwritten\n"
    "without --force.\n"
    "\n"
    "  --output-key-prefix P  write P.key and P.pub (default: cosign)\n"
    "  --force, -f            overwrite existing files\n",
    cli_run_generate_key_pair, .pos = { 0, NULL, CLI_UNKNOWN_UNEXPECTED, 0 }
};

const struct cli_command cli_cmd_import_key_pair = {
    "import-key-pair", "Import a PEM key as cosign.key/cosign.pub",
    "usage: sigil import-key-pair --key KEY.pem [--output-key-prefix P] "
    "[--force]\n"
    "\n"
    "Converts a PEM private key (PKCS#8 \"PRIVATE KEY\", SEC1 \"EC PRIVATE\n"
    "KEY\", PKCS#1 \"RSA PRIVATE KEY\", or encrypted PKCS#8) into cosign's\n"
    "encrypted key format. Accepted: ECDSA P-256/P-384/P-521, RSA >= 2048\n"
    "bits, Ed25519. Writes P.key (0600) and P.pub (default prefix:\n"
    "import-cosign). Passwords: COSIGN_PASSWORD, or asked on the terminal\n"
    "(the PEM's own password first when it is encrypted).\n"
    "\n"
    "  --key, -k FILE         the PEM private key (or env://VAR)\n"
    "  --output-key-prefix P  write P.key and P.pub\n"
    "  --force, -f            overwrite existing files\n",
    cli_run_import_key_pair, .pos = { 0, NULL, CLI_UNKNOWN_UNEXPECTED, 0 }
};

const struct cli_command cli_cmd_public_key = {
    "public-key", "Print the public key of a private key",
    "usage: sigil public-key --key cosign.key [--outfile F]\n"
    "\n"
    "Prints the PEM public key of a private key (cosign.key, any PEM key,\n"
    "or env://VAR). Password: COSIGN_PASSWORD or the terminal.\n"
    "\n"
    "  --key, -k KEY      the private key\n"
    "  --outfile, -o F    write to F (atomically) instead of stdout\n",
    cli_run_public_key, .pos = { 0, NULL, CLI_UNKNOWN_UNEXPECTED, 0 }
};

/* ------------------------------------------------------------------ */
/* Signatures (cmd_sign.c) */

const struct cli_command cli_cmd_sign = {
    "sign", "Sign an image (cosign-compatible)",
    "usage: sigil sign --key KEY [-a key=value]... [--recursive] [-y]\n"
    "                  [--docker-reference REPO] [--new-bundle-format] IMAGE\n"
    "\n"
    "Signs IMAGE as `cosign sign --key` does (legacy format, offline): the\n"
    "simple-signing payload for the image digest, signed with KEY, stored\n"
    "as a layer of the manifest at tag sha256-<hex>.sig in the image's\n"
    "repository (existing signatures are kept; the same key and payload\n"
    "again adds nothing). IMAGE is a registry reference or oci-dir:PATH[:tag].\n"
    "Signing by tag works but warns: the tag is resolved to a digest first.\n"
    "\n"
    "  --key, -k KEY             cosign.key, a PEM private key, or env://VAR\n"
    "                            (password: COSIGN_PASSWORD or the terminal)\n"
    "  -a, --annotations k=v     add to the payload's \"optional\" (repeatable;\n"
    "                            \"a=1,b=2\" is two annotations)\n"
    "  --recursive, -r           for an index: also sign every manifest in it\n"
    "  --docker-reference REPO   the payload's docker-reference (default: the\n"
    "                            image's registry/repository)\n"
    "  -y, --yes                 accepted for cosign compatibility (no prompt)\n"
    "  --new-bundle-format       cosign v3's format instead: a Sigstore bundle\n"
    "                            v0.3 (DSSE over an in-toto Statement v1 with\n"
    "                            predicateType https://sigstore.dev/cosign/sign/v1,\n"
    "                            -a as subject annotations; public key hint, no\n"
    "                            log entry) pushed as an OCI 1.1 referrer of the\n"
    "                            image (tag sha256-<hex> when the registry has no\n"
    "                            referrers API)\n"
    "\n"
    "Exit status: 0 signed, 1 failure, 2 usage.\n",
    cli_run_sign, .pos = { 1, "only one IMAGE", CLI_UNKNOWN_QUOTED, 0 }
};

const struct cli_command cli_cmd_sign_blob = {
    "sign-blob", "Sign a file",
    "usage: sigil sign-blob --key KEY [--output-signature F] [--bundle B] FILE\n"
    "\n"
    "Signs FILE as `cosign sign-blob --key` does and prints the base64\n"
    "signature (ECDSA: ASN.1 DER over SHA-256; RSA: PKCS#1 v1.5 SHA-256;\n"
    "Ed25519: pure).\n"
    "\n"
    "  --key, -k KEY            cosign.key, a PEM private key, or env://VAR\n"
    "  --output-signature F     write the base64 signature to F instead\n"
    "  --bundle B               write a Sigstore bundle v0.3 to B, as cosign\n"
    "                           v3 does (message signature, SHA-256 digest of\n"
    "                           FILE, public key hint, no log entry); nothing\n"
    "                           is printed then (--output-signature still\n"
    "                           writes the same signature to its file)\n",
    cli_run_sign_blob, .pos = { 1, "only one FILE", CLI_UNKNOWN_QUOTED, 0 }
};

const struct cli_command cli_cmd_verify = {
    "verify", "Verify an image's signatures",
    "usage: sigil verify (--key PUB | --certificate-identity[-regexp] ID\n"
    "                     --certificate-oidc-issuer[-regexp] ISS\n"
    "                     [--trusted-root FILE])\n"
    "                    [-a key=value]... [-o json|text] IMAGE\n"
    "\n"
    "Verifies IMAGE's cosign signatures with the public key PUB, offline:\n"
    "the layers of the sha256-<hex>.sig manifest and cosign v3 Sigstore\n"
    "bundles among the image's OCI 1.1 referrers. For each candidate: the\n"
    "payload blob's digest and size against its descriptor, the signature\n"
    "over the exact payload bytes, the signed digest equals the image's,\n"
    "the type string, and the required annotations. With the identity\n"
    "flags instead of --key, keyless (Fulcio certificate) signatures are\n"
    "checked offline against the trusted root: the Rekor signed entry\n"
    "timestamp (and for bundles the inclusion proof and checkpoint), the\n"
    "certificate chain at that time, the SCT, the log entry body, the\n"
    "signature and the identity. A keyless signature never passes a --key\n"
    "check, and a key-signed one never passes a keyless check.\n"
    "\n"
    "  --key, -k PUB           PEM public key, certificate, or env://VAR\n"
    "  -a, --annotations k=v   require optional.k == v (repeatable)\n"
    "  -o, --output json|text  stdout: a JSON array of the verified payloads\n"
    "                          (default; keyless ones with cosign's\n"
    "                          optional Subject, Issuer, Bundle) or the raw\n"
    "                          payloads, one per line (keyless: the\n"
    "                          certificate subject and issuer on stderr)\n"
    "  --insecure-ignore-tlog  accepted for cosign compatibility (always\n"
    "                          offline)\n"
    "\n"
    "Keyless (instead of --key):\n"
    "  --certificate-identity ID | --certificate-identity-regexp RE\n"
    "                          the certificate's SAN (URI, email or\n"
    "                          Sigstore identity); RE unanchored\n"
    "  --certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE\n"
    "                          the OIDC issuer extension\n"
    "  --certificate-github-workflow-{trigger,sha,name,repository,ref} V\n"
    "                          optional exact GitHub workflow checks\n"
    "  --trusted-root FILE     Sigstore trusted_root.json (default:\n"
    "                          $SIGSTORE_TRUSTED_ROOT, else the built-in\n"
    "                          public-good root; see docs/trusted-root.md)\n"
    "\n"
    "The checks and every rejected candidate with its reason go to stderr.\n"
    "Exit status: 0 at least one signature verified; 3 verification failed\n"
    "(no signatures, or none valid); 1 registry/IO error; 2 usage.\n",
    cli_run_verify, .pos = { 1, "only one IMAGE", CLI_UNKNOWN_QUOTED, 0 }
};

const struct cli_command cli_cmd_verify_blob = {
    "verify-blob", "Verify a file's signature or Sigstore bundle",
    "usage: sigil verify-blob --bundle BUNDLE\n"
    "           (--certificate-identity[-regexp] ID\n"
    "            --certificate-oidc-issuer[-regexp] ISSUER | --key PUB)\n"
    "           [--trusted-root ROOT] FILE|sha256:HEX\n"
    "       sigil verify-blob (--key PUB | --certificate CERT) --signature "
    "SIG FILE\n"
    "\n"
    "With --bundle: checks a Sigstore bundle (v0.1-v0.3, message signature\n"
    "or DSSE naming FILE as a subject) or cosign's older sign-blob bundle,\n"
    "offline, against the trusted root: certificate chain to a Fulcio CA at\n"
    "the verified signing time, SCT, transparency log entry (SET, inclusion\n"
    "proof, checkpoint, body), RFC 3161 timestamps, the signature, then the\n"
    "identity. FILE may be sha256:<64 hex> (its digest) when no such file\n"
    "exists. A keyless bundle never passes with --key, nor the reverse.\n"
    "Without --bundle: SIG (a file holding the base64 signature, or the\n"
    "text itself) over FILE by the key, as `cosign verify-blob --key`.\n"
    "\n"
    "  --bundle BUNDLE                        Sigstore or cosign bundle\n"
    "  --certificate-identity ID              exact SAN (URI, email, ...)\n"
    "  --certificate-identity-regexp RE       SAN regexp (unanchored)\n"
    "  --certificate-oidc-issuer ISSUER       exact OIDC issuer\n"
    "  --certificate-oidc-issuer-regexp RE    issuer regexp (unanchored)\n"
    "  --certificate-github-workflow-{trigger,sha,name,repository,ref} V\n"
    "                                         exact GitHub workflow values\n"
    "  --trusted-root ROOT    trusted_root.json (default: "
    "$SIGSTORE_TRUSTED_ROOT,\n"
    "                         else the built-in public-good root)\n"
    "  --key, -k PUB          PEM public key or env://VAR\n"
    "  --insecure-ignore-tlog key mode: no transparency log entry needed\n"
    "  --certificate CERT     use a PEM certificate's public key (--signature)\n"
    "  --signature SIG        the base64 signature (newlines tolerated)\n"
    "  --offline              accepted: sigil always verifies offline\n"
    "                         (--rekor-url, --fulcio-url are refused)\n"
    "\n"
    "Exit status: 0 verified, 3 not verified, 1 error, 2 usage.\n"
    "See docs/verify-blob.md and docs/keyless.md.\n",
    cli_run_verify_blob, .pos = { 1, "only one FILE", CLI_UNKNOWN_QUOTED, 0 }
};

const struct cli_command cli_cmd_triangulate = {
    "triangulate", "Print where an image's signatures are stored",
    "usage: sigil triangulate [--type signature|attestation|sbom|digest] "
    "IMAGE\n"
    "\n"
    "Resolves IMAGE to its digest and prints where cosign keeps its\n"
    "signatures: REGISTRY/REPOSITORY:sha256-<hex>.sig (.att for\n"
    "attestations, .sbom for SBOM attachments; --type digest prints\n"
    "REGISTRY/REPOSITORY@sha256:<hex>).\n",
    cli_run_triangulate, .pos = { 1, "only one IMAGE", CLI_UNKNOWN_QUOTED, 0 }
};

/* ------------------------------------------------------------------ */
/* Attestations (cmd_attest.c) */

const struct cli_command cli_cmd_attest = {
    "attest", "Attach a signed in-toto attestation",
    "usage: sigil attest --key KEY --predicate FILE [--type TYPE]\n"
    "                    [--statement-version 0.1|1] [-a KEY=VALUE]...\n"
    "                    [--new-bundle-format] IMAGE\n"
    "\n"
    "Wrap FILE in an in-toto Statement whose subject is IMAGE's repository\n"
    "and sha256 digest (resolved once), sign it as a DSSE envelope\n"
    "(payloadType application/vnd.in-toto+json, signature over PAE) and\n"
    "append it as a layer to the tag sha256-<hex>.att, as cosign attest\n"
    "does (layer media type application/vnd.dsse.envelope.v1+json,\n"
    "annotation predicateType).\n"
    "\n"
    "  --key KEY              private key: cosign.key (password from\n"
    "                         COSIGN_PASSWORD or a prompt) or a PEM key\n"
    "  --predicate FILE       the predicate (an SBOM, provenance, ...)\n"
    "  --type TYPE            custom (default), spdxjson, spdx, cyclonedx,\n"
    "                         slsaprovenance, slsaprovenance02,\n"
    "                         slsaprovenance1, link, vuln, openvex, or a\n"
    "                         predicate type URI\n"
    "  --statement-version V  0.1 (default, what cosign writes) or 1\n"
    "  -a, --annotations K=V  subject annotation (Statement v1 only)\n"
    "  --new-bundle-format    cosign v3's format instead: the envelope in a\n"
    "                         Sigstore bundle v0.3 (public key hint, no log\n"
    "                         entry) pushed as an OCI 1.1 referrer of IMAGE\n"
    "                         (annotations dev.sigstore.bundle.content,\n"
    "                         dev.sigstore.bundle.predicateType; tag\n"
    "                         sha256-<hex> when the registry has no referrers\n"
    "                         API)\n"
    "\n"
    "IMAGE is a registry reference or oci-dir:PATH[:tag] (see sigil help\n"
    "copy). Prints the attested digest. Registry options: --platform,\n"
    "--ca-file, --insecure-registry, --username, --password-stdin.\n",
    cli_run_attest, .pos = { 1, "one IMAGE only", CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_attest_blob = {
    "attest-blob", "Make a signed attestation for a file",
    "usage: sigil attest-blob --key KEY --predicate FILE [--type TYPE]\n"
    "                         [--statement-version 0.1|1]\n"
    "                         [--output-attestation OUT] BLOB\n"
    "\n"
    "Like attest, for a local file: the subject is the file's base name\n"
    "and sha256. The DSSE envelope is written to OUT (atomically) or to\n"
    "standard output. Nothing is stored in a registry.\n",
    cli_run_attest_blob, .pos = { 1, "one BLOB only", CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_verify_attestation = {
    "verify-attestation", "Verify an image's attestations",
    "usage: sigil verify-attestation (--key PUB | --certificate-identity ID\n"
    "                                 --certificate-oidc-issuer ISS ...)\n"
    "                                [--type TYPE]\n"
    "                                [-o text|json|envelope]\n"
    "                                [--allow-legacy-payload-type] IMAGE\n"
    "\n"
    "Check every attestation of IMAGE's digest (resolved once; IMAGE@sha256:\n"
    "is used as it is, the image need not exist): the layers\n"
    "of sha256-<hex>.att and the cosign v3 Sigstore bundles among its OCI\n"
    "referrers. Each must be a DSSE envelope with payloadType\n"
    "application/vnd.in-toto+json whose signature verifies over PAE with\n"
    "PUB, holding an in-toto Statement that names the image's sha256 and,\n"
    "with --type, has that predicate type (names as in sigil help attest,\n"
    "any other value compared literally).\n"
    "\n"
    "Output, one line per verified attestation:\n"
    "  -o text (default)  the statement JSON\n"
    "  -o json            {\"source\",\"predicateType\",\"statement\"}\n"
    "  -o envelope        the DSSE envelope JSON (what cosign prints)\n"
    "\n"
    "--allow-legacy-payload-type accepts envelopes from early cosign that\n"
    "put the predicate type in payloadType (current cosign rejects them).\n"
    "Keyless attestations (a Fulcio certificate, logged in Rekor) are\n"
    "checked with the identity flags instead of --key, as verify does; a\n"
    "keyless attestation never passes a --key check, nor the reverse.\n"
    "\n"
    "Keyless (instead of --key):\n"
    "  --certificate-identity ID | --certificate-identity-regexp RE\n"
    "                          the certificate's SAN (URI, email or\n"
    "                          Sigstore identity); RE unanchored\n"
    "  --certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE\n"
    "                          the OIDC issuer extension\n"
    "  --certificate-github-workflow-{trigger,sha,name,repository,ref} V\n"
    "                          optional exact GitHub workflow checks\n"
    "  --trusted-root FILE     Sigstore trusted_root.json (default:\n"
    "                          $SIGSTORE_TRUSTED_ROOT, else the built-in\n"
    "                          public-good root; see docs/trusted-root.md)\n"
    "\n"
    "Exit status: 0 when at least one attestation passed every check; 3\n"
    "when none did (each reason printed); 1 on registry or other errors.\n",
    cli_run_verify_attestation,
    .pos = { 1, "one IMAGE only", CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_verify_blob_attestation = {
    "verify-blob-attestation", "Verify a file's attestation",
    "usage: sigil verify-blob-attestation --bundle BUNDLE\n"
    "           (--certificate-identity[-regexp] ID\n"
    "            --certificate-oidc-issuer[-regexp] ISSUER | --key PUB)\n"
    "           [--trusted-root ROOT] [--type TYPE] BLOB|sha256:HEX\n"
    "       sigil verify-blob-attestation --key PUB --signature ENVELOPE\n"
    "           [--type TYPE] [--allow-legacy-payload-type] BLOB\n"
    "\n"
    "With --bundle: a Sigstore bundle (v0.1-v0.3) holding a DSSE in-toto\n"
    "statement, checked offline as verify-blob --bundle does (trusted root,\n"
    "certificate, log entry, timestamps, signature over PAE, identity),\n"
    "then the statement: a subject naming BLOB's sha256 (or sha256:HEX),\n"
    "and with --type the predicate type. The identity, --trusted-root and\n"
    "--offline flags are verify-blob's (sigil help verify-blob).\n"
    "With --signature: the DSSE envelope ENVELOPE (as written by\n"
    "attest-blob or cosign attest-blob): signature over PAE with PUB,\n"
    "payloadType application/vnd.in-toto+json, the subject, the type.\n"
    "Exit 0 when it passes, 3 with the reason when not, 1 on other\n"
    "errors, 2 usage. See docs/verify-blob-attestation.md.\n",
    cli_run_verify_blob_attestation,
    .pos = { 1, "one BLOB only", CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_tree = {
    "tree", "Show what is attached to an image",
    "usage: sigil tree IMAGE\n"
    "\n"
    "List what is attached to IMAGE's digest: signatures\n"
    "(sha256-<hex>.sig), attestations with their predicate types\n"
    "(sha256-<hex>.att), a legacy SBOM (sha256-<hex>.sbom) and OCI\n"
    "referrers with their artifact types.\n",
    cli_run_tree, .pos = { 1, "one IMAGE only", CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_download = {
    "download", "Download signatures, attestations or SBOMs",
    "usage: sigil download signature IMAGE\n"
    "       sigil download attestation [--predicate-type TYPE] IMAGE\n"
    "       sigil download sbom [--output-file FILE] IMAGE\n"
    "\n"
    "Print the objects stored for IMAGE's digest, as cosign download does:\n"
    "  signature    one JSON object per line per .sig layer:\n"
    "               {\"Base64Signature\",\"Payload\"(base64)[,\"Cert\","
    "\"Chain\"]\n"
    "               [,\"Bundle\",\"RFC3161Timestamp\"]} (the last two are\n"
    "               the JSON annotations, when present)\n"
    "  attestation  each .att DSSE envelope as stored, one per line\n"
    "               (--predicate-type filters by the layer annotation)\n"
    "  sbom         the raw SBOM bytes of the legacy .sbom tag (exactly one\n"
    "               layer), to standard output or --output-file\n"
    "Nothing is verified: use verify / verify-attestation for that.\n",
    cli_run_download, .pos = { 1, "one IMAGE only", CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_attach = {
    "attach", "Attach an SBOM under the legacy .sbom tag (deprecated)",
    "usage: sigil attach sbom --sbom FILE [--type spdx|cyclonedx|syft]\n"
    "                         [--input-format json|xml|text] IMAGE\n"
    "\n"
    "DEPRECATED, as in cosign: the SBOM is stored unsigned. Prefer\n"
    "'sigil attest --type spdxjson|cyclonedx' or 'sigil sbom --attest'.\n"
    "\n"
    "Push FILE as the single layer of the tag sha256-<hex>.sbom for\n"
    "IMAGE's digest (replacing what was there), with cosign's media type:\n"
    "spdx: text/spdx, or text/spdx+json for a .json file or\n"
    "--input-format json; cyclonedx: application/vnd.cyclonedx+xml, or\n"
    "+json likewise; syft: application/vnd.syft+json. --type defaults to\n"
    "spdx.\n",
    cli_run_attach, .pos = { 1, "one IMAGE only", CLI_UNKNOWN_PLAIN, 0 }
};

const struct cli_command cli_cmd_serve = {
    "serve", "Kubernetes admission webhook: verify images before pods run",
    "usage: sigil serve --policy PATH --tls-cert CERT --tls-key KEY\n"
    "                   [--listen ADDR:PORT] [--trusted-root F]\n"
    "                   [--trust-root NAME=F]... [--cache-ttl D]\n"
    "                   [--cache-size N]\n"
    "                   [--no-match deny|allow|warn] [registry options]\n"
    "\n"
    "Serves admission.k8s.io/v1 AdmissionReviews over HTTPS (TLS 1.2/1.3):\n"
    "POST /validate (ValidatingWebhook), POST /mutate (the same checks plus\n"
    "a JSONPatch pinning every verified image to NAME:TAG@sha256:...),\n"
    "GET /healthz, GET /readyz (once policies and certificate are loaded),\n"
    "GET /metrics (Prometheus text). PATH is a ClusterImagePolicy file or a\n"
    "directory of them (key, keyless and static authorities; see\n"
    "docs/serve-policies.md). Certificate, key, policies and trusted roots\n"
    "are reloaded when their files change; a bad new file keeps the old\n"
    "one in force.\n"
    "SIGTERM: stop accepting, finish the reviews in flight, exit 0. One\n"
    "JSON object per line on stderr for every review and event.\n"
    "\n"
    "  --policy PATH          ClusterImagePolicy file or directory\n"
    "  --tls-cert, --tls-key  PEM certificate chain and key\n"
    "  --listen ADDR:PORT     default 0.0.0.0:8443\n"
    "  --trusted-root F       Sigstore trusted root of keyless authorities\n"
    "                         without trustRootRef (default:\n"
    "                         $SIGSTORE_TRUSTED_ROOT, else the built-in\n"
    "                         public-good root, as sigil verify)\n"
    "  --trust-root NAME=F    the trusted root keyless.trustRootRef NAME\n"
    "                         selects (repeatable)\n"
    "  --cache-ttl D          verdict cache lifetime (10m, 30s, 500ms)\n"
    "  --cache-size N         verdict cache entries\n"
    "  --no-match MODE        images no policy matches: deny (default),\n"
    "                         allow or warn\n"
    "  --insecure-http        plain HTTP, no certificate (tests/dev only)\n"
    "\n"
    "Registry options: --insecure-registry HOST, --ca-file F, --username,\n"
    "--password-stdin, and docker config credentials. See docs/serve.md.\n",
    cli_run_serve, .pos = { 0, NULL, CLI_UNKNOWN_QUOTED, 0 }
};
