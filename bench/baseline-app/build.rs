// Declares the one command so it needs an `allow-*` grant, as in the real app.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["ui_ready"])),
    )
    .expect("failed to run tauri-build");
}
