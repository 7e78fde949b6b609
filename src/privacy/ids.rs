//! Check-digit and date rules of the personal identity numbers the guard refuses.
//!
//! Each function takes the digits (and check character) without separators and
//! answers whether they form a number that could have been issued: a real date
//! where the scheme encodes one, and the scheme's own check digits. A number
//! with a wrong check digit is not an identity number and passes the guard.

use chrono::NaiveDate;

use super::PiiKind;

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

fn num(d: &[u32]) -> u32 {
    d.iter().fold(0, |acc, x| acc * 10 + x)
}

fn valid_date(year: i32, month: u32, day: u32) -> bool {
    NaiveDate::from_ymd_opt(year, month, day).is_some()
}

/// A date with a two-digit year whose century the number does not tell:
/// valid if it is a real date in any of the last three centuries.
fn valid_date_any_century(yy: u32, month: u32, day: u32) -> bool {
    [1800, 1900, 2000]
        .iter()
        .any(|c| valid_date(c + yy as i32, month, day))
}

fn weighted(d: &[u32], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(a, b)| a * b).sum()
}

fn luhn_valid(d: &[u32]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    sum % 10 == 0
}

/// Swedish personnummer or samordningsnummer: 10 digits `YYMMDDNNNC`, or 12 with the
/// century first. Luhn over the last ten; the day is raised by 60 in a samordningsnummer.
pub(crate) fn swedish(s: &str) -> Option<PiiKind> {
    let d = digits(s)?;
    let (century, d) = match d.len() {
        10 => (None, &d[..]),
        12 => (Some(num(&d[0..2])), &d[2..]),
        _ => return None,
    };
    if !luhn_valid(d) {
        return None;
    }
    let (yy, mm, dd) = (num(&d[0..2]), num(&d[2..4]), num(&d[4..6]));
    let (day, kind) = if dd > 60 {
        (dd - 60, PiiKind::SwedishSamordningsnummer)
    } else {
        (dd, PiiKind::SwedishPersonnummer)
    };
    let date_ok = match century {
        Some(c @ 18..=20) => valid_date((c * 100 + yy) as i32, mm, day),
        Some(_) => false,
        None => valid_date_any_century(yy, mm, day),
    };
    date_ok.then_some(kind)
}

/// Norwegian fødselsnummer `DDMMYYIIIKK` with two modulo-11 check digits. A D-number has
/// 40 added to the day; H-numbers (month + 40) and synthetic test numbers (month + 80)
/// are refused as well, as they are shaped and checked the same way.
pub(crate) fn norwegian(s: &str) -> Option<PiiKind> {
    let d = digits(s)?;
    if d.len() != 11 {
        return None;
    }
    let mod11 = |w: &[u32]| -> Option<u32> {
        match 11 - weighted(&d, w) % 11 {
            11 => Some(0),
            10 => None,
            k => Some(k),
        }
    };
    let k1 = mod11(&[3, 7, 6, 1, 8, 9, 4, 5, 2])?;
    if k1 != d[9] {
        return None;
    }
    let k2 = mod11(&[5, 4, 3, 2, 7, 6, 5, 4, 3, 2])?;
    if k2 != d[10] {
        return None;
    }
    let (dd, mm, yy) = (num(&d[0..2]), num(&d[2..4]), num(&d[4..6]));
    let (day, kind) = if dd > 40 {
        (dd - 40, PiiKind::NorwegianDNumber)
    } else {
        (dd, PiiKind::NorwegianFodselsnummer)
    };
    let month = match mm {
        81..=92 => mm - 80,
        41..=52 => mm - 40,
        m => m,
    };
    valid_date_any_century(yy, month, day).then_some(kind)
}

/// Danish CPR `DDMMYYSSSS`. Since 2007 not every CPR number satisfies the old modulo-11
/// rule, so with the usual separator (`DDMMYY-SSSS`) a real date is enough; ten bare
/// digits are refused only when they also satisfy modulo 11, to keep ordinary ten-digit
/// numbers usable.
pub(crate) fn danish(s: &str, with_separator: bool) -> Option<PiiKind> {
    let d = digits(s)?;
    if d.len() != 10 {
        return None;
    }
    let (dd, mm, yy) = (num(&d[0..2]), num(&d[2..4]), num(&d[4..6]));
    if !valid_date_any_century(yy, mm, dd) {
        return None;
    }
    let mod11_ok = weighted(&d, &[4, 3, 2, 7, 6, 5, 4, 3, 2, 1]) % 11 == 0;
    (with_separator || mod11_ok).then_some(PiiKind::DanishCpr)
}

