//! Turning an admin's list into lead rows: a CSV file with a header, or text pasted from
//! WhatsApp with one lead per line ("Ravi Kumar 98765 43210 Swift KA01AB1234"). Pure
//! functions, no database: every row comes back either as a candidate lead or as an error
//! that names the row and says what was wrong.

use dialbook_core::PhoneNumber;
use std::collections::BTreeMap;

/// One row that parsed, with its row number as the admin sees it (spreadsheet row for
/// CSV, line number for pasted text).
#[derive(Debug, Clone, PartialEq)]
pub struct RowLead {
    pub row: usize,
    pub name: String,
    pub mobile: PhoneNumber,
    pub alt_mobile: Option<PhoneNumber>,
    pub source: Option<String>,
    pub custom: BTreeMap<String, String>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub row: usize,
    pub message: String,
}

pub type Parsed = Vec<Result<RowLead, RowError>>;

/// Column names people use, mapped to our fields. Anything else becomes a custom field.
fn column(header: &str) -> Column {
    let h = header.trim().to_lowercase().replace(['_', '-', '.'], " ");
    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
    match h.as_str() {
        "name" | "full name" | "customer" | "customer name" | "lead" | "lead name" => Column::Name,
        "mobile" | "phone" | "number" | "mobile no" | "mobile number" | "phone number" | "contact" | "contact number" | "whatsapp" => Column::Mobile,
        "alt mobile" | "alternate mobile" | "alternate number" | "alt phone" | "other number" | "mobile 2" | "phone 2" => Column::AltMobile,
        "source" | "lead source" | "campaign" => Column::Source,
        "notes" | "note" | "remarks" | "comments" => Column::Notes,
        "" => Column::Skip,
        _ => Column::Custom(h.replace(' ', "_")),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Column {
    Name,
    Mobile,
    AltMobile,
    Source,
    Notes,
    Custom(String),
    Skip,
}

pub fn parse_csv(text: &str) -> Result<Parsed, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("the CSV header row could not be read: {e}"))?.clone();
    let columns: Vec<Column> = headers.iter().map(column).collect();
    if !columns.contains(&Column::Mobile) {
        return Err(format!(
            "no mobile number column: name one column \"mobile\" or \"phone\" (found: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let mut out = Vec::new();
    // A row is numbered by the line it starts on, as a spreadsheet or editor shows it.
    // The csv crate's own line count skips blank lines, so go by byte offset instead.
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    // The reported offset can point at the blank lines skipped before the row.
    let line_at = |byte: u64| {
        let byte = byte as usize;
        let start = text.get(byte..).and_then(|rest| rest.find(|c| c != '\n' && c != '\r')).map_or(byte, |skip| byte + skip);
        newlines.partition_point(|&nl| nl < start) + 1
    };
    let mut last_row = 1; // the header
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(last_row + 1, |p| line_at(p.byte()));
                out.push(Err(RowError { row, message: format!("unreadable CSV row: {e}") }));
                continue;
            }
        };
        let row = record.position().map_or(last_row + 1, |p| line_at(p.byte()));
        last_row = row;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        out.push(csv_row(row, &columns, &record));
    }
    Ok(out)
}

fn csv_row(row: usize, columns: &[Column], record: &csv::StringRecord) -> Result<RowLead, RowError> {
    let err = |message: String| RowError { row, message };
    let (mut name, mut mobile, mut alt, mut source, mut notes) = (String::new(), None, None, None, String::new());
    let mut custom = BTreeMap::new();
    for (col, value) in columns.iter().zip(record.iter()) {
        if value.is_empty() {
            continue;
        }
        match col {
            Column::Name => name = value.to_owned(),
            Column::Mobile => mobile = Some(PhoneNumber::parse(value).map_err(|e| err(format!("mobile: {e}")))?),
            Column::AltMobile => alt = Some(PhoneNumber::parse(value).map_err(|e| err(format!("alternate mobile: {e}")))?),
            Column::Source => source = Some(value.to_owned()),
            Column::Notes => notes = value.to_owned(),
            Column::Custom(key) => {
                custom.insert(key.clone(), value.to_owned());
            }
            Column::Skip => {}
        }
    }
    let mobile = mobile.ok_or_else(|| err("no mobile number".into()))?;
    if name.is_empty() {
        return Err(err("no name".into()));
    }
    Ok(RowLead { row, name, mobile, alt_mobile: alt, source, custom, notes })
}

/// Pasted text, one lead per line: a name, a phone number written any usual way, and
/// whatever else (kept as notes). Blank lines are skipped but still counted, so "line 7"
/// is line 7 of what was pasted.
pub fn parse_lines(text: &str) -> Parsed {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let row = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        out.push(line_lead(row, line));
    }
    out
}

