//! `cargo xtask tidy`: the house rules a newcomer relies on, checked on every
//! test run (rust-analyzer's habit) so that they stay true as the code grows.
//!
//! - every Rust module starts with a `//!` doc saying what it is;
//! - no source or test file is longer than [`LINE_BUDGET`] lines unless a
//!   `// tidy: long because …` line near its top says why;
//! - ARCHITECTURE.md names every folder of the repository;
//! - the modules of one folder never form an import cycle (A uses B and B uses
//!   A, directly or through a third): a folder is a set of rooms, and rooms
//!   that lean on each other cannot be understood — or moved — one at a time.
//!
//! The checks read the files git tracks (plus new, not ignored ones) as text;
//! they are deliberately simple, so that a failure is easy to understand.
//! Vendored crates (`vendor/<crate>/`) are someone else's code, kept as
//! published: only `vendor/` and its crates' folders must be named.

use crate::cmd::repo_root;
use anyhow::{Context, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Lines a file may have before it must say why it is long: about what a
/// reader keeps in mind at once, and what the project's files stay under.
const LINE_BUDGET: usize = 600;

/// How far from the top the `// tidy: long because …` reason may stand.
const REASON_WITHIN_LINES: usize = 40;

/// The marker that allows a file over the budget; the reason must follow it.
const LONG_FILE_MARKER: &str = "// tidy: long because";

/// Third-party crates, patched (ARCHITECTURE.md): not held to our house rules.
const VENDOR: &str = "vendor";

/// Files other tools write or that are data, not code a person reads.
const GENERATED: &[&str] = &["Cargo.lock", "end2end/package-lock.json"];

pub fn run() -> anyhow::Result<()> {
    let root = repo_root();
    let files = tracked_files(&root)?;
    let ours: Vec<PathBuf> = files
        .iter()
        .filter(|path| !path.starts_with(VENDOR))
        .cloned()
        .collect();
    let mut problems = Vec::new();
    problems.extend(module_docs(&root, &ours)?);
    problems.extend(line_budget(&root, &ours)?);
    problems.extend(folders_named(&root, &files)?);
    problems.extend(import_cycles(&root, &ours)?);
    if problems.is_empty() {
        println!("tidy: {} files, all rules hold", files.len());
        return Ok(());
    }
    for problem in &problems {
        eprintln!("tidy: {problem}");
    }
    bail!("{} house rule(s) broken (see above)", problems.len())
}

/// The files git tracks, and new ones it does not ignore, relative to the root.
fn tracked_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["ls-files", "--cached", "--others", "--exclude-standard"])
        .output()
        .context("running git ls-files")?;
    if !output.status.success() {
        bail!("git ls-files failed");
    }
    let mut files: Vec<PathBuf> = String::from_utf8(output.stdout)?
        .lines()
        .map(PathBuf::from)
        .filter(|path| root.join(path).is_file())
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

fn read(root: &Path, path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(root.join(path)).with_context(|| format!("reading {}", path.display()))
}

fn is_rust(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "rs")
}

/// Every Rust file opens with `//!` (after nothing but blank lines).
fn module_docs(root: &Path, files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for path in files.iter().filter(|path| is_rust(path)) {
        let text = read(root, path)?;
        let first = text.lines().find(|line| !line.trim().is_empty());
        if !first.is_some_and(|line| line.starts_with("//!")) {
            problems.push(format!(
                "{}: starts without a `//!` module doc saying what it is",
                path.display()
            ));
        }
    }
    Ok(problems)
}

/// Code a person reads: Rust, TypeScript, Python, shell and CSS.
fn is_code(path: &Path) -> bool {
    let code = ["rs", "ts", "py", "sh", "css"];
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| code.contains(&ext))
        && !GENERATED
            .iter()
            .any(|generated| path == Path::new(generated))
}

fn line_budget(root: &Path, files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for path in files.iter().filter(|path| is_code(path)) {
        let text = read(root, path)?;
        let lines = text.lines().count();
        if lines <= LINE_BUDGET {
            continue;
        }
        let says_why = text
            .lines()
            .take(REASON_WITHIN_LINES)
            .filter_map(|line| line.trim().strip_prefix(LONG_FILE_MARKER))
            .any(|reason| reason.trim().len() > 10);
        if !says_why {
            problems.push(format!(
                "{}: {lines} lines, over the budget of {LINE_BUDGET}: split it along its \
                 concepts, or say why near its top (`{LONG_FILE_MARKER} …`)",
                path.display()
            ));
        }
    }
    Ok(problems)
}

/// Folders that hold data rather than code (named through their parent), and
/// the insides of a vendored crate (named as `vendor/<crate>/`).
fn is_data_folder(folder: &Path) -> bool {
    folder.starts_with("fuzz/corpus")
        || folder.starts_with("end2end/node_modules")
        || (folder.starts_with(VENDOR) && folder.components().count() > 2)
}

