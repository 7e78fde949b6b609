//! Privacy: the guard on free text, pseudonymous case references and anonymised
//! statistics.
//!
//! Caseway stores no name, birth date or personal identity number. Every free-text
//! field (case label, step notes, reasons, text record fields) goes through [`guard`]
//! before it is saved, so the command line and the desktop app refuse the same input.
//!
//! The guard refuses:
//! - personal identity numbers of the Baltic Sea region, only when their real check
//!   digits (and, where the scheme encodes one, the date) are right: Swedish
//!   personnummer and samordningsnummer, Norwegian fødselsnummer and D-number, Danish
//!   CPR, Finnish henkilötunnus, Icelandic kennitala, Estonian isikukood, Lithuanian
//!   asmens kodas, Latvian personas kods, Polish PESEL, German tax ID;
//! - e-mail addresses;
//! - phone numbers in international form (`+46 70 123 45 67`, `0047 912 34 567`) and in
//!   the national forms of the region (`070-123 45 67`, `08-123 456 78`, `912 34 567`,
//!   `(030) 1234567`), and any number written right after a word such as "tel" or "tlf";
//! - street addresses with a postcode (`Storgatan 12, 582 24 Linköping`,
//!   `Karl Johans gate 1, 0154 Oslo`).
//!
//! Deliberate choices, to keep false alarms low:
//! - Danish CPR numbers issued since 2007 need not satisfy the old modulo-11 rule, so
//!   `DDMMYY-SSSS` with a real date is refused whatever its last digit; ten bare digits
//!   count as a CPR number only when modulo 11 also holds.
//! - The Latvian code issued since 2017 has no date and no published check digit; it is
//!   recognised in its written form `32xxxx-xxxxx` only.
//! - Eight bare digits (a Norwegian or Danish phone number without spaces) and Polish
//!   `512 345 678` are not refused on their own (they read as ordinary numbers and
//!   amounts); with a `+47`/`+48` prefix or after "tel"/"tlf" they are.
//! - Ten bare digits starting with 0 read as a phone number (`0701234567`).
//!
//! Dates (`2026-03-14`, `14.03.2026`), times, durations (`72h`, `14d`), case
//! references (`BH-2026-7F3K`), step ids, amounts and numbers with a wrong check digit
//! pass.
//!
//! A [`Finding`] and a [`PiiError`] carry the kind and the character positions only,
//! never the matched text, so logging them cannot leak the value.

mod detect;
mod ids;
mod reference;
pub mod stats;

pub use reference::{is_reference, new_reference, REFERENCE_ALPHABET};

use std::fmt;

use serde::Serialize;
use thiserror::Error;

/// What kind of personal data the guard found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    SwedishPersonnummer,
    SwedishSamordningsnummer,
    NorwegianFodselsnummer,
    NorwegianDNumber,
    DanishCpr,
    FinnishHenkilotunnus,
    IcelandicKennitala,
    /// The Estonian and Lithuanian personal codes share one format and check digit.
    EstonianOrLithuanianPersonalCode,
    LatvianPersonasKods,
    PolishPesel,
    GermanTaxId,
    EmailAddress,
    PhoneNumber,
    StreetAddress,
}

impl PiiKind {
    /// Every kind, in a stable order.
    pub const ALL: [PiiKind; 14] = [
        PiiKind::SwedishPersonnummer,
        PiiKind::SwedishSamordningsnummer,
        PiiKind::NorwegianFodselsnummer,
        PiiKind::NorwegianDNumber,
        PiiKind::DanishCpr,
        PiiKind::FinnishHenkilotunnus,
        PiiKind::IcelandicKennitala,
        PiiKind::EstonianOrLithuanianPersonalCode,
        PiiKind::LatvianPersonasKods,
        PiiKind::PolishPesel,
        PiiKind::GermanTaxId,
        PiiKind::EmailAddress,
        PiiKind::PhoneNumber,
        PiiKind::StreetAddress,
    ];

