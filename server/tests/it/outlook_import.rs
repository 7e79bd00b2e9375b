//! `tresor import` of Outlook files (../shared/corpus/outlook): every PST
//! and MSG of the corpus goes through the one pipeline, converted to MIME
//! and recorded as converted with its provenance; items that are not mail
//! are skipped by name; importing again stores nothing; a damaged file
//! imports what it can and names what it could not read.

use crate::harness::{add_owner, corpus_dir, files_under, stderr, stdout, tresor};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use sea_orm::{ConnectionTrait, Database, Statement};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tresor::import::outlook::msg::read_msg;
use tresor::import::outlook::pst::PstReader;
use tresor::import::outlook::{Converted, Outcome};

/// Runs `tresor import --json` into the mailbox `name`; the log, and whether it succeeded.
fn import(data_dir: &Path, name: &str, paths: &[&Path]) -> (serde_json::Value, bool) {
    let mut args = vec![
        "import",
        "--owner",
        "alice@example.com",
        "--name",
        name,
        "--json",
    ];
    let paths: Vec<String> = paths
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    args.extend(paths.iter().map(String::as_str));
    let run = tresor(data_dir, &args, None);
    let log = serde_json::from_str(&stdout(&run))
        .unwrap_or_else(|_| panic!("{}\n{}", stdout(&run), stderr(&run)));
    (log, run.status.success())
}

/// Archived messages per folder of a job log.
fn archived_by_folder(log: &serde_json::Value) -> BTreeMap<String, u64> {
    log["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|folder| {
            let name = folder["name"].as_str().unwrap().to_string();
            (name, folder["archived"].as_u64().unwrap())
        })
        .collect()
}

async fn query(data_dir: &Path, sql: &str) -> Vec<sea_orm::QueryResult> {
    let url = format!("sqlite://{}?mode=ro", data_dir.join("tresor.db").display());
    let db = Database::connect(url).await.unwrap();
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
}

fn corpus_file(corpus: &Path, name: &str) -> PathBuf {
    corpus.join(name)
}

