//! The toolbar's choice of what shows beside each bar, kept in localStorage for the next visit (and in the link, by
//! `embed`). The texts are the core's (`layout::bar_labels`).

use leptos::prelude::*;

use super::use_state;
use crate::layout::bar_labels::BarLabel;

const STORAGE_KEY: &str = "stitch.barLabel";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The choice made last in this browser (the duration when none was made, or storage is off).
pub fn remembered() -> BarLabel {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|v| BarLabel::from_link(&v))
        .unwrap_or_default()
}

fn remember(label: &BarLabel) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, &label.link_value());
    }
}

/// "Label: duration | self time | attribute… | nothing", with the attribute's key.
#[component]
pub fn BarLabelPicker() -> impl IntoView {
    let state = use_state();
    let set = move |label: BarLabel| {
        remember(&label);
        state.bar_label.set(label);
    };
    let kind = move || match state.bar_label.get() {
        BarLabel::Duration => "duration",
        BarLabel::SelfTime => "self",
        BarLabel::Attribute(_) => "attr",
        BarLabel::Nothing => "none",
    };
    // The key typed for "attribute", kept while another choice is made.
    let key = RwSignal::new(match state.bar_label.get_untracked() {
        BarLabel::Attribute(k) => k,
        _ => String::new(),
    });
    let on_kind = move |ev: leptos::ev::Event| match event_target_value(&ev).as_str() {
        "self" => set(BarLabel::SelfTime),
        "none" => set(BarLabel::Nothing),
        "attr" => {
            let k = key.get_untracked();
            set(if k.trim().is_empty() {
                BarLabel::Attribute("http.route".into())
            } else {
                BarLabel::Attribute(k)
            })
        }
        _ => set(BarLabel::Duration),
    };
    Effect::new(move |_| {
        if let BarLabel::Attribute(k) = state.bar_label.get() {
            key.set(k);
        }
    });
    view! {
        <label class="toggle bar-label" title="What shows beside each bar">
            "Label"
            <select class="select" data-testid="bar-label" prop:value=kind on:change=on_kind>
                <option value="duration">"duration"</option>
                <option value="self">"self time"</option>
                <option value="attr">"attribute…"</option>
                <option value="none">"nothing"</option>
            </select>
        </label>
        {move || (kind() == "attr").then(|| view! {
            <input
                class="input bar-label-key"
                data-testid="bar-label-key"
                placeholder="attribute key"
                aria-label="Attribute key to show beside each bar"
                prop:value=move || key.get()
                on:change=move |ev| {
                    let k = event_target_value(&ev);
                    if !k.trim().is_empty() {
                        set(BarLabel::Attribute(k.trim().to_string()));
                    }
                }
            />
        })}
    }
}
