// Scores the exported model in the browser. Everything the model needs to be fed right comes from
// manifest.json: the feature order, the imputation default of each feature, the tensor names. No
// feature logic lives here, so the page cannot drift from the scoring operator.
/* global ort */
(function () {
  'use strict';

  async function load() {
    ort.env.wasm.wasmPaths = new URL('ort/', document.baseURI).href;
    ort.env.wasm.numThreads = 1; // like the Java benchmarks: one intra-op thread
    const manifest = await (await fetch('manifest.json', { cache: 'no-store' })).json();
    const session = await ort.InferenceSession.create('model.onnx', {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const input = manifest.inputTensor.name;
    const output = manifest.outputTensor.name;
    if (!session.inputNames.includes(input) || !session.outputNames.includes(output)) {
      throw new Error('manifest.json names input ' + input + ' and output ' + output
        + '; the model has inputs ' + session.inputNames + ' and outputs ' + session.outputNames);
    }
    return { manifest, session, input, output, features: manifest.inputs,
      loadMillis: performance.now() };
  }

  const ready = load();

  /** Row-major float32 features: each row an array in manifest order or an object by name. */
  function tensorOf(m, rows) {
    const d = m.features.length;
    const data = new Float32Array(rows.length * d);
    rows.forEach(function (row, i) {
      m.features.forEach(function (f, j) {
        let v = Array.isArray(row) ? row[j] : row[f.name];
        if (v === null || v === undefined || v === '' || Number.isNaN(Number(v))) {
          v = f.defaultValue; // the manifest's imputation default
        }
        data[i * d + j] = Number(v);
      });
    });
    return new ort.Tensor('float32', data, [rows.length, d]);
  }

  /** Predictions for rows, one number per row (the output's first column). */
  async function score(rows) {
    const m = await ready;
    const feeds = {};
    feeds[m.input] = tensorOf(m, rows);
    const out = await m.session.run(feeds);
    const y = out[m.output];
    const width = y.data.length / rows.length;
    const result = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      result[i] = y.data[i * width];
    }
    return result;
  }

  /**
   * Latency of session.run at one batch size, measured in the page: the mean over all calls and
   * the median of the means of blocks of 50 calls, in ms. Blocks, because without cross-origin
   * isolation the browser coarsens performance.now() to 0.1 ms, too coarse for one fast call.
   */
  async function benchmark(rows, batch, calls, warmup) {
    const m = await ready;
    const feeds = {};
    feeds[m.input] = tensorOf(m, Array.from({ length: batch }, (_, i) => rows[i % rows.length]));
    for (let i = 0; i < warmup; i++) {
      await m.session.run(feeds);
    }
    const block = 50;
    const means = [];
    const start = performance.now();
    for (let b = 0; b < Math.max(1, Math.floor(calls / block)); b++) {
      const t0 = performance.now();
      for (let i = 0; i < block; i++) {
        await m.session.run(feeds);
      }
      means.push((performance.now() - t0) / block);
    }
    const total = performance.now() - start;
    means.sort(function (a, b) { return a - b; });
    return { batch: batch, calls: means.length * block, meanMs: total / (means.length * block),
      blockMedianMs: means[Math.floor(means.length / 2)] };
  }

  async function selfCheck() {
    const check = await (await fetch('check.json', { cache: 'no-store' })).json();
    const got = await score(check.rows);
    let max = 0;
    got.forEach(function (y, i) { max = Math.max(max, Math.abs(y - check.predictions[i])); });
    return { rows: got.length, maxAbsDiff: max };
  }

  window.parity = { ready: ready, score: score, benchmark: benchmark, selfCheck: selfCheck };

  function ui() {
    const status = document.getElementById('status');
    ready.then(function (m) {
      document.getElementById('title').textContent =
        m.manifest.name + ' ' + m.manifest.version;
      const form = document.getElementById('features');
      m.features.forEach(function (f) {
        const label = document.createElement('label');
        label.textContent = f.name;
        const input = document.createElement('input');
        input.name = f.name;
        input.inputMode = 'decimal';
        input.placeholder = 'default ' + f.defaultValue;
        label.appendChild(input);
        form.appendChild(label);
      });
      const predict = document.getElementById('predict');
      predict.disabled = false;
      predict.addEventListener('click', function () {
        const row = {};
        m.features.forEach(function (f) { row[f.name] = form.elements[f.name].value.trim(); });
        score([row]).then(function (y) {
          document.getElementById('prediction').textContent = y[0].toFixed(3);
        }, function (e) { status.textContent = 'error: ' + e; });
      });
      const check = document.getElementById('self-check');
      check.disabled = false;
      check.addEventListener('click', function () {
        selfCheck().then(function (r) {
          document.getElementById('check').textContent = r.rows + ' rows of check.json: max |diff| '
            + r.maxAbsDiff.toExponential(2) + ' against ONNX Runtime Java';
        }, function (e) { status.textContent = 'error: ' + e; });
      });
      status.textContent = 'model loaded in ' + m.loadMillis.toFixed(0)
        + ' ms (onnxruntime-web ' + ort.env.versions.common + ', WebAssembly)';
    }, function (e) {
      status.textContent = 'error: ' + e.message;
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', ui);
  } else {
    ui();
  }
})();
