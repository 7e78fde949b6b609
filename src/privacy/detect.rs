//! Candidate patterns (regular expressions) and their validation.
//!
//! Every pattern only proposes a span; a personal identity number is reported only when
//! its check digits and date are right, so dates, amounts, references and numbers with a
//! wrong check digit pass. Offsets here are byte offsets; `scan` turns them into
//! character offsets.

use std::sync::LazyLock;

use regex::Regex;

use super::{ids, PiiKind};

/// A detection before overlap resolution: byte range and kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

fn re(pattern: &str) -> Regex {
    // The patterns are fixed strings of this module, covered by its tests.
    Regex::new(pattern).expect("built-in pattern must compile")
}

// 12 digits with the century: Swedish `YYYYMMDD-NNNC` (separator optional).
static SE_LONG: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b((?:18|19|20)[0-9]{6})[-+]?([0-9]{4})\b"));
// 6 digits, a separator or Finnish century sign, 3 digits and a check character.
static SIX_FOUR: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b([0-9]{6})([-+A-Fa-fU-Yu-y])([0-9]{3})([0-9A-Ya-y])\b"));
// 6 digits, a space or hyphen, 5 digits: Norwegian (space) or Latvian (hyphen) style.
static SIX_FIVE: LazyLock<Regex> = LazyLock::new(|| re(r"\b([0-9]{6})([-\p{Zs}])([0-9]{5})\b"));
static ELEVEN: LazyLock<Regex> = LazyLock::new(|| re(r"\b[0-9]{11}\b"));
static TEN: LazyLock<Regex> = LazyLock::new(|| re(r"\b[0-9]{10}\b"));
// German tax ID as printed on letters: `12 345 678 901`.
static DE_GROUPED: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b[0-9]{2}\p{Zs}[0-9]{3}\p{Zs}[0-9]{3}\p{Zs}[0-9]{3}\b"));

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"[\p{L}\p{N}._%+\-]+\s?(?:@|\[at\]|\(at\))\s?[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}",
    )
});

// +CC or 00CC, an optional (0), then 6 to 12 digits with single separators.
static PHONE_INTL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:\+|\b00)[1-9][0-9]{0,2}(?:[\p{Zs}\-.]?\(0\))?(?:[\p{Zs}\-./]?[0-9]){6,12}\b")
});
// National form with the trunk 0 and typical grouping: 070-123 45 67, 08-123 456 78,
// 040 123 4567, (030) 1234567, 030/1234567, 0701234567.
static PHONE_TRUNK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\(0[0-9]{1,4}\)|\b0[0-9]{1,4})(?:\s?[-/]\s?|\s)?[0-9]{2,8}(?:[\p{Zs}\-][0-9]{2,4}){0,3}\b",
    )
});
// National forms without a trunk prefix, only in groupings that are not thousands
// separators: Norwegian 912 34 567, Norwegian/Danish 22 12 34 56, Estonian 5123 4567,
// Icelandic 581 2345, Lithuanian 8 612 34567.
static PHONE_GROUPED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:[2-9][0-9]{2}\p{Zs}[0-9]{2}\p{Zs}[0-9]{3}|[2-9][0-9]\p{Zs}[0-9]{2}\p{Zs}[0-9]{2}\p{Zs}[0-9]{2}|5[0-9]{3}\p{Zs}[0-9]{4}|[4-8][0-9]{2}\p{Zs}[0-9]{4}|8[\p{Zs}\-]?6[0-9]{2}[\p{Zs}\-]?[0-9]{5})\b",
    )
});
// A number right after a word that says it is a phone number.
static PHONE_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:tel|tlf|tfn|telefon|telephone|phone|puh|puhelin|mob|mobil|mobile|mobiltelefon|handy|sms)\.?:?\s*([0-9][0-9\p{Zs}\-]{5,14}[0-9])\b",
    )
});

// Dates and times, hidden before looking for phone numbers so that 01-03-2026 14:00
// is never read as one.
static DATE_OR_TIME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[./\-][0-9]{1,2}[./\-](?:[0-9]{4}|[0-9]{2})|[0-9]{1,2}[:.][0-9]{2}(?::[0-9]{2})?)\b",
    )
});

