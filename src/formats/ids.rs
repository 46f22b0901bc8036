//! Span and trace IDs as exporters write them: hex of any case and padding, and OTLP's hex or base64.

/// Normalises a hex ID for matching: lower case, leading zeros dropped (Zipkin and Jaeger pad differently).
pub fn normalize_hex_id(id: &str) -> String {
    let t = id.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        let s = t.trim_start_matches('0');
        if s.is_empty() {
            "0".to_string()
        } else {
            s.to_ascii_lowercase()
        }
    } else {
        t.to_string()
    }
}

/// IDs in OTLP/JSON are hex by the spec, but some exporters write base64 (protobuf JSON's bytes encoding).
/// Hex has exactly `2 * bytes` hex digits; anything else that decodes as base64 to `bytes` bytes is base64.
pub fn normalize_otlp_id(id: &str, bytes: usize) -> String {
    let id = id.trim();
    if id.is_empty() {
        return String::new();
    }
    let is_hex = id.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex && (id.len() == bytes * 2 || (bytes == 16 && id.len() == 16)) {
        return id.to_ascii_lowercase();
    }
    if let Some(raw) = base64_decode(id) {
        if raw.len() == bytes || (bytes == 16 && raw.len() == 8) {
            if raw.iter().all(|&b| b == 0) {
                return String::new();
            }
            return raw.iter().map(|b| format!("{b:02x}")).collect();
        }
    }
    id.to_string()
}

/// Standard or URL-safe base64, padded or not.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
