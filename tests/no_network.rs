//! No network, proven two ways:
//! - from the build: the dependency tree of the desktop targets holds no HTTP or TLS
//!   client crate, and the built UI bundle refers to no remote URL;
//! - from a run: the real `caseway` binary goes through a full case flow under
//!   `strace -f`, and no connect/sendto/sendmsg goes to an inet or inet6 address.
//!
//! The same trace of the desktop app's window lives with the UI's end-to-end tests
//! (`ui/tests/e2e/no-network.e2e.ts`).

use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;

/// The desktop targets the app ships for. Tauri itself pulls `reqwest` only on Android.
const DESKTOP_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "x86_64-pc-windows-msvc",
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
];

/// Crates that make HTTP(S), WebSocket or TLS connections, or the Tauri plugins that
/// bring them. Type-only crates (`http`, `url`) are not clients and are allowed.
const NETWORK_CLIENT_CRATES: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "hyper-rustls",
    "hyper-tls",
    "h2",
    "h3",
    "quinn",
    "ureq",
    "isahc",
    "attohttpc",
    "curl",
    "curl-sys",
    "surf",
    "awc",
    "tungstenite",
    "tokio-tungstenite",
    "async-tungstenite",
    "rustls",
    "tokio-rustls",
    "native-tls",
    "tokio-native-tls",
    "openssl",
    "openssl-sys",
    "schannel",
    "tauri-plugin-http",
    "tauri-plugin-updater",
    "tauri-plugin-websocket",
    "tauri-plugin-upload",
];