// A street name, a house number and a postcode with its town (or town then a
// Latvian/Lithuanian postcode). The last street word is checked in code.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?x)
        (?P<street>
            \b
            (?:(?i:ul\.|ulica|al\.|aleja)\s+)?
            (?:\p{Lu}[\p{L}'’.\-]*\s+){0,3}
            \p{L}[\p{L}'’.\-]*
        )
        \s+
        (?P<house>[0-9]{1,4}(?:\s?[A-Za-z])?(?:[\-/][0-9]{1,4})?)
        \s*,?\s*
        (?:
            (?P<postcode>(?:(?:LV|LT|EE|DE|SE|NO|DK|FI|PL|IS)-)?(?:[0-9]{3}\s?[0-9]{2}|[0-9]{4,5}|[0-9]{2}-[0-9]{3}|[0-9]{3}))
            \s+
            (?P<town>\p{Lu}[\p{L}\-]+)
          |
            (?P<town2>\p{Lu}[\p{L}\-]+)\s*,\s*
            (?P<postcode2>(?:LV|LT)-[0-9]{4,5})
        )
    ")
});

/// Endings (and whole words) that mark a street name in the region's languages.
#[rustfmt::skip]
const STREET_ENDINGS: &[&str] = &[
    // Swedish
    "gatan", "gata", "vägen", "väg", "gränd", "torget", "torg", "stigen", "backe", "backen",
    "allén", "leden", "esplanaden", "kajen",
    // Norwegian, Danish
    "gaten", "veien", "vei", "vegen", "veg", "vej", "vejen", "gade", "gaden", "allé", "alle",
    "plads", "pladsen", "stræde", "strædet", "vænget", "torv", "torvet", "bakken", "stien",
    "ringen", "plassen",
    // Finnish
    "katu", "tie", "kuja", "polku", "tori", "raitti", "väylä", "kaari", "rinne", "ranta",
    // German
    "straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "damm", "ufer", "chaussee",
    "markt", "steig", "pfad",
    // Icelandic
    "vegur", "stræti", "braut", "stígur", "tröð",
    // Estonian
    "tänav", "tn", "tn.", "mnt", "mnt.", "maantee", "pst", "pst.", "puiestee",
    // Latvian
    "iela", "bulvāris", "gatve", "prospekts",
    // Lithuanian
    "gatvė", "g.", "pr.", "prospektas", "al.", "alėja",
    // Polish (the prefix words ul., al. are handled by the pattern)
    "ulica",
    // English
    "street", "st.", "road", "rd.", "avenue", "ave.", "lane",
];

/// Street words that are only recognised on their own, as their endings are too common
/// in ordinary words ("investigate").
const STREET_WORDS: &[&str] = &["gate", "ring"];

fn is_street_word(word: &str) -> bool {
    let w = word.to_lowercase();
    STREET_WORDS.contains(&w.as_str()) || STREET_ENDINGS.iter().any(|e| w.ends_with(e))
}

fn has_distinctive_postcode(postcode: &str) -> bool {
    // Swedish `582 24`, Polish `00-590`, Latvian `LV-1010`, Lithuanian `LT-01103`.
    let p = postcode.trim();
    p.contains(' ') || p.contains('-')
}

fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn identity_numbers(text: &str, hits: &mut Vec<Hit>) {
    let mut push = |kind: Option<PiiKind>, start: usize, end: usize| {
        if let Some(kind) = kind {
            hits.push(Hit { kind, start, end });
        }
    };
    for c in SE_LONG.captures_iter(text) {
        let m = c.get(0).map(|m| (m.start(), m.end()));
        if let (Some((s, e)), Some(a), Some(b)) = (m, c.get(1), c.get(2)) {
            push(ids::swedish(&format!("{}{}", a.as_str(), b.as_str())), s, e);
        }
    }
    for c in SIX_FOUR.captures_iter(text) {
        let (Some(all), Some(date), Some(sign), Some(ind), Some(check)) =
            (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4))
        else {
            continue;
        };
        let sign_char = sign.as_str().chars().next().unwrap_or(' ');
        let check_char = check.as_str().chars().next().unwrap_or(' ');
        let finnish = ids::finnish(date.as_str(), sign_char, ind.as_str(), check_char);
        let kind = if (sign_char == '-' || sign_char == '+') && check_char.is_ascii_digit() {
            let ten = format!("{}{}{}", date.as_str(), ind.as_str(), check_char);
            ids::swedish(&ten)
                .or_else(|| ids::icelandic(&ten))
                .or(finnish)
                .or_else(|| {
                    if sign_char == '-' {
                        ids::danish(&ten, true)
                    } else {
                        None
                    }
                })
        } else {
            finnish
        };
        push(kind, all.start(), all.end());
    }
    for c in SIX_FIVE.captures_iter(text) {
        let (Some(all), Some(a), Some(sep), Some(b)) = (c.get(0), c.get(1), c.get(2), c.get(3))
        else {
            continue;
        };
        let eleven = format!("{}{}", a.as_str(), b.as_str());
        let kind = ids::norwegian(&eleven).or_else(|| {
            if sep.as_str() != "-" {
                None
            } else if a.as_str().starts_with("32") {
                // The Latvian code issued since 2017 carries no date and no published
                // check digit; its shape `32xxxx-xxxxx` is all there is to go on.
                Some(PiiKind::LatvianPersonasKods)
            } else {
                ids::latvian_old(&eleven)
            }
        });
        push(kind, all.start(), all.end());
    }
    for m in ELEVEN.find_iter(text) {
        let s = m.as_str();
        let kind = ids::norwegian(s)
            .or_else(|| ids::polish(s))
            .or_else(|| ids::estonian_lithuanian(s))
            .or_else(|| ids::latvian_old(s))
            .or_else(|| ids::german_tax_id(s));
        push(kind, m.start(), m.end());
    }
    for m in TEN.find_iter(text) {
        let s = m.as_str();
        let kind = ids::swedish(s)
            .or_else(|| ids::icelandic(s))
            .or_else(|| ids::danish(s, false));
        push(kind, m.start(), m.end());
    }
    for m in DE_GROUPED.find_iter(text) {
        push(
            ids::german_tax_id(&digits_only(m.as_str())),
            m.start(),
            m.end(),
        );
    }
}

