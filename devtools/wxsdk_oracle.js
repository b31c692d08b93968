#!/usr/bin/env node
/*
 * Differential-test oracle: runs wx-server-sdk's OWN `convertCase` on JSON inputs.
 *
 * Usage: node devtools/wxsdk_oracle.js <path/to/node_modules/wx-server-sdk>  < requests.jsonl
 *
 * Nothing here re-implements convertCase. The SDK ships as a single webpack bundle (index.js); we
 * cut the module factories for "./src/utils/utils.ts" (convertCase), "./src/utils/type.ts"
 * (getType/isObject/isString/isArray) and "./src/utils/symbol.ts" (required by type.ts) out of
 * the bundle's source text and evaluate them in this realm with a tiny __webpack_require__.
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

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const vm = require('vm');

function die(message) {
    process.stderr.write(`wxsdk_oracle: ${message}\n`);
    process.exit(2);
}

const sdkDir = process.argv[2];
if (!sdkDir) {
    die('usage: node wxsdk_oracle.js <path/to/node_modules/wx-server-sdk>');
}
const indexPath = path.join(sdkDir, 'index.js');
let bundle;
try {
    bundle = fs.readFileSync(indexPath, 'utf8');
} catch (err) {
    die(`cannot read ${indexPath}: ${err.message} (run: python devtools/install_wxsdk.py)`);
}

const FACTORY_HEAD = '/***/ (function(module, exports, __webpack_require__) {';
const FACTORY_TAIL = '\n/***/ })';

/** Source text of one webpack module factory, e.g. `(function(module, exports, ...) {...})`. */
function extractModuleSource(moduleId) {
    const marker = `\n/***/ ${JSON.stringify(moduleId)}:\n`;
    const start = bundle.indexOf(marker);
    if (start < 0) {
        die(`webpack module ${moduleId} not found in ${indexPath}; the bundle shape changed`);
    }
    if (bundle.indexOf(marker, start + 1) >= 0) {
        die(`webpack module ${moduleId} appears more than once in ${indexPath}`);
    }
    const head = bundle.indexOf(FACTORY_HEAD, start + marker.length);
    const nextModule = bundle.indexOf('\n/***/ "', start + marker.length);
    if (head < 0 || (nextModule >= 0 && head > nextModule)) {
        die(`factory header for ${moduleId} not found; the bundle shape changed`);
    }
    const tail = bundle.indexOf(FACTORY_TAIL, head);
    if (tail < 0 || (nextModule >= 0 && tail > nextModule)) {
        die(`end of factory for ${moduleId} not found; the bundle shape changed`);
    }
    // Drop the leading "/***/ " comment marker; the trailing "/***/ })" is a comment plus "})".
    return bundle.slice(head + '/***/ '.length, tail + FACTORY_TAIL.length);
}

function loadFactory(moduleId) {
    const source = extractModuleSource(moduleId);
    let factory;
    try {
        factory = vm.runInThisContext(source, { filename: `${indexPath} [${moduleId}]` });
    } catch (err) {
        die(`cannot evaluate webpack module ${moduleId}: ${err.message}`);
    }
    if (typeof factory !== 'function') {
        die(`webpack module ${moduleId} did not evaluate to a function`);
    }
    return factory;
}

/** Stand-in for the SDK's MidasSignature: only used for `instanceof`, never matched by JSON. */
class MidasSignature {}

const REAL_MODULES = ['./src/utils/utils.ts', './src/utils/type.ts', './src/utils/symbol.ts'];
const STUB_MODULES = {
    './src/api/utils/api/signature.ts': { __esModule: true, MidasSignature },
};

const factories = new Map(REAL_MODULES.map((id) => [id, loadFactory(id)]));
const cache = new Map();

function webpackRequire(moduleId) {
    if (Object.prototype.hasOwnProperty.call(STUB_MODULES, moduleId)) {
        return STUB_MODULES[moduleId];
    }
    if (cache.has(moduleId)) {
        return cache.get(moduleId).exports;
    }
    const factory = factories.get(moduleId);
    if (!factory) {
        die(`unexpected dependency ${JSON.stringify(moduleId)}; update the oracle deliberately`);
    }
    const module = { exports: {} };
    cache.set(moduleId, module);
    factory.call(module.exports, module, module.exports, webpackRequire);
    return module.exports;
}

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
