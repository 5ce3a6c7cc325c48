//! Progress of long commands on stderr, where users look, as tqdm draws it: whenever stderr
//! is a terminal, whatever stdout is (a file, a pipe, the same terminal), never with
//! `--no-progress`. Counts, rate and elapsed time, and a bar with an ETA where the total is
//! known. It appears only once a command has run for [`DELAY`], so quick commands never draw,
//! and it is erased when the command ends. While it is shown on the terminal that stdout also
//! writes to, output goes out with the bar taken down and drawn again after it, so the two
//! never mix on a line.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How long a command runs before its progress appears.
pub const DELAY: Duration = Duration::from_millis(400);

/// How often a shown bar is redrawn when nothing moves (its rate and clock go on).
const TICK: Duration = Duration::from_millis(200);

/// Where a progress display stands: drawn only between `Shown` and `Done`, and never after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Shown,
    Done,
}

/// A command's progress display (nothing at all when stderr is not a terminal).
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    state: Arc<Mutex<State>>,
    /// stdout is a terminal too: output goes out with the bar taken down.
    shares_terminal: bool,
}

impl Progress {
    /// Progress counted in `unit` (`rows`, `targets`), out of `total` when it is known; shown
    /// after [`DELAY`] if `enabled` (`--no-progress` not given) and stderr is a terminal.
    pub fn start(enabled: bool, unit: &str, total: Option<u64>) -> Progress {
        Progress::start_on(enabled && std::io::stderr().is_terminal(), unit, total)
    }

    fn start_on(shown: bool, unit: &str, total: Option<u64>) -> Progress {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        let template = match total {
            Some(_) => format!(
                "{{bar:30}} {{human_pos}}/{{human_len}} {unit}, {{rate}}, {{elapsed}}, ETA {{eta}}{{msg}}"
            ),
            None => format!("{{spinner}} {{human_pos}} {unit}, {{rate}}, {{elapsed}}{{msg}}"),
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            let rate = |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            };
            bar.set_style(style.progress_chars("█▌ ").with_key("rate", rate));
        }
        let state = Arc::new(Mutex::new(if shown { State::Waiting } else { State::Done }));
        if shown {
            let (bar, state) = (bar.clone(), state.clone());
            // The bar appears after DELAY unless the command has ended by then; the lock
            // orders that against `finish`, so nothing is drawn after the bar is erased.
            let _ = std::thread::Builder::new().name("progress".into()).spawn(move || {
                std::thread::sleep(DELAY);
                let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                if *s == State::Waiting {
                    *s = State::Shown;
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(TICK);
                }
            });
        }
        Progress { bar, state, shares_terminal: std::io::stdout().is_terminal() }
    }

    /// Counts `n` more.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Text after the counts (`, 3 timeouts`), empty for none.
    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
    }

    /// Runs `write` (output to stdout) with the bar taken down while it runs, when stdout
    /// and the bar share a terminal.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        if self.shares_terminal && *self.state.lock().unwrap_or_else(PoisonError::into_inner) == State::Shown
        {
            self.bar.suspend(write)
        } else {
            write()
        }
    }

    /// Writes command output to `out` and flushes it, the bar taken down meanwhile when they
    /// share a terminal; octets carried in `text` (`OutputOptions::raw_octets`) go out as
    /// they came. False when `out` failed (a reader that went away).
    pub fn write_out(&self, out: &mut impl std::io::Write, text: &str) -> bool {
        self.suspend(|| out.write_all(&snmpctl::format::output::raw_bytes(text)).and_then(|()| out.flush()))
            .is_ok()
    }

    /// Writes `text` to stderr, above the bar when it is shown.
    pub fn note(&self, text: &str) {
        if *self.state.lock().unwrap_or_else(PoisonError::into_inner) == State::Shown {
            self.bar.suspend(|| eprint!("{text}"));
        } else {
            eprint!("{text}");
        }
    }

    /// Erases the bar; nothing is drawn after this.
    pub fn finish(&self) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if *s == State::Shown {
            self.bar.finish_and_clear();
        }
        *s = State::Done;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_progress_counts_without_drawing() {
        let p = Progress::start_on(false, "rows", None);
        p.inc(5);
        assert_eq!(p.bar.position(), 5);
        assert!(p.bar.is_hidden());
        assert_eq!(p.suspend(|| 7), 7);
        p.finish();
    }

    #[test]
    fn a_bar_ended_before_the_delay_is_never_drawn() {
        let p = Progress::start_on(true, "rows", Some(10));
        p.inc(10);
        p.finish();
        std::thread::sleep(DELAY.saturating_add(Duration::from_millis(100)));
        assert!(p.bar.is_hidden());
        assert_eq!(*p.state.lock().unwrap(), State::Done);
    }
}
