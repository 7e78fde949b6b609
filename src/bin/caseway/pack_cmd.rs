//! `caseway pack ...`: validate, show, diff, schema, sign and verify protocol pack files.
//!
//! Exit codes: 0 done (a pack with warnings only is valid), 1 invalid pack or bad signature,
//! 2 usage or I/O error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use caseway::pack::{self, Anchor, Diagnostic, Pack, PackLoadError, Validated};

// Output that never panics: a closed pipe (`caseway pack show ... | head`) is not an error.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}
macro_rules! err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($t)*);
    }};
}

#[derive(Args)]
pub struct PackArgs {
    #[command(subcommand)]
    command: PackCommand,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Subcommand)]
enum PackCommand {
    /// The packs in the database: import, list, activate, retire.
    #[command(flatten)]
    Registry(super::keys_cmd::RegistryCommand),
    /// Check pack files; prints every error and warning with its line. Exit 0 if all are
    /// valid (warnings allowed), 1 if one is invalid, 2 if a file cannot be read.
    Validate {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Outline of a pack: phases, steps by role, conditions, deadlines.
    Show {
        file: PathBuf,
        /// Language of the texts (default: the pack's default language).
        #[arg(long)]
        lang: Option<String>,
    },
    /// What changed between two versions, and what that changes for running cases.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print the JSON Schema of the pack format (for editor completion).
    Schema,
    /// List the diagnostic codes `validate` reports, with their severity.
    Codes {
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Sign a pack with a minisign secret key, writing FILE.minisig. The pack must be valid.
    /// An encrypted key's password is read from CASEWAY_KEY_PASSWORD.
    Sign {
        file: PathBuf,
        /// Minisign secret key file.
        #[arg(long, value_name = "SECRET")]
        key: PathBuf,
        /// Signed comment (default: timestamp and file name).
        #[arg(long)]
        trusted_comment: Option<String>,
    },
    /// Check FILE.minisig against a public key. Exit 0 valid, 1 unsigned or bad signature.
    Verify {
        file: PathBuf,
        /// Public key: a minisign.pub file, or the base64 key itself (RW...).
        #[arg(long, value_name = "KEY")]
        pubkey: String,
    },
}

pub fn run(db: Option<PathBuf>, args: PackArgs) -> ExitCode {
    match args.command {
        PackCommand::Registry(command) => super::keys_cmd::run_registry(db, command),
        PackCommand::Validate { files, format } => validate(&files, format),
        PackCommand::Show { file, lang } => show(&file, lang.as_deref()),
        PackCommand::Diff { old, new, format } => diff(&old, &new, format),
        PackCommand::Codes { format } => {
            match format {
                Format::Json => {
                    let list: Vec<_> = pack::code::ALL
                        .iter()
                        .map(|(c, sev, what)| {
                            serde_json::json!({ "code": c, "severity": sev, "description": what })
                        })
                        .collect();
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&list).unwrap_or_default()
                    );
                }
                Format::Human => {
                    for (c, sev, what) in pack::code::ALL {
                        outln!("{c}  {:<8} {what}", sev.as_str());
                    }
                }
            }
            ExitCode::SUCCESS
        }
        PackCommand::Schema => {
            out!("{}", pack::schema_json());
            ExitCode::SUCCESS
        }
        PackCommand::Sign {
            file,
            key,
            trusted_comment,
        } => sign(&file, &key, trusted_comment),
        PackCommand::Verify { file, pubkey } => verify(&file, &pubkey),
    }
}

fn code(n: u8) -> ExitCode {
    ExitCode::from(n)
}

