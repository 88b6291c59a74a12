//! Phone numbers: turning whatever a telecaller or an imported sheet has in a phone column
//! into one canonical E.164 string (`+919876543210`), so that the same person typed three
//! ways is one lead, the dialer and wa.me links get a number they can use, and search
//! finds a number however it was typed. Owns [`PhoneNumber`] and its search keys; knows
//! nothing about leads or storage.
//!
//! Validation is the `phonenumber` crate's (libphonenumber metadata), with India as the
//! default region. We do not hand it raw input, though: the crate gets several Indian
//! inputs wrong, so this module first reduces the input to digits, decides the country
//! code itself and hands the crate an unambiguous `+<country><number>` string:
//!
//! - A 10-digit mobile starting with 91 (`9198765432`) is taken by the crate for the
//!   country code 91 followed by 8 digits, and then rejected as invalid.
//! - With a default region set, the crate strips the *default region's* trunk prefix
//!   from foreign numbers too, so `+39 06 1234 5678` (Rome, whose leading 0 is part of
//!   the number) became an invalid `+39 612345678`.
//! - Letters are mapped to keypad digits (`1-800-FLOWERS`), so a typo like `98765abcde`
//!   came out as a valid-looking `+919876522233`. We reject letters instead.
//! - Extensions (`x12`) and a second number after `/` were silently accepted or cut off.
//!   We reject characters other than digits and the usual separators.
//! - Bare 10-digit numbers starting with 1–5 (`1234567890`, a favourite fake on web
//!   forms) are "valid" to the crate as landlines with an unusual STD code. Indians write
//!   landlines with the trunk 0 (`080 2345 6789`) or +91, so we reject the bare form
//!   with a hint rather than store a number that is almost always wrong.

use super::ParseError;
#[cfg(feature = "libphonenumber")]
use phonenumber::{Mode, Type, metadata::DATABASE};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone number that can be dialled, in E.164 form (`+` and up to 15 digits).
///
/// Built only by [`PhoneNumber::parse`], so holding one means libphonenumber's metadata
/// considers it a valid number. Serialised as the E.164 string; deserialising re-parses,
/// so a hand-edited `"98765 43210"` in a document still comes back canonical.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// India's country calling code, as digits.
const INDIA: &str = "91";

/// E.164 allows at most 15 digits including the country code.
const MAX_E164_DIGITS: usize = 15;