#[tokio::test]
async fn every_outlook_file_of_the_corpus_imports_converted_with_its_provenance() {
    let Some(corpus) = corpus_dir("outlook") else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    add_owner(data_dir.path());
    let (log, succeeded) = import(data_dir.path(), "outlook", &[&corpus]);
    assert!(succeeded, "{log}");
    let folders = archived_by_folder(&log);
    let with_mail: BTreeMap<&str, u64> = folders
        .iter()
        .filter(|(_, archived)| **archived > 0)
        .map(|(name, archived)| (name.as_str(), *archived))
        .collect();
    assert_eq!(
        with_mail,
        BTreeMap::from([
            ("Import", 4),
            ("jintrick-sample-ja/下書き", 1),
            ("pstsdk-sample1/Sample1", 1),
            ("pstsdk-sample2/Sample2", 1),
            ("pstsdk-submessage/submessage", 1),
            ("pstsdk-test_ansi/Folder", 1),
            ("pstsdk-test_unicode", 1),
            ("pstsdk-test_unicode/Folder", 1),
        ]),
        "{log}"
    );
    // The Japanese store's folder tree is kept, names and nesting.
    for folder in [
        "jintrick-sample-ja/削除済みアイテム",
        "jintrick-sample-ja/削除済みアイテム/下書き",
    ] {
        assert!(folders.contains_key(folder), "{folder} in {log}");
    }
    assert_eq!(log["archived"].as_u64(), Some(11), "{log}");
    assert_eq!(log["failed"].as_u64(), Some(0), "{log}");
    // Three contacts and a note: skipped, and named in the log.
    assert_eq!(log["skipped"].as_u64(), Some(4), "{log}");
    let skips = log["folders"].to_string();
    assert_eq!(skips.matches("a contact: not mail").count(), 3, "{log}");
    assert_eq!(skips.matches("a note: not mail").count(), 1, "{log}");

    // Every location says it is converted, and from what.
    let rows = query(
        data_dir.path(),
        "SELECT folder, converted_from FROM message_locations ORDER BY id",
    )
    .await;
    assert_eq!(rows.len(), 11);
    for row in &rows {
        let folder: String = row.try_get("", "folder").unwrap();
        let provenance: Option<String> = row.try_get("", "converted_from").unwrap();
        let provenance: serde_json::Value =
            serde_json::from_str(&provenance.expect("converted")).unwrap();
        let file = provenance["file"].as_str().unwrap();
        let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            std::fs::read(corpus.join(file)).unwrap(),
        ));
        assert_eq!(provenance["file_sha256"], digest.as_str(), "{provenance}");
        if file.ends_with(".pst") {
            let stem = file.trim_end_matches(".pst");
            let in_file = provenance["folder"].as_str().unwrap();
            let expected = if in_file.is_empty() {
                stem.to_string()
            } else {
                format!("{stem}/{in_file}")
            };
            assert_eq!(folder, expected);
            // Flags, record key and node id: 24 bytes.
            assert_eq!(provenance["entry_id"].as_str().unwrap().len(), 48);
        }
    }

    // Again: nothing new, not even a location; the skipped items are counted again.
    let (again, succeeded) = import(data_dir.path(), "outlook", &[&corpus]);
    assert!(succeeded, "{again}");
    assert_eq!(
        (again["archived"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(again["skipped"].as_u64(), Some(4), "{again}");
    let locations = query(data_dir.path(), "SELECT id FROM message_locations").await;
    assert_eq!(locations.len(), 11);

    let verify = tresor(data_dir.path(), &["verify", "--json"], None);
    assert!(verify.status.success(), "{}", stdout(&verify));
    let report: serde_json::Value = serde_json::from_str(&stdout(&verify)).unwrap();
    assert_eq!(report["blobs"].as_u64(), Some(11), "{report}");
}

fn converted(outcome: Outcome) -> Converted {
    match outcome {
        Outcome::Message(message) => message,
        other => panic!("not converted: {other:?}"),
    }
}

/// The converted messages of a PST, in file order.
fn pst_messages(path: &Path) -> Vec<Converted> {
    let reader = PstReader::open(path).unwrap();
    let (folders, errors) = reader.folders().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let mut messages = Vec::new();
    for folder in folders {
        reader
            .read_folder(folder.node, |entry| {
                messages.push(converted(entry.outcome));
                true
            })
            .unwrap();
    }
    messages
}

#[test]
fn an_attached_message_becomes_message_rfc822_with_its_headers() {
    let Some(corpus) = corpus_dir("outlook") else {
        return;
    };
    let messages = pst_messages(&corpus_file(&corpus, "pstsdk-submessage.pst"));
    assert_eq!(messages.len(), 1);
    let message = MessageParser::default().parse(&messages[0].bytes).unwrap();
    let attached = message
        .parts
        .iter()
        .find(|part| {
            part.content_type()
                .is_some_and(|kind| kind.ctype() == "message")
        })
        .expect("a message/rfc822 part");
    assert_eq!(attached.content_type().unwrap().subtype(), Some("rfc822"));
    let PartType::Message(inner) = &attached.body else {
        panic!("the attached message is parsed as one");
    };
    assert!(
        inner.subject().is_some(),
        "the attached message keeps its subject"
    );
    assert!(
        inner.from().is_some() || inner.date().is_some(),
        "and its headers"
    );
    // Converting again gives the same bytes: the archive stores them once.
    let again = pst_messages(&corpus_file(&corpus, "pstsdk-submessage.pst"));
    assert_eq!(again[0].bytes, messages[0].bytes);
}

#[test]
fn msg_recipients_keep_their_bcc() {
    let Some(corpus) = corpus_dir("outlook") else {
        return;
    };
    for name in [
        "rubymsg-qwerty_2-with_custom_properties.msg",
        "rubymsg-qwerty_3.msg",
    ] {
        let file = std::fs::File::open(corpus_file(&corpus, name)).unwrap();
        let message = converted(read_msg(file, name.as_bytes()).unwrap());
        let parsed = MessageParser::default().parse(&message.bytes).unwrap();
        let count =
            |list: Option<&mail_parser::Address>| list.map_or(0, |list| list.iter().count());
        assert_eq!(
            (count(parsed.to()), count(parsed.cc()), count(parsed.bcc())),
            (1, 1, 1),
            "{name}: {}",
            String::from_utf8_lossy(&message.bytes)
        );
    }
}

#[test]
fn a_damaged_pst_imports_what_it_can_and_names_what_it_could_not_read() {
    let Some(corpus) = corpus_dir("outlook") else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let original = std::fs::read(corpus_file(&corpus, "pstsdk-sample1.pst")).unwrap();
    // Half a file: the folder tree is there, the message's blocks are not.
    let half = scratch.path().join("half.pst");
    std::fs::write(&half, &original[..original.len() / 2]).unwrap();
    // Only the header: nothing can be read.
    let header_only = scratch.path().join("header-only.pst");
    std::fs::write(&header_only, &original[..4096]).unwrap();
    let intact = corpus_file(&corpus, "pstsdk-sample2.pst");

    let data_dir = tempfile::tempdir().unwrap();
    add_owner(data_dir.path());
    let (log, succeeded) = import(data_dir.path(), "damaged", &[&half, &header_only, &intact]);
    assert!(
        !succeeded,
        "a file that could not be read fails the job: {log}"
    );
    assert_eq!(
        log["archived"].as_u64(),
        Some(1),
        "the intact file imports: {log}"
    );
    let folders = log["folders"].as_array().unwrap();
    let failure = folders
        .iter()
        .flat_map(|folder| folder["failures"].as_array().unwrap())
        .map(|note| note["reason"].as_str().unwrap())
        .collect::<Vec<_>>();
    assert_eq!(failure.len(), 1, "{log}");
    assert!(
        failure[0].contains("half.pst") && failure[0].contains("folder \"Sample1\", message 0x"),
        "names the file, folder and message: {}",
        failure[0]
    );
    let unreadable = folders
        .iter()
        .find(|folder| folder["name"] == "header-only")
        .expect("the unreadable file is a folder of the log");
    assert!(
        unreadable["error"]
            .as_str()
            .unwrap()
            .contains("damaged or truncated"),
        "{unreadable}"
    );

    let verify = tresor(data_dir.path(), &["verify", "--json"], None);
    assert!(verify.status.success(), "{}", stdout(&verify));
    assert_eq!(files_under(&data_dir.path().join("blobs")).len(), 1);
}

/// Every original header line (but the body's description) of `item` and
/// its attached items is in `bytes` as it was; how many items had them.
fn headers_kept(item: &tresor::import::outlook::Item, bytes: &[u8], file: &Path) -> usize {
    use tresor::import::outlook::item::{Content, prop};
    let text = String::from_utf8_lossy(bytes);
    let mut with_headers = 0;
    if let Some(headers) = item.props.str(prop::TRANSPORT_MESSAGE_HEADERS) {
        with_headers += 1;
        for line in headers.lines().take_while(|line| !line.is_empty()) {
            let name = line
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if line.starts_with([' ', '\t'])
                || name.starts_with("content-")
                || name == "mime-version"
            {
                continue;
            }
            assert!(text.contains(line), "{}: {line:?} kept", file.display());
        }
    }
    for attachment in &item.attachments {
        if let Content::Message(attached) = &attachment.content {
            with_headers += headers_kept(attached, bytes, file);
        }
    }
    with_headers
}

#[test]
fn the_original_internet_headers_are_kept_where_the_file_has_them() {
    let Some(corpus) = corpus_dir("outlook") else {
        return;
    };
    let mut with_headers = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        match path.extension().and_then(|extension| extension.to_str()) {
            Some("msg") => {
                let open = || std::fs::File::open(&path).unwrap();
                let item = tresor::import::outlook::msg::read_item(open()).unwrap();
                if let Outcome::Message(message) = read_msg(open(), b"seed").unwrap() {
                    with_headers += headers_kept(&item, &message.bytes, &path);
                }
            }
            Some("pst") => {
                let reader = PstReader::open(&path).unwrap();
                for folder in reader.folders().unwrap().0 {
                    reader
                        .read_folder(folder.node, |entry| {
                            let item = reader.read_item(entry.node).unwrap();
                            let message = converted(entry.outcome);
                            with_headers += headers_kept(&item, &message.bytes, &path);
                            true
                        })
                        .unwrap();
                }
            }
            _ => {}
        }
    }
    assert!(
        with_headers > 0,
        "the corpus has items with their transport headers"
    );
}
