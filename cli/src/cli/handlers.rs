//! `traphandle` programs, run beside the receive loop and never in it (snmptrapd runs them in
//! its loop, so one slow handler stalls its reception). The receive side formats a job and
//! offers it to a bounded queue; a thread of its own runs up to `workers` programs at once,
//! each fed snmptrapd's standard input, and kills one that outlives the timeout. A job that
//! finds the queue full is counted, never waited for. Exit statuses other than 0 and what a
//! program writes on stderr go to the listener's stderr.

use std::collections::HashMap;
use std::net::IpAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::{Mutex, Semaphore, mpsc};

/// One command to run for one notification.
#[derive(Debug)]
pub struct Job {
    /// The command as the `traphandle` line writes it, for `/bin/sh -c` (snmptrapd's popen).
    pub command: String,
    /// Its first word, to name it in messages.
    pub program: String,
    /// Where the `traphandle` line is (`file:line`), for messages.
    pub at: String,
    /// The sender, whose name is the first line of the input.
    pub from: IpAddr,
    /// The rest of the input: the transport address line, then the varbinds; or, from a
    /// `format execute`, all of it.
    pub input: String,
    /// Whether the host line goes first (snmptrapd's default input; not for `format execute`).
    pub host_line: bool,
}

/// What the pool did.
#[derive(Debug, Default)]
pub struct Counters {
    /// Programs started.
    pub started: AtomicU64,
    /// Programs that exited with a status other than 0, or by a signal.
    pub failed: AtomicU64,
    /// Programs killed for outliving the timeout.
    pub killed: AtomicU64,
    /// Programs that could not be started.
    pub spawn_errors: AtomicU64,
    /// Jobs that found the queue full (their notifications were logged all the same).
    pub dropped: AtomicU64,
    /// Jobs still queued when the listener stopped and the drain time ran out.
    pub abandoned: AtomicU64,
}

impl Counters {
    /// One line for the listener's summary.
    pub fn summary(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "handlers: {} run, {} failed, {} killed after the timeout, {} could not start, {} not run (queue full), {} not run (stopped)",
            get(&self.started),
            get(&self.failed),
            get(&self.killed),
            get(&self.spawn_errors),
            get(&self.dropped),
            get(&self.abandoned)
        )
    }
}

/// The handler pool.
pub struct Pool {
    handle: Handle,
    thread: std::thread::JoinHandle<()>,
    /// Set when the listener stops: jobs still queued after it are not run.
    deadline: Arc<std::sync::OnceLock<tokio::time::Instant>>,
}

/// Where the receive side offers jobs.
#[derive(Clone)]
pub struct Handle {
    queue: mpsc::Sender<Job>,
    counters: Arc<Counters>,
}

impl Handle {
    /// Offers a job; `false` (and counted) when the queue is full.
    pub fn submit(&self, job: Job) -> bool {
        let taken = self.queue.try_send(job).is_ok();
        if !taken {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
        taken
    }
}

/// How handlers run.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Programs running at once.
    pub workers: usize,
    /// Jobs waiting at most.
    pub queue: usize,
    /// A program still running after this is killed.
    pub timeout: Duration,
    /// No reverse lookup (snmptrapd's `-n`): the host line is the transport address, as
    /// snmptrapd writes it then.
    pub numeric: bool,
}

impl Pool {
    /// Starts the pool's thread.
    ///
    /// # Errors
    /// The thread or its runtime could not be made.
    pub fn start(settings: Settings) -> anyhow::Result<Pool> {
        let (queue, jobs) = mpsc::channel(settings.queue.max(1));
        let counters = Arc::new(Counters::default());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let deadline: Arc<std::sync::OnceLock<tokio::time::Instant>> = Arc::default();
        let thread = std::thread::Builder::new().name("traphandle".into()).spawn({
            let (counters, deadline) = (Arc::clone(&counters), Arc::clone(&deadline));
            move || runtime.block_on(run(jobs, settings, counters, deadline))
        })?;
        Ok(Pool { handle: Handle { queue, counters }, thread, deadline })
    }

    /// Where jobs are offered.
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Once every [`Handle`] is gone, lets the queued jobs run for at most `drain` more
    /// (those still queued then are counted, not run; running ones finish within their
    /// timeout), then returns the counters.
    pub fn finish(self, drain: Duration) -> Arc<Counters> {
        let now = tokio::time::Instant::now();
        let _ = self.deadline.set(now.checked_add(drain).unwrap_or(now));
        let counters = Arc::clone(&self.handle.counters);
        drop(self.handle);
        let _ = self.thread.join();
        counters
    }
}

