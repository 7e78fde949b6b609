//! One broken pack per diagnostic code (tests/fixtures/packs/broken/CODE-*.toml). Each file's
//! first line says which code it must trigger and where: `# expect: P012 at LINE[:COL]`.

use std::path::{Path, PathBuf};

use caseway::pack::{self, code, Severity};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packs/broken")
}

fn fixture_for(code: &str) -> PathBuf {
    let prefix = format!("{code}-");
    std::fs::read_dir(fixture_dir())
        .expect("fixture directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .unwrap_or_else(|| panic!("no fixture for {code} in {}", fixture_dir().display()))
}

/// Validates the fixture for `code` and checks the expected diagnostic, its position, the
/// severity that code has, and that the pack is refused exactly when the code is an error.
fn check(code: &str) {
    let path = fixture_for(code);
    let text = std::fs::read_to_string(&path).unwrap();
    let header = text.lines().next().unwrap();
    let expect = header
        .strip_prefix(&format!("# expect: {code} at "))
        .unwrap_or_else(|| panic!("{}: bad header {header:?}", path.display()));
    let (line, col) = match expect.split_once(':') {
        Some((l, c)) => (
            l.parse::<usize>().unwrap(),
            Some(c.parse::<usize>().unwrap()),
        ),
        None => (expect.parse::<usize>().unwrap(), None),
    };
    let severity = code::ALL
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, s, _)| *s)
        .unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let diags = match pack::parse_pack(name, &text) {
        Ok(v) => {
            assert_eq!(severity, Severity::Warning, "{name} should be refused");
            v.warnings
        }
        Err(d) => {
            assert_eq!(
                severity,
                Severity::Error,
                "{name} should be accepted: {d:#?}"
            );
            d
        }
    };
    let found = diags.iter().find(|d| d.code == code).unwrap_or_else(|| {
        panic!("{name}: expected {code}, got {diags:#?}");
    });
    assert_eq!(found.severity, severity);
    assert_eq!(found.file, name);
    assert_eq!(found.line, line, "{name}: line of {code}: {found:#?}");
    if let Some(col) = col {
        assert_eq!(found.column, col, "{name}: column of {code}: {found:#?}");
    }
    assert!(!found.hint.is_empty(), "{name}: {code} has no hint");
    assert!(!found.hint.contains('\n'), "{name}: hint is one line");
    // The fixture is broken in one way only: no other error comes with it.
    let others: Vec<_> = diags.iter().filter(|d| d.code != code).collect();
    assert!(
        others.is_empty(),
        "{name}: unexpected extra diagnostics {others:#?}"
    );
}

macro_rules! broken {
    ($($name:ident => $code:literal,)*) => {
        $( #[test] fn $name() { check($code); } )*

        /// Every code of the catalogue has a fixture here (P017 is tested below: it needs a
        /// file over 5 MiB).
        #[test]
        fn every_code_has_a_test() {
            let tested = [$($code,)* "P017"];
            for (c, _, _) in code::ALL {
                assert!(tested.contains(c), "no test for {c}");
            }
        }
    };
}

broken! {
    p001_syntax => "P001",
    p002_unknown_field => "P002",
    p003_missing_field => "P003",
    p004_wrong_type => "P004",
    p005_duplicate_id => "P005",
    p006_unknown_role => "P006",
    p007_unknown_phase => "P007",
    p008_unknown_fact => "P008",
    p009_unknown_option => "P009",
    p010_unknown_step => "P010",
    p011_cycle => "P011",
    p012_condition_syntax => "P012",
    p013_condition_type => "P013",
    p014_invalid_semver => "P014",
    p015_invalid_id => "P015",
    p016_format_too_new => "P016",
    p018_invalid_value => "P018",
    p019_invalid_duration => "P019",
    p020_invalid_anchor => "P020",
    p021_unknown_milestone => "P021",
    p022_duplicate_milestone => "P022",
    p101_missing_translation => "P101",
    p102_depends_on_inapplicable => "P102",
    p103_unused_role => "P103",
    p104_empty_phase => "P104",
}

#[test]
fn p017_file_over_5_mib() {
    let valid = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packs/valid.toml"),
    )
    .unwrap();
    let mut big = valid.clone();
    while big.len() <= pack::MAX_FILE_SIZE {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    let d = pack::parse_pack("big.toml", &big).unwrap_err();
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].code, d[0].line, d[0].column), ("P017", 1, 1));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    std::fs::write(&path, &big).unwrap();
    match pack::load_file(&path) {
        Err(pack::PackLoadError::Invalid { diagnostics, .. }) => {
            assert_eq!(diagnostics[0].code, "P017")
        }
        other => panic!("expected P017, got {other:?}"),
    }
    // Exactly at the limit is fine (only the padding differs from a valid pack).
    let mut at_limit = valid;
    while at_limit.len() < pack::MAX_FILE_SIZE {
        at_limit.push('\n');
    }
    assert!(pack::parse_pack("limit.toml", &at_limit).is_ok());
}