fn line_lead(row: usize, line: &str) -> Result<RowLead, RowError> {
    let err = |message: String| RowError { row, message };
    let Some((start, end)) = phone_span(line) else {
        return Err(err(format!("no phone number found in {line:?}")));
    };
    let mobile = PhoneNumber::parse(&line[start..end]).map_err(|e| err(e.to_string()))?;
    let trim = |s: &str| s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ',' | ':' | '|' | '/' | '–' | '—' | '*' | '•')).to_owned();
    let name = trim(&line[..start]);
    let rest = trim(&line[end..]);
    let (name, notes) = if name.is_empty() {
        // "98765 43210 Ravi Kumar": the name is after the number.
        (rest, String::new())
    } else {
        (name, rest)
    };
    if name.is_empty() {
        return Err(err("no name next to the phone number".into()));
    }
    Ok(RowLead { row, name, mobile, alt_mobile: None, source: None, custom: BTreeMap::new(), notes })
}

/// The byte span of the first run of phone-number characters holding 10 to 14 digits.
/// This only finds the candidate; `PhoneNumber::parse` decides whether it is a number.
fn phone_span(line: &str) -> Option<(usize, usize)> {
    let is_phone_char = |c: char| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.');
    let mut iter = line.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        if !(c.is_ascii_digit() || c == '+' || c == '(') {
            continue;
        }
        let mut digits = usize::from(c.is_ascii_digit());
        let mut last_digit_end = if c.is_ascii_digit() { start + 1 } else { start };
        while let Some(&(i, c)) = iter.peek() {
            // After ten digits a space ends the number ("9876543210 2019 model": the
            // year is not part of it).
            if !is_phone_char(c) || (digits >= 10 && c == ' ') {
                break;
            }
            iter.next();
            if c.is_ascii_digit() {
                digits += 1;
                last_digit_end = i + 1;
            }
        }
        // 10 national digits, up to 14 with a 0091 prefix.
        if (10..=14).contains(&digits) {
            return Some((start, last_digit_end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(p: &Parsed, i: usize) -> &RowLead {
        p[i].as_ref().unwrap()
    }

    #[test]
    fn whatsapp_lines_in_the_usual_shapes() {
        let text = "Ravi Kumar 98765 43210 Swift\n\nPriya - +91 91234-56789 - i20 KA01AB1234\n09988776655 Suresh\nAnil: 12345\nno number here";
        let p = parse_lines(text);
        assert_eq!(p.len(), 5);
        assert_eq!(ok(&p, 0).name, "Ravi Kumar");
        assert_eq!(ok(&p, 0).mobile.e164(), "+919876543210");
        assert_eq!(ok(&p, 0).notes, "Swift");
        assert_eq!(ok(&p, 1).row, 3);
        assert_eq!(ok(&p, 1).name, "Priya");
        assert_eq!(ok(&p, 1).mobile.e164(), "+919123456789");
        assert_eq!(ok(&p, 1).notes, "i20 KA01AB1234");
        assert_eq!(ok(&p, 2).name, "Suresh");
        assert_eq!(ok(&p, 2).mobile.e164(), "+919988776655");
        let e = p[3].as_ref().unwrap_err();
        assert_eq!(e.row, 5);
        assert!(e.message.contains("no phone number"), "{}", e.message);
        assert!(p[4].is_err());
    }

    #[test]
    fn a_year_after_the_number_is_not_part_of_it() {
        let p = parse_lines("Meena 9876543210 2019 model Baleno");
        assert_eq!(ok(&p, 0).mobile.e164(), "+919876543210");
        assert_eq!(ok(&p, 0).notes, "2019 model Baleno");
    }

    #[test]
    fn csv_with_usual_headers_and_custom_columns() {
        let csv = "Name,Mobile Number,Car Model,Reg. No,Source\nRavi,98765 43210,Swift,KA01AB1234,Facebook\n,9123456789,i20,,\nSita,12345,,,\n\nGita,+91 99887 76655,,,\n";
        let p = parse_csv(csv).unwrap();
        assert_eq!(p.len(), 4);
        let ravi = ok(&p, 0);
        assert_eq!((ravi.row, ravi.name.as_str(), ravi.mobile.e164()), (2, "Ravi", "+919876543210"));
        assert_eq!(ravi.custom.get("car_model").map(String::as_str), Some("Swift"));
        assert_eq!(ravi.custom.get("reg_no").map(String::as_str), Some("KA01AB1234"));
        assert_eq!(ravi.source.as_deref(), Some("Facebook"));
        assert_eq!(p[1].as_ref().unwrap_err().row, 3);
        assert!(p[1].as_ref().unwrap_err().message.contains("no name"));
        assert!(p[2].as_ref().unwrap_err().message.starts_with("mobile:"));
        assert_eq!(ok(&p, 3).row, 6);
    }

    #[test]
    fn csv_without_a_mobile_column_says_so() {
        let e = parse_csv("Name,City\nRavi,Pune\n").unwrap_err();
        assert!(e.contains("no mobile number column"), "{e}");
    }
}
