//! The PII guard on free text: what it refuses, what it lets through, and that it
//! never repeats the value it found.

use caseway::privacy::{guard, scan, Finding, PiiError, PiiKind};

fn kinds(text: &str) -> Vec<PiiKind> {
    scan(text).into_iter().map(|f| f.kind).collect()
}

#[track_caller]
fn refused_as(text: &str, kind: PiiKind) {
    let found = kinds(text);
    assert_eq!(found, vec![kind], "{text:?} should be refused as {kind}");
}

#[track_caller]
fn passes(text: &str) {
    assert_eq!(scan(text), Vec::<Finding>::new(), "{text:?} should pass");
}

#[test]
fn brief_examples_of_contact_details_are_refused() {
    refused_as("ring 070-123 45 67 efter skolan", PiiKind::PhoneNumber);
    refused_as("växel 08-123 456 78", PiiKind::PhoneNumber);
    refused_as("mor: +47 912 34 567", PiiKind::PhoneNumber);
    refused_as(
        "bor på Storgatan 12, 582 24 Linköping",
        PiiKind::StreetAddress,
    );
    refused_as(
        "adresse Karl Johans gate 1, 0154 Oslo",
        PiiKind::StreetAddress,
    );
    refused_as("skriv till anna.svensson@example.se", PiiKind::EmailAddress);
}

#[test]
fn ordinary_case_text_passes() {
    passes("Interview planned 2026-03-14 at 09:30, medical exam 14.03.2026 10.00-11.30");
    passes("Samples within 72h; decision within 14d; BH-2026-7F3K reviewed");
    passes("Step police.interview done; 3 devices seized, 12 500 SEK, 1 250 000 images");
    passes("Report 0930-1100; case 2 of 5; age band 13-15; 01-03-2026 14:00");
}

#[test]
fn finding_positions_are_characters_not_bytes() {
    let text = "Åsa ö: 811218-9876";
    let f = scan(text);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, PiiKind::SwedishPersonnummer);
    let found: String = text
        .chars()
        .skip(f[0].start)
        .take(f[0].end - f[0].start)
        .collect();
    assert_eq!(found, "811218-9876");
}

#[test]
fn error_names_field_kind_and_place_but_not_the_value() {
    let value = "811218-9876";
    let err = guard("step note", &format!("child id {value}")).unwrap_err();
    let PiiError::Found { field, findings } = &err;
    assert_eq!(field, "step note");
    assert_eq!(findings[0].kind, PiiKind::SwedishPersonnummer);
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(display.contains("step note"), "{display}");
    assert!(display.contains("Swedish personnummer"), "{display}");
    assert!(display.contains("characters 10–20"), "{display}");
    assert!(display.contains("remove it"), "{display}");
    for shown in [
        &display,
        &debug,
        &format!("{}", findings[0]),
        &format!("{:?}", findings[0]),
    ] {
        assert!(!shown.contains(value), "value echoed: {shown}");
        assert!(!shown.contains("9876"), "part of the value echoed: {shown}");
        assert!(
            !shown.contains("811218"),
            "part of the value echoed: {shown}"
        );
    }
    assert!(guard("case label", "Online grooming, age band 13-15").is_ok());
}
