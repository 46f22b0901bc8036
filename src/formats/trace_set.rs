//! Traces of one file, keyed by trace ID.

use std::collections::HashMap;

use crate::model::Trace;

/// Traces of one file, in the order their IDs were first seen.
#[derive(Default)]
pub struct TraceSet {
    index: HashMap<String, usize>,
    /// The last ID looked up and its index: spans of one trace come in runs.
    last: Option<(String, usize)>,
    pub traces: Vec<Trace>,
}

impl TraceSet {
    /// The index of the trace with this ID, created if new.
    pub fn index(&mut self, trace_id: &str) -> usize {
        if let Some((id, i)) = &self.last {
            if id == trace_id {
                return *i;
            }
        }
        let i = match self.index.get(trace_id) {
            Some(&i) => i,
            None => {
                let i = self.traces.len();
                self.index.insert(trace_id.to_string(), i);
                self.traces.push(Trace::new(trace_id));
                i
            }
        };
        self.last = Some((trace_id.to_string(), i));
        i
    }
    pub fn get(&mut self, trace_id: &str) -> &mut Trace {
        let i = self.index(trace_id);
        &mut self.traces[i]
    }
    /// Adds a whole trace: kept as it is if its ID is new, else its spans are copied into the trace with that ID.
    pub fn adopt(&mut self, t: Trace) {
        match self.index.get(&t.trace_id) {
            Some(&i) => self.traces[i].absorb(&t),
            None => {
                self.index.insert(t.trace_id.clone(), self.traces.len());
                self.traces.push(t);
            }
        }
    }
    pub fn into_traces(self) -> Vec<Trace> {
        self.traces
    }
}
