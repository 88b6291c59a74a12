// Template for dist/boot-<hash>.js, the page's one script (index.html loads it; the
// Content-Security-Policy allows no inline script). scripts/build-pwa fills in the
// content-hashed file names.
import init from "/{{JS}}";

// The modules the app imports when it asks for them, once the first screen is up: the
// documents (Automerge; pwa/docs) and phone numbers (libphonenumber; pwa/phone). One load
// each, shared; a failed load is tried again on the next call.
const later = (js, wasm) => {
  let loading;
  return () =>
    (loading ??= import(js)
      .then(async (m) => {
        await m.default({ module_or_path: wasm });
        return m;
      })
      .catch((e) => {
        loading = undefined;
        throw e;
      }));
};
window.dialbookDocsModule = later("/{{DOCS_JS}}", "/{{DOCS_WASM}}");
window.dialbookPhoneModule = later("/{{PHONE_JS}}", "/{{PHONE_WASM}}");

init({ module_or_path: "/{{WASM}}" });
