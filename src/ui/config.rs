//! The deployer's `stitch.config.json`, fetched once at start-up from beside `index.html` (see `crate::access`).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::access::{parse_config, DeployConfig, Trust};

/// Where the deployer puts the file: beside `index.html`, whatever path Stitch is served under.
const CONFIG_FILE: &str = "./stitch.config.json";

/// Reads `stitch.config.json` (a missing file trusts no embedder) and makes the rules with `?origin=`.
pub async fn read_trust(url_origins: &[String]) -> Trust {
    let own = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let config = match fetch_text().await {
        Some(text) => {
            let (config, problems) = parse_config(&text);
            for p in problems {
                web_sys::console::warn_1(&JsValue::from_str(&format!("Stitch: {p}")));
            }
            config
        }
        None => DeployConfig::default(),
    };
    Trust::new(&own, &config, url_origins)
}

/// How long start-up waits for the file: host pages' messages and `?url=` wait for it.
const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The file's text, or `None` when there is none (or it does not arrive within [`WAIT`]).
async fn fetch_text() -> Option<String> {
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoCache);
    let controller = web_sys::AbortController::new().ok()?;
    init.set_signal(Some(&controller.signal()));
    leptos::prelude::set_timeout(move || controller.abort(), WAIT);
    let window = web_sys::window()?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(CONFIG_FILE, &init))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
    if !response.ok() {
        return None;
    }
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}
