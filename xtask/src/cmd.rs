//! Running commands: echo them, fail with context, find the repository and target dir.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The checkout `cargo xtask` was run in. `cargo run` sets CARGO_MANIFEST_DIR
/// at run time too, and that one wins: a target dir shared by several
/// checkouts (worktrees) reuses one xtask binary, whose compile-time path
/// would name whichever checkout built it first.
pub fn repo_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .parent()
        .expect("xtask lives inside the repository")
        .to_path_buf()
}

/// Where cargo builds go: `$CARGO_TARGET_DIR`, or a cache outside the clone so
/// that a fresh clone (as in CI) reuses earlier builds.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("tresor").join("target")
}

/// A `cargo` command that builds into `target_dir()`.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(repo_root())
        .env("CARGO_TARGET_DIR", target_dir());
    command
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs to completion with inherited output; a non-zero exit is an error.
pub fn run(mut command: Command) -> anyhow::Result<()> {
    let description = describe(&command);
    eprintln!("$ {description}");
    let status = command
        .status()
        .with_context(|| format!("starting `{description}`"))?;
    if !status.success() {
        bail!("`{description}` failed with {status}");
    }
    Ok(())
}

/// Like [`run`], but a command still running after `limit` is killed with
/// everything it started, and that is the error. A hung test must fail the
/// run with its name on screen, not eat CI's whole time budget in silence.
pub fn run_with_limit(mut command: Command, limit: std::time::Duration) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let description = describe(&command);
    eprintln!("$ {description}  (limit {} min)", limit.as_secs() / 60);
    // Its own process group, so the kill reaches the test binaries cargo runs.
    command.process_group(0);
    let mut child = command
        .spawn()
        .with_context(|| format!("starting `{description}`"))?;
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                bail!("`{description}` failed with {status}");
            }
            return Ok(());
        }
        if started.elapsed() > limit {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
            bail!(
                "`{description}` was still running after {} min and was killed; \
                 the last test named above as running for over 60 seconds hung",
                limit.as_secs() / 60
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

/// Runs and returns standard output; `None` if the program is missing or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Replaces xtask with the command (Unix) so Ctrl-C and SIGTERM reach it directly.
pub fn exec_foreground(mut command: Command) -> anyhow::Result<()> {
    eprintln!("$ {}", describe(&command));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = command.exec();
        Err(error).context("starting the server")
    }
    #[cfg(not(unix))]
    {
        run(command)
    }
}

pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}

/// A command run as root: directly when we are root, else through sudo.
pub fn as_root(program: &str) -> Command {
    if is_root() {
        Command::new(program)
    } else {
        let mut command = Command::new("sudo");
        command.arg("-E").arg(program);
        command
    }
}

/// Adds a Tresor user with the CLI, as an admin would script it (the
/// password on standard input, never on the command line).
pub fn add_tresor_user(
    binary: &Path,
    data_dir: &Path,
    (email, role, name): (&str, &str, &str),
    password: &str,
) -> anyhow::Result<()> {
    use std::io::Write;
    let mut child = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "user", "add", "--email", email, "--role", role, "--name", name,
        ])
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("running tresor user add")?;
    child
        .stdin
        .take()
        .context("stdin of tresor user add")?
        .write_all(format!("{password}\n").as_bytes())?;
    if !child.wait()?.success() {
        bail!("tresor user add failed");
    }
    Ok(())
}
