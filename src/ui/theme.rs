//! The theme the user picked, kept in localStorage for the next visit.

const THEME_KEY: &str = "stitch.theme";

/// The theme the user picked last in this browser (`"dark"` or `"light"`).
pub fn remembered_theme() -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage.get_item(THEME_KEY).ok()?
}

/// Keeps the theme the user picked for the next visit (storage may be off: then it is not kept).
pub fn remember_theme(dark: bool) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = storage.set_item(THEME_KEY, if dark { "dark" } else { "light" });
    }
}
