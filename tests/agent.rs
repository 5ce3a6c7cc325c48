//! A private Net-SNMP `snmpd` on 127.0.0.1 for the interop tests: its own config, persistent
//! directory and port; stopped (SIGTERM, so it saves engineBoots) when dropped.

use snmpctl::client::{Config, Security, UsmConfig};
use snmpctl::usm::{Credentials, KeySource, Password, SecurityLevel, UserKeys};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Snmpd {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
    /// Where snmpd listens, with `{port}` for the port (`udp:127.0.0.1:{port}` by default).
    listen: Vec<String>,
    /// The snmpd binary: Debian's (`snmpd`), or a build of its source with more MIB modules.
    program: PathBuf,
}

pub const AUTH_PASS: &str = "authpass123";
pub const PRIV_PASS: &str = "privpass123";

/// Every auth × priv combination snmpd supports: (user name, auth, priv), 43 in all.
pub fn matrix() -> Vec<(String, Option<&'static str>, Option<&'static str>)> {
    let auths = ["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"];
    let privs = ["DES", "AES", "AES-192", "AES-256", "AES-192-C", "AES-256-C"];
    let mut out = vec![("u-none-none".to_owned(), None, None)];
    for a in auths {
        out.push((format!("u-{a}-none"), Some(a), None));
        for p in privs {
            out.push((format!("u-{a}-{p}"), Some(a), Some(p)));
        }
    }
    out
}

/// A client configuration for a v3 user: (protocol, password) pairs, 500 ms timeout, 2 retries.
pub fn v3_config(
    user: &str,
    level: SecurityLevel,
    auth: Option<(&str, &str)>,
    privacy: Option<(&str, &str)>,
) -> Config {
    let pw = |s: &str| KeySource::Password(Password::new(s.as_bytes().to_vec()).unwrap());
    let keys = UserKeys::new(Credentials {
        user_name: user.as_bytes().to_vec(),
        level,
        auth: auth.map(|(p, pass)| (p.parse().unwrap(), pw(pass))),
        privacy: privacy.map(|(p, pass)| (p.parse().unwrap(), pw(pass))),
    })
    .unwrap();
    let mut c = Config::new(Security::Usm(Box::new(UsmConfig {
        user: keys,
        engine_id: None,
        context_engine_id: None,
        context_name: Vec::new(),
    })));
    c.timeout = Duration::from_millis(500);
    c.retries = 2;
    c
}

fn free_udp_port() -> u16 {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.local_addr().unwrap().port()
}

/// A fresh, empty directory for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("snmpctl-test-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The config: the v3 matrix users (read-write at their level), community `public` (read) and
/// `private` (write), and a writable sysName (not set in the config, which would make it
/// read-only).
pub fn matrix_config() -> String {
    let mut c = String::from(
        "rocommunity public 127.0.0.1\nrwcommunity private 127.0.0.1\n\
         sysDescr snmpctl test agent (Net-SNMP snmpd on loopback)\nsysLocation lab\n",
    );
    for (user, auth, privacy) in matrix() {
        let mut line = format!("createUser {user}");
        let level = match (auth, privacy) {
            (Some(a), Some(p)) => {
                line.push_str(&format!(" {a} {AUTH_PASS} {p} {PRIV_PASS}"));
                "priv"
            }
            (Some(a), None) => {
                line.push_str(&format!(" {a} {AUTH_PASS}"));
                "auth"
            }
            _ => "noauth",
        };
        c.push_str(&format!("{line}\nrwuser {user} {level}\n"));
    }
    c
}

/// [`matrix_config`] whose communities see everything but the host's tables whose rows come
/// and go with what else runs on the machine (processes, TCP and UDP endpoints, neighbours):
/// for tests that walk the whole tree twice and compare. The test suite itself starts and
/// stops processes and sockets, so those tables differ between two walks a moment apart.
pub fn quiet_config() -> String {
    let moving = [
        ".1.3.6.1.2.1.25.4", // hrSWRun: processes
        ".1.3.6.1.2.1.25.5", // hrSWRunPerf
        ".1.3.6.1.2.1.6.13", // tcpConnTable
        ".1.3.6.1.2.1.6.19", // tcpConnectionTable
        ".1.3.6.1.2.1.6.20", // tcpListenerTable
        ".1.3.6.1.2.1.7.5",  // udpTable
        ".1.3.6.1.2.1.7.7",  // udpEndpointTable
        ".1.3.6.1.2.1.4.22", // ipNetToMediaTable
        ".1.3.6.1.2.1.4.35", // ipNetToPhysicalTable
    ];
    let mut c = matrix_config()
        .replace("rocommunity public 127.0.0.1\n", "rocommunity public 127.0.0.1 -V quiet\n")
        .replace("rwcommunity private 127.0.0.1\n", "rwcommunity private 127.0.0.1 -V quiet\n");
    c.push_str("view quiet included .1\n");
    for oid in moving {
        c.push_str(&format!("view quiet excluded {oid}\n"));
    }
    c
}

