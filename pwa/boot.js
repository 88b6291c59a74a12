// Template for dist/boot-<hash>.js, the page's start script (index.html loads it after
// the app's glue; the Content-Security-Policy allows no inline script). scripts/build-pwa
// fills in the content-hashed file names. A classic script, not a module (see
// index.html): strict, and in a block so that its names stay its own.

"use strict";
{
  // Start-up's steps as marks, for the cold-start benchmark's breakdown, only when it asks
  // for them (tests/e2e/bench.mjs; dialbook_pwa_store::step): a mark costs a slow phone ~1 ms.
  const step = window.__dialbookSteps ? (name) => performance.mark(name) : () => {};
  step("dialbook:boot");

  // Start-up's reads, issued first so that IndexedDB opens the database and reads it while
  // the app's wasm is still loading: every meta value, the lead summaries (the snapshot
  // and those changed since it, or else every one) and the outbox, in one readonly
  // transaction. The app takes them once (`dialbookTakeStartRead`) and
  // decodes them (dialbook_pwa_store::store::StartRead); on any failure it is null and the
  // app reads them itself. A database that does not exist yet is not created here: that is
  // the app's, with its object stores.
  // `issued` settles once the reads are under way (or could not be made).
  let issued;
  const readsIssued = new Promise((resolve) => (issued = resolve));
  let startRead = new Promise((resolve) => {
    let open;
    try {
      open = indexedDB.open("dialbook");
    } catch {
      issued();
      return resolve(null);
    }
    open.onupgradeneeded = () => open.transaction.abort();
    open.onerror = open.onblocked = () => {
      issued();
      resolve(null);
    };
    open.onsuccess = () => {
      step("dialbook:db-open");
      queueMicrotask(issued);
      const db = open.result;
      const read = { metaKeys: [], metaValues: [], changed: [] };
      try {
        const tx = db.transaction(["meta", "summaries", "outbox"]);
        const meta = tx.objectStore("meta");
        const summaries = tx.objectStore("summaries");
        // The meta values but not the marks `changed:<lead id>` of leads changed since the
        // summary snapshot (see dialbook_pwa_store::store::keys): after a first sync there
        // can be thousands, and only their keys are needed.
        const ranges = [IDBKeyRange.upperBound("changed:", true), IDBKeyRange.lowerBound("changed;")];
        const values = ranges.map((range) => [meta.getAllKeys(range), meta.getAll(range)]);
        meta.getAllKeys(IDBKeyRange.bound("changed:", "changed;", false, true)).onsuccess = ({ target }) => {
          step("dialbook:meta-read");
          const changed = target.result.map((key) => key.slice("changed:".length));
          let snapshot;
          for (const [keys, vals] of values) {
            keys.result.forEach((key, i) => {
              if (key === "summary-snapshot") snapshot = vals.result[i];
              else {
                read.metaKeys.push(key);
                read.metaValues.push(vals.result[i]);
              }
            });
          }
          if (snapshot && changed.length <= 1000) {
            // One value, and the few summaries that changed since (undefined: it went).
            read.summaries = snapshot;
            read.changed = changed.map((id) => {
              const entry = [id, undefined];
              summaries.get(id).onsuccess = ({ target }) => (entry[1] = target.result);
              return entry;
            });
          } else {
            summaries.getAll().onsuccess = ({ target }) => (read.summaries = pack(target.result));
          }
        };
        tx.objectStore("outbox").getAllKeys().onsuccess = ({ target }) => (read.outbox = target.result);
        tx.oncomplete = () => {
          step("dialbook:reads-done");
          resolve(read);
        };
        tx.onabort = () => resolve(null);
      } catch {
        resolve(null);
      }
      // Closed once the reads are done; the app opens its own connection.
      db.close();
    };
  });
  // Summaries packed as the snapshot is (pack_summaries in pwa/store/src/store.rs):
  // [count][each length][the bytes], u32s little-endian. One copy into the wasm instead
  // of one per lead.
  const pack = (values) => {
    const head = 4 + 4 * values.length;
    const packed = new Uint8Array(head + values.reduce((sum, v) => sum + v.byteLength, 0));
    const words = new DataView(packed.buffer);
    words.setUint32(0, values.length, true);
    let at = head;
    values.forEach((bytes, i) => {
      words.setUint32(4 + 4 * i, bytes.byteLength, true);
      packed.set(bytes, at);
      at += bytes.byteLength;
    });
    return packed;
  };
  window.dialbookTakeStartRead = () => {
    const taken = startRead;
    startRead = null;
    return taken;
  };

  // Loaded when the app asks for them, once the first screen is up: the phone-number
  // module (libphonenumber; pwa/phone), imported here, and the document worker (pwa/docs
  // in pwa/worker.js: Automerge and every document write), started here. One load each,
  // shared; a failed load is tried again on the next call.
  let phone;
  window.dialbookPhoneModule = () =>
    (phone ??= import("/{{PHONE_JS}}")
      .then(async (m) => {
        await m.default({ module_or_path: "/{{PHONE_WASM}}" });
        return m;
      })
      .catch((e) => {
        phone = undefined;
        throw e;
      }));
  // Resolves to the worker once it says its module has loaded; rejects if its script or
  // module does not load (offline on a first visit, before the service worker had them).
  // `fresh`: the app found the worker broken, so it is ended and another one started.
  const startWorker = () =>
    new Promise((resolve, reject) => {
      const worker = new Worker("/{{WORKER}}", { type: "module" });
      const failed = (message) => {
        worker.terminate();
        reject(new Error(message || "the document worker did not start"));
      };
      worker.onerror = (e) => failed(e.message);
      worker.onmessage = ({ data }) => {
        worker.onerror = worker.onmessage = null;
        if (data.ready) resolve(worker);
        else failed(data.failed);
      };
    });
  let docsWorker;
  window.dialbookDocsWorker = (fresh) => {
    if (fresh && docsWorker) {
      docsWorker.then((w) => w.terminate(), () => {});
      docsWorker = undefined;
    }
    return (docsWorker ??= startWorker().catch((e) => {
      docsWorker = undefined;
      throw e;
    }));
  };

  // The app's wasm compiles meanwhile (streamed; from the service worker's cache on a phone
  // that has it). The app itself starts once the reads above are issued, so IndexedDB reads
  // while the app's own start runs instead of after it. `wasm_bindgen` is the app's glue,
  // the classic script the page runs just before this one.
  const compiled = WebAssembly.compileStreaming(fetch("/{{WASM}}")).then(
    (module) => (step("dialbook:wasm-compiled"), module),
    () => "/{{WASM}}",
  );
  (async () => {
    await readsIssued;
    const module = await compiled;
    step("dialbook:app-instantiate");
    wasm_bindgen({ module_or_path: module });
  })();
}
