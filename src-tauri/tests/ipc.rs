//! The whole app on Tauri's mock runtime with a real SQLite file: commands answer over IPC
//! with the engine's data, and refusals arrive as `{ code, message }`.

use caseway_app::{build, AppState};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

fn app_with_db(
    db: std::path::PathBuf,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    WebviewWindow<tauri::test::MockRuntime>,
) {
    let app = build(mock_builder(), AppState::new(db))
        .build(mock_context(noop_assets()))
        .expect("the app builds on the mock runtime");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
}

fn call(
    window: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn app_info_opens_the_database_and_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ipc.sqlite3");
    let (_app, window) = app_with_db(db.clone());
    let answer = call(&window, "app_info", json!({})).expect("app_info answers");
    assert_eq!(answer["engineVersion"], caseway::VERSION);
    assert_eq!(answer["database"], db.display().to_string());
    assert!(db.exists(), "the database file is created on first use");
}

#[test]
fn a_case_opened_over_ipc_is_stored_and_rules_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(dir.path().join("ipc.sqlite3"));

    let packs = call(&window, "list_packs", json!({ "lang": "sv" })).unwrap();
    let active = packs
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "active")
        .expect("the shipped packs are installed and one is active");
    let key = active["key"].as_str().unwrap().to_string();

    let outline = call(&window, "pack_outline", json!({ "key": key, "lang": "sv" })).unwrap();
    assert_eq!(outline["language"], "sv");
    let police = outline["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "police")
        .unwrap();
    assert_eq!(
        police["title"], "Polis",
        "pack texts come in the language asked for"
    );

    let opened = call(
        &window,
        "open_case",
        json!({ "input": {
            "pack": key,
            "facts": { "online_element": true },
            "label": null,
            "actor": { "role": "coordinator", "initials": "AB" }
        }}),
    )
    .expect("the case opens");
    let reference = opened["reference"].as_str().unwrap().to_string();
    assert!(
        caseway::privacy::is_reference(&reference),
        "{reference} is a generated reference"
    );

    let list = call(
        &window,
        "case_list",
        json!({ "query": { "status": "open", "overdueOnly": false, "mineOnly": false, "role": "police", "lang": "en" } }),
    )
    .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["reference"], reference.as_str());

    // A step owned by the police, changed by therapy: refused with a message saying why.
    let police_step = opened["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "police" && s["applicable"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = call(
        &window,
        "change_step",
        json!({ "input": {
            "reference": reference, "step": police_step, "state": "in_progress",
            "reason": null, "note": null, "record": {},
            "actor": { "role": "therapy", "initials": null }
        }}),
    )
    .expect_err("therapy may not change a police step");
    assert_eq!(refused["code"], "refused");
    assert!(refused["message"].as_str().unwrap().contains("police"));

    let started = call(
        &window,
        "change_step",
        json!({ "input": {
            "reference": reference, "step": police_step, "state": "in_progress",
            "reason": null, "note": null, "record": {},
            "actor": { "role": "police", "initials": "CD" }
        }}),
    )
    .expect("the owner may start it");
    let step = started["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == police_step.as_str())
        .unwrap();
    assert_eq!(step["state"], "in_progress");

    let trail = call(&window, "case_trail", json!({ "reference": reference })).unwrap();
    assert_eq!(
        trail[0]["toState"], "in_progress",
        "the trail is newest first"
    );
    assert_eq!(trail[0]["initials"], "CD");
}

#[test]
fn a_database_that_cannot_be_opened_is_reported_as_a_database_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("not-a-db.sqlite3");
    std::fs::write(
        &db,
        b"this is not a database, and it must be left untouched",
    )
    .unwrap();
    let (_app, window) = app_with_db(db.clone());
    let err = call(&window, "app_info", json!({})).expect_err("a foreign file is refused");
    assert_eq!(err["code"], "database");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("not-a-db.sqlite3"));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"this is not a database, and it must be left untouched"
    );
}

#[test]
fn unknown_commands_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(dir.path().join("ipc.sqlite3"));
    assert!(call(&window, "no_such_command", json!({})).is_err());
}
