//! Trace file formats: detection by content, one parser per format, all producing [`crate::model::Trace`].

pub mod chrome;
pub mod counted;
pub mod ids;
pub mod jaeger;
pub mod json;
pub mod otlp;
pub mod otlp_write;
pub mod scalar;
pub mod time;
pub mod trace_set;
pub mod zipkin;

use std::fmt;

use crate::model::{Format, Trace};

/// Files larger than this (after decompression) are refused before parsing: the text, the parse and the model
/// must all fit in wasm32's 4 GiB address space.
pub const MAX_INPUT_BYTES: usize = 1 << 30;

/// Files with more spans than this are refused while they are parsed: each span takes memory in the parser, in the
/// hand-over and on the page, and each of the two wasm32 instances has 4 GiB in all.
pub const MAX_SPANS: u64 = 2_000_000;

/// How much a load may hold; checked before the memory is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of JSON, after decompression.
    pub bytes: usize,
    pub spans: u64,
}

/// The limits of a load in a browser tab.
pub const LIMITS: Limits = Limits {
    bytes: MAX_INPUT_BYTES,
    spans: MAX_SPANS,
};

/// Whether a trace ID was made up by a parser (the format has none, or the file gave none): traces with such an ID
/// are not the same trace because their IDs match.
pub fn is_made_up_trace_id(id: &str) -> bool {
    id == chrome::TRACE_ID || id == jaeger::UNKNOWN_TRACE_ID
}

/// A file read successfully.
#[derive(Debug)]
pub struct Loaded {
    pub name: String,
    pub format: Format,
    /// Sorted by start time.
    pub traces: Vec<Trace>,
    pub gzipped: bool,
}

/// Why a file could not be read. Displayed as one sentence naming the file, the format and the place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub format: Option<Format>,
    pub message: String,
    /// 1-based line and column for JSON syntax and shape errors.
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format {
            Some(fmt_) => write!(
                f,
                "{}: read as {}, but {}",
                self.file,
                fmt_.label(),
                self.message
            )?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some((l, c)) = self.position {
            write!(f, " (line {l}, column {c})")?;
        }
        Ok(())
    }
}

impl LoadError {
    fn new(file: &str, format: Option<Format>, message: impl Into<String>) -> LoadError {
        LoadError {
            file: file.to_string(),
            format,
            message: message.into(),
            position: None,
        }
    }
    fn from_json(file: &str, format: Format, e: &serde_json::Error) -> LoadError {
        let text = e.to_string();
        // serde_json appends " at line L column C"; we report the position separately.
        let msg = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        let what = match e.classify() {
            serde_json::error::Category::Syntax => format!("the JSON is invalid: {msg}"),
            serde_json::error::Category::Eof => format!("the file ends too early: {msg}"),
            serde_json::error::Category::Data => format!("the content does not fit: {msg}"),
            serde_json::error::Category::Io => msg,
        };
        LoadError {
            file: file.to_string(),
            format: Some(format),
            message: what,
            position: if e.line() > 0 {
                Some((e.line(), e.column()))
            } else {
                None
            },
        }
    }
}

/// What a load is doing, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Decompressing,
    /// `spans` found so far, `done` of `total` bytes parsed.
    Parsing {
        spans: u64,
        done: usize,
        total: usize,
    },
}

/// Reads a trace file of any supported format, gzipped or not.
pub fn load(name: &str, bytes: &[u8]) -> Result<Loaded, LoadError> {
    load_with_progress(name, bytes, Box::new(|_| {}))
}

/// [`load`], telling `progress` about decompression and, every few thousand spans, about the parse.
pub fn load_with_progress(
    name: &str,
    bytes: &[u8],
    progress: Box<dyn FnMut(Phase)>,
) -> Result<Loaded, LoadError> {
    load_limited(name, bytes, progress, LIMITS)
}