/// Icelandic kennitala `DDMMYYRRCM` of a person: modulo-11 check digit C and century
/// digit M (8, 9 or 0).
pub(crate) fn icelandic(s: &str) -> Option<PiiKind> {
    let d = digits(s)?;
    if d.len() != 10 {
        return None;
    }
    let r = weighted(&d[..8], &[3, 2, 7, 6, 5, 4, 3, 2]) % 11;
    let check = if r == 0 { 0 } else { 11 - r };
    if check == 10 || check != d[8] {
        return None;
    }
    let century = match d[9] {
        8 => 1800,
        9 => 1900,
        0 => 2000,
        _ => return None,
    };
    let (dd, mm, yy) = (num(&d[0..2]), num(&d[2..4]), num(&d[4..6]));
    valid_date(century + yy as i32, mm, dd).then_some(PiiKind::IcelandicKennitala)
}

/// Finnish henkilötunnus `DDMMYYCZZZQ`: century sign C, individual number ZZZ and the
/// check character Q = `0123456789ABCDEFHJKLMNPRSTUVWXY`[DDMMYYZZZ mod 31].
pub(crate) fn finnish(date: &str, sign: char, individual: &str, check: char) -> Option<PiiKind> {
    const CHECK_CHARS: &[u8] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let dd = digits(date)?;
    let zz = digits(individual)?;
    if dd.len() != 6 || zz.len() != 3 {
        return None;
    }
    let century = match sign.to_ascii_uppercase() {
        '+' => 1800,
        '-' | 'Y' | 'X' | 'W' | 'V' | 'U' => 1900,
        'A' | 'B' | 'C' | 'D' | 'E' | 'F' => 2000,
        _ => return None,
    };
    let individual_no = num(&zz);
    if individual_no < 2 {
        return None;
    }
    let n = num(&dd) as u64 * 1000 + individual_no as u64;
    let expected = CHECK_CHARS[(n % 31) as usize] as char;
    if expected != check.to_ascii_uppercase() {
        return None;
    }
    let (day, month, yy) = (num(&dd[0..2]), num(&dd[2..4]), num(&dd[4..6]));
    valid_date(century + yy as i32, month, day).then_some(PiiKind::FinnishHenkilotunnus)
}

/// Estonian isikukood and Lithuanian asmens kodas `GYYMMDDSSSC`: G gives sex and century,
/// C is the two-stage modulo-11 check digit.
pub(crate) fn estonian_lithuanian(s: &str) -> Option<PiiKind> {
    let d = digits(s)?;
    if d.len() != 11 {
        return None;
    }
    let century = match d[0] {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        7 | 8 => 2100,
        _ => return None,
    };
    let mut r = weighted(&d[..10], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 1]) % 11;
    if r == 10 {
        r = weighted(&d[..10], &[3, 4, 5, 6, 7, 8, 9, 1, 2, 3]) % 11;
        if r == 10 {
            r = 0;
        }
    }
    if r != d[10] {
        return None;
    }
    let (yy, mm, dd) = (num(&d[1..3]), num(&d[3..5]), num(&d[5..7]));
    valid_date(century + yy as i32, mm, dd).then_some(PiiKind::EstonianOrLithuanianPersonalCode)
}

/// Latvian personas kods in the old form `DDMMYYCNNNK`: century digit C (0, 1, 2) and
/// check digit K = (1101 − Σ wᵢdᵢ) mod 11 mod 10 with weights 1,6,3,7,9,10,5,8,4,2.
pub(crate) fn latvian_old(s: &str) -> Option<PiiKind> {
    let d = digits(s)?;
    if d.len() != 11 || d[6] > 2 {
        return None;
    }
    let sum = weighted(&d[..10], &[1, 6, 3, 7, 9, 10, 5, 8, 4, 2]);
    // The weighted sum is at most 9 × 55 = 495, so the subtraction cannot underflow.
    let check = (1101 - sum) % 11 % 10;
    if check != d[10] {
        return None;
    }
    let (dd, mm, yy) = (num(&d[0..2]), num(&d[2..4]), num(&d[4..6]));
    let century = 1800 + 100 * d[6] as i32;
    valid_date(century + yy as i32, mm, dd).then_some(PiiKind::LatvianPersonasKods)
}