#[test]
fn unknown_field_hint_suggests_the_right_name() {
    let text = std::fs::read_to_string(fixture_for("P002")).unwrap();
    let d = pack::parse_pack("x.toml", &text).unwrap_err();
    assert_eq!(d[0].hint, "did you mean `priority`?");
}

#[test]
fn milestone_diagnostics_name_the_fix() {
    let text = std::fs::read_to_string(fixture_for("P021")).unwrap();
    let d = pack::parse_pack("x.toml", &text).unwrap_err();
    assert_eq!(d[0].hint, "did you mean \"forensic-interview\"?");
    let text = std::fs::read_to_string(fixture_for("P022")).unwrap();
    let d = pack::parse_pack("x.toml", &text).unwrap_err();
    assert_eq!(
        d[0].message,
        "milestone `therapy-start` of step `notify-social-services` is already claimed by step `register-report`"
    );
}

#[test]
fn cycle_is_reported_as_a_path() {
    let text = std::fs::read_to_string(fixture_for("P011")).unwrap();
    let d = pack::parse_pack("x.toml", &text).unwrap_err();
    assert_eq!(
        d[0].message,
        "dependency cycle: register-report -> notify-social-services -> register-report"
    );
}

#[test]
fn a_longer_cycle_names_every_step() {
    let src = r#"format = 1
[pack]
id = "cyc"
version = "1.0.0"
status = "draft"
title = "Cycles"
default_language = "en"
languages = ["en"]
[[role]]
id = "r"
title = "R"
[[phase]]
id = "p"
title = "P"
[[step]]
id = "a"
phase = "p"
role = "r"
title = "A"
after = ["c"]
[[step]]
id = "b"
phase = "p"
role = "r"
title = "B"
after = ["a"]
[[step]]
id = "c"
phase = "p"
role = "r"
title = "C"
after = ["b"]
[[step]]
id = "d"
phase = "p"
role = "r"
title = "D"
after = ["d"]
"#;
    let d = pack::parse_pack("cyc.toml", src).unwrap_err();
    let cycles: Vec<(&str, usize)> = d
        .iter()
        .filter(|d| d.code == "P011")
        .map(|d| (d.message.as_str(), d.line))
        .collect();
    assert_eq!(
        cycles,
        vec![
            ("dependency cycle: a -> c -> b -> a", 26),
            ("dependency cycle: d -> d", 38),
        ]
    );
}

#[test]
fn several_errors_are_reported_in_one_run_in_file_order() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packs/valid.toml"),
    )
    .unwrap()
    .replace("status = \"active\"", "status = \"actve\"")
    .replace("priority = \"urgent\"", "priorty = \"urgent\"")
    .replace("support = [\"police\"]", "support = [\"polis\"]")
    .replace(
        "abuse_types has 'sextortion'\"\ndue",
        "abuse_types has 'sextorsion'\"\ndue",
    )
    .replace("within = \"72h\"", "within = \"72\"");
    let d = pack::parse_pack("many.toml", &text).unwrap_err();
    let codes: Vec<&str> = d.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["P018", "P002", "P006", "P009", "P019"]);
    let lines: Vec<usize> = d.iter().map(|d| d.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn human_rendering_shows_code_position_source_line_and_hint() {
    let path = fixture_for("P006");
    let text = std::fs::read_to_string(&path).unwrap();
    let d = pack::parse_pack("P006.toml", &text).unwrap_err();
    let out = pack::render_human(&d, &text);
    assert!(out.contains("error[P006] P006.toml:77:12"), "{out}");
    assert!(out.contains("support = [\"polis\"]"), "{out}");
    assert!(out.contains("did you mean \"police\"?"), "{out}");
}

#[test]
fn a_newer_format_is_refused_without_guessing_at_its_fields() {
    let src = "format = 7\n[pack]\nid = \"x\"\nnew_field = true\n[[workflow]]\nid = \"w\"\n";
    let d = pack::parse_pack("new.toml", src).unwrap_err();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].code, d[0].line, d[0].column), ("P016", 1, 10));
}

#[test]
fn a_file_that_is_not_utf8_is_a_located_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"format = 1\n[pack]\ntitle = \"Sj\xf6\"\n").unwrap();
    match pack::load_file(&path) {
        Err(pack::PackLoadError::Invalid { diagnostics, .. }) => {
            assert_eq!(diagnostics.len(), 1);
            let d = &diagnostics[0];
            assert_eq!((d.code, d.line, d.column), ("P001", 3, 12));
            assert_eq!(d.hint, "save the file as UTF-8");
        }
        other => panic!("expected P001, got {other:?}"),
    }
}