impl PhoneNumber {
    /// Reads a number the way people in India type it: `98765 43210`, `098765-43210`,
    /// `+91 98765 43210`, `91 9876543210`, `0091 98765 43210`, `(+91) 98765.43210`,
    /// landlines with their STD code (`080 2345 6789`), and foreign numbers written with
    /// `+` or `00` (`+44 20 7946 0958`). Digits from Indian scripts (`९८७६५ ४३२१०`) and
    /// full-width digits are read as digits.
    ///
    /// Without `+` or `00` the number is taken to be Indian: a leading 0 is the trunk
    /// prefix, and 12 digits starting with 91 are the country code and a 10-digit number.
    #[cfg(feature = "libphonenumber")]
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        parse_number(input).map_err(|problem| {
            let shown = input.trim();
            let message = match problem {
                Problem::Empty => "the phone number is empty".to_owned(),
                _ => format!("{shown:?} is not a valid phone number: {problem}"),
            };
            ParseError::new("phone number", message)
        })
    }

    /// A number as stored by this app (its E.164 form), read back. A value of E.164 shape
    /// (`+`, then 8–15 digits, no leading 0) is taken as it is, without the libphonenumber
    /// machinery: a phone reads thousands of these at start-up and on every sync, and the
    /// full check costs far more than the rest of reading a lead. What people type always
    /// goes through [`PhoneNumber::parse`], so every number was checked once, when entered;
    /// a client that writes a wrongly shaped number into its own lead gets it read as
    /// E.164-shaped text, which harms only that lead. Anything else is parsed in full.
    ///
    /// Without the `libphonenumber` feature (the phone app's main module, which must stay
    /// small) anything not of E.164 shape is an error instead.
    pub fn from_e164(stored: &str) -> Result<Self, ParseError> {
        if is_e164_shaped(stored) {
            return Ok(Self(stored.to_owned()));
        }
        #[cfg(feature = "libphonenumber")]
        return Self::parse(stored);
        #[cfg(not(feature = "libphonenumber"))]
        return Err(ParseError::new("phone number", format!("{:?} is not a phone number in E.164 form (+ and 8 to 15 digits)", stored.trim())));
    }

    /// The E.164 form, e.g. `+919876543210`.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// The E.164 form without the `+`, e.g. `919876543210`, as wa.me links and some
    /// dialers want it.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// The international format for showing on a card, e.g. `+91 98765 43210` or
    /// `+44 20 7946 0958`.
    #[cfg(feature = "libphonenumber")]
    pub fn display(&self) -> String {
        match self.reparse() {
            Some(n) => n.format().mode(Mode::International).to_string(),
            // Cannot happen for a value built by `parse`; the E.164 form is still readable.
            None => self.0.clone(),
        }
    }

    /// Whether this is a mobile number (so WhatsApp and SMS make sense): `Some(true)` for
    /// mobiles, `Some(false)` for landlines, toll-free and other service numbers, `None`
    /// where the numbering plan does not tell (the US and Canada mix both in one range).
    #[cfg(feature = "libphonenumber")]
    pub fn is_mobile(&self) -> Option<bool> {
        let number = self.reparse()?;
        match number.number_type(&DATABASE) {
            Type::Mobile => Some(true),
            Type::FixedLineOrMobile | Type::PersonalNumber | Type::Unknown => None,
            _ => Some(false),
        }
    }

    /// Reduces a partly typed number from a search box to digits that occur, as a
    /// substring, in the [`PhoneNumber::digits`] of every number it could be a part of.
    ///
    /// Match with [`PhoneNumber::matches_search_key`] (`digits().contains(key)`). The key
    /// is made so that every way of typing a number finds it:
    ///
    /// - formatting (spaces, dashes, dots, brackets, `+`) is dropped;
    /// - an Indian country code that is marked as one (`+91`, `0091`, or 12 digits starting
    ///   with 91) is dropped, so the key is a piece of the 10-digit national number and
    ///   also matches a stored national-number column;
    /// - leading zeros (trunk prefix `0`, or `00` before another country's code) are
    ///   dropped, because stored numbers never contain the trunk 0.
    ///
    /// Dropping only ever shortens the key from the front, so a number that contains what
    /// was typed still contains the key. Returns `None` when there is nothing to search by
    /// digits: no digits left, or letters in the input (then it is a name search).
    ///
    /// One gap: after another country's code a typed trunk 0 (`+44 (0)20 …`) stays in the
    /// key, since where that code ends is not known from a fragment.
    ///
    /// (An associated function rather than a free one so that it travels with the
    /// `PhoneNumber` re-export.)
    pub fn search_key(input: &str) -> Option<String> {
        let mut digits = String::new();
        let mut plus = false;
        for c in input.chars() {
            if let Some(d) = ascii_digit(c) {
                digits.push(d);
            } else if c.is_alphabetic() {
                return None;
            } else if c == '+' && digits.is_empty() {
                plus = true;
            }
        }
        let key = if plus {
            digits.strip_prefix(INDIA).unwrap_or(&digits)
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.strip_prefix(INDIA).unwrap_or(rest)
        } else if digits.len() == 12 && digits.starts_with(INDIA) {
            &digits[2..]
        } else {
            &digits
        };
        let key = key.trim_start_matches('0');
        (!key.is_empty()).then(|| key.to_owned())
    }

    /// Whether this number contains what was typed in the search box, given the
    /// [`PhoneNumber::search_key`] of that text.
    pub fn matches_search_key(&self, key: &str) -> bool {
        self.digits().contains(key)
    }

    /// The crate's view of this number. We keep only the string in the struct so that
    /// equality, ordering, hashing and serde are those of the E.164 text.
    #[cfg(feature = "libphonenumber")]
    fn reparse(&self) -> Option<phonenumber::PhoneNumber> {
        phonenumber::parse(None, &self.0).ok()
    }
}

