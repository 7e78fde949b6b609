//! The validated model as the case engine uses it: lookups, texts, fact values, conditions
//! on a real pack, deadlines, and the dependency warning's reasoning.

use std::path::Path;

use caseway::pack::{self, Anchor, FactValue, Facts, Pack, Required, Span, Unit};
use chrono::{TimeZone, Utc};

fn valid() -> Pack {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packs/valid.toml"),
    )
    .unwrap();
    let v = pack::parse_pack("valid.toml", &text).unwrap();
    assert!(v.warnings.is_empty(), "{:#?}", v.warnings);
    v.pack
}

#[test]
fn model_holds_every_field() {
    let p = valid();
    assert_eq!(p.key(), "test-pack@1.0.0");
    assert_eq!(p.status.as_str(), "active");
    assert_eq!(p.jurisdiction.as_deref(), Some("SE"));
    assert_eq!(p.effective, chrono::NaiveDate::from_ymd_opt(2026, 1, 1));
    assert_eq!(
        p.retention,
        Some(Span {
            amount: 1825,
            unit: Unit::Days
        })
    );
    assert_eq!(p.changelog.len(), 1);
    assert_eq!(p.languages, vec!["en", "sv"]);
    assert_eq!(p.roles.len(), 2);
    assert_eq!(
        p.phase("digital").unwrap().title.get("sv", "en"),
        "Digitala bevis"
    );
    assert!(p.role("prosecutor").is_none());

    let s = p.step("notify-social-services").unwrap();
    assert_eq!(s.required, Required::MustUnlessDocumented);
    assert_eq!(s.support, vec!["police"]);
    assert_eq!(s.after, vec!["register-report"]);
    let due = s.due.as_ref().unwrap();
    assert_eq!(
        due.within,
        Span {
            amount: 2,
            unit: Unit::WorkingDays
        }
    );
    assert_eq!(due.from, Anchor::Step("register-report".into()));
    assert_eq!(s.references.len(), 2);
    assert_eq!(s.references[1].url, None);
    assert_eq!(s.record.len(), 2);
    assert_eq!(s.record[1].options[0].id, "phone");

    let s = p.step("preserve-accounts").unwrap();
    assert_eq!(
        s.due.as_ref().unwrap().from,
        Anchor::Fact("hours_since_contact_abuse".into())
    );
    assert_eq!(
        s.when.as_ref().unwrap().facts_used(),
        vec!["online_element", "abuse_types"]
    );

    // Defaults.
    let s = p.step("register-report").unwrap();
    assert_eq!(s.required, Required::Must);
    assert!(s.when.is_none());

    // The model round-trips through JSON (the store and the desktop app keep it so).
    let json = serde_json::to_string(&p).unwrap();
    let back: Pack = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
}

#[test]
fn text_falls_back_to_default_then_any_language() {
    let p = valid();
    let t = &p.step("register-report").unwrap().title;
    assert_eq!(t.get("sv", "en"), "Registrera anmälan");
    assert_eq!(t.get("fi", "en"), "Register the report");
    let only_sv = pack::Text::single("sv", "Hej");
    assert_eq!(only_sv.get("fi", "en"), "Hej");
    assert_eq!(pack::Text::default().get("en", "en"), "");
}

#[test]
fn plain_string_texts_are_in_the_default_language() {
    let src = r#"format = 1
[pack]
id = "plain"
version = "0.1.0"
status = "draft"
title = "Plain"
default_language = "sv"
[[role]]
id = "r"
title = "Roll"
[[phase]]
id = "p"
title = "Fas"
[[step]]
id = "s"
phase = "p"
role = "r"
title = "Steg"
"#;
    let p = pack::parse_pack("plain.toml", src).unwrap().pack;
    assert_eq!(p.title.0.get("sv").map(String::as_str), Some("Plain"));
    // Without `languages`, the default language is the only one.
    assert_eq!(p.languages, vec!["sv"]);
    assert_eq!(p.step("s").unwrap().title.get("en", "sv"), "Steg");
}

#[test]
fn fact_values_from_the_command_line() {
    let p = valid();
    let f = |id: &str| p.fact(id).unwrap();
    assert_eq!(
        f("online_element").parse_value("true"),
        Ok(FactValue::Bool(true))
    );
    assert_eq!(
        f("online_element").parse_value("no"),
        Ok(FactValue::Bool(false))
    );
    assert_eq!(
        f("age_band").parse_value("12-17"),
        Ok(FactValue::Choice("12-17".into()))
    );
    let e = f("age_band").parse_value("6-11").unwrap_err();
    assert!(e.contains("0-5, 12-17"), "{e}");
    assert_eq!(
        f("abuse_types").parse_value("grooming, sextortion,grooming"),
        Ok(FactValue::Multi(vec![
            "grooming".into(),
            "sextortion".into()
        ]))
    );
    assert_eq!(
        f("abuse_types").parse_value(""),
        Ok(FactValue::Multi(vec![]))
    );
    assert!(f("abuse_types").parse_value("grooming,contact").is_err());
    assert_eq!(
        f("hours_since_contact_abuse").parse_value("36"),
        Ok(FactValue::Number(36.0))
    );
    assert!(f("hours_since_contact_abuse").parse_value("-1").is_err());
    assert!(f("hours_since_contact_abuse").parse_value("20000").is_err());
    assert!(f("hours_since_contact_abuse").parse_value("NaN").is_err());
    // JSON shape of answers.
    assert_eq!(
        serde_json::to_string(&FactValue::Multi(vec!["a".into()])).unwrap(),
        "[\"a\"]"
    );
    let v: FactValue = serde_json::from_str("3.5").unwrap();
    assert_eq!(v, FactValue::Number(3.5));
    let v: FactValue = serde_json::from_str("\"0-5\"").unwrap();
    assert_eq!(v, FactValue::Choice("0-5".into()));
}

