//! The phone app's second wasm module: reading what people type into a phone field and
//! formatting stored numbers for showing, with libphonenumber's metadata (core's
//! `libphonenumber` feature).
//!
//! It is a module of its own because that metadata and the regex engine it needs are
//! over half of what the app would otherwise download before it can start. The main
//! module starts without it and loads this one in the background (the service worker
//! precaches it, so it is there offline too); see `services::phone` in the app.
//!
//! The interface is strings only, so the JS glue between the two modules stays trivial:
//! a number goes in as typed or as stored E.164 and comes out as E.164 or formatted.

use dialbook_core::PhoneNumber;
use wasm_bindgen::prelude::*;

/// The E.164 form of a typed number (`098450-12345` → `+919845012345`), or, thrown, the
/// message saying what is wrong with it (the same words as everywhere else in Dialbook).
#[wasm_bindgen]
pub fn parse(input: &str) -> Result<String, String> {
    PhoneNumber::parse(input).map(String::from).map_err(|e| e.message)
}

/// A stored number in the international format for showing (`+91 98450 12345`); the
/// input unchanged if it is not a number.
#[wasm_bindgen]
pub fn display(e164: &str) -> String {
    PhoneNumber::from_e164(e164).map(|n| n.display()).unwrap_or_else(|_| e164.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_as_core_does() {
        assert_eq!(parse("098450-12345").unwrap(), "+919845012345");
        assert_eq!(display("+919845012345"), "+91 98450 12345");
        assert_eq!(display("+442079460958"), "+44 20 7946 0958");
        let message = parse("98450 1234").unwrap_err();
        assert!(message.contains("too short"), "{message}");
        assert_eq!(display("not a number"), "not a number");
    }
}
