//! `?url=`: downloads a trace with progress and Cancel, never with the user's credentials, then opens it.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::engine::Input;
use super::loader::{self, Attached, Then};
use super::State;
use crate::access::{self, Owner};
use crate::loading::{LoadId, Phase};

/// Downloads `url` and opens it, as one load from the first byte to the screen; `then` runs after it is shown
/// (`?trace=` and the deep link).
pub fn load_url(state: State, url: String, then: Then) {
    let name = access::download_name(&url);
    let controller = web_sys::AbortController::new().ok();
    let attached = Attached::download(then, controller.clone());
    let id = loader::start(state, &name, Owner::Local, Phase::Download, attached);
    let protocol = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|base| web_sys::Url::new_with_base(&url, &base).ok())
        .map(|u| u.protocol());
    let Some(protocol) = protocol else {
        return loader::fail(state, id, format!("{url}: not an address Stitch can load"));
    };
    if let Err(refusal) = access::download_allowed(&url, &protocol) {
        return loader::fail(state, id, refusal);
    }
    let Some(controller) = controller else {
        return loader::fail(
            state,
            id,
            format!("{url}: this browser cannot stop a download"),
        );
    };
    loader::warm(state);
    leptos::task::spawn_local(async move {
        let signal = controller.signal();
        let result = fetch(state, id, &url, &name, &signal).await;
        if signal.aborted() || !loader::is_current(state, id) {
            return; // cancelled, or replaced by a newer load
        }
        match result {
            Ok(blob) => loader::parse(state, id, Input::Blob(blob)),
            Err(msg) => loader::fail(state, id, msg),
        }
    });
}

/// The body of `url` as a `Blob`, read in the chunks the network gives, with progress. No cookies or HTTP
/// authentication are sent, even to Stitch's own origin.
async fn fetch(
    state: State,
    id: LoadId,
    url: &str,
    name: &str,
    signal: &web_sys::AbortSignal,
) -> Result<web_sys::Blob, String> {
    let init = web_sys::RequestInit::new();
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_signal(Some(signal));
    let window = web_sys::window().ok_or_else(|| format!("{url}: no window"))?;
    let network = || {
        format!(
            "{url}: the request failed (network error, or blocked by CORS: the server must send Access-Control-Allow-Origin for this page's origin)"
        )
    };
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| network())?
        .unchecked_into();
    let status = response.status();
    if !(200..300).contains(&status) {
        let hint = match status {
            401 | 403 => " (the server wants credentials, and Stitch never sends any)",
            404 => " (check the address and the trace ID)",
            _ => "",
        };
        return Err(format!(
            "{url}: HTTP {status} {}{hint}",
            response.status_text()
        ));
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|n| n.parse::<f64>().ok());
    // Over the limit, the download stops as early as it can tell: a compressed transfer shows its size only as it
    // arrives.
    let limit = crate::formats::MAX_INPUT_BYTES as f64;
    let too_large = |size: f64| crate::formats::too_large(name, size);
    if let Some(t) = total.filter(|&t| t > limit) {
        return Err(too_large(t));
    }
    let body = response.body().ok_or_else(network)?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let chunks = Array::new();
    let mut done_bytes = 0.0;
    let mut shown_at = 0.0;
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(|_| network())?;
        if Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            == Some(true)
        {
            break;
        }
        let Ok(chunk) =
            Reflect::get(&step, &"value".into()).map(JsValue::unchecked_into::<Uint8Array>)
        else {
            return Err(network());
        };
        done_bytes += chunk.length() as f64;
        if done_bytes > limit {
            let _ = reader.cancel();
            return Err(too_large(done_bytes));
        }
        chunks.push(&chunk);
        let now = js_sys::Date::now();
        if now - shown_at > 50.0 {
            shown_at = now;
            loader::update(state, id, |p| p.at(done_bytes, total.unwrap_or(0.0), 0.0));
        }
    }
    web_sys::Blob::new_with_u8_array_sequence(&chunks)
        .map_err(|_| format!("{url}: the response could not be read"))
}
