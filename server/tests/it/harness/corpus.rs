//! The mail corpora beside the repository (`../shared/corpus`): read in
//! place, or unpacked once into the target directory; absent, tests skip
//! and say so.

use std::path::PathBuf;

/// `../shared/corpus/<name>` beside the repository, or `None` (said loudly) when absent.
pub(crate) fn corpus_dir(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(name);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!(
            "\n*** SKIPPING: {} is absent (../shared is not beside the repository) ***\n",
            dir.display()
        );
        None
    }
}

/// `../shared/corpus/bulk-realistic`, unpacked once into the target directory.
pub(crate) fn bulk_corpus() -> Option<PathBuf> {
    let archive = corpus_dir("bulk-realistic.tar.zst")?;
    let unpacked = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus");
    let dir = unpacked.join("bulk-realistic");
    if !dir.join("MANIFEST.txt").exists() {
        // Unpack beside and rename, so an interrupted unpack is never mistaken for the corpus.
        let scratch = unpacked.join(format!("unpacking-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).unwrap();
        let status = std::process::Command::new("tar")
            .arg("--zstd")
            .arg("-xf")
            .arg(&archive)
            .arg("-C")
            .arg(&scratch)
            .status()
            .expect("tar runs (needs zstd)");
        assert!(status.success(), "unpacking {} failed", archive.display());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(scratch.join("bulk-realistic"), &dir).unwrap();
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Some(dir)
}
