// Template for dist/boot-<hash>.js, the page's one script (index.html loads it; the
// Content-Security-Policy allows no inline script). scripts/build-pwa fills in the
// content-hashed file names.

// Start-up's reads, issued first so that IndexedDB opens the database and reads it while
// the app's wasm is still loading: every meta value, every lead summary and the outbox,
// in one readonly transaction. The app takes them once (`dialbookTakeStartRead`) and
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
    queueMicrotask(issued);
    const db = open.result;
    const read = {};
    try {
      const tx = db.transaction(["meta", "summaries", "outbox"]);
      const get = (request, field) => (request.onsuccess = () => (read[field] = request.result));
      get(tx.objectStore("meta").getAllKeys(), "metaKeys");
      get(tx.objectStore("meta").getAll(), "metaValues");
      get(tx.objectStore("summaries").getAll(), "summaries");
      get(tx.objectStore("outbox").getAllKeys(), "outbox");
      // The summaries go over as one buffer and their lengths: one copy into the wasm
      // instead of one per lead.
      tx.oncomplete = () => {
        const lengths = new Uint32Array(read.summaries.length);
        read.summaries.forEach((bytes, i) => (lengths[i] = bytes.byteLength));
        const packed = new Uint8Array(lengths.reduce((sum, n) => sum + n, 0));
        let at = 0;
        for (const bytes of read.summaries) {
          packed.set(bytes, at);
          at += bytes.byteLength;
        }
        resolve({ ...read, summaries: packed, summaryLengths: lengths });
      };
      tx.onabort = () => resolve(null);
    } catch {
      resolve(null);
    }
    // Closed once the reads are done; the app opens its own connection.
    db.close();
  };
});
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
// while the app's own start runs instead of after it. Imported here, not at the top, so
// that the database is already opening.
const compiled = WebAssembly.compileStreaming(fetch("/{{WASM}}")).catch(() => "/{{WASM}}");
import("/{{JS}}").then(async (app) => {
  await readsIssued;
  app.default({ module_or_path: await compiled });
});
