// Template for dist/boot-<hash>.js, the page's one script (index.html loads it; the
// Content-Security-Policy allows no inline script). scripts/build-pwa fills in the
// content-hashed file names.
import init from "/{{JS}}";

// The phone-number module (libphonenumber; pwa/phone), imported when the app asks for it:
// once the first screen is up. One load, shared; a failed load is tried again on the next
// call.
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

init({ module_or_path: "/{{WASM}}" });