/// [`load_with_progress`] within `limits`: a file over them is refused with a message giving its size or span count
/// against the limit, before the memory it would need is taken.
pub fn load_limited(
    name: &str,
    bytes: &[u8],
    mut progress: Box<dyn FnMut(Phase)>,
    limits: Limits,
) -> Result<Loaded, LoadError> {
    check_size(name, bytes.len(), limits.bytes)?;
    let mut gzipped = false;
    let owned;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        gzipped = true;
        progress(Phase::Decompressing);
        owned = gunzip(name, bytes, limits.bytes)?;
        &owned[..]
    } else {
        bytes
    };
    let body = strip_bom(bytes);
    let format = detect(name, body)?;
    let total = body.len();
    progress(Phase::Parsing {
        spans: 0,
        done: 0,
        total,
    });
    let hook = Box::new(move |spans, done| progress(Phase::Parsing { spans, done, total }));
    let (parsed, spans) =
        counted::with_progress(body, limits.spans, hook, || parse_as(format, body));
    let mut traces = parsed.map_err(|e| match spans > limits.spans {
        true => LoadError {
            position: LoadError::from_json(name, format, &e).position,
            ..LoadError::new(name, Some(format), too_many_spans(limits.spans))
        },
        false => LoadError::from_json(name, format, &e),
    })?;
    traces.retain(|t| !t.spans.is_empty());
    if traces.is_empty() {
        return Err(LoadError::new(name, Some(format), "it holds no spans"));
    }
    traces.sort_by_key(|t| t.start_ns());
    Ok(Loaded {
        name: name.to_string(),
        format,
        traces,
        gzipped,
    })
}

fn parse_as(format: Format, body: &[u8]) -> Result<Vec<Trace>, serde_json::Error> {
    match format {
        Format::Jaeger => jaeger::parse(body),
        Format::Zipkin => zipkin::parse(body),
        Format::Otlp => otlp::parse(body),
        Format::Chrome => chrome::parse(body),
    }
}

fn check_size(name: &str, len: usize, limit: usize) -> Result<(), LoadError> {
    if len > limit {
        let what = format!("the file is {:.0} MB", len as f64 / 1e6);
        return Err(LoadError::new(name, None, too_large_message(&what, limit)));
    }
    Ok(())
}

const WHY_LIMITS: &str =
    "WebAssembly has 4 GB in all, and a trace takes several times its file size while it is read";

fn too_large_message(what: &str, limit: usize) -> String {
    format!(
        "{what}, more than the {:.0} MB Stitch can hold in a browser tab ({WHY_LIMITS})",
        limit as f64 / 1e6
    )
}

fn too_many_spans(limit: u64) -> String {
    format!(
        "it holds more than {} spans, the most Stitch can hold in a browser tab ({WHY_LIMITS})",
        crate::text::group_digits(limit)
    )
}

/// The refusal for a file of `size` bytes over [`MAX_INPUT_BYTES`], naming the file, its size and the limit.
pub fn too_large(name: &str, size: f64) -> String {
    let what = format!("the file is {:.0} MB", size / 1e6);
    format!("{name}: {}", too_large_message(&what, MAX_INPUT_BYTES))
}

/// The message for files opened together whose sizes add up past [`MAX_INPUT_BYTES`].
pub fn files_too_large(count: usize, size: f64) -> String {
    let what = format!("these {count} files are {:.0} MB in all", size / 1e6);
    format!(
        "Files opened together: {}",
        too_large_message(&what, MAX_INPUT_BYTES)
    )
}

/// The message for files opened together whose spans add up past [`MAX_SPANS`].
pub fn files_too_many_spans(count: usize, spans: u64) -> String {
    format!(
        "Files opened together: the first {count} hold {} spans, more than the {} Stitch can hold in a browser tab ({WHY_LIMITS})",
        crate::text::group_digits(spans),
        crate::text::group_digits(MAX_SPANS)
    )
}

