//! `caseway pack ...` through the real binary: exit codes, output, the shipped packs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/packs").join(name)
}

fn caseway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caseway"))
        .args(args)
        .output()
        .expect("run caseway")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn validate_exit_codes() {
    let valid = fixture("valid.toml");
    let warn = fixture("broken/P103-unused-role.toml");
    let broken = fixture("broken/P011-cycle.toml");

    let o = caseway(&["pack", "validate", p(&valid)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("valid: test-pack@1.0.0 (0 warnings)"));

    // Warnings only: still valid.
    let o = caseway(&["pack", "validate", p(&warn)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[P103]"), "{}", stderr(&o));

    let o = caseway(&["pack", "validate", p(&valid), p(&broken)]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("P011-cycle.toml:82:10"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("invalid (1 error, 0 warnings)"));

    // A missing file is an I/O error, even next to an invalid one.
    let o = caseway(&["pack", "validate", p(&broken), "/nonexistent/pack.toml"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot read pack file /nonexistent/pack.toml"));

    // Usage errors.
    assert_eq!(code(&caseway(&["pack", "validate"])), 2);
    assert_eq!(
        code(&caseway(&[
            "pack",
            "validate",
            "--format",
            "xml",
            p(&valid)
        ])),
        2
    );
}

#[test]
fn validate_json_lists_every_diagnostic_with_its_position() {
    let broken = fixture("broken/P009-unknown-option.toml");
    let o = caseway(&[
        "pack",
        "validate",
        "--format",
        "json",
        p(&fixture("valid.toml")),
        p(&broken),
    ]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
    assert_eq!(v["valid"], false);
    assert_eq!(v["files"][0]["valid"], true);
    assert_eq!(v["files"][0]["pack"], "test-pack@1.0.0");
    let f = &v["files"][1];
    assert_eq!(f["valid"], false);
    assert_eq!(f["errors"], 1);
    let d = &f["diagnostics"][0];
    assert_eq!(d["code"], "P009");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 94);
    assert_eq!(d["column"], 44);
    assert_eq!(d["hint"], "did you mean 'sextortion'?");
    assert_eq!(d["file"], p(&broken));
}

#[test]
fn shipped_packs_are_valid_and_embedded() {
    let shipped = caseway::pack::shipped();
    assert!(shipped.len() >= 2);
    for s in &shipped {
        let on_disk = std::fs::read_to_string(root().join("protocols").join(s.file_name)).unwrap();
        assert_eq!(on_disk, s.source, "{} embedded copy is stale", s.file_name);
        let v = caseway::pack::parse_pack(s.file_name, s.source).unwrap_or_else(|d| {
            panic!(
                "{}: {}",
                s.file_name,
                caseway::pack::render_human(&d, s.source)
            )
        });
        assert!(s.file_name.starts_with(&v.pack.id));
        assert!(s.file_name.contains(&v.pack.version.to_string()));
        let o = caseway(&[
            "pack",
            "validate",
            p(&root().join("protocols").join(s.file_name)),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
}

#[test]
fn diff_of_the_shipped_versions_names_the_real_change() {
    let old = root().join("protocols/barnahus-online-csa-1.0.0.toml");
    let new = root().join("protocols/barnahus-online-csa-1.1.0.toml");
    let o = caseway(&["pack", "diff", p(&old), p(&new), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["old"], "barnahus-online-csa@1.0.0");
    assert_eq!(d["new"], "barnahus-online-csa@1.1.0");
    // The same comparison through the library must agree with the CLI.
    let a = caseway::pack::load_file(&old).unwrap().pack;
    let b = caseway::pack::load_file(&new).unwrap().pack;
    let lib = caseway::pack::diff(&a, &b);
    assert_eq!(d, serde_json::to_value(&lib).unwrap());
    assert!(!lib.is_empty());
    // Every step reported added/removed really is.
    for id in &lib.steps.added {
        assert!(a.step(id).is_none() && b.step(id).is_some());
    }
    for id in &lib.steps.removed {
        assert!(a.step(id).is_some() && b.step(id).is_none());
    }
    for c in &lib.steps.changed {
        assert_ne!(a.step(&c.id), b.step(&c.id));
    }
    assert!(!lib.affects_running_cases.is_empty());

    let o = caseway(&["pack", "diff", p(&old), p(&new)]);
    let text = stdout(&o);
    assert!(text.starts_with("barnahus-online-csa@1.0.0 -> barnahus-online-csa@1.1.0"));
    assert!(text.contains("affects running cases on migration:"));
    for id in &lib.steps.added {
        assert!(text.contains(&format!("+ {id} (added)")), "{text}");
    }
}

#[test]
fn diff_reports_field_changes_and_their_impact() {
    let old = std::fs::read_to_string(fixture("valid.toml")).unwrap();
    let new = old
        .replace("version = \"1.0.0\"\nstatus", "version = \"1.1.0\"\nstatus")
        .replace("within = \"24h\"", "within = \"12h\"")
        .replace(
            "title = { en = \"Register the report\"",
            "title = { en = \"Register the police report\"",
        );
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    std::fs::write(&a, old).unwrap();
    std::fs::write(&b, new).unwrap();
    let o = caseway(&["pack", "diff", p(&a), p(&b), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let changed = d["steps"]["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["id"], "register-report");
    let fields: Vec<(String, bool)> = changed[0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["affects_running_cases"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![("title.en".to_string(), false), ("due".to_string(), true)]
    );
    assert_eq!(
        d["affects_running_cases"][0],
        "step `register-report`: deadline changes from `24h after opened` to `12h after opened`"
    );

    // An invalid input is refused with exit 1, a missing one with exit 2.
    let broken = fixture("broken/P001-syntax.toml");
    assert_eq!(code(&caseway(&["pack", "diff", p(&a), p(&broken)])), 1);
    assert_eq!(
        code(&caseway(&["pack", "diff", p(&a), "/nonexistent.toml"])),
        2
    );
}

#[test]
fn show_outlines_phases_steps_conditions_and_deadlines() {
    let o = caseway(&["pack", "show", p(&fixture("valid.toml")), "--lang", "sv"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("test-pack@1.0.0 [active] Testrutin"),
        "{out}"
    );
    assert!(out.contains("1. Mottagande [intake]"), "{out}");
    assert!(out.contains("2. Digitala bevis [digital]"), "{out}");
    assert!(
        out.contains("- register-report [must, urgent]  Registrera anmälan"),
        "{out}"
    );
    assert!(
        out.contains("when: online_element and abuse_types has 'sextortion'"),
        "{out}"
    );
    assert!(
        out.contains("due: within 2wd of `register-report` finished"),
        "{out}"
    );
    assert!(
        out.contains("due: within 72h of the time given by fact `hours_since_contact_abuse`"),
        "{out}"
    );
    // Steps are grouped by role inside a phase.
    let intake = &out[out.find("1. Mottagande").unwrap()..out.find("2. Digitala").unwrap()];
    assert!(
        intake.contains("   Polis:\n     - register-report"),
        "{intake}"
    );
    assert!(
        intake.contains("   Socialtjänst:\n     - notify-social-services"),
        "{intake}"
    );

    let o = caseway(&["pack", "show", p(&fixture("broken/P010-unknown-step.toml"))]);
    assert_eq!(code(&o), 1);
}

#[test]
fn schema_file_is_fresh() {
    let o = caseway(&["pack", "schema"]);
    assert_eq!(code(&o), 0);
    let committed = std::fs::read_to_string(root().join("protocols/pack.schema.json")).unwrap();
    assert!(
        stdout(&o) == committed,
        "protocols/pack.schema.json is stale: run `caseway pack schema > protocols/pack.schema.json`"
    );
    assert_eq!(committed, caseway::pack::schema_json());
    let v: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(v["title"], "Caseway protocol pack");
    assert_eq!(v["additionalProperties"], false);
}

#[test]
fn schema_types_read_the_shipped_and_fixture_packs() {
    let mut files: Vec<PathBuf> = caseway::pack::shipped()
        .iter()
        .map(|s| root().join("protocols").join(s.file_name))
        .collect();
    files.push(fixture("valid.toml"));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let doc: Result<caseway::pack::schema::PackDocument, _> = toml::from_str(&text);
        assert!(doc.is_ok(), "{}: {:?}", f.display(), doc.err());
    }
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    use std::io::Read;
    // A pack whose outline is far larger than a pipe buffer.
    let mut text = std::fs::read_to_string(fixture("valid.toml")).unwrap();
    for i in 0..3000 {
        text.push_str(&format!(
            "\n[[step]]\nid = \"extra-{i}\"\nphase = \"intake\"\nrole = \"police\"\ntitle = {{ en = \"Extra step number {i}\", sv = \"Extra steg {i}\" }}\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    std::fs::write(&path, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_caseway"))
        .args(["pack", "show", p(&path)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped (closed) here, mid-output.
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&first).starts_with("test-pack@1.0.0"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn codes_lists_the_catalogue() {
    let o = caseway(&["pack", "codes", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), caseway::pack::code::ALL.len());
    assert!(list.iter().any(|c| c["code"] == "P011"
        && c["severity"] == "error"
        && c["description"] == "dependency cycle"));
    assert!(list
        .iter()
        .any(|c| c["code"] == "P101" && c["severity"] == "warning"));
    let o = caseway(&["pack", "codes"]);
    assert!(stdout(&o).contains("P104  warning  phase has no step"));
}
