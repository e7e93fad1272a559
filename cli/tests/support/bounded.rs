//! Running gklint on hostile input under hard bounds: a wall-clock limit
//! (the child is killed, and the test fails, past it) and an address-space
//! cap, so that a regression hangs or swaps no test machine.

#![allow(dead_code)] // each test binary uses its own part

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a bounded run gave.
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
    pub took: Duration,
}

/// How to run it.
#[derive(Default)]
pub struct Opts {
    /// Run as the user `nobody` (through `setpriv`; the caller checks it can).
    pub as_nobody: bool,
    /// Set the umask of the child to this.
    pub umask: Option<u32>,
}

/// The address space gklint may use: far more than any run here needs,
/// far less than reading `/dev/zero` until memory runs out.
const MAX_ADDRESS_SPACE: u64 = 4 << 30;

/// The binary under test: this build's, or `GKLINT_TEST_BIN` (to run these
/// tests against another build, such as one from before a fix).
pub fn gklint_path() -> String {
    std::env::var("GKLINT_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_gklint").to_owned())
}

/// Runs `gklint ARGS` in `dir` with at most `limit` of wall-clock time.
/// Panics (failing the test) when it is exceeded or gklint dies of a signal.
pub fn run(dir: &Path, args: &[&str], limit: Duration, opts: &Opts) -> Run {
    let mut cmd = if opts.as_nobody {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"]);
        c.arg(gklint_path());
        c
    } else {
        Command::new(gklint_path())
    };
    cmd.args(args)
        .current_dir(dir)
        .env_remove("GKLINT_CACHE_DIR")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let umask = opts.umask;
    {
        use std::os::unix::process::CommandExt as _;
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let cap = libc::rlimit {
                    rlim_cur: MAX_ADDRESS_SPACE as libc::rlim_t,
                    rlim_max: MAX_ADDRESS_SPACE as libc::rlim_t,
                };
                libc::setrlimit(libc::RLIMIT_AS, &cap);
                if let Some(m) = umask {
                    libc::umask(m as libc::mode_t);
                }
                Ok(())
            });
        }
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("gklint starts");
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let err = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
            panic!("gklint {args:?} ran past {limit:?} and was killed; stderr: {err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let out = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    let Some(code) = status.code() else {
        panic!("gklint {args:?} died of a signal ({status}); stderr: {err}");
    };
    assert!(
        !err.contains("panicked") && !err.contains("memory allocation of"),
        "gklint {args:?} crashed: {err}"
    );
    Run {
        code,
        out,
        err,
        took,
    }
}

/// Makes a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Whether `setpriv` can run a program as `nobody` here.
pub fn can_run_as_nobody() -> bool {
    is_root()
        && Command::new("setpriv")
            .args([
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "true",
            ])
            .status()
            .is_ok_and(|s| s.success())
}

/// Hands a folder tree to `nobody` (for a run as that user).
pub fn give_to_nobody(root: &Path) {
    let status = Command::new("chown")
        .args(["-R", "nobody:nogroup"])
        .arg(root)
        .status()
        .expect("chown runs");
    assert!(status.success(), "chown -R nobody {}", root.display());
}
