#!/usr/bin/env node
/*
 * Differential-test oracle: runs wx-server-sdk's OWN `cloud.openapi` on scripted cloud calls.
 *
 * Usage: node devtools/wxsdk_openapi_oracle.js <path/to/node_modules/wx-server-sdk>  < calls.jsonl
 *
 * Nothing here re-implements the SDK. The cloud.openapi Proxy and callWXOpenAPI are the bundle's
 * "./src/api/openapi/namespace/generic.ts", run with its real dependencies (param-converter.ts,
 * utils.ts, type.ts, symbol.ts, signature.ts, error.ts, msg.ts, error.config.ts, mimetype.ts, the
 * protobuf messages of "./src/protobuf/openapi.js", and json-bigint, mime-db and protobufjs from
 * the SDK's node_modules), cut out of the bundle by devtools/wxsdk_bundle.js. The provider's
 * `callWXOpenAPI` is the bundle's own too ("./src/api/cloud/provider/tcb/api/callWXOpenAPI.ts":
 * it turns the gateway's errorCode, -604100 and the like, into the SDK's error), so the one
 * stand-in is the transport under it: the TCB instance's `callCompatibleWxOpenApi`, which
 * records the protobuf CommApiData the SDK sends (decoded with the bundle's own messages) and
 * answers the scripted reply as the protobuf CommOpenApiResp the gateway sends.
 * `cloud.wrapCommonAPICheck` (the "call init first" guard) is the identity.
 *
 * Protocol: stdin carries one JSON object per line, answered in order, one JSON line each:
 *   {"api": "security.msgSecCheck", "data": <any JSON>?, "options": {"convertCase": false}?,
 *    "reply": {"contentType": "application/json", "respData": "<base64>", "errorCode": 0}}
 * Without "data" the API is called with no argument. Bytes are written {"$buffer": "<base64>"}
 * both ways (a file's value; a binary result's buffer).
 * The answer:
 *   {"sent": {"api", "appid", "pairs": [{"key", "value": "<base64>", "text"?, "filename"?, "contenttype"?,
 *                                         "camelKey"?, "camelValue"?}]} | null,
 *    "result": <the resolved value> | "error": {"errCode", "errMsg", "json": JSON.stringify(err)}}
 * `text` is a non-file pair's value as UTF-8 (JSON); `camelKey`/`camelValue` are that pair after
 * the SDK's own convertCase snake -> camel (recursive), what the gateway gives an API whose body
 * WeChat reads in camelCase. A json-bigint BigNumber in a result is {"$bignumber": "<digits>"}.
 * Key order is kept everywhere (the comparison includes it).
 */
'use strict';

const readline = require('readline');
const { loadModules } = require('./wxsdk_bundle');

const sdk = loadModules('wxsdk_openapi_oracle', process.argv[2], {
    real: [
        './src/api/openapi/namespace/generic.ts',
        './src/api/openapi/namespace/param-converter.ts',
        './src/api/cloud/provider/tcb/api/callWXOpenAPI.ts',
        './src/api/cloud/provider/tcb/config/error.config.ts',
        './src/api/utils/api/signature.ts',
        './src/config/error.config.ts',
        './src/protobuf/openapi.js',
        './src/utils/error.ts',
        './src/utils/mimetype.ts',
        './src/utils/msg.ts',
        './src/utils/symbol.ts',
        './src/utils/type.ts',
        './src/utils/utils.ts',
    ],
    externals: ['json-bigint', 'mime-db', 'protobufjs/minimal', 'crypto'],
});
const { die } = sdk;

const generic = sdk.require('./src/api/openapi/namespace/generic.ts');
const provider = sdk.require('./src/api/cloud/provider/tcb/api/callWXOpenAPI.ts');
const protobuf = sdk.require('./src/protobuf/openapi.js');
const { convertCase } = sdk.require('./src/utils/utils.ts');
if (typeof generic.default !== 'function') {
    die('generic.ts does not export getGenericOpenAPI as default; the bundle shape changed');
}
if (typeof provider.callWXOpenAPI !== 'function') {
    die('callWXOpenAPI.ts does not export callWXOpenAPI; the bundle shape changed');
}
for (const message of ['CommApiData', 'CommOpenApiResp']) {
    if (!protobuf[message] || typeof protobuf[message].encode !== 'function') {
        die(`openapi.js has no protobuf message ${message}; the bundle shape changed`);
    }
}

