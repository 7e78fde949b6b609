//! The Caseway desktop shell: window, state and commands over the `caseway` engine.

pub mod commands;
pub mod coordinator;
pub mod dto;
pub mod error;
pub mod rendering;
pub mod state;
pub mod statistics;
pub mod training;

use std::sync::OnceLock;
use std::time::Instant;

use tauri::{Builder, Runtime};

pub use state::AppState;

/// Every command the window may call; `build.rs` declares the same list so each needs a grant.
macro_rules! app_commands {
    () => {
        tauri::generate_handler![
            commands::app_info,
            commands::pack_outline,
            commands::case_list,
            commands::open_case,
            commands::case_detail,
            commands::change_step,
            commands::add_note,
            commands::set_facts,
            commands::close_case,
            commands::reopen_case,
            commands::case_trail,
            commands::ui_ready,
            coordinator::list_packs,
            coordinator::choose_pack_file,
            coordinator::import_chosen_pack,
            coordinator::set_pack_status,
            coordinator::list_keys,
            coordinator::add_key,
            coordinator::remove_key,
            coordinator::migration_preview,
            coordinator::migrate_case,
            coordinator::bulk_migration_preview,
            training::set_training_mode,
            training::generate_training_cases,
            training::reset_training,
            training::list_scenarios,
            training::start_walkthrough,
            training::walkthrough_goto,
            statistics::stats_preview,
            statistics::stats_save,
        ]
    };
}

/// Registers state and commands on any runtime, so tests can start the app on the mock runtime.
pub fn build<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(app_commands!())
}

static STARTED: OnceLock<Instant> = OnceLock::new();

/// When the app started (the first thing `run` does), for the startup figure of `ui_ready`.
pub fn started() -> Instant {
    *STARTED.get_or_init(Instant::now)
}

/// The app's own log: command names, outcomes and timings only (see `state::logged`), in the
/// platform's log folder for the app.
fn log_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    use tauri_plugin_log::{Target, TargetKind};
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .target(Target::new(TargetKind::LogDir {
            file_name: Some("caseway".into()),
        }))
        .level(log::LevelFilter::Info)
        .build()
}

pub fn run() {
    started();
    let rendering = rendering::apply();
    if std::env::var_os("CASEWAY_REPORT_READY").is_some() {
        println!("rendering {}", rendering.as_str());
    }
    build(
        tauri::Builder::default().plugin(log_plugin()),
        AppState::from_environment(),
    )
    .run(tauri::generate_context!())
    .expect("error while running the Caseway window");
}
