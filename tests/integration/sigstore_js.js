// An independent check of the bundles sigil writes, with Sigstore's own
// JavaScript client (@sigstore/bundle, @sigstore/verify from npm; the
// test installs them into a scratch directory, see test_bundle_sign.sh).
//
//   node sigstore_js.js NODE_MODULES parse BUNDLE KIND
//       bundleFromJSON + assertBundleLatest (v0.3 rules), media type v0.3,
//       isBundleWithPublicKey, and KIND: "message" or "dsse"
//       (isBundleWithMessageSignature / isBundleWithDsseEnvelope).
//   node sigstore_js.js NODE_MODULES verify BUNDLE PUBKEY_PEM [ARTIFACT]
//       toSignedEntity + Verifier in key mode: the public key is found
//       under the bundle's hint (any other hint is an error), no tlog,
//       CT log or timestamp required. ARTIFACT for message signatures.
//
// Exit 0 when every check passes, 1 with one line on stderr otherwise.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const [nm, mode, bundlePath, ...rest] = process.argv.slice(2);
const sb = require(path.join(nm, '@sigstore/bundle'));
const sv = require(path.join(nm, '@sigstore/verify'));

function fail(msg) {
  process.stderr.write(`sigstore-js: ${msg}\n`);
  process.exit(1);
}

function load(p) {
  const json = JSON.parse(fs.readFileSync(p, 'utf8'));
  if (json.mediaType !== sb.BUNDLE_V03_MEDIA_TYPE)
    fail(`media type ${json.mediaType} is not ${sb.BUNDLE_V03_MEDIA_TYPE}`);
  const b = sb.bundleFromJSON(json);
  sb.assertBundleLatest(b);
  if (!sb.isBundleWithPublicKey(b)) fail('not a public-key bundle');
  if (b.verificationMaterial.tlogEntries.length !== 0)
    fail('unexpected tlog entries');
  return b;
}

try {
  const b = load(bundlePath);
  if (mode === 'parse') {
    const kind = rest[0];
    if (kind === 'message' && !sb.isBundleWithMessageSignature(b))
      fail('not a message-signature bundle');
    if (kind === 'dsse' && !sb.isBundleWithDsseEnvelope(b))
      fail('not a DSSE bundle');
    if (kind !== 'message' && kind !== 'dsse') fail(`unknown kind ${kind}`);
  } else if (mode === 'verify') {
    const pub = crypto.createPublicKey(fs.readFileSync(rest[0]));
    // the hint cosign and sigil write: base64(sha256(DER SPKI))
    const hint = crypto
      .createHash('sha256')
      .update(pub.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    const trust = sv.toTrustMaterial(
      {
        certificateAuthorities: [],
        timestampAuthorities: [],
        tlogs: [],
        ctlogs: [],
      },
      (h) => {
        if (h !== hint) throw new Error(`no key for hint ${h}`);
        return { publicKey: pub, validFor: () => true };
      }
    );
    const artifact = rest[1] ? fs.readFileSync(rest[1]) : undefined;
    const entity = sv.toSignedEntity(b, artifact);
    new sv.Verifier(trust, {
      tlogThreshold: 0,
      ctlogThreshold: 0,
      tsaThreshold: 0,
      timestampThreshold: 0,
    }).verify(entity);
  } else {
    fail(`unknown mode ${mode}`);
  }
} catch (e) {
  fail(`${e.code ? e.code + ': ' : ''}${e.message}`);
}
process.stdout.write(`sigstore-js: ${mode} ok\n`);