/// Every folder (but hidden ones and data) is named in ARCHITECTURE.md as
/// `name/`, or through its parent as `parent/<…>/` (e.g. `api/<area>/`).
fn folders_named(root: &Path, files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let architecture = read(root, Path::new("ARCHITECTURE.md"))?;
    let folders: BTreeSet<&Path> = files
        .iter()
        .flat_map(|file| file.ancestors().skip(1))
        .filter(|folder| !folder.as_os_str().is_empty())
        .collect();
    let mut problems = Vec::new();
    for folder in folders {
        let hidden = folder
            .components()
            .any(|part| part.as_os_str().to_string_lossy().starts_with('.'));
        if hidden || is_data_folder(folder) {
            continue;
        }
        let name = folder.file_name().unwrap_or_default().to_string_lossy();
        let by_name = architecture.contains(&format!("{name}/"));
        let by_parent = folder
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|parent| {
                architecture.contains(&format!("{}/<", parent.to_string_lossy()))
            });
        if !by_name && !by_parent {
            problems.push(format!(
                "{}/: not named in ARCHITECTURE.md (say what lives there as `{name}/`)",
                folder.display()
            ));
        }
    }
    Ok(problems)
}

/// A Rust folder: its module path, and its files grouped by the child module
/// of the folder they belong to.
struct Folder {
    path: PathBuf,
    children: BTreeMap<String, Vec<PathBuf>>,
}

/// The module roots of the crates: where `crate::` starts.
fn crate_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|ancestor| ancestor.file_name().is_some_and(|name| name == "src"))
        .map(Path::to_path_buf)
}

fn rust_folders(files: &[PathBuf]) -> Vec<Folder> {
    let mut folders: BTreeMap<PathBuf, BTreeMap<String, Vec<PathBuf>>> = BTreeMap::new();
    for file in files.iter().filter(|path| is_rust(path)) {
        let Some(src) = crate_root(file) else {
            continue;
        };
        // Every folder between the crate root and the file sees the file as
        // part of one of its child modules.
        for folder in file.ancestors().skip(1) {
            if !folder.starts_with(&src) {
                break;
            }
            let below = file.strip_prefix(folder).expect("an ancestor");
            let first = below.components().next().expect("a file below");
            let child = Path::new(first.as_os_str())
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if ["mod", "lib", "main"].contains(&child.as_str()) {
                continue; // the folder's own module, not a child
            }
            folders
                .entry(folder.to_path_buf())
                .or_default()
                .entry(child)
                .or_default()
                .push(file.clone());
        }
    }
    folders
        .into_iter()
        .map(|(path, children)| Folder { path, children })
        .collect()
}

/// The module path of a folder from its crate root, e.g. `crate::web`.
fn module_path(folder: &Path) -> String {
    let src = crate_root(folder).expect("inside a crate's src");
    let mut path = String::from("crate");
    for part in folder.strip_prefix(&src).expect("below src").components() {
        path.push_str("::");
        path.push_str(&part.as_os_str().to_string_lossy());
    }
    path
}

/// The text without `//` comments (doc comments name modules without using them).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // `//` right after a colon is a URL in a string, not a comment.
            Some(at) if !line[..at].ends_with(':') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first identifiers after `prefix` in `text`, also inside `prefix{a, b::c}` groups.
