//! The life of a load, as a plain state machine: download, read, parse, hand-over, show, with progress, cancel and
//! failure as its transitions. The UI drives it (`src/ui/loader.rs`) and only does what it is told.
//!
//! Its rules, tested here:
//! - one load at a time: a newer load supersedes an older one, which ends in an error its owner is told about;
//! - cancel and failure keep the trace on screen;
//! - every load ends exactly once, in "loaded" or in an error; a late message about a load that has ended changes
//!   nothing.
//!
//! It must never know about the browser: the engines that parse (the worker, or the page's own thread) speak
//! [`protocol`].

pub mod progress;
pub mod protocol;

pub use progress::{Phase, Progress};

use crate::access::Owner;

/// Names one load for its whole life (download, read, parse, hand-over, show).
pub type LoadId = u32;

/// Inputs at least this large (in bytes) are parsed in the worker; smaller ones on the page's own thread, where they
/// take a few milliseconds and need no worker start.
pub const SMALL: f64 = 1024.0 * 1024.0;

/// Where an input is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Page,
    Worker,
}

/// Where an input of `size` bytes is parsed. A gzipped input may inflate to anything, so it goes to the worker
/// whatever its size, when there is one.
pub fn route(size: f64, gzip: bool, worker_usable: bool) -> Route {
    if worker_usable && (gzip || size >= SMALL) {
        Route::Worker
    } else {
        Route::Page
    }
}

/// Gzip's magic bytes.
pub fn is_gzip(first_two: &[u8]) -> bool {
    first_two.starts_with(&[0x1f, 0x8b])
}

/// How a load ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// It is on screen.
    Loaded,
    /// It is not, and this says why (a failure, a cancel, or a newer load); what was on screen stays.
    Failed(String),
}

/// A load that has ended, with what the UI attached to it (`T`) handed back.
#[derive(Debug)]
pub struct Ended<T> {
    pub id: LoadId,
    pub name: String,
    /// Who started it: who may hear how it ended (see `crate::access`).
    pub owner: Owner,
    pub end: End,
    pub attached: T,
}

/// The load under way.
#[derive(Debug)]
pub struct Active<T> {
    pub id: LoadId,
    pub owner: Owner,
    pub progress: Progress,
    /// What the UI keeps with the load (its input, what to do once it is shown, how to stop a download).
    pub attached: T,
}

/// The loads of one page: at most one under way, and which one is on screen.
#[derive(Debug)]
pub struct Loads<T> {
    next: LoadId,
    active: Option<Active<T>>,
    shown: Option<LoadId>,
}

impl<T> Default for Loads<T> {
    fn default() -> Self {
        Loads {
            next: 1,
            active: None,
            shown: None,
        }
    }
}

impl<T> Loads<T> {
    /// Starts a load of `name` in `phase`. The load under way, if any, ends: it is returned, with the error its owner
    /// is told.
    pub fn start(
        &mut self,
        name: &str,
        owner: Owner,
        phase: Phase,
        attached: T,
    ) -> (LoadId, Option<Ended<T>>) {
        let superseded = self.active.take().map(|a| {
            let why = format!(
                "{}: loading stopped: a newer load replaced it",
                a.progress.name
            );
            ended(a, End::Failed(why))
        });
        let id = self.next;
        self.next = self.next.wrapping_add(1).max(1);
        self.active = Some(Active {
            id,
            owner,
            progress: Progress::new(name, phase),
            attached,
        });
        (id, superseded)
    }

    /// The load under way, if `id` still is.
    pub fn get(&self, id: LoadId) -> Option<&Active<T>> {
        self.active.as_ref().filter(|a| a.id == id)
    }

    pub fn get_mut(&mut self, id: LoadId) -> Option<&mut Active<T>> {
        self.active.as_mut().filter(|a| a.id == id)
    }

    pub fn is_current(&self, id: LoadId) -> bool {
        self.get(id).is_some()
    }

    /// The load under way, whichever it is.
    pub fn active(&self) -> Option<&Active<T>> {
        self.active.as_ref()
    }

    /// The progress bar's state: `None` when nothing is under way.
    pub fn progress(&self) -> Option<&Progress> {
        self.active.as_ref().map(|a| &a.progress)
    }

    /// Load `id` moves on to `phase` (a stale `id` changes nothing); returns whether it is still under way.
    pub fn enter(&mut self, id: LoadId, phase: Phase) -> bool {
        self.update(id, |p| p.enter(phase))
    }

    /// Updates load `id`'s progress (a stale `id` changes nothing); returns whether it is still under way.
    pub fn update(&mut self, id: LoadId, f: impl FnOnce(&mut Progress)) -> bool {
        match self.get_mut(id) {
            Some(a) => {
                f(&mut a.progress);
                true
            }
            None => false,
        }
    }

    /// Load `id` is on screen. `None` if it had already ended (cancelled or replaced): then it must not be shown.
    pub fn finish(&mut self, id: LoadId) -> Option<Ended<T>> {
        let a = self.take(id)?;
        self.shown = Some(id);
        Some(ended(a, End::Loaded))
    }