/// Serde reads a stored (E.164) number, so it takes the [`PhoneNumber::from_e164`] path.
impl TryFrom<String> for PhoneNumber {
    type Error = ParseError;
    /// As [`PhoneNumber::from_e164`], keeping the string it was given when it is already
    /// E.164 (every stored number is: a phone reads thousands at start).
    fn try_from(s: String) -> Result<Self, ParseError> {
        if is_e164_shaped(&s) { Ok(Self(s)) } else { Self::from_e164(&s) }
    }
}

/// `+`, then 8 to 15 ASCII digits, the first not 0.
fn is_e164_shaped(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or("");
    (8..=MAX_E164_DIGITS).contains(&digits.len()) && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an input is not a phone number. Its `Display` is the end of the user-facing
/// message `"<input>" is not a valid phone number: <problem>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg(feature = "libphonenumber")]
enum Problem {
    Empty,
    Letters,
    BadCharacter(char),
    PlusNotFirst,
    NoDigits,
    TooShort {
        india: bool,
    },
    TooLong {
        india: bool,
    },
    /// A bare 10-digit number that cannot be an Indian mobile.
    NotAMobile,
    UnknownCountryCode(String),
    NotInUse {
        country_code: u16,
    },
}

#[cfg(feature = "libphonenumber")]
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("empty"),
            Problem::Letters => f.write_str("it has letters; type digits only"),
            Problem::BadCharacter(c) => write!(
                f,
                "it has the character {c:?}; type one number using digits, spaces, +, -, . and brackets"
            ),
            Problem::PlusNotFirst => f.write_str("a + can only come once, before the country code"),
            Problem::NoDigits => f.write_str("it has no digits"),
            Problem::TooShort { india: true } => f.write_str("too short (a mobile number has 10 digits)"),
            Problem::TooLong { india: true } => f.write_str("too long (a mobile number has 10 digits)"),
            Problem::TooShort { india: false } => f.write_str("too short"),
            Problem::TooLong { india: false } => f.write_str("too long"),
            Problem::NotAMobile => f.write_str(
                "a 10-digit mobile number starts with 6, 7, 8 or 9 \
                 (for a landline, start with 0 and the STD code, e.g. 080 2345 6789)",
            ),
            Problem::UnknownCountryCode(digits) => {
                write!(f, "+{digits} does not start with a known country code")
            }
            Problem::NotInUse { country_code: 91 } => {
                f.write_str("no Indian mobile or landline number looks like this")
            }
            Problem::NotInUse { country_code } => {
                write!(f, "no number with country code +{country_code} looks like this")
            }
        }
    }
}

#[cfg(feature = "libphonenumber")]
fn parse_number(input: &str) -> Result<PhoneNumber, Problem> {
    let (digits, plus) = scan(input)?;
    let international = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        // "00" is India's international (IDD) prefix: 0091…, 0044….
        rest.to_owned()
    } else if digits.len() == 12 && digits.starts_with(INDIA) {
        // Country code without the +. No Indian national number is 12 digits long and
        // starts with 91, so this is never a national number.
        digits
    } else if let Some(national) = digits.strip_prefix('0') {
        // Trunk prefix, as landlines (and many mobiles) are written: 080…, 098765….
        format!("{INDIA}{national}")
    } else if digits.len() == 10 && !digits.starts_with(['6', '7', '8', '9']) {
        return Err(Problem::NotAMobile);
    } else {
        format!("{INDIA}{digits}")
    };

    if international.len() > MAX_E164_DIGITS {
        return Err(Problem::TooLong { india: international.starts_with(INDIA) });
    }
    let india_guess = international.starts_with(INDIA);
    let number = phonenumber::parse(None, format!("+{international}")).map_err(|e| match e {
        phonenumber::ParseError::InvalidCountryCode => Problem::UnknownCountryCode(international.clone()),
        phonenumber::ParseError::TooLong => Problem::TooLong { india: india_guess },
        _ => Problem::TooShort { india: india_guess },
    })?;
    if !phonenumber::is_valid(&number) {
        return Err(why_invalid(&number));
    }
    let e164 = number.format().mode(Mode::E164).to_string();
    debug_assert!(e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()));
    Ok(PhoneNumber(e164))
}