async fn run(
    mut jobs: mpsc::Receiver<Job>,
    settings: Settings,
    counters: Arc<Counters>,
    deadline: Arc<std::sync::OnceLock<tokio::time::Instant>>,
) {
    let slots = Arc::new(Semaphore::new(settings.workers.max(1)));
    let names: Arc<Mutex<HashMap<IpAddr, String>>> = Arc::default();
    let mut running = tokio::task::JoinSet::new();
    let late = || deadline.get().is_some_and(|d| tokio::time::Instant::now() >= *d);
    while let Some(job) = jobs.recv().await {
        if late() {
            counters.abandoned.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let slot = match deadline.get() {
            // Stopping: wait for a slot only until the drain time is up.
            Some(d) => match tokio::time::timeout_at(*d, Arc::clone(&slots).acquire_owned()).await {
                Ok(Ok(slot)) => slot,
                _ => {
                    counters.abandoned.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
            },
            None => match Arc::clone(&slots).acquire_owned().await {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (counters, names) = (Arc::clone(&counters), Arc::clone(&names));
        running.spawn(async move {
            let host = if !job.host_line {
                String::new()
            } else if settings.numeric {
                job.input.lines().next().unwrap_or_default().to_owned()
            } else {
                host_name(job.from, &names).await
            };
            run_one(job, host, settings.timeout, &counters).await;
            drop(slot);
        });
        while running.try_join_next().is_some() {}
    }
    while running.join_next().await.is_some() {}
}

/// The sender's name as snmptrapd finds it (gethostbyaddr), or its address; names are kept.
async fn host_name(ip: IpAddr, names: &Mutex<HashMap<IpAddr, String>>) -> String {
    if let Some(n) = names.lock().await.get(&ip) {
        return n.clone();
    }
    let name =
        tokio::task::spawn_blocking(move || dns_lookup::lookup_addr(&ip).unwrap_or_else(|_| ip.to_string()))
            .await
            .unwrap_or_else(|_| ip.to_string());
    names.lock().await.insert(ip, name.clone());
    name
}

/// Runs one program: its input on stdin, killed after `timeout`; what went wrong on stderr.
async fn run_one(mut job: Job, host: String, timeout: Duration, counters: &Counters) {
    let spawned = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(&job.command)
        // A group of its own, so that a timeout stops what the shell started too (a pipeline,
        // a subshell), not the shell alone.
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            counters.spawn_errors.fetch_add(1, Ordering::Relaxed);
            eprintln!("snmpctl listen: traphandle {} ({}): cannot start: {e}", job.program, job.at);
            return;
        }
    };
    counters.started.fetch_add(1, Ordering::Relaxed);
    let mut stdin = child.stdin.take();
    let mut stderr = child.stderr.take();
    let id = child.id().map_or_else(String::new, |p| format!(" pid {p}"));
    let input = if job.host_line { format!("{host}\n{}", job.input) } else { std::mem::take(&mut job.input) };
    let work = async {
        if let Some(s) = stdin.as_mut() {
            // A program that exits without reading its input is not an error.
            let _ = s.write_all(&snmpctl::format::output::raw_bytes(&input)).await;
        }
        drop(stdin.take());
        // The first 64 KiB of stderr are kept; the rest is read and dropped, so a talkative
        // program never blocks on a full pipe.
        let mut said = Vec::new();
        if let Some(e) = stderr.as_mut() {
            let _ = e.take(64 * 1024).read_to_end(&mut said).await;
            let _ = tokio::io::copy(e, &mut tokio::io::sink()).await;
        }
        (child.wait().await, said)
    };
    let outcome = tokio::time::timeout(timeout, work).await;
    match outcome {
        Ok((Ok(status), said)) => {
            let said = String::from_utf8_lossy(&said);
            let said = said.trim_end();
            if !status.success() {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                let told = if said.is_empty() { String::new() } else { format!(": {said}") };
                eprintln!("snmpctl listen: traphandle {} ({}{id}) {status}{told}", job.program, job.at);
            } else if !said.is_empty() {
                eprintln!("snmpctl listen: traphandle {} ({}{id}): {said}", job.program, job.at);
            }
        }
        Ok((Err(e), _)) => {
            counters.failed.fetch_add(1, Ordering::Relaxed);
            eprintln!("snmpctl listen: traphandle {} ({}{id}): {e}", job.program, job.at);
        }
        Err(_) => {
            if let Some(group) = child.id().and_then(|p| i32::try_from(p).ok()) {
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(group),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            let _ = child.kill().await;
            counters.killed.fetch_add(1, Ordering::Relaxed);
            eprintln!(
                "snmpctl listen: traphandle {} ({}{id}) killed after {:.1} s",
                job.program,
                job.at,
                timeout.as_secs_f64()
            );
        }
    }
}
