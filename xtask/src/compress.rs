//! Precompressed copies of the browser app's files: `NAME.br` (brotli) and
//! `NAME.gz` (gzip) beside each `.wasm`, `.js` and `.css` in the site's
//! `pkg` folder, compressed once at build time as hard as the formats allow,
//! so the server only picks the copy a browser accepts
//! (server/src/web/assets.rs) instead of compressing on every request.

use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files worth compressing; images and the favicon are compressed already or tiny.
const COMPRESSED_EXTENSIONS: &[&str] = &["wasm", "js", "css"];

/// Brotli's highest quality: slow (seconds for the WASM), but paid once per build.
const BROTLI_QUALITY: u32 = 11;

/// Brotli's largest standard window (2^24 bytes): the whole WASM fits in it.
const BROTLI_WINDOW_BITS: u32 = 24;

/// The sizes of one file (or several, added up) as written: raw, brotli, gzip.
#[derive(Default)]
pub struct Sizes {
    pub raw: u64,
    pub brotli: u64,
    pub gzip: u64,
}

impl Sizes {
    pub fn add(&mut self, other: &Sizes) {
        self.raw += other.raw;
        self.brotli += other.brotli;
        self.gzip += other.gzip;
    }

    /// "1559 KB, brotli 460 KB, gzip 607 KB".
    pub fn in_kb(&self) -> String {
        format!(
            "{} KB, brotli {} KB, gzip {} KB",
            self.raw / 1024,
            self.brotli / 1024,
            self.gzip / 1024
        )
    }
}

/// Writes `.br` and `.gz` copies of every file in `pkg` worth compressing
/// (replacing older copies, so no copy outlives its original's build), and
/// says how large each file became.
pub fn precompress_dir(pkg: &Path) -> anyhow::Result<Vec<(PathBuf, Sizes)>> {
    files_to_compress(pkg)?
        .into_iter()
        .map(|file| Ok((file.clone(), precompress(&file)?)))
        .collect()
}

fn files_to_compress(pkg: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(pkg).with_context(|| format!("reading {}", pkg.display()))? {
        let path = entry?.path();
        let wanted = path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| COMPRESSED_EXTENSIONS.contains(&extension));
        if wanted && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Writes `file.br` and `file.gz` beside `file`.
fn precompress(file: &Path) -> anyhow::Result<Sizes> {
    let raw = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let brotli = brotli(&raw)?;
    let gzip = gzip(&raw)?;
    write(&with_suffix(file, "br"), &brotli)?;
    write(&with_suffix(file, "gz"), &gzip)?;
    Ok(Sizes {
        raw: raw.len() as u64,
        brotli: brotli.len() as u64,
        gzip: gzip.len() as u64,
    })
}

fn brotli(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut compressed = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY as i32,
        lgwin: BROTLI_WINDOW_BITS as i32,
        size_hint: raw.len(),
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut compressed, &params).context("brotli")?;
    Ok(compressed)
}

fn gzip(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(raw).context("gzip")?;
    encoder.finish().context("gzip")
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn copies_decompress_to_the_original() {
        let dir = std::env::temp_dir().join(format!("xtask-compress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wasm = dir.join("tresor.wasm");
        let original: Vec<u8> = (0..50_000u32)
            .flat_map(|n| (n % 251).to_le_bytes())
            .collect();
        std::fs::write(&wasm, &original).unwrap();
        std::fs::write(dir.join("favicon.ico"), b"icon").unwrap();

        precompress_dir(&dir).unwrap();

        let mut from_brotli = Vec::new();
        brotli::Decompressor::new(
            &std::fs::read(dir.join("tresor.wasm.br")).unwrap()[..],
            4096,
        )
        .read_to_end(&mut from_brotli)
        .unwrap();
        assert_eq!(from_brotli, original);
        let mut from_gzip = Vec::new();
        flate2::read::GzDecoder::new(&std::fs::read(dir.join("tresor.wasm.gz")).unwrap()[..])
            .read_to_end(&mut from_gzip)
            .unwrap();
        assert_eq!(from_gzip, original);
        assert!(
            !dir.join("favicon.ico.br").exists(),
            "only the app's files are compressed"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