/// Splits the input into its digits (as ASCII) and whether it began with `+`, rejecting
/// anything that is not a digit or ordinary formatting.
#[cfg(feature = "libphonenumber")]
fn scan(input: &str) -> Result<(String, bool), Problem> {
    if input.trim().is_empty() {
        return Err(Problem::Empty);
    }
    let mut digits = String::new();
    let mut plus = false;
    for c in input.chars() {
        if let Some(d) = ascii_digit(c) {
            digits.push(d);
        } else if c == '+' || c == '\u{FF0B}' {
            if plus || !digits.is_empty() {
                return Err(Problem::PlusNotFirst);
            }
            plus = true;
        } else if c.is_alphabetic() {
            return Err(Problem::Letters);
        } else if !is_separator(c) {
            return Err(Problem::BadCharacter(c));
        }
    }
    if digits.is_empty() {
        return Err(Problem::NoDigits);
    }
    Ok((digits, plus))
}

/// Formatting people put between digits, including what spreadsheets and copy-paste
/// bring along: non-breaking spaces, typographic dashes, zero-width marks and the BOM.
#[cfg(feature = "libphonenumber")]
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '-' | '.' | '(' | ')' | '\u{2010}'..='\u{2015}' | '\u{2212}')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}')
}

/// A decimal digit as an ASCII char: ASCII, full-width, or from the Indian scripts
/// Devanagari through Malayalam (each has its own digits, which phone keyboards set to
/// Hindi, Tamil, … type). Those scripts occupy 128-code-point blocks from U+0900 to
/// U+0D7F, each with the digits zero to nine at offsets 0x66–0x6F.
fn ascii_digit(c: char) -> Option<char> {
    let code = u32::from(c);
    let value = if c.is_ascii_digit() {
        code - u32::from('0')
    } else if ('\u{FF10}'..='\u{FF19}').contains(&c) {
        code - 0xFF10
    } else if (0x0900..0x0D80).contains(&code) && (0x66..=0x6F).contains(&(code & 0x7F)) {
        (code & 0x7F) - 0x66
    } else {
        return None;
    };
    char::from_digit(value, 10)
}

/// Explains a number the crate parsed but does not consider valid, by comparing its
/// national number's length with the lengths of mobile and fixed-line numbers there.
#[cfg(feature = "libphonenumber")]
fn why_invalid(number: &phonenumber::PhoneNumber) -> Problem {
    let country_code = number.code().value();
    let india = country_code == 91;
    let len = number.national().to_string().len() as u16;
    let lengths: Vec<u16> = DATABASE
        .by_code(&country_code)
        .into_iter()
        .flatten()
        .flat_map(|meta| {
            let d = meta.descriptors();
            [d.mobile(), d.fixed_line()]
        })
        .flatten()
        .flat_map(|desc| desc.possible_length().iter().copied())
        .collect();
    match (lengths.iter().min(), lengths.iter().max()) {
        (Some(&min), _) if len < min => Problem::TooShort { india },
        (_, Some(&max)) if len > max => Problem::TooLong { india },
        _ => Problem::NotInUse { country_code },
    }
}