fn emails(text: &str, hits: &mut Vec<Hit>) {
    for m in EMAIL.find_iter(text) {
        hits.push(Hit {
            kind: PiiKind::EmailAddress,
            start: m.start(),
            end: m.end(),
        });
    }
}

fn addresses(text: &str, hits: &mut Vec<Hit>) {
    for c in ADDRESS.captures_iter(text) {
        let (Some(all), Some(street)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let last_word = street.as_str().split_whitespace().last().unwrap_or("");
        let prefixed = street
            .as_str()
            .split_whitespace()
            .next()
            .map(|w| ["ul.", "ulica", "al.", "aleja"].contains(&w.to_lowercase().as_str()))
            .unwrap_or(false);
        let postcode = c
            .name("postcode")
            .or_else(|| c.name("postcode2"))
            .map(|m| m.as_str())
            .unwrap_or("");
        if is_street_word(last_word) || prefixed || has_distinctive_postcode(postcode) {
            hits.push(Hit {
                kind: PiiKind::StreetAddress,
                start: street.start(),
                end: all.end(),
            });
        }
    }
}

/// Shapes that belong to identity numbers: a phone pattern must not report them (an
/// identity number with a wrong check digit passes the guard).
fn identity_shaped(candidate: &str) -> bool {
    static SHAPE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?:[0-9]{6}[-+A-Za-z][0-9]{3}[0-9A-Za-z]|[0-9]{6}[-\p{Zs}][0-9]{5}|[0-9]{8}[-+]?[0-9]{4}|[0-9]{11}|[0-9]{2}\p{Zs}[0-9]{3}\p{Zs}[0-9]{3}\p{Zs}[0-9]{3})$",
        )
    });
    SHAPE.is_match(candidate.trim())
}

fn phones(text: &str, hits: &mut Vec<Hit>) {
    // Hide dates and times with letters of the same byte length, keeping offsets.
    let mut masked = text.to_string();
    for m in DATE_OR_TIME.find_iter(text) {
        masked.replace_range(m.range(), &"x".repeat(m.len()));
    }
    let count_digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
    let mut push = |start: usize, end: usize| {
        hits.push(Hit {
            kind: PiiKind::PhoneNumber,
            start,
            end,
        })
    };
    for m in PHONE_INTL.find_iter(&masked) {
        let n = count_digits(m.as_str());
        if (8..=15).contains(&n) {
            push(m.start(), m.end());
        }
    }
    for m in PHONE_TRUNK.find_iter(&masked) {
        let n = count_digits(m.as_str());
        if (9..=12).contains(&n) && !identity_shaped(m.as_str()) {
            push(m.start(), m.end());
        }
    }
    for m in PHONE_GROUPED.find_iter(&masked) {
        push(m.start(), m.end());
    }
    for c in PHONE_LABELLED.captures_iter(&masked) {
        if let Some(m) = c.get(1) {
            let n = count_digits(m.as_str());
            if (6..=12).contains(&n) && !identity_shaped(m.as_str()) {
                push(m.start(), m.end());
            }
        }
    }
}

/// All detections in `text`, sorted by position, overlaps resolved in favour of the
/// more specific kind (identity numbers, then e-mail, street address, phone).
pub(crate) fn detect(text: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    identity_numbers(text, &mut hits);
    emails(text, &mut hits);
    addresses(text, &mut hits);
    phones(text, &mut hits);
    // `hits` is in priority order; keep each hit that does not overlap one kept before.
    let mut kept: Vec<Hit> = Vec::new();
    for h in hits {
        if !kept.iter().any(|k| h.start < k.end && k.start < h.end) {
            kept.push(h);
        }
    }
    kept.sort_by_key(|h| (h.start, h.end));
    kept
}