/// Decompresses gzip (one member or several), refusing as soon as the output passes `limit` bytes. Memory is taken
/// with `try_reserve`, so running out of it is a message too, never an abort.
fn gunzip(name: &str, bytes: &[u8], limit: usize) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let failed = |why: String| {
        LoadError::new(
            name,
            None,
            format!("the file starts like gzip but cannot be decompressed: {why}"),
        )
    };
    let no_memory = || failed("not enough memory".to_string());
    // The last member's trailer gives its size (mod 4 GiB): one allocation of the right size for most files.
    let hint = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|t| t.try_into().ok())
        .map_or(0, |t: [u8; 4]| u32::from_le_bytes(t) as usize);
    let mut out: Vec<u8> = Vec::new();
    // The trailer is the file's word: deflate inflates at most 1032 times, so a larger claim is a lie.
    let hint = hint.min(limit).min(bytes.len().saturating_mul(1032));
    out.try_reserve_exact(hint).map_err(|_| no_memory())?;
    let mut d = flate2::read::MultiGzDecoder::new(bytes);
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = d.read(&mut buf).map_err(|e| failed(e.to_string()))?;
        if n == 0 {
            return Ok(out);
        }
        if out.len() + n > limit {
            let msg = format!(
                "it decompresses to more than the {:.0} MB Stitch can hold in a browser tab ({WHY_LIMITS})",
                limit as f64 / 1e6
            );
            return Err(LoadError::new(name, None, msg));
        }
        out.try_reserve(n).map_err(|_| no_memory())?;
        out.extend_from_slice(&buf[..n]);
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b)
}

fn has(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.windows(n.len()).any(|w| w == n)
}

/// Decides the format from the content (never from the file name).
pub fn detect(name: &str, body: &[u8]) -> Result<Format, LoadError> {
    let first = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err(LoadError::new(name, None, "the file is empty"));
    };
    let c = body[first];
    if c != b'{' && c != b'[' {
        let preview: String = String::from_utf8_lossy(&body[first..body.len().min(first + 24)])
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        return Err(LoadError::new(
            name,
            None,
            format!("this is not JSON: it starts with \"{preview}\"; Stitch reads Jaeger, Zipkin v2, OTLP and Chrome trace JSON"),
        ));
    }
    // Sniff keys near the start: enough to see the first span of any format.
    let head = &body[first..body.len().min(first + (1 << 20))];
    if has(head, "\"resourceSpans\"")
        || has(head, "\"batches\"")
        || has(head, "\"scopeSpans\"")
        || has(head, "\"instrumentationLibrarySpans\"")
    {
        return Ok(Format::Otlp);
    }
    if has(head, "\"spanID\"")
        || has(head, "\"traceID\"")
        || has(head, "\"operationName\"")
        || has(head, "\"processID\"")
    {
        return Ok(Format::Jaeger);
    }
    if has(head, "\"traceEvents\"") || (has(head, "\"ph\"") && has(head, "\"ts\"")) {
        return Ok(Format::Chrome);
    }
    if has(head, "\"binaryAnnotations\"") {
        return Err(LoadError::new(
            name,
            Some(Format::Zipkin),
            "this is Zipkin v1 JSON (it has binaryAnnotations), and Zipkin v1 is not supported: export Zipkin v2 JSON (/api/v2/trace/{id}) instead",
        ));
    }
    if has(head, "\"localEndpoint\"")
        || has(head, "\"remoteEndpoint\"")
        || (has(head, "\"traceId\"") && has(head, "\"id\""))
    {
        return Ok(Format::Zipkin);
    }
    Err(LoadError::new(name, None, describe(body)))
}

/// Says what some JSON that fits no format looks like.
fn describe(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Top {
        Obj(std::collections::BTreeMap<String, serde::de::IgnoredAny>),
        Arr(Vec<serde::de::IgnoredAny>),
    }
    let tail = "; Stitch reads Jaeger, Zipkin v2, OTLP and Chrome trace JSON";
    match serde_json::from_slice::<Top>(body) {
        Ok(Top::Obj(m)) => {
            let keys: Vec<_> = m.keys().take(6).map(|k| format!("\"{k}\"")).collect();
            if keys.is_empty() {
                format!("no trace format fits: it is an empty JSON object{tail}")
            } else {
                format!(
                    "no trace format fits: it is a JSON object with keys {}{tail}",
                    keys.join(", ")
                )
            }
        }
        Ok(Top::Arr(a)) => format!(
            "no trace format fits: it is a JSON array of {} items with no span fields{tail}",
            a.len()
        ),
        Err(_) => match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Err(e) => {
                let l = LoadError::from_json("", Format::Jaeger, &e);
                match l.position {
                    Some((line, col)) => format!("{} at line {line}, column {col}", l.message),
                    None => l.message,
                }
            }
            Ok(_) => format!("no trace format fits{tail}"),
        },
    }
}