#[cfg(all(test, feature = "libphonenumber"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(input: &str) -> String {
        match PhoneNumber::parse(input) {
            Ok(p) => p.e164().to_owned(),
            Err(e) => panic!("{input:?} should parse, got: {e}"),
        }
    }

    fn error(input: &str) -> String {
        match PhoneNumber::parse(input) {
            Ok(p) => panic!("{input:?} should be rejected, got {p}"),
            Err(e) => {
                assert_eq!(e.what, "phone number");
                e.message
            }
        }
    }

    proptest! {
        /// Reading back what `parse` stored gives the same number.
        #[test]
        fn what_parse_stores_reads_back_as_the_same_number(n in 6_000_000_000u64..10_000_000_000) {
            if let Ok(entered) = PhoneNumber::parse(&n.to_string()) {
                let stored = PhoneNumber::from_e164(entered.e164()).unwrap();
                prop_assert_eq!(&stored, &entered);
                prop_assert_eq!(stored.display(), entered.display());
            }
        }
    }

    #[test]
    fn stored_numbers_that_are_not_indian_mobiles_are_still_checked() {
        assert_eq!(PhoneNumber::from_e164("+442079460958").unwrap().display(), "+44 20 7946 0958");
        assert!(PhoneNumber::from_e164("+91123").is_err());
        assert_eq!(PhoneNumber::from_e164("98765 43210").unwrap().e164(), "+919876543210", "not stored form: parsed in full");
        assert!(PhoneNumber::from_e164("+9198765x3210").is_err());
    }

    #[test]
    fn indian_mobiles_typed_every_usual_way_are_the_same_number() {
        for input in [
            "98765 43210",
            "9876543210",
            "098765-43210",
            "09876543210",
            "0 98765 43210",
            "+91 98765 43210",
            "+919876543210",
            "+91-98765-43210",
            "91 9876543210",
            "919876543210",
            "91-98765-43210",
            "(+91) 98765.43210",
            "+91 (0) 98765 43210",
            "+91 098765 43210",
            "0091 98765 43210",
            "00 91 98765 43210",
            "  98765 43210  ",
            "98765\u{A0}43210",
            "\u{FEFF}9876543210",
            "98765–43210",
        ] {
            assert_eq!(e164(input), "+919876543210", "input {input:?}");
        }
    }

    #[test]
    fn mobiles_starting_with_91_are_not_mistaken_for_a_country_code() {
        // The crate alone turns these into +91 plus 8 digits and calls them invalid.
        assert_eq!(e164("9198765432"), "+919198765432");
        assert_eq!(e164("91987 65432"), "+919198765432");
        assert_eq!(e164("9191919191"), "+919191919191");
        // And with the country code in front they are still the same numbers.
        assert_eq!(e164("919198765432"), "+919198765432");
        assert_eq!(e164("+91 91919 19191"), "+919191919191");
        assert_eq!(e164("91 91919 19191"), "+919191919191");
    }

    #[test]
    fn twelve_digits_starting_91_are_country_code_and_number() {
        assert_eq!(e164("91 9876543210"), "+919876543210");
        assert_eq!(e164("918023456789"), "+918023456789");
    }

    #[test]
    fn landlines_with_std_code() {
        assert_eq!(e164("080 2345 6789"), "+918023456789");
        assert_eq!(e164("080-23456789"), "+918023456789");
        assert_eq!(e164("+91 80 2345 6789"), "+918023456789");
        assert_eq!(e164("91-80-2345-6789"), "+918023456789");
        assert_eq!(e164("022-2345-6789"), "+912223456789");
        assert_eq!(e164("011 2345 6789"), "+911123456789");
        // E.164 landlines with a +91 start with the STD code, which may be 1–5.
        assert_eq!(e164("+91 22 2345 6789"), "+912223456789");
    }

    #[test]
    fn toll_free_numbers() {
        assert_eq!(e164("1800 123 4567"), "+9118001234567");
        assert_eq!(e164("1800-180-1551"), "+9118001801551");
    }

    #[test]
    fn foreign_numbers_with_plus_or_idd() {
        assert_eq!(e164("+1 415 555 2671"), "+14155552671");
        assert_eq!(e164("+1 (415) 555-2671"), "+14155552671");
        assert_eq!(e164("001 415 555 2671"), "+14155552671");
        assert_eq!(e164("+44 20 7946 0958"), "+442079460958");
        // UK numbers written with their own trunk 0 after the country code.
        assert_eq!(e164("+44 (0)20 7946 0958"), "+442079460958");
        assert_eq!(e164("+971 50 123 4567"), "+971501234567");
        // Italy keeps its leading 0 after the country code; India's trunk prefix must not
        // be stripped from it.
        assert_eq!(e164("+39 06 1234 5678"), "+390612345678");
    }

    #[test]
    fn digits_from_indian_scripts_and_full_width_are_read() {
        assert_eq!(e164("९८७६५ ४३२१०"), "+919876543210"); // Devanagari
        assert_eq!(e164("௯௮௭௬௫ ௪௩௨௧௦"), "+919876543210"); // Tamil
        assert_eq!(e164("৯৮৭৬৫ ৪৩২১০"), "+919876543210"); // Bengali
        assert_eq!(e164("＋９１ ９８７６５ ４３２１０"), "+919876543210"); // full-width
    }

    #[test]
    fn empty_and_blank_are_rejected() {
        assert_eq!(error(""), "the phone number is empty");
        assert_eq!(error("   "), "the phone number is empty");
        assert_eq!(error("\t\n"), "the phone number is empty");
    }

    #[test]
    fn letters_are_rejected_not_mapped_to_keypad_digits() {
        // The crate would read this as +919876522233.
        let msg = error("98765abcde");
        assert_eq!(msg, "\"98765abcde\" is not a valid phone number: it has letters; type digits only");
        assert!(error("+1 800 FLOWERS").contains("letters"));
        assert!(error("98765 43210 ext 12").contains("letters"));
        assert!(error("98765 43210 x12").contains("letters"));
        assert!(error("tel:+919876543210").contains("letters"));
        assert!(error("९८७६५ कखगघ").contains("letters"));
    }

    #[test]
    fn other_characters_are_rejected() {
        let msg = error("98765 43210 / 91234 56789");
        assert!(msg.contains("'/'"), "{msg}");
        assert!(error("98765#43210").contains("'#'"));
        assert!(error("98765,43210").contains("','"));
        assert!(error("9876543210*").contains("'*'"));
    }

    #[test]
    fn plus_only_first() {
        assert!(error("91+9876543210").contains("a + can only come once"));
        assert!(error("++91 9876543210").contains("a + can only come once"));
        assert!(error("+").contains("no digits"));
        assert!(error("(-)").contains("no digits"));
    }

    #[test]
    fn too_short_and_too_long() {
        assert_eq!(
            error("12345"),
            "\"12345\" is not a valid phone number: too short (a mobile number has 10 digits)"
        );
        assert!(error("98765").contains("too short"));
        assert!(error("987654321").contains("too short"));
        assert!(error("+91 98765 4321").contains("too short"));
        assert!(error("1").contains("too short"));
        assert!(error("+91").contains("too short"));
        assert!(error("98765432101").contains("too long"));
        assert!(error("9876543210123").contains("too long"));
        assert!(error("+91 98765 432101").contains("too long"));
        assert!(error("9876543210 9876543210").contains("too long"));
        assert!(error("98765432109876543210987654321").contains("too long"));
        assert_eq!(error("+44 20 7946"), "\"+44 20 7946\" is not a valid phone number: too short");
    }

    #[test]
    fn bare_ten_digits_that_cannot_be_a_mobile_are_rejected_with_a_hint() {
        for input in ["1234567890", "2234567890", "5012345678", "12345 67890"] {
            let msg = error(input);
            assert!(msg.contains("starts with 6, 7, 8 or 9"), "{input}: {msg}");
            assert!(msg.contains("080 2345 6789"), "{input}: {msg}");
        }
        // The same landline written with its trunk 0 is fine.
        assert_eq!(e164("022 3456 7890"), "+912234567890");
    }

    #[test]
    fn numbers_the_metadata_calls_invalid_are_rejected() {
        assert_eq!(
            error("+91 50123 45678"),
            "\"+91 50123 45678\" is not a valid phone number: no Indian mobile or landline number looks like this"
        );
        assert!(error("044 1234 5678").contains("no Indian mobile or landline"));
        assert!(error("+1 415 155 2671").contains("country code +1"));
    }

    #[test]
    fn unknown_country_code() {
        assert!(error("+999 123 456 789").contains("known country code"));
        assert!(error("000 123 456 789").contains("known country code"));
    }

    #[test]
    fn accessors() {
        let p = PhoneNumber::parse("098765 43210").unwrap();
        assert_eq!(p.e164(), "+919876543210");
        assert_eq!(p.digits(), "919876543210");
        assert_eq!(p.display(), "+91 98765 43210");
        assert_eq!(p.to_string(), "+919876543210");
        assert_eq!(String::from(p.clone()), "+919876543210");
        assert_eq!(PhoneNumber::try_from("+91 98765 43210".to_owned()).unwrap(), p);

        assert_eq!(PhoneNumber::parse("080 2345 6789").unwrap().display(), "+91 80 2345 6789");
        assert_eq!(PhoneNumber::parse("+44 20 7946 0958").unwrap().display(), "+44 20 7946 0958");
        assert_eq!(PhoneNumber::parse("+39 06 1234 5678").unwrap().display(), "+39 06 1234 5678");
    }

    #[test]
    fn mobile_or_not() {
        assert_eq!(PhoneNumber::parse("98765 43210").unwrap().is_mobile(), Some(true));
        assert_eq!(PhoneNumber::parse("6012345678").unwrap().is_mobile(), Some(true));
        assert_eq!(PhoneNumber::parse("080 2345 6789").unwrap().is_mobile(), Some(false));
        assert_eq!(PhoneNumber::parse("1800 123 4567").unwrap().is_mobile(), Some(false));
        assert_eq!(PhoneNumber::parse("+44 20 7946 0958").unwrap().is_mobile(), Some(false));
        assert_eq!(PhoneNumber::parse("+44 7911 123456").unwrap().is_mobile(), Some(true));
        // North American numbers do not say whether they are mobile.
        assert_eq!(PhoneNumber::parse("+1 415 555 2671").unwrap().is_mobile(), None);
    }

    #[test]
    fn serde_is_the_e164_string_and_reparses() {
        let p = PhoneNumber::parse("98765 43210").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"+919876543210\"");
        let back: PhoneNumber = serde_json::from_str("\"+919876543210\"").unwrap();
        assert_eq!(back, p);
        let lenient: PhoneNumber = serde_json::from_str("\"098765 43210\"").unwrap();
        assert_eq!(lenient, p);
        let err = serde_json::from_str::<PhoneNumber>("\"12345\"").unwrap_err();
        assert!(err.to_string().contains("too short"), "{err}");
    }

    #[test]
    fn search_keys_find_the_number_however_it_is_typed() {
        let p = PhoneNumber::parse("98765 43210").unwrap();
        for typed in [
            "98765 43",
            "9876543210",
            "43210",
            "098765",
            "0 98765",
            "+91 98765",
            "+91 98765 43210",
            "91 98765 43210",
            "919876543210",
            "0091 98765",
            "00 91 98765 43210",
            "(+91) 98765.432",
            "७६५",
        ] {
            let key = PhoneNumber::search_key(typed).unwrap_or_else(|| panic!("{typed:?} gives a key"));
            assert!(p.matches_search_key(&key), "{typed:?} -> {key:?} misses {p}");
        }
        let uk = PhoneNumber::parse("+44 20 7946 0958").unwrap();
        for typed in ["+44 20 79", "0044 20 7946", "020 7946 0958", "7946 0958"] {
            let key = PhoneNumber::search_key(typed).unwrap();
            assert!(uk.digits().contains(&key), "{typed:?} -> {key:?} misses {uk}");
        }
    }

    #[test]
    fn search_key_shape() {
        assert_eq!(PhoneNumber::search_key("98765 43").as_deref(), Some("9876543"));
        assert_eq!(PhoneNumber::search_key("+91 98765").as_deref(), Some("98765"));
        assert_eq!(PhoneNumber::search_key("0091 98765").as_deref(), Some("98765"));
        assert_eq!(PhoneNumber::search_key("91 98765 43210").as_deref(), Some("9876543210"));
        assert_eq!(PhoneNumber::search_key("098765").as_deref(), Some("98765"));
        assert_eq!(PhoneNumber::search_key("+44 20").as_deref(), Some("4420"));
        // A partial number starting with 91 is not a country code unless marked as one.
        assert_eq!(PhoneNumber::search_key("91987").as_deref(), Some("91987"));
        assert_eq!(PhoneNumber::search_key(""), None);
        assert_eq!(PhoneNumber::search_key("0"), None);
        assert_eq!(PhoneNumber::search_key("+"), None);
        // Only a country code: nothing narrows the search.
        assert_eq!(PhoneNumber::search_key("+91"), None);
        assert_eq!(PhoneNumber::search_key("  - "), None);
        assert_eq!(PhoneNumber::search_key("Ravi"), None);
        assert_eq!(PhoneNumber::search_key("Ravi 98765"), None);
    }

    #[test]
    fn search_key_of_a_stored_number_matches_it() {
        let p = PhoneNumber::parse("+91 98765 43210").unwrap();
        for form in [p.e164().to_owned(), p.digits().to_owned(), p.display()] {
            let key = PhoneNumber::search_key(&form).unwrap();
            assert!(p.digits().contains(&key), "{form:?} -> {key:?}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = PhoneNumber::parse(&s);
            let _ = PhoneNumber::search_key(&s);
        }

        #[test]
        fn accepted_numbers_round_trip(s in "[+]?[0-9 ().-]{1,20}") {
            if let Ok(p) = PhoneNumber::parse(&s) {
                prop_assert!(p.e164().starts_with('+'));
                prop_assert!(p.digits().len() <= 15);
                prop_assert!(p.digits().bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(&PhoneNumber::parse(p.e164()).unwrap(), &p);
                prop_assert_eq!(&PhoneNumber::parse(&p.display()).unwrap(), &p);
                if p.digits().starts_with(INDIA) {
                    // A search typed the same way as the number finds it. (Only for Indian
                    // numbers: for others the key keeps a trunk 0 typed after the country
                    // code, as in "+44 (0)20", because it cannot tell where the code ends.)
                    let key = PhoneNumber::search_key(&s);
                    prop_assert!(key.is_none_or(|k| p.digits().contains(&k)), "{:?} -> {:?}", s, p);
                }
            }
        }

        #[test]
        fn every_indian_mobile_is_accepted_in_every_form(n in 6_000_000_000u64..10_000_000_000u64) {
            let national = n.to_string();
            let expected = format!("+91{national}");
            if let Ok(p) = PhoneNumber::parse(&national) {
                prop_assert_eq!(p.e164(), expected.as_str());
                for form in [format!("0{national}"), format!("+91 {national}"), format!("91{national}"), format!("0091{national}"), format!("{} {}", &national[..5], &national[5..])] {
                    prop_assert_eq!(PhoneNumber::parse(&form).map(String::from), Ok(expected.clone()), "form {}", form);
                }
            }
        }
    }
}
