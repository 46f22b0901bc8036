//! The deployer's `stitch.config.json`, fetched once at start-up from beside `index.html` (see `crate::access`), and
//! the link templates of `?config=` (see `crate::link_templates`).

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::State;
use crate::access::{self, parse_config, DeployConfig, Trust};
use crate::link_templates::read_links;

/// Where the deployer puts the file: beside `index.html`, whatever path Stitch is served under.
const CONFIG_FILE: &str = "./stitch.config.json";

/// Reads `stitch.config.json` (a missing file trusts no embedder and has no links), and sets the rules (with
/// `?origin=`) and the link templates.
pub async fn read_deployment(state: State, url_origins: &[String]) {
    let own = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let config = match fetch_text(CONFIG_FILE, web_sys::RequestCredentials::SameOrigin).await {
        Ok(text) => {
            let (config, problems) = parse_config(&text);
            for p in problems {
                warn(&format!("Stitch: {p}"));
            }
            config
        }
        Err(_) => DeployConfig::default(),
    };
    state
        .trust
        .set_value(Trust::new(&own, &config, url_origins));
    state.links.set(Arc::new(config.links));
}

/// `?config=<url>`: the link templates of another configuration file replace the deployer's. Read only from a file
/// of Stitch's own origin or a listed embedder, when Stitch is not framed or is framed by an origin the deployment
/// trusts (`Trust::reads_config_param`), only from an `http:` or `https:` address, never with credentials; any
/// other key of that file (`embedders`) is not read.
pub async fn read_url_links(state: State, url: &str) {
    let parent = state.parent.get_value();
    let address = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|base| web_sys::Url::new_with_base(url, &base).ok());
    let (protocol, source) = address
        .map(|u| (u.protocol(), u.origin()))
        .unwrap_or_default();
    if let Err(refusal) = access::download_allowed(url, &protocol) {
        return warn(&format!("Stitch: ?config=: {refusal}"));
    }
    if !state
        .trust
        .with_value(|t| t.reads_config_param(&parent, &source))
    {
        return warn(&format!("Stitch: ?config={url} ignored: link templates are read only from Stitch's own origin or an embedder stitch.config.json lists, and only when no page or a trusted page frames Stitch. {}", access::HOW_TO_ALLOW));
    }
    let text = match fetch_text(url, web_sys::RequestCredentials::Omit).await {
        Ok(text) => text,
        Err(why) => return warn(&format!("Stitch: ?config={url}: {why}; no links from it")),
    };
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(value) => set_links(state, &value, &format!("?config={url}")),
        Err(e) => warn(&format!(
            "Stitch: ?config={url}: not valid JSON: {e}; no links from it"
        )),
    }
}

/// Replaces the link templates with those of `config` (a configuration object), saying on the console what was
/// left out of it and why.
pub fn set_links(state: State, config: &serde_json::Value, source: &str) {
    let (links, problems) = read_links(config);
    for p in problems {
        warn(&format!("Stitch: {source}: {p}"));
    }
    state.links.set(Arc::new(links));
}

fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

/// How long start-up waits for a file: host pages' messages and `?url=` wait for it.
const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The file's text, or why there is none (not there, or not within [`WAIT`]).
async fn fetch_text(url: &str, credentials: web_sys::RequestCredentials) -> Result<String, String> {
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoCache);
    init.set_credentials(credentials);
    let controller = web_sys::AbortController::new().map_err(|_| "no AbortController")?;
    init.set_signal(Some(&controller.signal()));
    set_timeout(move || controller.abort(), WAIT);
    let window = web_sys::window().ok_or("no window")?;
    let failed = |_| {
        format!(
            "the download failed (network, CORS, or over {}s)",
            WAIT.as_secs()
        )
    };
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let body = response.text().map_err(|_| "no body")?;
    JsFuture::from(body)
        .await
        .map_err(failed)?
        .as_string()
        .ok_or_else(|| "no text".to_string())
}
