#!/usr/bin/env node
// Local S3-compatible server standing in for Cloudflare R2 in development and tests.
//
// @20minutes/s3rver 4.0.4 (pinned in package.json) checks SigV4 header and presigned-query
// signatures: a tampered or expired URL, another key, another Content-Type, size or signed
// x-amz-meta-* value are refused with 403, as R2 does. This launcher adds what R2 does and plain
// s3rver does not (see README.md, "Image storage"):
//   * unsigned requests are refused (403 AccessDenied), except
//   * unsigned GET/HEAD of an object in the public bucket, which stands in for the bucket's public
//     URL (an R2 custom domain or r2.dev URL); listing a bucket anonymously stays refused;
//   * a second, private bucket whose objects are refused without a signature, as R2 refuses
//     anonymous reads of a bucket without public access (uploads and private images live there and
//     are read through presigned GET URLs: tattoo/core/images.py);
//   * only SigV4 credentials from the environment are valid (s3rver's built-in S3RVER key is
//     revoked);
//   * the bucket is created at start with a CORS rule for the site's origin(s).
//
// Environment (scripts/devenv.py exports the same values the web app reads):
//   S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY   the only valid key pair (default devkey/devsecret)
//   S3_BUCKET        public bucket created at start (default inkbook)
//   S3_PRIVATE_BUCKET private bucket created at start (default inkbook-private)
//   S3_HOST, S3_PORT listen address (default 127.0.0.1:9000)
//   S3_DATA_DIR      where objects are stored (default .data/s3 in the repository)
//   S3_CORS_ORIGINS  comma-separated origins allowed to PUT/GET from a browser; one `*` wildcard
//                    per origin is allowed, e.g. http://127.0.0.1:* (default the dev site)
//   S3_PUBLIC_READ   1 (default) serves unsigned GET/HEAD of objects; 0 refuses them too
'use strict';

const path = require('path');
const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');

const env = process.env;
const accessKey = env.S3_ACCESS_KEY_ID || 'devkey';
const secretKey = env.S3_SECRET_ACCESS_KEY || 'devsecret';
const bucket = env.S3_BUCKET || 'inkbook';
const privateBucket = env.S3_PRIVATE_BUCKET || 'inkbook-private';
const host = env.S3_HOST || '127.0.0.1';
const port = Number(env.S3_PORT || 9000);
const dataDir = env.S3_DATA_DIR || path.join(__dirname, '..', '.data', 's3');
const publicRead = (env.S3_PUBLIC_READ || '1') === '1';
const origins = (env.S3_CORS_ORIGINS || 'http://127.0.0.1:8000,http://localhost:8000')
  .split(',')
  .map((o) => o.trim())
  .filter(Boolean);

// The metadata names tattoo/core/uploads/keys.py signs: R2 wants allowed headers listed one by one.
const SIGNED_HEADERS = ['content-type', 'x-amz-meta-uploaded-by', 'x-amz-meta-original-filename'];

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cors =
  '<CORSConfiguration><CORSRule>' +
  origins.map((o) => `<AllowedOrigin>${xmlEscape(o)}</AllowedOrigin>`).join('') +
  '<AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>' +
  SIGNED_HEADERS.map((h) => `<AllowedHeader>${h}</AllowedHeader>`).join('') +
  '<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds>' +
  '</CORSRule></CORSConfiguration>';

AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);

const server = new S3rver({
  address: host,
  port,
  silent: true,
  directory: dataDir,
  vhostBuckets: false,
  configureBuckets: [
    { name: bucket, configs: [cors] },
    { name: privateBucket, configs: [cors] },
  ],
});

const originPatterns = origins.map(
  (o) => new RegExp('^' + o.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$'),
);
const originAllowed = (o) => !!o && originPatterns.some((re) => re.test(o));

function isPublicObjectRead(ctx) {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
  // /<bucket>/<key...> with no subresource query (?acl, ?tagging, ?list-type ...), never the private bucket
  const parts = ctx.path.split('/');
  return (
    parts.length >= 3 &&
    parts[1] !== '' &&
    parts[1] !== privateBucket &&
    parts.slice(2).join('/') !== '' &&
    ctx.querystring === ''
  );
}

// Koa composes app.middleware when the server starts listening, so this runs before s3rver's own.
server.middleware.unshift(async function requireSignature(ctx, next) {
  const signed = 'authorization' in ctx.headers || 'X-Amz-Signature' in ctx.query;
  if (!signed && ctx.method !== 'OPTIONS' && !(publicRead && isPublicObjectRead(ctx))) {
    const origin = ctx.get('Origin');
    if (originAllowed(origin)) ctx.set('Access-Control-Allow-Origin', origin);
    ctx.status = 403;
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
      '<Message>Access Denied: unsigned request</Message></Error>';
    return;
  }
  await next();
});

server
  .run()
  .then(({ address, port: bound }) => {
    console.log(
      `s3 dev server: http://${address}:${bound}/${bucket} (public), /${privateBucket} (private; data in ${dataDir})`,
    );
  })
  .catch((err) => {
    console.error(`s3 dev server could not start on ${host}:${port}: ${err.message}`);
    process.exit(1);
  });

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    () => process.exit(0),
  );
  // Keep-alive connections can hold close() open; do not outlive the supervisor's patience.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
