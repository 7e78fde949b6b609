//! `caseway keys ...` (trusted pack signing keys) and the pack registry commands
//! `caseway pack import|list|activate|retire` that work on the database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use caseway::pack::PackStatus;

use crate::case_cmd::{finish, now, open_engine, print_json, say, Failure, Format};

#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Trust a minisign public key: a `.pub` file or the base64 key (RW...).
    Add { key: String },
    /// The trusted keys.
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Stop trusting a key (by its id, as `keys list` shows it).
    Remove { id: String },
}

pub fn run(db: Option<PathBuf>, args: KeysArgs) -> ExitCode {
    finish(run_keys(db, args))
}

fn run_keys(db: Option<PathBuf>, args: KeysArgs) -> Result<(), Failure> {
    let now = now()?;
    let mut engine = open_engine(db, now)?;
    match args.command {
        KeysCommand::Add { key } => {
            let path = Path::new(&key);
            let text = if path.is_file() {
                std::fs::read_to_string(path)
                    .map_err(|e| Failure::usage(format!("cannot read {key}: {e}")))?
            } else {
                key.clone()
            };
            let k = engine.add_key(&text, now)?;
            say!("saved: trusted key {}", k.key_id);
            Ok(())
        }
        KeysCommand::List { format } => {
            let keys = engine.list_keys()?;
            if format == Format::Json {
                return print_json(&keys);
            }
            if keys.is_empty() {
                say!("no trusted keys");
            }
            for k in &keys {
                say!("{}  {}  {}", k.key_id, k.public_key, k.comment);
            }
            Ok(())
        }
        KeysCommand::Remove { id } => {
            engine.remove_key(&id, now)?;
            say!("saved: key {id} removed");
            Ok(())
        }
    }
}

/// `caseway pack import|list|activate|retire`: the packs in the database.
#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Import a pack file into the database. FILE.minisig must hold a signature by a trusted
    /// key, unless --unsigned (training only; recorded in the audit trail).
    Import {
        file: PathBuf,
        #[arg(long)]
        unsigned: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// The pack versions in the database.
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Make a pack version active (new cases use the highest active version).
    Activate { key: String },
    /// Retire a pack version (no new cases; running cases keep it).
    Retire { key: String },
}

pub fn run_registry(db: Option<PathBuf>, command: RegistryCommand) -> ExitCode {
    finish(registry(db, command))
}

fn registry(db: Option<PathBuf>, command: RegistryCommand) -> Result<(), Failure> {
    let now = now()?;
    let mut engine = open_engine(db, now)?;
    match command {
        RegistryCommand::Import {
            file,
            unsigned,
            format,
        } => {
            let source = std::fs::read_to_string(&file)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
            let sig_path = PathBuf::from(format!("{}.minisig", file.display()));
            let signature = match std::fs::read_to_string(&sig_path) {
                Ok(s) => Some(s),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(Failure::usage(format!(
                        "cannot read {}: {e}",
                        sig_path.display()
                    )))
                }
            };
            let name = file.display().to_string();
            let out = engine.import_pack(&name, &source, signature.as_deref(), unsigned, now)?;
            if format == Format::Json {
                return print_json(&out);
            }
            for w in &out.warnings {
                say!("warning: {w}");
            }
            say!(
                "{}: {} ({}{})",
                if out.new { "saved" } else { "already present" },
                out.key,
                out.origin.as_str(),
                out.signed_by
                    .as_deref()
                    .map(|k| format!(" by key {k}"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        RegistryCommand::List { format } => {
            let packs = engine.list_packs()?;
            if format == Format::Json {
                return print_json(&packs);
            }
            for p in &packs {
                say!(
                    "{}  {:<7}  {:<8}  sha256 {}",
                    p.key,
                    p.status,
                    p.origin.as_str(),
                    &p.sha256[..16.min(p.sha256.len())]
                );
            }
            Ok(())
        }
        RegistryCommand::Activate { key } => {
            let p = engine.set_pack_status(&key, PackStatus::Active, now)?;
            say!("saved: {} is {}", p.key, p.status);
            Ok(())
        }
        RegistryCommand::Retire { key } => {
            let p = engine.set_pack_status(&key, PackStatus::Retired, now)?;
            say!("saved: {} is {}", p.key, p.status);
            Ok(())
        }
    }
}
