//! `caseway`: the command line for coordinators, trainers and scripts.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") | Some("-V") => {
            println!("caseway {}", caseway::VERSION);
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: caseway <command>  (see `caseway --help`)");
            ExitCode::from(2)
        }
    }
}