/// Crate names in `cargo tree --prefix none` output (`name vX.Y.Z [(path)] [(*)]`)
/// that are network clients.
fn network_clients_in(tree: &str) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let name = parts.next()?;
            let version = parts.next()?;
            (version.starts_with('v') && NETWORK_CLIENT_CRATES.contains(&name))
                .then(|| format!("{name} {version}"))
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn detector_flags_client_crates_in_a_tree() {
    let tree = "caseway v0.1.0 (/work/main)\nserde v1.0.200\nreqwest v0.12.0\n\
                hyper v1.4.1 (*)\nrustls v0.23.12\nhttp v1.1.0\nurl v2.5.2\n\
                hyperlocal v0.9.0\nopenssl-sys v0.9.103\n";
    assert_eq!(
        network_clients_in(tree),
        vec![
            "hyper v1.4.1",
            "openssl-sys v0.9.103",
            "reqwest v0.12.0",
            "rustls v0.23.12"
        ]
    );
    assert!(
        network_clients_in("caseway v0.1.0 (/work/main)\nhttp v1.1.0\nurl v2.5.2\n").is_empty()
    );
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn desktop_dependency_trees_have_no_http_or_tls_client() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = workspace_root().join("Cargo.toml");
    let mut problems = Vec::new();
    for target in DESKTOP_TARGETS {
        let out = Command::new(&cargo)
            .args(["tree", "--workspace", "-e", "normal", "--target", target])
            .args(["--prefix", "none", "--manifest-path"])
            .arg(&manifest)
            .output()
            .expect("cargo must be runnable from the test");
        assert!(
            out.status.success(),
            "cargo tree for {target} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8_lossy(&out.stdout);
        assert!(
            tree.lines().any(|l| l.starts_with("caseway v")),
            "cargo tree for {target} did not list the engine crate:\n{tree}"
        );
        let clients = network_clients_in(&tree);
        println!(
            "{target}: {} crates, network clients: {}",
            tree.lines().count(),
            if clients.is_empty() {
                "none".to_string()
            } else {
                clients.join(", ")
            }
        );
        if !clients.is_empty() {
            problems.push(format!("{target}: {}", clients.join(", ")));
        }
    }
    assert!(
        problems.is_empty(),
        "HTTP/TLS client crates in the desktop dependency tree (the app must not talk to \
         the network; find who pulls them with `cargo tree -i NAME --target T` and remove \
         that dependency or feature):\n{}",
        problems.join("\n")
    );
}

/// Remote URLs that are text, never loaded: XML namespace names, and Svelte's links to
/// its error documentation inside developer error messages. Anything else is refused.
const INERT_URL_PREFIXES: &[&str] = &[
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/2000/xmlns/",
    "https://svelte.dev/e/",
];

/// The app's own in-process origins (Tauri's custom protocols); they never leave the
/// machine.
const LOCAL_HOSTS: &[&str] = &["ipc.localhost", "asset.localhost", "tauri.localhost"];

/// Remote URLs in a text file of the UI bundle.
fn remote_urls_in(text: &str) -> Vec<String> {
    let url = Regex::new(r#"https?://[^\s"'`()<>\\,;]*"#).expect("fixed pattern");
    url.find_iter(text)
        .map(|m| m.as_str().to_string())
        .filter(|u| {
            let rest = u.split_once("://").map(|(_, r)| r).unwrap_or("");
            let host = rest.split(['/', ':', '?', '#']).next().unwrap_or("");
            let local = LOCAL_HOSTS.contains(&host) || host.ends_with("}.localhost");
            let inert = INERT_URL_PREFIXES.iter().any(|p| u.starts_with(p));
            !local && !inert
        })
        .collect()
}

#[test]
fn detector_flags_remote_urls_in_a_bundle() {
    let bundle = r#"fetch("http://ipc.localhost/plugin"); const s = "ipc:";
        el = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        const u = `http://${protocol}.localhost/${path}`;
        link.href = "https://fonts.example.com/inter.css";
        throw new Error("see https://svelte.dev/e/effect_orphan");
        import("https://cdn.example.net/lib.js")"#;
    assert_eq!(
        remote_urls_in(bundle),
        vec![
            "https://fonts.example.com/inter.css",
            "https://cdn.example.net/lib.js"
        ]
    );
}

fn bundle_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            bundle_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn built_ui_bundle_refers_to_no_remote_url() {
    let dist = workspace_root().join("ui").join("dist");
    if !dist.is_dir() {
        println!(
            "UI bundle check skipped: {} does not exist (build the UI with \
             `npm run build` in ui/ to include it)",
            dist.display()
        );
        return;
    }
    let mut files = Vec::new();
    bundle_files(&dist, &mut files);
    let loaded_by_webview = [
        "html",
        "js",
        "mjs",
        "css",
        "json",
        "svg",
        "webmanifest",
        "txt",
    ];
    let mut scanned = 0;
    let mut problems = Vec::new();
    for file in &files {
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !loaded_by_webview.contains(&ext) {
            continue;
        }
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        scanned += 1;
        for url in remote_urls_in(&text) {
            problems.push(format!("{}: {url}", file.display()));
        }
    }
    println!(
        "UI bundle check: {scanned} files scanned in {}",
        dist.display()
    );
    assert!(
        scanned > 0,
        "{} holds no HTML, JS or CSS file",
        dist.display()
    );
    assert!(
        problems.is_empty(),
        "the UI bundle refers to remote URLs (ship fonts, scripts and styles inside the \
         bundle, and drop license comments with links from the build):\n{}",
        problems.join("\n")
    );
}

/// Internet-family socket addresses in an strace log (`connect`, `sendto`, `sendmsg`).
fn inet_addresses_in(strace_log: &str) -> Vec<String> {
    let call = Regex::new(r"\b(?:connect|sendto|sendmsg)\(").expect("fixed pattern");
    let family = Regex::new(r"sa_family=AF_INET6?\b").expect("fixed pattern");
    strace_log
        .lines()
        .filter(|l| call.is_match(l) && family.is_match(l))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn detector_flags_inet_connections_in_an_strace_log() {
    let log = "101 openat(AT_FDCWD, \"/tmp/x/caseway.sqlite3\", O_RDWR) = 3\n\
        101 connect(4, {sa_family=AF_UNIX, sun_path=\"/run/dbus/system_bus_socket\"}, 110) = 0\n\
        102 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr(\"93.184.216.34\")}, 16) = -1 EINPROGRESS\n\
        102 sendto(6, \"q\", 1, 0, {sa_family=AF_INET6, sin6_port=htons(53)}, 28) = 1\n";
    let found = inet_addresses_in(log);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("93.184.216.34"));
    assert!(
        inet_addresses_in("101 connect(4, {sa_family=AF_UNIX, sun_path=\"/x\"}, 110) = 0\n")
            .is_empty()
    );
}

/// The real `caseway` binary through a full case flow under `strace -f`: opening a case
/// with facts and a label, a step done with a note, a note, changed facts, reading it
/// back, the timeline, closing, and the database checks. Every connect/sendto/sendmsg
/// is recorded; none may go to an inet or inet6 address (local sockets are allowed).
#[test]
fn a_full_case_flow_on_the_cli_makes_no_inet_connection() {
    if Command::new("strace").arg("-V").output().is_err() {
        println!(
            "strace connect trace skipped: strace is not installed (scripts/setup installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("caseway.sqlite3");
    let db_arg = db.to_str().expect("temporary paths are UTF-8").to_string();
    let bin = env!("CARGO_BIN_EXE_caseway");
    let mut step = 0;
    let mut run = |args: &[&str]| -> String {
        step += 1;
        let log = dir.path().join(format!("strace-{step}.log"));
        let out = Command::new("strace")
            .args([
                "-f",
                "-qq",
                "-e",
                "trace=connect,sendto,sendmsg,openat",
                "-o",
            ])
            .arg(&log)
            .arg(bin)
            .args(["--db", &db_arg])
            .args(args)
            .env_remove("CASEWAY_DB")
            .output()
            .expect("strace runs");
        assert!(
            out.status.success(),
            "caseway {args:?} under strace failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&log).expect("strace wrote its log");
        assert!(
            text.contains("caseway.sqlite3"),
            "the trace of {args:?} does not show the database being opened: strace did not follow the program"
        );
        let inet = inet_addresses_in(&text);
        assert!(
            inet.is_empty(),
            "caseway {args:?} used the network:\n{}",
            inet.join("\n")
        );
        let connects = text.lines().filter(|l| l.contains("connect(")).count();
        println!(
            "caseway {}: {connects} connect calls, none to inet/inet6",
            args.join(" ")
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let opened = run(&[
        "case",
        "open",
        "--pack",
        "barnahus-online-csa",
        "--role",
        "coordinator",
        "--fact",
        "online_element=true",
        "--fact",
        "abuse_types=grooming",
        "--label",
        "Sextortion via game chat",
    ]);
    let reference = opened.lines().last().unwrap_or("").trim().to_string();
    assert!(
        caseway::privacy::is_reference(&reference),
        "no reference printed: {opened}"
    );
    let r = reference.as_str();
    run(&[
        "case",
        "step",
        r,
        "register-report",
        "--state",
        "done",
        "--role",
        "police",
        "--note",
        "Registered from a platform notice",
    ]);
    run(&[
        "case",
        "note",
        r,
        "confirm-case-facts",
        "Facts checked with police",
        "--role",
        "coordinator",
    ]);
    run(&[
        "case",
        "facts",
        r,
        "images_shared_online=true",
        "--role",
        "coordinator",
    ]);
    run(&["case", "show", r]);
    run(&["case", "list"]);
    run(&["case", "timeline", r]);
    run(&[
        "case",
        "close",
        r,
        "--reason",
        "Training case finished",
        "--role",
        "coordinator",
    ]);
    run(&["db", "check"]);
    run(&["db", "verify"]);
}
