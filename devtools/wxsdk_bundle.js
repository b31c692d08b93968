/*
 * wx-server-sdk's own modules, cut out of its webpack bundle, for the differential-test oracles.
 *
 * The SDK ships as one webpack bundle (index.js): a map from module ids ("./src/utils/utils.ts")
 * to factories `function(module, exports, __webpack_require__) {...}`. `loadModules` finds the
 * factories it is asked for in the bundle's source text, evaluates them in this realm and wires
 * them together with a tiny __webpack_require__, so the oracles run the SDK's code itself, never
 * a re-implementation of it. Three kinds of dependency are allowed, each named by the caller:
 *   - real: a module of the bundle, evaluated from its source;
 *   - external: a package the bundle itself `require`s ("json-bigint", "mime-db"), loaded from
 *     the SDK's own node_modules, after checking that the bundle's factory is exactly that require;
 *   - stub: a stand-in object, for what a test must replace (named in the oracle, with why).
 * Any other dependency, or a bundle whose shape differs from what is expected, is a loud failure
 * (exit 2 with a message), never a silent fallback.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const vm = require('vm');
const { createRequire } = require('module');

const FACTORY_HEAD = '/***/ (function(module, exports, __webpack_require__) {';
const EXTERNAL_HEAD = '/***/ (function(module, exports) {';
const FACTORY_TAIL = '\n/***/ })';

function die(oracle, message) {
    process.stderr.write(`${oracle}: ${message}\n`);
    process.exit(2);
}

/** The bundle of the SDK at `sdkDir`: its source text and a `require` rooted at its index.js. */
function readBundle(oracle, sdkDir) {
    if (!sdkDir) {
        die(oracle, `usage: node ${oracle}.js <path/to/node_modules/wx-server-sdk>`);
    }
    const indexPath = path.join(sdkDir, 'index.js');
    let source;
    try {
        source = fs.readFileSync(indexPath, 'utf8');
    } catch (err) {
        die(oracle, `cannot read ${indexPath}: ${err.message} (run: python devtools/install_wxsdk.py)`);
    }
    return { oracle, indexPath, source, require: createRequire(indexPath) };
}

/** Source text of one module factory, from its header to its closing `})`. */
function factorySource(bundle, moduleId, head) {
    const fail = (message) => die(bundle.oracle, message);
    const marker = `\n/***/ ${JSON.stringify(moduleId)}:\n`;
    const start = bundle.source.indexOf(marker);
    if (start < 0) {
        fail(`webpack module ${moduleId} not found in ${bundle.indexPath}; the bundle shape changed`);
    }
    if (bundle.source.indexOf(marker, start + 1) >= 0) {
        fail(`webpack module ${moduleId} appears more than once in ${bundle.indexPath}`);
    }
    const headAt = bundle.source.indexOf(head, start + marker.length);
    const nextModule = bundle.source.indexOf('\n/***/ "', start + marker.length);
    if (headAt < 0 || (nextModule >= 0 && headAt > nextModule)) {
        fail(`factory header for ${moduleId} not found; the bundle shape changed`);
    }
    const tail = bundle.source.indexOf(FACTORY_TAIL, headAt);
    if (tail < 0 || (nextModule >= 0 && tail > nextModule)) {
        fail(`end of factory for ${moduleId} not found; the bundle shape changed`);
    }
    // Drop the leading "/***/ " comment marker; the trailing "/***/ })" is a comment plus "})".
    return bundle.source.slice(headAt + '/***/ '.length, tail + FACTORY_TAIL.length);
}

function evaluateFactory(bundle, moduleId) {
    const source = factorySource(bundle, moduleId, FACTORY_HEAD);
    let factory;
    try {
        factory = vm.runInThisContext(source, { filename: `${bundle.indexPath} [${moduleId}]` });
    } catch (err) {
        die(bundle.oracle, `cannot evaluate webpack module ${moduleId}: ${err.message}`);
    }
    if (typeof factory !== 'function') {
        die(bundle.oracle, `webpack module ${moduleId} did not evaluate to a function`);
    }
    return factory;
}

/** An external of the bundle, loaded as the bundle loads it: `require(id)` from the SDK's folder. */
function loadExternal(bundle, moduleId) {
    const source = factorySource(bundle, moduleId, EXTERNAL_HEAD);
    const body = source.slice(EXTERNAL_HEAD.length - '/***/ '.length, -FACTORY_TAIL.length).trim();
    if (body !== `module.exports = require(${JSON.stringify(moduleId)});`) {
        die(bundle.oracle, `external ${moduleId} is not a plain require in the bundle: ${body.slice(0, 80)}`);
    }
    try {
        return bundle.require(moduleId);
    } catch (err) {
        die(bundle.oracle, `cannot load ${moduleId}, a dependency of the SDK: ${err.message}`);
    }
    return undefined;
}

/**
 * A `__webpack_require__` over the named modules of the bundle at `sdkDir`:
 * `real` (module ids evaluated from the bundle), `externals` (packages it requires), `stubs`
 * (id -> stand-in exports). Requiring anything else ends the process with a message.
 */
function loadModules(oracle, sdkDir, { real, externals = [], stubs = {} }) {
    const bundle = readBundle(oracle, sdkDir);
    const factories = new Map(real.map((id) => [id, evaluateFactory(bundle, id)]));
    const outside = new Map(externals.map((id) => [id, loadExternal(bundle, id)]));
    const cache = new Map();

    function webpackRequire(moduleId) {
        if (Object.prototype.hasOwnProperty.call(stubs, moduleId)) {
            return stubs[moduleId];
        }
        if (outside.has(moduleId)) {
            return outside.get(moduleId);
        }
        if (cache.has(moduleId)) {
            return cache.get(moduleId).exports;
        }
        const factory = factories.get(moduleId);
        if (!factory) {
            die(oracle, `unexpected dependency ${JSON.stringify(moduleId)}; update the oracle deliberately`);
        }
        const module = { exports: {} };
        cache.set(moduleId, module);
        factory.call(module.exports, module, module.exports, webpackRequire);
        return module.exports;
    }

    return { require: webpackRequire, die: (message) => die(oracle, message) };
}

module.exports = { loadModules };