#[test]
fn applicability_follows_the_answers() {
    let p = valid();
    let analyse = p.step("analyse-devices").unwrap();
    let preserve = p.step("preserve-accounts").unwrap();
    let mut f = Facts::new();
    // Nothing answered: conditional steps are not applicable, unconditional ones are.
    assert!(!analyse.applies(&f));
    assert!(p.step("register-report").unwrap().applies(&f));
    f.insert("online_element".into(), FactValue::Bool(true));
    f.insert(
        "abuse_types".into(),
        FactValue::Multi(vec!["sextortion".into()]),
    );
    assert!(preserve.applies(&f));
    // Neither the age band nor the hours are answered yet.
    assert!(!analyse.applies(&f));
    f.insert("hours_since_contact_abuse".into(), FactValue::Number(80.0));
    assert!(!analyse.applies(&f));
    f.insert("age_band".into(), FactValue::Choice("12-17".into()));
    assert!(analyse.applies(&f));
    f.insert("age_band".into(), FactValue::Choice("0-5".into()));
    f.insert("hours_since_contact_abuse".into(), FactValue::Number(10.0));
    assert!(analyse.applies(&f));
}

#[test]
fn deadlines_add_calendar_and_working_days() {
    // Thursday 2026-01-08 16:00 UTC.
    let t = Utc.with_ymd_and_hms(2026, 1, 8, 16, 0, 0).unwrap();
    let wd = Span::parse("2wd").unwrap();
    assert_eq!(
        wd.add_to(t),
        Utc.with_ymd_and_hms(2026, 1, 12, 16, 0, 0).unwrap()
    );
    assert_eq!(
        Span::parse("72h").unwrap().add_to(t),
        Utc.with_ymd_and_hms(2026, 1, 11, 16, 0, 0).unwrap()
    );
    assert_eq!(
        Span::parse("2w").unwrap().add_to(t),
        Utc.with_ymd_and_hms(2026, 1, 22, 16, 0, 0).unwrap()
    );
    assert_eq!(Span::parse("10d").unwrap().to_string(), "10d");
}

fn with_conditions(dep_when: &str, own_when: Option<&str>) -> Vec<pack::Diagnostic> {
    let own = own_when
        .map(|w| format!("when = \"{w}\"\n"))
        .unwrap_or_default();
    let src = format!(
        r#"format = 1
[pack]
id = "dep"
version = "1.0.0"
status = "draft"
title = "Dependencies"
default_language = "en"
languages = ["en"]
[[role]]
id = "r"
title = "R"
[[phase]]
id = "p"
title = "P"
[[fact]]
id = "online"
kind = "bool"
question = "Online?"
[[fact]]
id = "age"
kind = "choice"
question = "Age"
options = [ {{ id = "young", label = "Young" }}, {{ id = "mid", label = "Mid" }}, {{ id = "teen", label = "Teen" }} ]
[[fact]]
id = "hours"
kind = "number"
question = "Hours"
[[step]]
id = "first"
phase = "p"
role = "r"
title = "First"
when = "{dep_when}"
[[step]]
id = "second"
phase = "p"
role = "r"
title = "Second"
after = ["first"]
{own}"#
    );
    match pack::parse_pack("dep.toml", &src) {
        Ok(v) => v.warnings,
        Err(d) => panic!("{d:#?}"),
    }
}

#[test]
fn dependency_warning_only_when_the_prerequisite_can_be_inapplicable() {
    let warn =
        |dep: &str, own: Option<&str>| with_conditions(dep, own).iter().any(|d| d.code == "P102");
    // Unconditional step after a conditional one: warned.
    assert!(warn("online", None));
    // Same condition, or a stronger one: fine.
    assert!(!warn("online", Some("online")));
    assert!(!warn("online", Some("online and hours < 72")));
    assert!(!warn("age in ['mid', 'teen']", Some("age == 'teen'")));
    assert!(!warn("hours < 72", Some("hours < 24")));
    // Weaker or different: warned.
    assert!(warn("age == 'teen'", Some("age in ['mid', 'teen']")));
    assert!(warn("hours < 24", Some("hours < 72")));
    assert!(warn("online", Some("not online")));
    // `not` is true while unanswered, so `not online` does not imply `online == false`.
    assert!(warn("online == false", Some("not online")));
    let d = with_conditions("online", None);
    assert!(
        d[0].message.contains("e.g. when online"),
        "{}",
        d[0].message
    );
    assert_eq!(d[0].line, 39, "the `after` entry");
}
