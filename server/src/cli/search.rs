//! `tresor search`: search the archive (as a given user, or everything) and print the hits.

use super::Services;
use crate::config::Config;
use app::model::archive::{MAX_PAGE_SIZE, MAX_SEARCH_WINDOW, SearchInput, SearchSort};
use clap::Args;

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// In the search syntax: words, "phrases", from: to: subject: label:k=v
    /// has:attachment before: after: folder: mailbox:, OR, NOT, -word.
    query: String,
    /// Search as this Tresor user sees the archive (default: everything).
    #[arg(long)]
    user: Option<String>,
    /// One JSON object per hit, one per line.
    #[arg(long)]
    json: bool,
    /// How many hits to print, at most 10000 (a search pages no deeper).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// newest, oldest or relevance.
    #[arg(long, default_value = "newest")]
    sort: String,
    /// For benchmarks: run the search this many more times after a warm-up
    /// and print `{"total": n, "ms": [...]}` to standard error.
    #[arg(long, hide = true)]
    repeat: Option<usize>,
}

pub async fn run(config: Config, args: SearchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=MAX_SEARCH_WINDOW).contains(&args.limit),
        "--limit must be between 1 and {MAX_SEARCH_WINDOW}: a search shows only its first {MAX_SEARCH_WINDOW} hits (narrow the search to reach messages further down)"
    );
    let services = Services::open(&config).await?;
    let reader = services.reader_for(&config, args.user.as_deref()).await?;
    let viewer = services.viewer(&config)?;
    let input = SearchInput {
        query: args.query.clone(),
        sort: SearchSort::parse(&args.sort),
        offset: 0,
        limit: args.limit.min(MAX_PAGE_SIZE),
    };
    let mut page = viewer.search(reader, &input).await?;
    if let Some(rounds) = args.repeat {
        let mut ms = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let started = std::time::Instant::now();
            viewer.search(reader, &input).await?;
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        eprintln!("{}", serde_json::json!({ "total": page.total, "ms": ms }));
        return Ok(());
    }
    // The viewer answers in pages; the command line may ask for more.
    while page.hits.len() < args.limit.min(page.total) {
        let next = SearchInput {
            offset: page.hits.len(),
            limit: (args.limit - page.hits.len()).min(MAX_PAGE_SIZE),
            ..input.clone()
        };
        let more = viewer.search(reader, &next).await?;
        if more.hits.is_empty() {
            break;
        }
        page.hits.extend(more.hits);
    }
    if args.json {
        for hit in &page.hits {
            let snippet: String = hit
                .snippet
                .iter()
                .map(|piece| piece.text.as_str())
                .collect();
            let line = serde_json::json!({
                "id": hit.id,
                "sha256": hit.sha256,
                "message_id": hit.message_id,
                "subject": hit.subject,
                "from": hit.from,
                "to": hit.to,
                "date": hit.date,
                "size": hit.size,
                "has_attachments": hit.has_attachments,
                "location": hit.location,
                "snippet": snippet,
            });
            println!("{line}");
        }
    } else {
        for hit in &page.hits {
            let date = hit
                .date
                .map(|date| date.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "undated".into());
            println!(
                "{:>8}  {date}  {:<30.30}  {}",
                hit.id, hit.from, hit.subject
            );
        }
        println!("{} of {} messages", page.hits.len(), page.total);
    }
    if page.indexing > 0 {
        eprintln!(
            "note: {} archived messages are not searchable yet (the index is catching up)",
            page.indexing
        );
    }
    Ok(())
}
