//! What an archive holds, compared by SHA-256: the files of an export, the
//! messages of a server's folder.

/// Every file below `root`, recursively.
pub fn files_under(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Runs `tresor export --format eml` for `mailbox` and returns the SHA-256 of every exported file.
pub fn export_digests(data_dir: &std::path::Path, mailbox: &str) -> Vec<tresor::store::Digest> {
    let export_dir = data_dir.join(format!("export-{}", rand::random::<u32>()));
    let exported = super::tresor(
        data_dir,
        &[
            "export",
            "--mailbox",
            mailbox,
            "--format",
            "eml",
            "--out",
            export_dir.to_str().unwrap(),
        ],
        None,
    );
    assert!(exported.status.success(), "{}", super::stderr(&exported));
    files_under(&export_dir)
        .iter()
        .map(|path| tresor::store::Digest::of(&std::fs::read(path).unwrap()))
        .collect()
}

/// The SHA-256 of every message in `folder`, as the server returns its bytes.
pub async fn server_digests(
    session: &mut tresor::imap::Session,
    folder: &str,
) -> Vec<tresor::store::Digest> {
    use futures::TryStreamExt;
    session.examine(folder).await.unwrap();
    let fetched: Vec<_> = session
        .uid_fetch("1:*", "BODY.PEEK[]")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    fetched
        .iter()
        .filter_map(|fetch| fetch.body())
        .map(tresor::store::Digest::of)
        .collect()
}
