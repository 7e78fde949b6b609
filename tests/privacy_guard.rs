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

#[test]
fn phone_numbers_of_the_region_are_refused() {
    for phone in [
        // International forms.
        "+46 70 123 45 67",
        "+46 (0)70-123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "+47 912 34 567",
        "+4791234567",
        "+45 12 34 56 78",
        "+358 40 123 4567",
        "+354 581 2345",
        "+372 5123 4567",
        "+371 2912 3456",
        "+370 612 34567",
        "+48 512 345 678",
        "+49 30 12345678",
        "+49 (0)171 1234567",
        // National forms.
        "070-123 45 67",
        "08-123 456 78",
        "0701234567",
        "031-12 34 56",
        "0140-123 45",
        "912 34 567",
        "22 12 34 56",
        "040 123 4567",
        "09 1234 5678",
        "040-1234567",
        "(030) 1234567",
        "030/1234567",
        "0171 1234567",
        "5123 4567",
        "581 2345",
        "8 612 34567",
    ] {
        let text = format!("Contact the mother on {phone} today.");
        let found = scan(&text);
        assert_eq!(
            found.iter().map(|f| f.kind).collect::<Vec<_>>(),
            vec![PiiKind::PhoneNumber],
            "{text:?}"
        );
        let shown: String = text
            .chars()
            .skip(found[0].start)
            .take(found[0].end - found[0].start)
            .collect();
        assert_eq!(shown, phone, "span of {phone:?}");
    }
}

#[test]
fn numbers_labelled_as_phone_numbers_are_refused() {
    refused_as("tlf 91234567", PiiKind::PhoneNumber);
    refused_as("Tel.: 512345678", PiiKind::PhoneNumber);
    refused_as("mobil 51234567", PiiKind::PhoneNumber);
}

#[test]
fn street_addresses_of_the_region_are_refused() {
    for address in [
        "Storgatan 12, 582 24 Linköping",
        "Drottninggatan 5B, 111 51 Stockholm",
        "Karl Johans gate 1, 0154 Oslo",
        "Trondheimsveien 2, 0560 Oslo",
        "Vesterbrogade 3, 1620 København",
        "Mannerheimintie 5, 00100 Helsinki",
        "Laugavegur 1, 101 Reykjavík",
        "Pärnu mnt 10, 10148 Tallinn",
        "Brīvības iela 1, Rīga, LV-1010",
        "Gedimino pr. 1, LT-01103 Vilnius",
        "ul. Marszałkowska 10, 00-590 Warszawa",
        "Hauptstraße 5, 10115 Berlin",
        "Musterweg 12a, 80331 München",
    ] {
        let text = format!("The family lives at {address}.");
        let found = scan(&text);
        assert_eq!(
            found.iter().map(|f| f.kind).collect::<Vec<_>>(),
            vec![PiiKind::StreetAddress],
            "{text:?}"
        );
        let shown: String = text
            .chars()
            .skip(found[0].start)
            .take(found[0].end - found[0].start)
            .collect();
        assert_eq!(shown, address, "span of {address:?}");
    }
}

#[test]
fn e_mail_addresses_are_refused() {
    for email in [
        "anna.svensson@example.se",
        "ola+barn@post.example.no",
        "jürgen.müller@beispiel.de",
        "pat [at] example.fi",
    ] {
        refused_as(&format!("Write to {email} please"), PiiKind::EmailAddress);
    }
}

#[test]
fn dates_times_durations_references_and_amounts_pass() {
    for text in [
        "2026-03-14",
        "14.03.2026",
        "14/03/2026",
        "01-03-2026 14:00",
        "1.3.26",
        "09:30",
        "09.30-11.00",
        "0930-1100",
        "2026-03-14T09:30:00Z",
        "72h",
        "14d",
        "within 90 days, renewable",
        "BH-2026-7F3K",
        "BH-2025-ZZ22 and BH-2026-7F3K",
        "police.interview_planned",
        "step s-12 due in 3 days",
        "12 500 SEK",
        "1 250 000",
        "EUR 1,250.50",
        "€ 12.000,00",
        "3 devices, 2 accounts, 145 images",
        "version 1.1.0",
        "Directive 2011/93/EU art. 25",
        "SFS 2001:1002",
        "SoL 2025:400",
        "Standard 5 of 10",
        "age band 13-15",
        "12345678",
        "123456789",
        "20260314",
        "case 2026 1234",
        "room 101, floor 3",
        "meeting 3, 2026 Report",
        "Hearing 2, 2026 Oslo",
    ] {
        passes(text);
    }
}

#[test]
fn several_findings_are_all_reported_in_order() {
    let text = "Ring 070-123 45 67 eller mejla a@b.se; pnr 811218-9876";
    assert_eq!(
        kinds(text),
        vec![
            PiiKind::PhoneNumber,
            PiiKind::EmailAddress,
            PiiKind::SwedishPersonnummer
        ]
    );
    let err = guard("case label", text).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("a phone number at characters 6–18"),
        "{message}"
    );
    assert!(message.contains("an e-mail address"), "{message}");
    assert!(message.contains("a Swedish personnummer"), "{message}");
    assert!(
        !message.contains("a@b.se") && !message.contains("123 45 67"),
        "{message}"
    );
}

#[test]
fn findings_serialise_without_the_value() {
    let f = scan("call +47 912 34 567");
    let json = serde_json::to_string(&f).unwrap();
    assert_eq!(json, r#"[{"kind":"phone_number","start":5,"end":19}]"#);
}

#[test]
fn non_breaking_spaces_do_not_hide_a_number() {
    // Word processors put no-break spaces (U+00A0) and narrow ones (U+202F) in numbers.
    refused_as("ring 070-123\u{a0}45\u{a0}67", PiiKind::PhoneNumber);
    refused_as("+47\u{202f}912\u{202f}34\u{202f}567", PiiKind::PhoneNumber);
    refused_as("fnr 151086\u{a0}95088", PiiKind::NorwegianFodselsnummer);
    refused_as("IdNr 36\u{a0}574\u{a0}261\u{a0}809", PiiKind::GermanTaxId);
    passes("12\u{a0}500\u{a0}SEK");
}

#[test]
fn offsets_from_utc_and_timestamps_pass() {
    passes("2026-03-14T09:30:00+01:00");
    passes("14.03.2026 kl. 09.30 (UTC+02:00)");
}

proptest::proptest! {
    /// Any text: no panic, and findings lie inside the text, in order, without overlap.
    #[test]
    fn scan_is_total_and_findings_are_well_formed(
        text in "(\\PC|[0-9 +\\-/().@]){0,120}"
    ) {
        let findings = scan(&text);
        let chars = text.chars().count();
        let mut previous_end = 0;
        for f in &findings {
            proptest::prop_assert!(f.start < f.end && f.end <= chars, "{f:?} in {chars} chars");
            proptest::prop_assert!(f.start >= previous_end, "overlap or disorder: {findings:?}");
            previous_end = f.end;
        }
        proptest::prop_assert_eq!(guard("note", &text).is_ok(), findings.is_empty());
    }
}