impl Snmpd {
    /// Starts snmpd with `config` in a fresh directory on a free port.
    pub fn start(tag: &str, config: &str) -> Snmpd {
        Snmpd::start_on(tag, config, &["udp:127.0.0.1:{port}"])
    }

    /// Starts snmpd listening on each of `listen` (`udp6:[::1]:{port}`, `tcp:127.0.0.1:{port}` …).
    pub fn start_on(tag: &str, config: &str, listen: &[&str]) -> Snmpd {
        Snmpd::start_program(Path::new("snmpd"), tag, config, listen)
    }

    /// Starts `program` (an snmpd) as [`Snmpd::start_on`] starts Debian's.
    pub fn start_program(program: &Path, tag: &str, config: &str, listen: &[&str]) -> Snmpd {
        let dir = temp_dir(tag);
        std::fs::write(dir.join("snmpd.conf"), config).unwrap();
        std::fs::create_dir_all(dir.join("persist")).unwrap();
        let listen = listen.iter().map(|l| (*l).to_owned()).collect();
        let mut s = Snmpd { port: free_udp_port(), dir, child: None, listen, program: program.to_owned() };
        // The free port may be taken between the probe and snmpd's bind (tests run in
        // parallel): then snmpd exits, and another port is tried.
        for _ in 0..5 {
            if s.launch() {
                return s;
            }
            s.port = free_udp_port();
        }
        panic!("snmpd did not start: {}", s.log());
    }

    /// Starts snmpd; false if it exited at once (port taken).
    fn launch(&mut self) -> bool {
        let which =
            Command::new(&self.program).arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status();
        assert!(
            which.is_ok(),
            "{} not found: apt-get install snmpd (scripts/test.sh installs it)",
            self.program.display()
        );
        let log = self.dir.join("snmpd.log");
        let _ = std::fs::remove_file(&log);
        let child = Command::new(&self.program)
            .args(["-f", "-Lf"])
            .arg(&log)
            .args(["-I", "-smux", "-p"])
            .arg(self.dir.join("snmpd.pid"))
            .arg(
                self.listen
                    .iter()
                    .map(|l| l.replace("{port}", &self.port.to_string()))
                    .collect::<Vec<_>>()
                    .join(","),
            )
            // The config path holds only our snmpd.conf and the persistent directory, where
            // snmpd keeps engineBoots, its engine ID and usmUser keys across restarts (with
            // -C it would not read them back). Nothing under /etc is read or written.
            .env("SNMPCONFPATH", format!("{}:{}", self.dir.display(), self.dir.join("persist").display()))
            .env("SNMP_PERSISTENT_DIR", self.dir.join("persist"))
            .env("MIBS", "")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting snmpd");
        self.child = Some(child);
        // Ready when it logs its version banner.
        let start = Instant::now();
        loop {
            let mut text = String::new();
            if let Ok(mut f) = std::fs::File::open(&log) {
                let _ = f.read_to_string(&mut text);
            }
            if text.contains("NET-SNMP version") {
                return true;
            }
            if let Some(child) = &mut self.child
                && let Ok(Some(_)) = child.try_wait()
            {
                self.child = None;
                return false;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "snmpd did not start: {text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops snmpd with SIGTERM (it writes engineBoots to its persistent directory) and
    /// starts it again on the same port: engineBoots goes up by one, engineTime restarts.
    pub fn restart(&mut self) {
        self.stop();
        assert!(self.launch(), "snmpd did not restart on port {}: {}", self.port, self.log());
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        format!("127.0.0.1:{}", self.port).parse().unwrap()
    }

    pub fn agent(&self) -> String {
        format!("udp:127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("snmpd.log")).unwrap_or_default()
    }

    #[allow(dead_code)]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Snmpd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
