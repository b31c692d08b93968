#!/usr/bin/env node
/*
 * Differential-test oracle: runs wx-server-sdk's OWN `convertCase` on JSON inputs.
 *
 * Usage: node devtools/wxsdk_oracle.js <path/to/node_modules/wx-server-sdk>  < requests.jsonl
 *
 * Nothing here re-implements convertCase. The SDK ships as a single webpack bundle (index.js); we
 * cut the module factories for "./src/utils/utils.ts" (convertCase), "./src/utils/type.ts"
 * (getType/isObject/isString/isArray) and "./src/utils/symbol.ts" (required by type.ts) out of
 * the bundle's source text and evaluate them in this realm (devtools/wxsdk_bundle.js).
 * The only stand-in is "./src/api/utils/api/signature.ts": utils.ts uses it solely for
 * `input instanceof MidasSignature`, so a dummy class is supplied (no JSON value is an instance).
 * Any other dependency, or a bundle whose shape differs from what is expected, is a loud failure.
 *
 * Protocol: stdin carries one JSON object per line:
 *     {"input": <any JSON>, "from": "camelcase"|"snakecase", "to": ..., "recursive": bool}
 * stdout gets exactly one JSON line per request:
 *     {"output": <result>}           (JSON.stringify keeps JavaScript property order)
 *     {"undefined": true}            (convertCase returned undefined, e.g. unknown from/to)
 *     {"error": "<message>"}         (convertCase threw)
 * Key order inside "output" is part of the comparison, so it is emitted with JSON.stringify.
 */
'use strict';

const readline = require('readline');
const { loadModules } = require('./wxsdk_bundle');

/** Stand-in for the SDK's MidasSignature: only used for `instanceof`, never matched by JSON. */
class MidasSignature {}

const sdk = loadModules('wxsdk_oracle', process.argv[2], {
    real: ['./src/utils/utils.ts', './src/utils/type.ts', './src/utils/symbol.ts'],
    stubs: { './src/api/utils/api/signature.ts': { __esModule: true, MidasSignature } },
});
const die = sdk.die;
const webpackRequire = sdk.require;

const utils = webpackRequire('./src/utils/utils.ts');
const convertCase = utils.convertCase;
if (typeof convertCase !== 'function') {
    die('./src/utils/utils.ts does not export a convertCase function; the bundle shape changed');
}
if (!/^\(input, options\) =>/.test(convertCase.toString())) {
    die(`convertCase has an unexpected signature: ${convertCase.toString().slice(0, 80)}`);
}

function handle(line) {
    let request;
    try {
        request = JSON.parse(line);
    } catch (err) {
        return JSON.stringify({ error: `bad request line: ${err.message}` });
    }
    try {
        const output = convertCase(request.input, {
            from: request.from,
            to: request.to,
            recursive: request.recursive,
        });
        if (output === undefined) {
            return JSON.stringify({ undefined: true });
        }
        return JSON.stringify({ output });
    } catch (err) {
        return JSON.stringify({ error: String(err && err.stack ? err.stack : err) });
    }
}

const out = [];
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
    if (line.trim() === '') {
        return;
    }
    out.push(handle(line));
});
rl.on('close', () => {
    process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
});