    /// A name for people: "Swedish personnummer", "phone number".
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::SwedishPersonnummer => "Swedish personnummer",
            PiiKind::SwedishSamordningsnummer => "Swedish samordningsnummer",
            PiiKind::NorwegianFodselsnummer => "Norwegian fødselsnummer",
            PiiKind::NorwegianDNumber => "Norwegian D-number",
            PiiKind::DanishCpr => "Danish CPR number",
            PiiKind::FinnishHenkilotunnus => "Finnish henkilötunnus",
            PiiKind::IcelandicKennitala => "Icelandic kennitala",
            PiiKind::EstonianOrLithuanianPersonalCode => {
                "Estonian isikukood or Lithuanian asmens kodas"
            }
            PiiKind::LatvianPersonasKods => "Latvian personas kods",
            PiiKind::PolishPesel => "Polish PESEL",
            PiiKind::GermanTaxId => "German tax ID (Steuer-ID)",
            PiiKind::EmailAddress => "e-mail address",
            PiiKind::PhoneNumber => "phone number",
            PiiKind::StreetAddress => "street address with postcode",
        }
    }

    /// True for the personal identity number schemes.
    pub fn is_identity_number(self) -> bool {
        !matches!(
            self,
            PiiKind::EmailAddress | PiiKind::PhoneNumber | PiiKind::StreetAddress
        )
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of personal data found in a text: its kind and where it is, as character
/// offsets (`start` counted from 0, `end` exclusive), never the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

impl fmt::Display for Finding {
    /// "Swedish personnummer at characters 13–23" (counted from 1, inclusive).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at characters {}–{}",
            self.kind,
            self.start + 1,
            self.end
        )
    }
}

/// The guard refused a text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PiiError {
    /// Personal data was found in the named field. The message names the kinds and
    /// positions, not the values.
    #[error(
        "{field} was not saved: it contains {}. Caseway must not store personal data: \
         remove it (refer to the child by the case reference and use categories such as \
         the age band, never ID numbers, contact details or addresses), then save again",
        list_findings(.findings)
    )]
    Found {
        field: String,
        findings: Vec<Finding>,
    },
}

impl PiiError {
    /// The findings that made the guard refuse the text.
    pub fn findings(&self) -> &[Finding] {
        match self {
            PiiError::Found { findings, .. } => findings,
        }
    }

    /// The field the text was meant for.
    pub fn field(&self) -> &str {
        match self {
            PiiError::Found { field, .. } => field,
        }
    }
}

fn list_findings(findings: &[Finding]) -> String {
    let parts: Vec<String> = findings
        .iter()
        .map(|f| {
            let article = match f.kind.as_str().chars().next() {
                Some('a' | 'e' | 'i' | 'o' | 'u' | 'E' | 'I') => "an",
                _ => "a",
            };
            format!("{article} {f}")
        })
        .collect();
    parts.join(", ")
}

/// Find personal data in `text`. Findings are sorted by position and never overlap.
pub fn scan(text: &str) -> Vec<Finding> {
    let hits = detect::detect(text);
    if hits.is_empty() {
        return Vec::new();
    }
    // Byte offsets to character offsets.
    let mut boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    boundaries.push(text.len());
    let to_char = |byte: usize| boundaries.partition_point(|&b| b < byte);
    hits.into_iter()
        .map(|h| Finding {
            kind: h.kind,
            start: to_char(h.start),
            end: to_char(h.end),
        })
        .collect()
}

/// Refuse `text` for the free-text field `field` (e.g. "case label", "step note") if it
/// contains personal data. The error names the field, the kinds and the positions, and
/// says what to do; it never contains the text.
pub fn guard(field: &str, text: &str) -> Result<(), PiiError> {
    let findings = scan(text);
    if findings.is_empty() {
        Ok(())
    } else {
        Err(PiiError::Found {
            field: field.to_string(),
            findings,
        })
    }
}
