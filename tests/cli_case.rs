//! The `caseway` binary driven as scripts drive it: a case's life, exit codes, JSON shapes,
//! tampering detection, signatures, backup, crash safety and two writers at once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const NOW: &str = "2026-03-02T09:00:00Z";
const RULES_1: &str = "tests/fixtures/db/rules-1.0.0.toml";
const RULES_2: &str = "tests/fixtures/db/rules-2.0.0.toml";

fn cmd(db: &Path, now: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_caseway"));
    c.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CASEWAY_DB")
        .env("CASEWAY_NOW", now)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run_at(db: &Path, now: &str, args: &[&str]) -> Output {
    cmd(db, now, args)
        .output()
        .expect("the caseway binary runs")
}

fn run(db: &Path, args: &[&str]) -> Output {
    run_at(db, NOW, args)
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "caseway {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("caseway.sqlite3");
    ok(&db, &["pack", "import", RULES_1, "--unsigned"]);
    (dir, db)
}

fn open_case(db: &Path, facts: &[&str]) -> String {
    let mut args = vec!["case", "open", "--pack", "test-rules"];
    for f in facts {
        args.push("--fact");
        args.push(f);
    }
    let out = ok(db, &args);
    out.lines()
        .last()
        .expect("case open prints the reference last")
        .trim()
        .to_string()
}

fn show(db: &Path, reference: &str) -> serde_json::Value {
    serde_json::from_str(&ok(db, &["case", "show", reference, "--format", "json"])).unwrap()
}

fn step<'a>(view: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    view["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

#[test]
fn a_case_life_through_the_command_line() {
    let (_dir, db) = setup();
    let r = open_case(
        &db,
        &["online=true", "types=grooming,contact", "hours_since=10"],
    );
    assert!(r.starts_with("BH-2026-"), "{r}");

    let v = show(&db, &r);
    assert_eq!(v["reference"], r.as_str());
    assert_eq!(v["pack"]["id"], "test-rules");
    assert_eq!(v["pack"]["version"], "1.0.0");
    assert_eq!(v["status"], "open");
    assert_eq!(
        v["facts"]["types"],
        serde_json::json!(["grooming", "contact"])
    );
    let reg = step(&v, "register");
    for key in [
        "id",
        "role",
        "phase",
        "applicable",
        "state",
        "due",
        "overdue",
    ] {
        assert!(reg.get(key).is_some(), "step has `{key}`");
    }
    assert_eq!(reg["role"], "police");
    assert_eq!(reg["phase"], "intake");
    assert_eq!(reg["applicable"], true);
    assert_eq!(reg["state"], "todo");
    assert_eq!(reg["due"], "2026-03-03T09:00:00Z");
    assert_eq!(reg["overdue"], false);
    assert_eq!(step(&v, "plan")["due"], serde_json::Value::Null);

    // Refusals exit 1, usage errors 2.
    let out = run(
        &db,
        &[
            "case", "step", &r, "register", "--state", "done", "--role", "social",
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("only police or the coordinator"));
    let out = run(
        &db,
        &[
            "case", "step", &r, "assess", "--state", "na", "--role", "social",
        ],
    );
    assert_eq!(code(&out), 1, "na needs a reason");
    let out = run(
        &db,
        &[
            "case",
            "step",
            &r,
            "plan",
            "--state",
            "done",
            "--role",
            "coordinator",
        ],
    );
    assert_eq!(code(&out), 1, "plan waits for its dependencies");
    let out = run(&db, &["case", "step", &r, "register", "--role", "police"]);
    assert_eq!(code(&out), 2, "missing --state is a usage error");
    let out = run(
        &db,
        &[
            "case", "step", &r, "register", "--state", "finished", "--role", "police",
        ],
    );
    assert_eq!(code(&out), 1, "unknown state");
    let out = run(&db, &["case", "show", "BH-2026-ZZZZ"]);
    assert_eq!(code(&out), 1);

    ok(
        &db,
        &[
            "case",
            "step",
            &r,
            "register",
            "--state",
            "in-progress",
            "--role",
            "police",
            "--initials",
            "KL",
        ],
    );
    ok(
        &db,
        &[
            "case", "step", &r, "register", "--state", "done", "--role", "police", "--note", "ok",
        ],
    );
    ok(
        &db,
        &[
            "case",
            "step",
            &r,
            "assess",
            "--state",
            "blocked",
            "--role",
            "social",
            "--reason",
            "waiting for school",
        ],
    );
    let v = show(&db, &r);
    assert_eq!(step(&v, "register")["state"], "done");
    assert_eq!(step(&v, "assess")["state"], "blocked");
    assert_eq!(step(&v, "forensic")["due"], "2026-03-04T23:00:00Z");

    // Overdue against the clock.
    let later = "2026-03-05T12:00:00Z";
    let out = run_at(
        &db,
        later,
        &["case", "list", "--overdue", "--format", "json"],
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let out = run_at(&db, later, &["case", "show", &r, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(step(&v, "forensic")["overdue"], true);
    assert_eq!(
        step(&v, "register")["overdue"],
        false,
        "done steps are never overdue"
    );
    let out = run(&db, &["case", "list", "--overdue", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        list.as_array().unwrap().is_empty(),
        "nothing overdue at opening time"
    );
    let out = ok(&db, &["case", "list", "--role", "police"]);
    assert!(out.contains(&r) && out.contains("forensic"), "{out}");

    // Facts change what applies.
    let out = run(&db, &["case", "facts", &r, "online=maybe"]);
    assert_eq!(code(&out), 1);
    let out = ok(&db, &["case", "facts", &r, "online=false"]);
    assert!(out.contains("no longer apply: seize"), "{out}");
    let v = show(&db, &r);
    assert_eq!(step(&v, "seize")["applicable"], false);
    assert_eq!(step(&v, "seize")["state"], "not_applicable");

    // Migration: a preview first, then the move.
    ok(&db, &["pack", "import", RULES_2, "--unsigned"]);
    let out = ok(
        &db,
        &[
            "case",
            "migrate",
            &r,
            "--to",
            "2.0.0",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    let preview: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(preview["archived"], serde_json::json!(["forensic"]));
    assert_eq!(
        show(&db, &r)["pack"]["version"],
        "1.0.0",
        "a dry run moves nothing"
    );
    ok(&db, &["case", "migrate", &r, "--to", "2.0.0"]);
    let v = show(&db, &r);
    assert_eq!(v["pack"]["version"], "2.0.0");
    assert_eq!(step(&v, "register")["state"], "done");
    assert_eq!(v["archived_steps"][0]["id"], "forensic");

    // Closing and reopening.
    let out = run(&db, &["case", "close", &r]);
    assert_eq!(code(&out), 2, "--reason is required");
    ok(&db, &["case", "close", &r, "--reason", "handled"]);
    assert_eq!(show(&db, &r)["status"], "closed");
    let out = run(
        &db,
        &[
            "case", "step", &r, "assess", "--state", "done", "--role", "social",
        ],
    );
    assert_eq!(code(&out), 1, "a closed case refuses changes");
    ok(&db, &["case", "reopen", &r, "--reason", "new report"]);
    assert_eq!(show(&db, &r)["status"], "open");

    let timeline = ok(&db, &["case", "timeline", &r]);
    assert!(timeline.contains("(KL)"), "{timeline}");
    let check = ok(&db, &["db", "check"]);
    assert!(check.starts_with("ok"), "{check}");
    ok(&db, &["db", "verify"]);
}

#[test]
fn packs_need_a_trusted_signature_unless_unsigned() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("caseway.sqlite3");
    let pack = dir.path().join("rules-2.0.0.toml");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(RULES_2), &pack).unwrap();
    let pack_s = pack.to_str().unwrap();
    let out = run(&db, &["pack", "import", pack_s]);
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--unsigned"));

    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let sk = kp.sk.to_box(None).unwrap().to_string();
    let pk_file = dir.path().join("publisher.pub");
    std::fs::write(&pk_file, kp.pk.to_box().unwrap().to_string()).unwrap();
    let sig = caseway::pack::sign(&std::fs::read(&pack).unwrap(), &sk, None, None).unwrap();
    std::fs::write(dir.path().join("rules-2.0.0.toml.minisig"), sig).unwrap();
    let out = run(&db, &["pack", "import", pack_s]);
    assert_eq!(code(&out), 1, "signed by a key that is not trusted");

    ok(&db, &["keys", "add", pk_file.to_str().unwrap()]);
    let keys: serde_json::Value =
        serde_json::from_str(&ok(&db, &["keys", "list", "--format", "json"])).unwrap();
    let key_id = keys[0]["key_id"].as_str().unwrap().to_string();
    let out = ok(&db, &["pack", "import", pack_s]);
    assert!(out.contains("signed by key"), "{out}");
    let packs: serde_json::Value =
        serde_json::from_str(&ok(&db, &["pack", "list", "--format", "json"])).unwrap();
    let rec = packs
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "test-rules@2.0.0")
        .unwrap();
    assert_eq!(rec["origin"], "signed");
    assert_eq!(rec["sha256"].as_str().unwrap().len(), 64);

    ok(&db, &["pack", "retire", "test-rules@2.0.0"]);
    let out = run(&db, &["case", "open", "--pack", "test-rules@2.0.0"]);
    assert_eq!(code(&out), 1, "no new case on a retired version");
    ok(&db, &["pack", "activate", "test-rules@2.0.0"]);
    open_case(&db, &[]);
    ok(&db, &["keys", "remove", &key_id]);
    assert_eq!(code(&run(&db, &["keys", "remove", &key_id])), 1);
}

#[test]
fn db_verify_catches_an_edited_event() {
    let (_dir, db) = setup();
    let r = open_case(&db, &["online=true"]);
    ok(
        &db,
        &[
            "case", "step", &r, "register", "--state", "done", "--role", "police",
        ],
    );
    ok(
        &db,
        &[
            "case", "step", &r, "assess", "--state", "done", "--role", "social",
        ],
    );
    ok(&db, &["db", "verify"]);
    let seq: i64 = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let seq = conn
            .query_row(
                "SELECT seq FROM events WHERE reference = ?1 AND step = 'register'",
                [&r],
                |row| row.get(0),
            )
            .unwrap();
        conn.execute(
            "UPDATE events SET to_state = 'blocked' WHERE seq = ?1",
            [seq],
        )
        .unwrap();
        seq
    };
    let out = run(&db, &["db", "verify"]);
    assert_eq!(code(&out), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("event {seq} ")), "{err}");
    assert_eq!(code(&run(&db, &["db", "check"])), 1);
}

#[test]
fn a_corrupt_database_gets_a_clear_error_and_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("caseway.sqlite3");
    std::fs::write(
        &db,
        b"garbage garbage garbage garbage garbage garbage garbage",
    )
    .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = run(&db, &["case", "list"]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Caseway database"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn backup_restore_and_purge_from_the_command_line() {
    let (dir, db) = setup();
    let r = open_case(&db, &[]);
    let backup = dir.path().join("backup.sqlite3");
    ok(&db, &["db", "backup", backup.to_str().unwrap()]);
    assert_eq!(
        code(&run(&db, &["db", "backup", backup.to_str().unwrap()])),
        2
    );
    ok(&db, &["case", "close", &r, "--reason", "done"]);
    let out = run_at(&db, "2026-05-01T00:00:00Z", &["db", "purge", "--dry-run"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("would remove") && text.contains(&r), "{text}");
    assert_eq!(
        show(&db, &r)["status"],
        "closed",
        "a dry run removes nothing"
    );
    ok(&db, &["db", "restore", backup.to_str().unwrap()]);
    assert_eq!(show(&db, &r)["status"], "open");
    let out = run_at(&db, "2026-05-01T00:00:00Z", &["db", "purge"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to purge"));
}

#[test]
fn a_killed_writer_loses_nothing_it_reported_saved() {
    let (_dir, db) = setup();
    let r = open_case(&db, &["online=true"]);
    let states = ["in-progress", "todo"];
    let mut saved = Vec::new();
    let mut killed = 0;
    for i in 0..60u64 {
        let note = format!("change {i}");
        let mut child = cmd(
            &db,
            NOW,
            &[
                "case",
                "step",
                &r,
                "register",
                "--state",
                states[(i % 2) as usize],
                "--role",
                "police",
                "--note",
                &note,
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        if i % 3 == 2 {
            // Kill some writers at varying points of their run.
            std::thread::sleep(std::time::Duration::from_micros(500 * (i % 17)));
            let _ = child.kill(); // SIGKILL on Unix
        }
        let out = child.wait_with_output().unwrap();
        {
            use std::os::unix::process::ExitStatusExt;
            if out.status.signal() == Some(9) {
                killed += 1;
            }
        }
        if String::from_utf8_lossy(&out.stdout).contains("saved:") {
            saved.push(note);
        }
    }
    assert!(killed > 0, "some writers were killed");
    assert!(
        saved.len() >= 40,
        "most changes were not killed ({} saved)",
        saved.len()
    );
    let events: serde_json::Value =
        serde_json::from_str(&ok(&db, &["case", "timeline", &r, "--format", "json"])).unwrap();
    let notes: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["note"].as_str())
        .collect();
    for n in &saved {
        assert!(
            notes.contains(&n.as_str()),
            "change `{n}` was reported saved but is missing"
        );
    }
    let check = ok(&db, &["db", "check"]);
    assert!(check.starts_with("ok"), "{check}");
}

#[test]
fn two_processes_writing_at_once_both_succeed() {
    let (_dir, db) = setup();
    let r = open_case(&db, &[]);
    let per_writer = 15;
    let writers: Vec<_> = ["police", "social"]
        .into_iter()
        .map(|role| {
            let db = db.clone();
            let r = r.clone();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    let text = format!("{role} note {i}");
                    let step = if role == "police" {
                        "register"
                    } else {
                        "assess"
                    };
                    let out = run(&db, &["case", "note", &r, step, &text, "--role", role]);
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let events: serde_json::Value =
        serde_json::from_str(&ok(&db, &["case", "timeline", &r, "--format", "json"])).unwrap();
    let notes = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "note")
        .count();
    assert_eq!(notes, 2 * per_writer);
    let check = ok(&db, &["db", "check"]);
    assert!(check.starts_with("ok"), "{check}");
}

#[test]
fn a_damaged_database_is_reported_by_check_and_can_be_restored() {
    let (dir, db) = setup();
    let r = open_case(&db, &[]);
    let backup = dir.path().join("backup.sqlite3");
    ok(&db, &["db", "backup", backup.to_str().unwrap()]);
    // Overwrite the root page of the `cases` table (the last process has closed the file,
    // so the WAL is checkpointed into it).
    let (root, page_size): (u64, u64) = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let root = conn
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'cases'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let size = conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap();
        (root, size)
    };
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
        f.seek(SeekFrom::Start((root - 1) * page_size)).unwrap();
        f.write_all(&[0xee; 64]).unwrap();
    }
    let out = run(&db, &["db", "check"]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("integrity:"));
    ok(&db, &["db", "restore", backup.to_str().unwrap()]);
    let check = ok(&db, &["db", "check"]);
    assert!(check.starts_with("ok"), "{check}");
    assert_eq!(show(&db, &r)["reference"], r.as_str());
}

#[test]
fn a_stream_writer_killed_mid_stream_loses_nothing_it_reported_saved() {
    use std::io::{BufRead, BufReader, Write};
    let (_dir, db) = setup();
    let r = open_case(&db, &["online=true"]);
    let mut child = cmd(&db, NOW, &["case", "batch", &r])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for i in 0..100_000u32 {
            let state = if i % 2 == 0 { "in-progress" } else { "todo" };
            let line = format!(
                "{{\"step\": \"register\", \"state\": \"{state}\", \"role\": \"police\", \"note\": \"n{i}\"}}\n"
            );
            if stdin.write_all(line.as_bytes()).is_err() {
                break; // the writer was killed
            }
        }
    });
    let mut saved = 0u32;
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        assert!(line.starts_with("saved:"), "{line}");
        saved += 1;
        line.clear();
        if saved == 300 {
            child.kill().unwrap(); // SIGKILL while it is writing the next changes
            break;
        }
    }
    child.wait().unwrap();
    feeder.join().unwrap();
    assert_eq!(saved, 300);
    let events: serde_json::Value =
        serde_json::from_str(&ok(&db, &["case", "timeline", &r, "--format", "json"])).unwrap();
    let notes: std::collections::HashSet<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["note"].as_str())
        .collect();
    for i in 0..saved {
        assert!(
            notes.contains(format!("n{i}").as_str()),
            "change n{i} was reported saved but is missing"
        );
    }
    let check = ok(&db, &["db", "check"]);
    assert!(check.starts_with("ok"), "{check}");
}
