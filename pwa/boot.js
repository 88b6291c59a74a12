// Template for dist/boot-<hash>.js, the page's one script (index.html loads it; the
// Content-Security-Policy allows no inline script). scripts/build-pwa fills in the
// content-hashed file names.
import init from "/{{JS}}";

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

init({ module_or_path: "/{{WASM}}" });
