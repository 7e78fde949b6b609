//! The Caseway desktop shell: window, state and commands over the `caseway` engine.

pub mod commands;
pub mod dto;
pub mod error;
pub mod state;

use tauri::{Builder, Runtime};

pub use state::AppState;

/// Every command the window may call; `build.rs` declares the same list so each needs a grant.
macro_rules! app_commands {
    () => {
        tauri::generate_handler![
            commands::app_info,
            commands::list_packs,
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
        ]
    };
}

/// Registers state and commands on any runtime, so tests can start the app on the mock runtime.
pub fn build<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder.manage(state).invoke_handler(app_commands!())
}

pub fn run() {
    build(tauri::Builder::default(), AppState::from_environment())
        .run(tauri::generate_context!())
        .expect("error while running the Caseway window");
}
