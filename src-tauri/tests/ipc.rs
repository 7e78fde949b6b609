//! The whole app on Tauri's mock runtime: commands answer over real IPC, and only the
//! commands the capability grants can be called.

use caseway_app::{build, AppState};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

fn request(cmd: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

#[test]
fn app_info_answers_with_engine_version_and_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ipc.sqlite3");
    let app = build(
        mock_builder(),
        AppState {
            database: db.clone(),
        },
    )
    .build(mock_context(noop_assets()))
    .expect("the app builds on the mock runtime");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();

    let answer = get_ipc_response(&window, request("app_info"))
        .expect("app_info is allowed for the main window")
        .deserialize::<serde_json::Value>()
        .unwrap();
    assert_eq!(answer["engineVersion"], caseway::VERSION);
    assert_eq!(answer["database"], db.display().to_string());
}

#[test]
fn unknown_commands_are_refused() {
    let app = build(
        mock_builder(),
        AppState {
            database: "unused.sqlite3".into(),
        },
    )
    .build(mock_context(noop_assets()))
    .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    assert!(get_ipc_response(&window, request("no_such_command")).is_err());
}