fn names_after(text: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let boundary = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|before| !(before.is_alphanumeric() || before == '_' || before == ':'));
        rest = &rest[at + prefix.len()..];
        if !boundary {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                names.push(identifier(item.trim()));
            }
        } else {
            names.push(identifier(rest));
        }
    }
    names.retain(|name| !name.is_empty());
    names
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Which child module each item the folder's `mod.rs` re-exports comes from.
fn re_exports(mod_rs: &str, children: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    for line in mod_rs.lines().map(str::trim) {
        let Some(rest) = ["pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix))
        else {
            continue;
        };
        let rest = rest.strip_prefix("self::").unwrap_or(rest);
        let child = identifier(rest);
        if !children.contains(&child) {
            continue;
        }
        let after = &rest[child.len()..];
        let imported: Vec<&str> = match after.find('{') {
            Some(open) => after[open + 1..]
                .trim_end_matches([';', '}'])
                .split(',')
                .collect(),
            None => vec![after],
        };
        for item in imported {
            let name = item.rsplit("::").next().unwrap_or_default();
            let name = name.split(" as ").last().unwrap_or_default();
            items.insert(identifier(name.trim()), child.clone());
        }
    }
    items
}

/// Folders whose modules still lean on each other, with the reason. Empty is the goal.
const CYCLES_ALLOWED: &[(&str, &str)] = &[
    (
        "server/src",
        "the crate's top-level modules: `db`'s entities name domain types as column types \
         (audit actions, mailbox sources, hold scopes) while the domain reads rows; untangling \
         needs column types of their own, left for later",
    ),
    (
        "server/src/db/entity",
        "sea-orm relations are declared on both sides (`session` → `user` and back)",
    ),
];

fn import_cycles(root: &Path, files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for folder in rust_folders(files) {
        if CYCLES_ALLOWED
            .iter()
            .any(|(allowed, _)| folder.path == Path::new(allowed))
        {
            continue;
        }
        let children: BTreeSet<String> = folder.children.keys().cloned().collect();
        let mod_rs = ["mod.rs", "lib.rs", "main.rs"]
            .iter()
            .map(|name| root.join(&folder.path).join(name))
            .find(|path| path.is_file())
            .map(std::fs::read_to_string)
            .transpose()?
            .unwrap_or_default();
        let re_exported = re_exports(&mod_rs, &children);
        let absolute = format!("{}::", module_path(&folder.path));
        let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        // One file per edge, to say where a cycle can be cut.
        let mut evidence: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
        for (child, child_files) in &folder.children {
            for file in child_files {
                let text = without_comments(&read(root, file)?);
                // How many `super::` lead from this file's module up to the folder.
                let depth = file
                    .strip_prefix(&folder.path)
                    .expect("below the folder")
                    .components()
                    .filter(|part| part.as_os_str() != "mod.rs")
                    .count();
                let relative = "super::".repeat(depth);
                let used = names_after(&text, &relative)
                    .into_iter()
                    .chain(names_after(&text, &absolute));
                for name in used {
                    let target = if children.contains(&name) {
                        Some(name)
                    } else {
                        re_exported.get(&name).cloned()
                    };
                    if let Some(target) = target.filter(|target| target != child) {
                        evidence
                            .entry((child.clone(), target.clone()))
                            .or_insert_with(|| file.clone());
                        edges.entry(child.as_str()).or_default().insert(target);
                    }
                }
            }
        }
        for cycle in strongly_connected(&children, &edges) {
            let uses: Vec<String> = evidence
                .iter()
                .filter(|((from, to), _)| cycle.contains(from) && cycle.contains(to))
                .map(|((from, to), file)| format!("{from} → {to} ({})", file.display()))
                .collect();
            problems.push(format!(
                "{}/: the modules {} use each other (an import cycle): move what they share \
                 into a module both use, or let one of them own it; the uses: {}",
                folder.path.display(),
                cycle.join(" ↔ "),
                uses.join(", ")
            ));
        }
    }
    Ok(problems)
}

/// The groups of two or more modules that reach each other (Tarjan's algorithm).
fn strongly_connected(
    nodes: &BTreeSet<String>,
    edges: &BTreeMap<&str, BTreeSet<String>>,
) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<&'a str, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        groups: Vec<Vec<String>>,
    }
    impl Walk<'_> {
        fn visit(&mut self, node: &str) {
            let number = self.index.len();
            self.index.insert(node.to_owned(), number);
            self.low.insert(node.to_owned(), number);
            self.stack.push(node.to_owned());
            self.on_stack.insert(node.to_owned());
            let next: Vec<String> = self
                .edges
                .get(node)
                .map(|targets| targets.iter().cloned().collect())
                .unwrap_or_default();
            for target in next {
                if !self.index.contains_key(&target) {
                    self.visit(&target);
                    let low = self.low[node].min(self.low[&target]);
                    self.low.insert(node.to_owned(), low);
                } else if self.on_stack.contains(&target) {
                    let low = self.low[node].min(self.index[&target]);
                    self.low.insert(node.to_owned(), low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut group = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(&member);
                    let done = member == node;
                    group.push(member);
                    if done {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.groups.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for node in nodes {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_after_reads_plain_and_grouped_paths() {
        let text =
            "use super::{backend, oauth::Grant};\nlet x = super::archive::run();\nfoo_super::nope";
        assert_eq!(
            names_after(text, "super::"),
            ["backend", "oauth", "archive"]
        );
    }

    #[test]
    fn comments_do_not_count_as_uses() {
        let text =
            "//! see `super::export`\nuse super::plan; // super::rows\nlet url = \"http://x\";";
        assert_eq!(names_after(&without_comments(text), "super::"), ["plan"]);
    }

    #[test]
    fn a_cycle_through_a_third_module_is_found() {
        let nodes: BTreeSet<String> = ["a", "b", "c", "d"].map(String::from).into();
        let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        edges.insert("a", ["b".to_owned()].into());
        edges.insert("b", ["c".to_owned()].into());
        edges.insert("c", ["a".to_owned()].into());
        edges.insert("d", ["a".to_owned()].into());
        assert_eq!(strongly_connected(&nodes, &edges), [["a", "b", "c"]]);
        edges.insert("c", BTreeSet::new());
        assert!(strongly_connected(&nodes, &edges).is_empty());
    }

    #[test]
    fn re_exports_map_items_to_their_module() {
        let children: BTreeSet<String> = ["backend", "oauth"].map(String::from).into();
        let mod_rs = "pub use backend::{WebBackend, internal as edge_error};\npub(crate) use oauth::Flow;\npub use std::io;";
        let map = re_exports(mod_rs, &children);
        assert_eq!(map["WebBackend"], "backend");
        assert_eq!(map["edge_error"], "backend");
        assert_eq!(map["Flow"], "oauth");
        assert!(!map.contains_key("io"));
    }
}