    /// Load `id` failed with `message`; what was on screen stays. `None` if it had already ended.
    pub fn fail(&mut self, id: LoadId, message: String) -> Option<Ended<T>> {
        let a = self.take(id)?;
        Some(ended(a, End::Failed(message)))
    }

    /// The user stops the load under way, if it may still be stopped (not once it is being drawn); what was on screen
    /// stays.
    pub fn cancel(&mut self) -> Option<Ended<T>> {
        if !self.active.as_ref()?.progress.cancellable() {
            return None;
        }
        let a = self.active.take()?;
        let why = format!("{}: loading cancelled", a.progress.name);
        Some(ended(a, End::Failed(why)))
    }

    /// The load whose trace is on screen, if a load put it there.
    pub fn shown(&self) -> Option<LoadId> {
        self.shown
    }

    fn take(&mut self, id: LoadId) -> Option<Active<T>> {
        if self.is_current(id) {
            self.active.take()
        } else {
            None
        }
    }
}

fn ended<T>(a: Active<T>, end: End) -> Ended<T> {
    Ended {
        id: a.id,
        name: a.progress.name,
        owner: a.owner,
        end,
        attached: a.attached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(o: &str) -> Owner {
        Owner::Origin(o.to_string())
    }

    #[test]
    fn a_newer_load_supersedes_an_older_one_and_the_older_one_ends_in_an_error() {
        let mut loads = Loads::default();
        let (a, none) = loads.start("a.json", host("https://a.example"), Phase::Read, ());
        assert!(none.is_none());
        let (b, old) = loads.start("b.json", Owner::Local, Phase::Read, ());
        let old = old.expect("a ends when b starts");
        assert_eq!(old.id, a);
        assert_eq!(old.owner, host("https://a.example"));
        // The error names only a's own file: a's owner learns nothing about b.
        assert_eq!(
            old.end,
            End::Failed("a.json: loading stopped: a newer load replaced it".into())
        );
        // The worker's late answer about a changes nothing.
        assert!(!loads.enter(a, Phase::Parse));
        assert!(loads.finish(a).is_none());
        assert!(loads.fail(a, "late".into()).is_none());
        assert_eq!(loads.progress().map(|p| p.name.as_str()), Some("b.json"));
        assert_eq!(loads.finish(b).map(|e| e.end), Some(End::Loaded));
        assert_eq!(loads.shown(), Some(b));
    }

    #[test]
    fn every_load_ends_exactly_once() {
        let mut loads = Loads::default();
        let (a, _) = loads.start("a.json", Owner::Local, Phase::Read, ());
        assert!(loads.fail(a, "a.json: bad".into()).is_some());
        assert!(loads.fail(a, "again".into()).is_none());
        assert!(loads.finish(a).is_none());
        assert!(loads.cancel().is_none());
        let (b, _) = loads.start("b.json", Owner::Local, Phase::Read, ());
        assert!(loads.finish(b).is_some());
        assert!(loads.finish(b).is_none());
        assert!(loads.progress().is_none());
    }

    #[test]
    fn cancel_keeps_the_trace_on_screen() {
        let mut loads = Loads::default();
        let (a, _) = loads.start("a.json", Owner::Local, Phase::Read, ());
        loads.finish(a);
        let (b, _) = loads.start("big.json", Owner::Local, Phase::Download, ());
        assert!(loads.enter(b, Phase::Parse));
        let c = loads.cancel().expect("a parse can be cancelled");
        assert_eq!(c.end, End::Failed("big.json: loading cancelled".into()));
        assert_eq!(loads.shown(), Some(a));
        assert!(loads.progress().is_none());
        // The parse's result, arriving after the cancel, is not shown.
        assert!(loads.finish(b).is_none());
        assert_eq!(loads.shown(), Some(a));
    }

    #[test]
    fn a_load_being_drawn_cannot_be_cancelled() {
        let mut loads = Loads::default();
        let (a, _) = loads.start("a.json", Owner::Local, Phase::Read, ());
        loads.enter(a, Phase::Show);
        assert!(loads.cancel().is_none());
        assert!(loads.finish(a).is_some());
    }

    #[test]
    fn a_failure_keeps_the_trace_on_screen() {
        let mut loads = Loads::default();
        let (a, _) = loads.start("a.json", Owner::Local, Phase::Read, ());
        loads.finish(a);
        let (b, _) = loads.start("bad.json", Owner::Local, Phase::Read, ());
        let e = loads.fail(b, "bad.json: not JSON".into());
        assert_eq!(
            e.map(|e| e.end),
            Some(End::Failed("bad.json: not JSON".into()))
        );
        assert_eq!(loads.shown(), Some(a));
    }

    #[test]
    fn small_plain_inputs_are_parsed_on_the_page_and_the_rest_in_the_worker() {
        assert_eq!(route(2_000.0, false, true), Route::Page);
        assert_eq!(route(2_000.0, true, true), Route::Worker);
        assert_eq!(route(5e6, false, true), Route::Worker);
        assert_eq!(route(5e6, true, false), Route::Page);
        assert!(is_gzip(&[0x1f, 0x8b]));
        assert!(!is_gzip(b"{\""));
        assert!(!is_gzip(&[0x1f]));
    }
}
