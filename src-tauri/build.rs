// The app's own commands are declared here so that each one needs an explicit `allow-*`
// grant in `capabilities/`: nothing is callable from the window unless a capability says so.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_info",
            "list_packs",
            "pack_outline",
            "case_list",
            "open_case",
            "case_detail",
            "change_step",
            "add_note",
            "set_facts",
            "close_case",
            "reopen_case",
            "case_trail",
            "ui_ready",
            "choose_pack_file",
            "import_chosen_pack",
            "set_pack_status",
            "list_keys",
            "add_key",
            "remove_key",
            "migration_preview",
            "migrate_case",
            "bulk_migration_preview",
            "set_training_mode",
            "generate_training_cases",
            "reset_training",
            "list_scenarios",
            "start_walkthrough",
            "walkthrough_goto",
            "stats_preview",
            "stats_save",
        ]),
    ))
    .expect("failed to run tauri-build");
}
