//! Signatures interoperate with the `minisign` tool (Debian package `minisign`): the tool signs
//! and caseway verifies, caseway signs and the tool verifies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn caseway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caseway"))
        .args(args)
        .output()
        .expect("run caseway")
}

/// The minisign tool; its absence fails the test rather than skipping it.
fn minisign(dir: &Path, args: &[&str]) -> Output {
    match Command::new("minisign")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!(
            "the `minisign` tool is needed for the interoperability tests (apt-get install minisign): {e}"
        ),
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    pack: PathBuf,
    public: PathBuf,
    secret: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let o = minisign(&d, &["-G", "-W", "-p", "key.pub", "-s", "key.sec"]);
    assert!(
        o.status.success(),
        "minisign -G: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let pack = d.join("pack.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packs/valid.toml"),
        &pack,
    )
    .unwrap();
    Setup {
        pack,
        public: d.join("key.pub"),
        secret: d.join("key.sec"),
        dir: d,
        _dir: dir,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn base64_key(public: &Path) -> String {
    std::fs::read_to_string(public)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn tool_signs_caseway_verifies() {
    let t = setup();
    let o = minisign(
        &t.dir,
        &["-S", "-s", "key.sec", "-m", "pack.toml", "-t", "reviewed"],
    );
    assert!(
        o.status.success(),
        "minisign -S: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    // Public key as a file, and as the bare base64 string.
    let o = caseway(&["pack", "verify", s(&t.pack), "--pubkey", s(&t.public)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("signature valid (trusted comment: reviewed)")
    );
    let o = caseway(&[
        "pack",
        "verify",
        s(&t.pack),
        "--pubkey",
        &base64_key(&t.public),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // One changed byte after signing: refused.
    let mut text = std::fs::read_to_string(&t.pack).unwrap();
    text = text.replacen("within = \"24h\"", "within = \"48h\"", 1);
    std::fs::write(&t.pack, text).unwrap();
    let o = caseway(&["pack", "verify", s(&t.pack), "--pubkey", s(&t.public)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("signature INVALID"));
}

#[test]
fn caseway_signs_tool_verifies() {
    let t = setup();
    let o = caseway(&["pack", "sign", s(&t.pack), "--key", s(&t.secret)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(t.dir.join("pack.toml.minisig").is_file());

    let o = minisign(&t.dir, &["-V", "-p", "key.pub", "-m", "pack.toml"]);
    assert!(
        o.status.success(),
        "minisign -V: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("file:pack.toml"), "{out}");

    // And caseway agrees with itself.
    let o = caseway(&["pack", "verify", s(&t.pack), "--pubkey", s(&t.public)]);
    assert_eq!(o.status.code(), Some(0));

    // The tool notices tampering too.
    std::fs::write(&t.pack, "format = 1\n").unwrap();
    let o = minisign(&t.dir, &["-V", "-p", "key.pub", "-m", "pack.toml"]);
    assert!(!o.status.success());
}

#[test]
fn unsigned_wrong_key_bad_key_and_invalid_pack() {
    let t = setup();
    // No .minisig: refused (1).
    let o = caseway(&["pack", "verify", s(&t.pack), "--pubkey", s(&t.public)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has no signature"));

    // Signed with another key: refused (1), and the message says so.
    let other = t.dir.join("other");
    std::fs::create_dir(&other).unwrap();
    let g = minisign(&other, &["-G", "-W", "-p", "o.pub", "-s", "o.sec"]);
    assert!(g.status.success());
    let o = caseway(&["pack", "sign", s(&t.pack), "--key", s(&other.join("o.sec"))]);
    assert_eq!(o.status.code(), Some(0));
    let o = caseway(&["pack", "verify", s(&t.pack), "--pubkey", s(&t.public)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another key"));

    // A key that is not a key: usage error (2).
    let o = caseway(&["pack", "verify", s(&t.pack), "--pubkey", "RWnotakey"]);
    assert_eq!(o.status.code(), Some(2));
    // A missing secret key file: I/O error (2).
    let o = caseway(&["pack", "sign", s(&t.pack), "--key", "/nonexistent/key.sec"]);
    assert_eq!(o.status.code(), Some(2));

    // An invalid pack is not signed.
    let bad = t.dir.join("bad.toml");
    std::fs::write(&bad, "format = 1\n[pack]\nid = \"x\"\n").unwrap();
    let o = caseway(&["pack", "sign", s(&bad), "--key", s(&t.secret)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!t.dir.join("bad.toml.minisig").exists());
}
