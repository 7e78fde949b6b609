//! A bare Tauri 2 window showing one static page: the floor against which
//! `scripts/bench-app` compares Caseway's startup time and memory.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::{Once, OnceLock};
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Same contract as Caseway's `ui_ready`: with `CASEWAY_REPORT_READY` set, prints
/// `ready <milliseconds since start>` once.
#[tauri::command]
fn ui_ready() {
    static REPORTED: Once = Once::new();
    if std::env::var_os("CASEWAY_REPORT_READY").is_some() {
        if let Some(started) = STARTED.get() {
            REPORTED.call_once(|| println!("ready {}", started.elapsed().as_millis()));
        }
    }
}

fn main() {
    STARTED.get_or_init(Instant::now);
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!())
        .expect("error while running the baseline window");
}
