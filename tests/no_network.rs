//! No network, proven from the build: the dependency tree of the desktop targets holds
//! no HTTP or TLS client crate, and the built UI bundle refers to no remote URL.
//!
//! The end-to-end half of the proof (the running app under `strace -e trace=connect`)
//! lives with the desktop app's tests; this file covers what can be decided from the
//! build alone.

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
