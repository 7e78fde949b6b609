//! Looking at a pack before importing it: diagnostics, signature against the trusted keys,
//! and the difference with the installed versions, on a real database; nothing is written.

use std::path::Path;
use std::process::Command;

use caseway::case::{Engine, SignatureCheck};
use chrono::{TimeZone, Utc};

const V110: &str = include_str!("../protocols/barnahus-online-csa-1.1.0.toml");

fn engine(dir: &Path) -> Engine {
    Engine::open(
        &dir.join("inspect.sqlite3"),
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    )
    .unwrap()
}

fn minisign(dir: &Path, args: &[&str]) {
    let out = Command::new("minisign")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the `minisign` tool is needed (apt-get install minisign)");
    assert!(
        out.status.success(),
        "minisign {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_installed_version_is_recognised_and_a_new_one_is_compared_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());

    let same = e
        .inspect_pack("barnahus-online-csa-1.1.0.toml", V110, None)
        .unwrap();
    assert!(same.is_valid());
    assert_eq!(same.already_installed, Some(true));
    assert_eq!(
        same.compared_with.as_deref(),
        Some("barnahus-online-csa@1.0.0")
    );

    let v120 = V110
        .replacen("version = \"1.1.0\"", "version = \"1.2.0\"", 1)
        .replacen(
            "id = \"book-interpreter\"",
            "id = \"book-an-interpreter\"",
            1,
        );
    let newer = e.inspect_pack("next.toml", &v120, None).unwrap();
    assert!(newer.is_valid(), "{:?}", newer.diagnostics);
    assert_eq!(newer.already_installed, None);
    assert_eq!(
        newer.compared_with.as_deref(),
        Some("barnahus-online-csa@1.1.0")
    );
    let diff = newer.diff.expect("a diff against 1.1.0");
    assert!(diff
        .steps
        .added
        .contains(&"book-an-interpreter".to_string()));
    assert!(diff.steps.removed.contains(&"book-interpreter".to_string()));

    let changed_content = V110.replacen("Register the report", "Register the report today", 1);
    let conflict = e
        .inspect_pack("conflict.toml", &changed_content, None)
        .unwrap();
    assert_eq!(
        conflict.already_installed,
        Some(false),
        "same id@version, other content"
    );
}

#[test]
fn a_broken_pack_gets_its_diagnostics_and_no_model() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let broken = V110.replacen("phase = \"intake\"", "phase = \"intak\"", 1);
    let i = e.inspect_pack("broken.toml", &broken, None).unwrap();
    assert!(!i.is_valid());
    let err = i
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert!(err.message.contains("intak"), "{err:?}");
    let line = broken[..broken.find("\"intak\"").unwrap()].lines().count();
    assert_eq!(err.line, line);
}

#[test]
fn signatures_are_checked_against_the_trusted_keys_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = engine(dir.path());
    let d = dir.path();
    std::fs::write(d.join("pack.toml"), V110).unwrap();
    minisign(d, &["-G", "-W", "-p", "key.pub", "-s", "key.sec"]);
    minisign(d, &["-S", "-s", "key.sec", "-m", "pack.toml"]);
    let sig = std::fs::read_to_string(d.join("pack.toml.minisig")).unwrap();

    assert_eq!(
        e.inspect_pack("pack.toml", V110, None).unwrap().signature,
        SignatureCheck::Unsigned
    );
    let untrusted = e
        .inspect_pack("pack.toml", V110, Some(&sig))
        .unwrap()
        .signature;
    assert!(
        matches!(untrusted, SignatureCheck::Refused { .. }),
        "{untrusted:?}"
    );

    let key = e
        .add_key(
            &std::fs::read_to_string(d.join("key.pub")).unwrap(),
            Utc::now(),
        )
        .unwrap();
    let trusted = e
        .inspect_pack("pack.toml", V110, Some(&sig))
        .unwrap()
        .signature;
    assert_eq!(trusted, SignatureCheck::Trusted { key_id: key.key_id });

    let tampered = V110.replacen("Register the report", "Register the report later", 1);
    let bad = e
        .inspect_pack("pack.toml", &tampered, Some(&sig))
        .unwrap()
        .signature;
    assert!(matches!(bad, SignatureCheck::Refused { .. }), "{bad:?}");
}

#[test]
fn open_cases_are_counted_per_pack_version() {
    use caseway::case::{Actor, NewCase};
    let dir = tempfile::tempdir().unwrap();
    let mut e = engine(dir.path());
    let now = Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap();
    let mut open = |pack: &str| {
        let new = NewCase {
            pack: pack.to_string(),
            actor: Actor::role("coordinator"),
            ..Default::default()
        };
        e.open_case(&new, now).unwrap().reference
    };
    open("barnahus-online-csa@1.0.0");
    let closed = open("barnahus-online-csa@1.1.0");
    open("barnahus-online-csa@1.1.0");
    open("barnahus-online-csa@1.1.0");
    e.close_case(&closed, "finished", &Actor::role("coordinator"), now)
        .unwrap();
    let counts = e.open_cases_per_pack().unwrap();
    assert_eq!(counts.get("barnahus-online-csa@1.0.0"), Some(&1));
    assert_eq!(counts.get("barnahus-online-csa@1.1.0"), Some(&2));
    assert_eq!(counts.len(), 2);
}
