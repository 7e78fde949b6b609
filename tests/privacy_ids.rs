//! Table-driven test of the identity number schemes: every valid number (published
//! examples where they exist, the rest computed with each scheme's own algorithm) is
//! refused with the right kind, and the same number with a wrong check digit passes.

use caseway::privacy::{guard, scan, PiiKind};
use PiiKind::*;

/// (valid number as written, kind, the same number with a wrong check digit)
///
/// A Swedish number written `YYMMDD-NNNC` whose first six digits also read as a real
/// `DDMMYY` date, and any Icelandic kennitala written `DDMMYY-NNNN`, is refused as a
/// Danish CPR number when its own check digit is wrong (the forms cannot be told apart,
/// and a CPR number needs no check digit); such invalid examples are written without
/// the separator here, see
/// `ambiguous_swedish_and_danish_forms` below.
const TABLE: &[(&str, PiiKind, &str)] = &[
    // Sweden: Skatteverket's example 811218-9876, its samordningsnummer example
    // 701063-2391, and computed numbers (Luhn over YYMMDDNNN).
    ("811218-9876", SwedishPersonnummer, "811218-9875"),
    ("19811218-9876", SwedishPersonnummer, "19811218-9877"),
    ("198112189876", SwedishPersonnummer, "198112189870"),
    ("8112189876", SwedishPersonnummer, "8112189874"),
    ("811218+9876", SwedishPersonnummer, "811218+9871"),
    ("150630-4128", SwedishPersonnummer, "1506304129"),
    ("20100317-2382", SwedishPersonnummer, "20100317-2383"),
    ("701063-2391", SwedishSamordningsnummer, "701063-2392"),
    ("120375-1233", SwedishSamordningsnummer, "1203751234"),
    // Norway: published example 151086 95088 (and its invalid twin 15108695077), computed
    // D-number (day + 40) and a child's number.
    ("151086 95088", NorwegianFodselsnummer, "151086 95077"),
    ("15108695088", NorwegianFodselsnummer, "15108695077"),
    ("24031551222", NorwegianFodselsnummer, "24031551223"),
    ("41019012393", NorwegianDNumber, "41019012394"),
    // Denmark: date-valid DDMMYY-SSSS with separator; bare ten digits need modulo 11
    // (211062-5629 is a published example that satisfies it).
    ("211062-5629", DanishCpr, "311162-5629"),
    ("2110625629", DanishCpr, "2110625628"),
    ("010615-4322", DanishCpr, "320615-4322"),
    // Finland: published example 131052-308T; computed numbers for other century signs.
    ("131052-308T", FinnishHenkilotunnus, "131052-308U"),
    ("010115A1239", FinnishHenkilotunnus, "010115A1238"),
    ("240398-112T", FinnishHenkilotunnus, "240398-112S"),
    ("170717B046F", FinnishHenkilotunnus, "170717B046E"),
    // Iceland: published example 120174-3399 (530575-0299 is its invalid example);
    // computed child's kennitala (century digit 0).
    ("120174-3399", IcelandicKennitala, "1201743389"),
    ("1201743399", IcelandicKennitala, "1201743389"),
    ("300612-5550", IcelandicKennitala, "3006125560"),
    // Estonia: common example 37605030299, computed children's codes, one whose check
    // digit needs the second weight stage.
    (
        "37605030299",
        EstonianOrLithuanianPersonalCode,
        "37605030298",
    ),
    (
        "61501010122",
        EstonianOrLithuanianPersonalCode,
        "61501010123",
    ),
    (
        "51206301232",
        EstonianOrLithuanianPersonalCode,
        "51206301233",
    ),
    (
        "51001010028",
        EstonianOrLithuanianPersonalCode,
        "51001010029",
    ),
    // Lithuania: published example 33309240064 (33309240164 invalid), computed child.
    (
        "33309240064",
        EstonianOrLithuanianPersonalCode,
        "33309240164",
    ),
    (
        "50907111238",
        EstonianOrLithuanianPersonalCode,
        "50907111239",
    ),
    // Latvia: published example 161175-19997, computed old-form codes, and the form
    // issued since 2017 (32xxxx-xxxxx), which has no check digit to get wrong.
    ("161175-19997", LatvianPersonasKods, "161175-19998"),
    ("010210-21236", LatvianPersonasKods, "010210-21237"),
    ("30061213454", LatvianPersonasKods, "30061213455"),
    ("321234-56789", LatvianPersonasKods, "331234-56789"),
    // Poland: published example 44051401359, computed children born in the 2000s
    // (month + 20).
    ("44051401359", PolishPesel, "44051401358"),
    ("15260301237", PolishPesel, "15260301238"),
    ("09210154327", PolishPesel, "09210154328"),
    // Germany: example 36 574 261 809, 86095742719, and a computed one; the invalid
    // 26475918307 has a correct ISO 7064 digit but breaks the digit-frequency rule.
    ("36 574 261 809", GermanTaxId, "36 574 261 808"),
    ("86095742719", GermanTaxId, "86095742718"),
    ("11234567890", GermanTaxId, "26475918307"),
];

#[test]
fn valid_numbers_are_refused_with_their_kind() {
    for &(valid, kind, _) in TABLE {
        for text in [
            valid.to_string(),
            format!("Child's number is {valid}."),
            format!("({valid})"),
        ] {
            let found = scan(&text);
            assert_eq!(
                found.len(),
                1,
                "{text:?}: expected one finding, got {found:?}"
            );
            assert_eq!(found[0].kind, kind, "{text:?}");
            let shown: String = text
                .chars()
                .skip(found[0].start)
                .take(found[0].end - found[0].start)
                .collect();
            assert_eq!(shown, valid, "position of {valid} in {text:?}");
        }
        assert!(guard("note", valid).is_err(), "{valid} should be refused");
    }
}

#[test]
fn numbers_with_a_wrong_check_digit_pass() {
    for &(valid, _, invalid) in TABLE {
        assert_ne!(valid, invalid);
        let text = format!("Number {invalid} noted.");
        assert_eq!(
            scan(&text),
            vec![],
            "{text:?} should pass: its check digit is wrong"
        );
        assert!(guard("note", invalid).is_ok(), "{invalid} should pass");
    }
}

#[test]
fn impossible_dates_pass_even_with_right_check_digits() {
    // Luhn-valid but the 13th month: not a personnummer.
    let luhn_ok_bad_month = "811318-9875";
    assert_eq!(scan(luhn_ok_bad_month), vec![]);
    // PESEL with month 13: weights give 3, but there is no 13th month in any century.
    assert_eq!(scan("44131401353"), vec![]);
}

#[test]
fn every_identity_scheme_is_covered_by_the_table() {
    for kind in PiiKind::ALL.into_iter().filter(|k| k.is_identity_number()) {
        assert!(
            TABLE.iter().any(|&(_, k, _)| k == kind),
            "no table row for {kind}"
        );
    }
}

#[test]
fn ambiguous_swedish_and_danish_forms() {
    // 150630-4129: a Swedish number with a wrong Luhn digit, and also 15 June 1930 as a
    // Danish CPR number, which has no check digit to get wrong: refused as the latter.
    let found = scan("150630-4129");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, DanishCpr);
    // Without the separator a Danish number must satisfy modulo 11, so it passes.
    assert_eq!(scan("1506304129"), vec![]);
    // The same holds for a kennitala with a wrong check digit.
    assert_eq!(scan("120174-3389")[0].kind, DanishCpr);
    assert_eq!(scan("1201743389"), vec![]);
}
