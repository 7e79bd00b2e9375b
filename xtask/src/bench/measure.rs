//! Measuring a run: wall seconds and peak RSS under GNU time, and which
//! `tresor` binaries to measure (`TRESOR_BENCH_BINARY`, or this checkout's
//! release build).

use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Names the binaries to measure instead of building this checkout.
const BINARY_VARIABLE: &str = "TRESOR_BENCH_BINARY";

pub(crate) struct Measured {
    pub(crate) seconds: f64,
    pub(crate) max_rss_kb: u64,
}

/// A `tresor` binary to measure, with the label it has in the tables.
pub(crate) struct Binary {
    label: Option<String>,
    pub(crate) path: PathBuf,
}

impl Binary {
    pub(crate) fn tool(&self) -> String {
        match &self.label {
            Some(label) => format!("tresor ({label})"),
            None => "tresor".into(),
        }
    }
}

/// The binaries `TRESOR_BENCH_BINARY` names, in its order; without it, the
/// release build of this checkout.
pub(crate) fn binaries() -> anyhow::Result<Vec<Binary>> {
    let Ok(named) = std::env::var(BINARY_VARIABLE) else {
        let path = crate::build::build_server(true)?;
        return Ok(vec![Binary { label: None, path }]);
    };
    let binaries = parse_binaries(&named);
    if binaries.is_empty() {
        bail!("{BINARY_VARIABLE} names no binary");
    }
    for binary in &binaries {
        if !binary.path.is_file() {
            bail!("{BINARY_VARIABLE}: {} is not a file", binary.path.display());
        }
    }
    Ok(binaries)
}

/// `path`, or `label=path,label=path,…`.
fn parse_binaries(named: &str) -> Vec<Binary> {
    named
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| match entry.split_once('=') {
            Some((label, path)) => Binary {
                label: Some(label.trim().to_string()),
                path: PathBuf::from(path.trim()),
            },
            None => Binary {
                label: None,
                path: PathBuf::from(entry),
            },
        })
        .collect()
}

/// Runs under GNU time; wall seconds and peak RSS.
pub(crate) fn timed(command: Command) -> anyhow::Result<(Measured, Vec<u8>)> {
    let report = std::env::temp_dir().join(format!("tresor-bench-time-{}", std::process::id()));
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args())
        .stderr(Stdio::inherit());
    let output = timed.output().context("running under /usr/bin/time")?;
    if !output.status.success() {
        bail!(
            "{:?} failed: {}",
            command.get_program(),
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let text = std::fs::read_to_string(&report)?;
    let _ = std::fs::remove_file(&report);
    let mut fields = text.split_whitespace();
    let seconds = fields.next().context("time output")?.parse()?;
    let max_rss_kb = fields.next().context("time output")?.parse()?;
    Ok((
        Measured {
            seconds,
            max_rss_kb,
        },
        output.stdout,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_path_or_labelled_paths_name_the_binaries() {
        let one = parse_binaries("/tmp/tresor");
        assert_eq!(
            (one[0].tool(), one[0].path.clone()),
            ("tresor".into(), PathBuf::from("/tmp/tresor"))
        );
        let two: Vec<(String, PathBuf)> =
            parse_binaries("before=/a/tresor, after=/b/tresor,before=/a/tresor")
                .into_iter()
                .map(|binary| (binary.tool(), binary.path))
                .collect();
        assert_eq!(
            two,
            [
                ("tresor (before)".into(), PathBuf::from("/a/tresor")),
                ("tresor (after)".into(), PathBuf::from("/b/tresor")),
                ("tresor (before)".into(), PathBuf::from("/a/tresor")),
            ]
        );
        assert!(parse_binaries(" , ").is_empty());
    }
}