fn summary(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn validate(files: &[PathBuf], format: Format) -> ExitCode {
    let mut worst = 0u8;
    let mut reports = Vec::new();
    for file in files {
        let name = file.display().to_string();
        match pack::load_file(file) {
            Ok(Validated { pack, warnings }) => {
                if format == Format::Human {
                    if !warnings.is_empty() {
                        let text = std::fs::read_to_string(file).unwrap_or_default();
                        err!("{}", pack::render_human(&warnings, &text));
                    }
                    outln!(
                        "{name}: valid: {} ({})",
                        pack.key(),
                        plural(warnings.len(), "warning")
                    );
                }
                reports.push(serde_json::json!({
                    "file": name, "valid": true, "pack": pack.key(),
                    "errors": 0, "warnings": warnings.len(), "diagnostics": warnings,
                }));
            }
            Err(PackLoadError::Invalid {
                source_text,
                diagnostics,
                ..
            }) => {
                worst = worst.max(1);
                let (e, w) = summary(&diagnostics);
                if format == Format::Human {
                    err!("{}", pack::render_human(&diagnostics, &source_text));
                    outln!(
                        "{name}: invalid ({}, {})",
                        plural(e, "error"),
                        plural(w, "warning")
                    );
                }
                reports.push(serde_json::json!({
                    "file": name, "valid": false, "pack": null,
                    "errors": e, "warnings": w, "diagnostics": diagnostics,
                }));
            }
            Err(err @ PackLoadError::Io { .. }) => {
                worst = 2;
                if format == Format::Human {
                    errln!("error: {err}");
                }
                reports.push(serde_json::json!({
                    "file": name, "valid": false, "pack": null, "io_error": err.to_string(),
                    "errors": 0, "warnings": 0, "diagnostics": [],
                }));
            }
        }
    }
    if format == Format::Json {
        let out = serde_json::json!({ "valid": worst == 0, "files": reports });
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    }
    code(worst)
}

/// Loads a pack for show/diff: on failure prints why and returns the exit code.
fn load(file: &Path) -> Result<Pack, ExitCode> {
    match pack::load_file(file) {
        Ok(v) => Ok(v.pack),
        Err(PackLoadError::Invalid {
            path,
            source_text,
            diagnostics,
        }) => {
            err!("{}", pack::render_human(&diagnostics, &source_text));
            let (e, _) = summary(&diagnostics);
            errln!(
                "error: {path} is invalid ({}); fix it first",
                plural(e, "error")
            );
            Err(code(1))
        }
        Err(err) => {
            errln!("error: {err}");
            Err(code(2))
        }
    }
}

fn show(file: &Path, lang: Option<&str>) -> ExitCode {
    let p = match load(file) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let lang = lang.unwrap_or(&p.default_language).to_string();
    if !p.languages.contains(&lang) {
        errln!(
            "note: the pack has no `{lang}` texts (languages: {}); showing {} where missing",
            p.languages.join(", "),
            p.default_language
        );
    }
    let t = |x: &pack::Text| p.text(x, &lang).to_string();
    outln!("{} [{}] {}", p.key(), p.status.as_str(), t(&p.title));
    let mut meta = Vec::new();
    if let Some(x) = &p.publisher {
        meta.push(format!("publisher: {x}"));
    }
    if let Some(x) = &p.jurisdiction {
        meta.push(format!("jurisdiction: {x}"));
    }
    if let Some(x) = &p.effective {
        meta.push(format!("effective: {x}"));
    }
    meta.push(format!("languages: {}", p.languages.join(", ")));
    if let Some(x) = &p.retention {
        meta.push(format!("retention: {x}"));
    }
    outln!("{}", meta.join(" | "));
    outln!(
        "{}, {}, {}, {}",
        plural(p.roles.len(), "role"),
        plural(p.phases.len(), "phase"),
        plural(p.facts.len(), "fact"),
        plural(p.steps.len(), "step")
    );

    outln!("\nRoles:");
    for r in &p.roles {
        outln!("  {:<18} {}", r.id, t(&r.title));
    }
    outln!("\nFacts:");
    for f in &p.facts {
        let kind = if f.options.is_empty() {
            f.kind.as_str().to_string()
        } else {
            format!(
                "{}: {}",
                f.kind.as_str(),
                f.options
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            )
        };
        outln!("  {} ({kind})  {}", f.id, t(&f.question));
    }

    for (n, phase) in p.phases.iter().enumerate() {
        outln!("\n{}. {} [{}]", n + 1, t(&phase.title), phase.id);
        let mut by_role: BTreeMap<usize, Vec<&pack::Step>> = BTreeMap::new();
        for s in p.steps.iter().filter(|s| s.phase == phase.id) {
            let r = p
                .roles
                .iter()
                .position(|r| r.id == s.role)
                .unwrap_or(usize::MAX);
            by_role.entry(r).or_default().push(s);
        }
        if by_role.is_empty() {
            outln!("   (no steps)");
        }
        for (r, steps) in by_role {
            let role = p.roles.get(r).map(|r| t(&r.title)).unwrap_or_default();
            outln!("   {role}:");
            for s in steps {
                let mut flags = vec![s.required.as_str().to_string()];
                if s.priority == pack::Priority::Urgent {
                    flags.push("urgent".into());
                }
                outln!("     - {} [{}]  {}", s.id, flags.join(", "), t(&s.title));
                if let Some(w) = &s.when {
                    outln!("         when: {}", w.source());
                }
                if !s.after.is_empty() {
                    outln!("         after: {}", s.after.join(", "));
                }
                if let Some(d) = &s.due {
                    let from = match &d.from {
                        Anchor::Opened => "case opened".to_string(),
                        Anchor::Step(x) => format!("`{x}` finished"),
                        Anchor::Fact(x) => format!("the time given by fact `{x}`"),
                    };
                    outln!("         due: within {} of {from}", d.within);
                }
                if !s.support.is_empty() {
                    outln!("         support: {}", s.support.join(", "));
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn diff(old: &Path, new: &Path, format: Format) -> ExitCode {
    let (o, n) = match (load(old), load(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(c), _) | (_, Err(c)) => return c,
    };
    if o.id != n.id {
        errln!(
            "note: comparing two different packs ({} and {}); cases cannot migrate between them",
            o.id,
            n.id
        );
    }
    let d = pack::diff(&o, &n);
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&d).unwrap_or_default()),
        Format::Human => out!("{d}"),
    }
    ExitCode::SUCCESS
}

fn signature_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".minisig");
    PathBuf::from(s)
}

fn sign(file: &Path, key: &Path, trusted_comment: Option<String>) -> ExitCode {
    if let Err(c) = load(file) {
        errln!("error: refusing to sign an invalid pack");
        return c;
    }
    let data = match std::fs::read(file) {
        Ok(d) => d,
        Err(e) => {
            errln!("error: cannot read {}: {e}", file.display());
            return code(2);
        }
    };
    let sk = match std::fs::read_to_string(key) {
        Ok(k) => k,
        Err(e) => {
            errln!("error: cannot read secret key {}: {e}", key.display());
            return code(2);
        }
    };
    let password = std::env::var("CASEWAY_KEY_PASSWORD").ok();
    let comment = trusted_comment.unwrap_or_else(|| {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("timestamp:{}\tfile:{name}", chrono::Utc::now().timestamp())
    });
    let sig = match pack::sign(&data, &sk, password, Some(&comment)) {
        Ok(s) => s,
        Err(e) => {
            errln!("error: {e}");
            return code(2);
        }
    };
    let out = signature_path(file);
    if let Err(e) = std::fs::write(&out, sig) {
        errln!("error: cannot write {}: {e}", out.display());
        return code(2);
    }
    outln!("signed: {}", out.display());
    ExitCode::SUCCESS
}

fn verify(file: &Path, pubkey: &str) -> ExitCode {
    let key_text = if Path::new(pubkey).is_file() {
        match std::fs::read_to_string(pubkey) {
            Ok(k) => k,
            Err(e) => {
                errln!("error: cannot read public key {pubkey}: {e}");
                return code(2);
            }
        }
    } else {
        pubkey.to_string()
    };
    if let Err(e) = pack::public_key(&key_text) {
        errln!("error: {e}");
        return code(2);
    }
    let data = match std::fs::read(file) {
        Ok(d) => d,
        Err(e) => {
            errln!("error: cannot read {}: {e}", file.display());
            return code(2);
        }
    };
    let sig_path = signature_path(file);
    let sig = match std::fs::read_to_string(&sig_path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            errln!(
                "unsigned: {} has no signature ({} not found); it can be imported into training mode only",
                file.display(),
                sig_path.display()
            );
            return code(1);
        }
        Err(e) => {
            errln!("error: cannot read {}: {e}", sig_path.display());
            return code(2);
        }
    };
    match pack::verify(&data, &sig, &key_text) {
        Ok(v) => {
            outln!(
                "{}: signature valid (trusted comment: {})",
                file.display(),
                v.trusted_comment
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            errln!("{}: signature INVALID: {e}", file.display());
            code(1)
        }
    }
}
