// Template for dist/worker-<hash>.js, the document worker (a module worker the page's
// boot.js starts). scripts/build-pwa fills in the content-hashed file names.
//
// It loads the document module (pwa/docs: Automerge and the repo's IndexedDB writes) and
// answers the page's messages `{ id, call }` with `{ id, answer }` (both postcard bytes),
// or `{ id, error }` if the module failed. The phone-number module is
// imported here too when a summary needs a number formatted (one load, shared; a failed
// load is tried again on the next call).
import init, { handle } from "/{{DOCS_JS}}";

let phone;
self.dialbookPhoneModule = () =>
  (phone ??= import("/{{PHONE_JS}}")
    .then(async (m) => {
      await m.default({ module_or_path: "/{{PHONE_WASM}}" });
      return m;
    })
    .catch((e) => {
      phone = undefined;
      throw e;
    }));

// The page waits for `ready` (or `failed`) before its first call.
const ready = init({ module_or_path: "/{{DOCS_WASM}}" });
ready.then(
  () => self.postMessage({ ready: true }),
  (e) => self.postMessage({ failed: `the document module did not load (${e?.message ?? e})` }),
);

self.onmessage = async ({ data: { id, call } }) => {
  try {
    await ready;
    const answer = await handle(call);
    self.postMessage({ id, answer }, [answer.buffer]);
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
