//! How the window's web view draws, on Linux.
//!
//! WebKitGTK composites the page through OpenGL. On a machine without a graphics processor
//! that Mesa can drive (no DRM render node: most virtual desktops, servers, and office PCs
//! whose graphics have no driver) OpenGL falls back to llvmpipe, which compiles every shader
//! on the processor. Measured under Xvfb on such a machine, the first screen then appeared
//! 0.6–0.9 s later and the web process held about 100 MiB more than when WebKit draws without
//! compositing, for a window that shows forms and tables and has no animation. So where there
//! is no render node, or software OpenGL is forced, Caseway asks WebKit to draw without
//! compositing. A machine with a render node keeps WebKit's default, and
//! `WEBKIT_DISABLE_COMPOSITING_MODE` set by the user (`1` to disable, `0` to keep compositing)
//! is never overridden.

use std::path::Path;

/// The WebKitGTK variable that turns accelerated compositing off (any value but `0`).
pub const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// What the app chose, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// The user set `WEBKIT_DISABLE_COMPOSITING_MODE`: left as it is.
    AsSetByUser,
    /// A render node is there: WebKit's default (compositing through the graphics processor).
    WebKitDefault,
    /// No render node, or `LIBGL_ALWAYS_SOFTWARE`: drawn on the processor, without compositing.
    WithoutCompositing,
}

impl Rendering {
    /// A short name, for the start-up report read by `scripts/bench-app`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rendering::AsSetByUser => "as-set-by-user",
            Rendering::WebKitDefault => "webkit-default",
            Rendering::WithoutCompositing => "without-compositing",
        }
    }
}

/// The choice, from what the environment and the machine say.
pub fn choose(set_by_user: bool, software_gl_forced: bool, has_render_node: bool) -> Rendering {
    if set_by_user {
        Rendering::AsSetByUser
    } else if software_gl_forced || !has_render_node {
        Rendering::WithoutCompositing
    } else {
        Rendering::WebKitDefault
    }
}

/// Whether `dri` (normally `/dev/dri`) holds a render node (`renderD128`, ...).
pub fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

/// Makes the choice for this machine and sets the variable when drawing without compositing.
/// Call it first thing in `main`, before any thread starts and before GTK or WebKit start.
#[cfg(target_os = "linux")]
pub fn apply() -> Rendering {
    let software = std::env::var("LIBGL_ALWAYS_SOFTWARE").is_ok_and(|v| v != "0" && !v.is_empty());
    let choice = choose(
        std::env::var_os(VARIABLE).is_some(),
        software,
        has_render_node(Path::new("/dev/dri")),
    );
    if choice == Rendering::WithoutCompositing {
        std::env::set_var(VARIABLE, "1");
    }
    choice
}

/// Other platforms draw through their own web view: nothing to choose.
#[cfg(not(target_os = "linux"))]
pub fn apply() -> Rendering {
    Rendering::WebKitDefault
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_setting_always_wins() {
        for software in [false, true] {
            for node in [false, true] {
                assert_eq!(choose(true, software, node), Rendering::AsSetByUser);
            }
        }
    }

    #[test]
    fn without_a_render_node_or_with_software_gl_the_page_is_drawn_without_compositing() {
        assert_eq!(choose(false, false, false), Rendering::WithoutCompositing);
        assert_eq!(choose(false, true, true), Rendering::WithoutCompositing);
        assert_eq!(choose(false, false, true), Rendering::WebKitDefault);
    }

    #[test]
    fn a_render_node_is_found_by_its_name() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dir.path()), "empty folder");
        assert!(
            !has_render_node(&dir.path().join("missing")),
            "missing folder"
        );
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(
            !has_render_node(dir.path()),
            "a card node alone is not a render node"
        );
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