/** The TCB instance under the provider: records what is sent, answers the scripted reply. */
const transport = {
    reply: null,
    sent: null,
    async callCompatibleWxOpenApi({ apiName, requestData }) {
        const message = protobuf.CommApiData.decode(requestData);
        const pairs = ((message.openapiData && message.openapiData.pairs) || []).map(describePair);
        this.sent = { api: apiName, appid: message.appid, apiType: message.apiType, pairs };
        const { contentType, respData, errorCode } = this.reply;
        return Buffer.from(protobuf.CommOpenApiResp.encode({
            contentType,
            respData: Buffer.from(respData, 'base64'),
            errorCode,
        }).finish());
    },
};

function describePair(pair) {
    const value = Buffer.from(pair.value);
    const described = { key: pair.key, value: value.toString('base64') };
    if (pair.filename) {
        described.filename = pair.filename;
    }
    if (pair.contenttype) {
        described.contenttype = pair.contenttype;
    }
    if (!pair.filename) {
        described.text = value.toString('utf8');
        described.camelKey = convertCase(pair.key, { from: 'snakecase', to: 'camelcase' });
        described.camelValue = convertCase(JSON.parse(described.text), { from: 'snakecase', to: 'camelcase', recursive: true });
    }
    return described;
}

const cloud = {
    debug: false,
    wrapCommonAPICheck: (fn) => fn,
    provider: { api: { callWXOpenAPI: provider.callWXOpenAPI } },
    instance: transport,
};
const openapi = generic.default(cloud);

/** JSON from the test -> the call's data: {"$buffer": b64} becomes a Buffer. */
function revive(value) {
    if (Array.isArray(value)) {
        return value.map(revive);
    }
    if (value && typeof value === 'object') {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === '$buffer') {
            return Buffer.from(value.$buffer, 'base64');
        }
        const out = {};
        for (const key of keys) {
            out[key] = revive(value[key]);
        }
        return out;
    }
    return value;
}

/** A result -> JSON for the test: Buffers and BigNumbers marked, key order kept. */
function encode(value) {
    if (Buffer.isBuffer(value)) {
        return { $buffer: value.toString('base64') };
    }
    if (value && value._isBigNumber === true) {
        return { $bignumber: value.toString(10) };
    }
    if (Array.isArray(value)) {
        return value.map(encode);
    }
    if (value && typeof value === 'object') {
        const out = {};
        for (const key of Object.keys(value)) {
            out[key] = encode(value[key]);
        }
        return out;
    }
    return value;
}

async function handle(line) {
    const request = JSON.parse(line);
    transport.reply = request.reply;
    transport.sent = null;
    let root = openapi;
    if (request.options) {
        root = root(request.options);
    }
    let api = root;
    for (const segment of request.api.split('.')) {
        api = api[segment];
    }
    const answer = {};
    try {
        answer.result = encode(await ('data' in request ? api(revive(request.data)) : api()));
    } catch (err) {
        answer.error = { errCode: err && err.errCode, errMsg: err && err.errMsg, json: JSON.stringify(err) };
    }
    answer.sent = transport.sent;
    return JSON.stringify(answer);
}

async function main() {
    // stdout carries the answers alone: anything the SDK logs (console.log with cloud.debug) goes to stderr.
    console.log = (...args) => process.stderr.write(`${args.join(' ')}\n`);
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    const out = [];
    for await (const line of rl) {
        if (line.trim() !== '') {
            out.push(await handle(line));
        }
    }
    process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
}

main().catch((err) => die(`oracle failed: ${err && err.stack ? err.stack : err}`));
