//! Property tests: the condition parser and the pack parser never panic, whatever the input,
//! and every diagnostic points inside the file.

use std::path::Path;

use caseway::pack::{self, Condition, FactValue, Facts, Span};
use proptest::prelude::*;

fn valid_pack() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packs/valid.toml"),
    )
    .unwrap()
}

fn facts_of_valid_pack() -> Vec<pack::Fact> {
    pack::parse_pack("valid.toml", &valid_pack())
        .unwrap()
        .pack
        .facts
}

/// Condition-like text: the language's own tokens, fact ids and junk, glued together.
fn condition_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("online_element".to_string()),
        Just("age_band".to_string()),
        Just("abuse_types".to_string()),
        Just("hours_since_contact_abuse".to_string()),
        Just("and".to_string()),
        Just("or".to_string()),
        Just("not".to_string()),
        Just("in".to_string()),
        Just("has".to_string()),
        Just("==".to_string()),
        Just("!=".to_string()),
        Just("<".to_string()),
        Just(">=".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just("'12-17'".to_string()),
        Just("\"sextortion\"".to_string()),
        Just("true".to_string()),
        Just("72".to_string()),
        Just("-0.5".to_string()),
        "[ -~]{0,3}",
        "\\PC{0,2}",
    ];
    prop::collection::vec(token, 0..24).prop_map(|t| t.join(" "))
}

/// Well-formed conditions over the valid pack's facts.
fn well_typed() -> impl Strategy<Value = String> {
    let test = prop_oneof![
        Just("online_element".to_string()),
        Just("online_element == false".to_string()),
        Just("age_band == '0-5'".to_string()),
        Just("age_band != \"12-17\"".to_string()),
        Just("age_band in ['0-5', '12-17']".to_string()),
        Just("abuse_types has 'grooming'".to_string()),
        Just("abuse_types has 'sextortion'".to_string()),
        (0u32..200).prop_map(|n| format!("hours_since_contact_abuse < {n}")),
        (0u32..200).prop_map(|n| format!("hours_since_contact_abuse >= {n}")),
    ];
    test.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("not {e}")),
            inner.clone().prop_map(|e| format!("({e})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a} or {b}")),
        ]
    })
}

fn answers() -> impl Strategy<Value = Facts> {
    (
        prop::option::of(any::<bool>()),
        prop::option::of(prop_oneof![Just("0-5"), Just("12-17")]),
        prop::option::of(prop::collection::vec(
            prop_oneof![Just("grooming"), Just("sextortion")],
            0..3,
        )),
        prop::option::of(0u32..300),
    )
        .prop_map(|(b, c, m, n)| {
            let mut f = Facts::new();
            if let Some(b) = b {
                f.insert("online_element".into(), FactValue::Bool(b));
            }
            if let Some(c) = c {
                f.insert("age_band".into(), FactValue::Choice(c.into()));
            }
            if let Some(m) = m {
                f.insert(
                    "abuse_types".into(),
                    FactValue::Multi(m.into_iter().map(String::from).collect()),
                );
            }
            if let Some(n) = n {
                f.insert(
                    "hours_since_contact_abuse".into(),
                    FactValue::Number(f64::from(n)),
                );
            }
            f
        })
}

fn check_diagnostics_inside(name: &str, text: &str) {
    let diags = match pack::parse_pack(name, text) {
        Ok(v) => v.warnings,
        Err(d) => {
            assert!(d.iter().any(|d| d.is_error()), "Err without an error");
            d
        }
    };
    let lines = text.split('\n').count();
    for d in &diags {
        assert!(
            d.line >= 1 && d.line <= lines,
            "{d:?} outside {lines} lines"
        );
        assert!(d.column >= 1);
        assert!(d.offset + d.length <= text.len(), "{d:?} beyond the text");
        assert!(!d.hint.is_empty(), "{d:?} without a hint");
    }
    // Rendering never panics either.
    let _ = pack::render_human(&diags, text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn condition_parser_never_panics(src in "\\PC{0,64}") {
        if let Ok(c) = Condition::parse(&src) {
            let _ = c.check(&facts_of_valid_pack());
            let _ = c.eval(&Facts::new());
        }
    }

    #[test]
    fn condition_soup_never_panics_and_errors_point_inside(src in condition_soup()) {
        match Condition::parse(&src) {
            Ok(c) => {
                // The canonical form means the same and is stable.
                let again = Condition::parse(&c.canonical()).unwrap();
                prop_assert_eq!(again.canonical(), c.canonical());
                for e in c.check(&facts_of_valid_pack()) {
                    prop_assert!(e.span.end <= src.len());
                }
            }
            Err(e) => {
                prop_assert!(e.span.start <= e.span.end && e.span.end <= src.len(), "{:?} in {:?}", e, src);
                prop_assert!(src.is_char_boundary(e.span.start));
            }
        }
    }

    #[test]
    fn well_typed_conditions_check_and_keep_their_meaning(src in well_typed(), f in answers()) {
        let facts = facts_of_valid_pack();
        let c = Condition::parse_checked(&src, &facts).unwrap();
        let canon = Condition::parse_checked(&c.canonical(), &facts).unwrap();
        prop_assert_eq!(c.eval(&f), canon.eval(&f), "{} vs {}", src, c.canonical());
    }

    #[test]
    fn pack_parser_never_panics_on_any_text(text in "\\PC{0,400}") {
        check_diagnostics_inside("any.toml", &text);
    }

    #[test]
    fn pack_parser_never_panics_on_damaged_packs(
        cut_at in 0usize..4000,
        cut_len in 0usize..200,
        insert in "[ -~\\n]{0,12}",
    ) {
        let valid = valid_pack();
        let mut at = cut_at.min(valid.len());
        while !valid.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + cut_len).min(valid.len());
        while !valid.is_char_boundary(end) {
            end -= 1;
        }
        let damaged = format!("{}{}{}", &valid[..at], insert, &valid[end..]);
        check_diagnostics_inside("damaged.toml", &damaged);
    }

    #[test]
    fn pack_parser_never_panics_on_shuffled_lines(seed in prop::collection::vec(0usize..200, 1..20)) {
        let valid = valid_pack();
        let mut lines: Vec<&str> = valid.lines().collect();
        let n = lines.len();
        for (i, s) in seed.iter().enumerate() {
            lines.swap(i % n, s % n);
        }
        check_diagnostics_inside("shuffled.toml", &lines.join("\n"));
    }

    #[test]
    fn durations_never_panic(s in "\\PC{0,12}") {
        let _ = Span::parse(&s);
        let _ = Span::parse_retention(&s);
    }
}