/// Polish PESEL `YYMMDDZZZXQ`: the month carries the century (+80 1800s, +0 1900s,
/// +20 2000s, +40 2100s, +60 2200s); Q from weights 1,3,7,9.
pub(crate) fn polish(s: &str) -> Option<PiiKind> {
    let d = digits(s)?;
    if d.len() != 11 {
        return None;
    }
    let check = (10 - weighted(&d[..10], &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10) % 10;
    if check != d[10] {
        return None;
    }
    let (yy, mm, dd) = (num(&d[0..2]), num(&d[2..4]), num(&d[4..6]));
    let (century, month) = match mm {
        81..=92 => (1800, mm - 80),
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        _ => return None,
    };
    valid_date(century + yy as i32, month, dd).then_some(PiiKind::PolishPesel)
}

/// German Steuer-ID: 11 digits, no leading zero; in the first ten exactly one digit
/// occurs twice or three times (never three in a row) and the others at most once; the
/// last is the ISO 7064 MOD 11,10 check digit.
pub(crate) fn german_tax_id(s: &str) -> Option<PiiKind> {
    let d = digits(s)?;
    if d.len() != 11 || d[0] == 0 {
        return None;
    }
    let mut counts = [0u32; 10];
    for &x in &d[..10] {
        counts[x as usize] += 1;
    }
    let repeated: Vec<u32> = counts.iter().copied().filter(|&c| c > 1).collect();
    if repeated.len() != 1 || repeated[0] > 3 {
        return None;
    }
    if d[..10].windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return None;
    }
    let mut product = 10;
    for &x in &d[..10] {
        let mut sum = (x + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = match 11 - product {
        10 => 0,
        c => c,
    };
    (check == d[10]).then_some(PiiKind::GermanTaxId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_examples_validate() {
        assert_eq!(swedish("8112189876"), Some(PiiKind::SwedishPersonnummer));
        assert_eq!(swedish("198112189876"), Some(PiiKind::SwedishPersonnummer));
        assert_eq!(
            swedish("7010632391"),
            Some(PiiKind::SwedishSamordningsnummer)
        );
        assert_eq!(
            norwegian("15108695088"),
            Some(PiiKind::NorwegianFodselsnummer)
        );
        assert_eq!(icelandic("1201743399"), Some(PiiKind::IcelandicKennitala));
        assert_eq!(
            finnish("131052", '-', "308", 'T'),
            Some(PiiKind::FinnishHenkilotunnus)
        );
        assert!(estonian_lithuanian("33309240064").is_some());
        assert!(estonian_lithuanian("37605030299").is_some());
        assert!(latvian_old("16117519997").is_some());
        assert!(polish("44051401359").is_some());
        assert!(german_tax_id("36574261809").is_some());
        assert!(danish("2110625629", false).is_some());
    }

    #[test]
    fn wrong_check_digits_fail() {
        assert_eq!(swedish("8112189875"), None);
        assert_eq!(norwegian("15108695077"), None);
        assert_eq!(icelandic("5305750299"), None);
        assert_eq!(finnish("131052", '-', "308", 'U'), None);
        assert_eq!(estonian_lithuanian("33309240164"), None);
        assert_eq!(latvian_old("16117519998"), None);
        assert_eq!(polish("44051401358"), None);
        assert_eq!(german_tax_id("36574261808"), None);
    }

    #[test]
    fn impossible_dates_fail_even_with_a_good_check_digit() {
        // Danish CPR with separator needs only a real date: 31 February is not one.
        assert_eq!(danish("3102851234", true), None);
        assert_eq!(danish("2802851234", true), Some(PiiKind::DanishCpr));
    }
}
