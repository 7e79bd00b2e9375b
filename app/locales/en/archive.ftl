# The archive's search page: search box, syntax help, filter chips, results.

archive-title = Archive
archive-intro = Search everything archived from the mailboxes you may see.
archive-searching = Searching…
archive-search-label = Search the archive
# The query words (from:, subject:, …) are the same in every language.
archive-search-placeholder = Words, "a phrase", from:alice, subject:invoice, has:attachment, after:2024-01-01 …
archive-order = Order
archive-sort-newest = Newest first
archive-sort-oldest = Oldest first
archive-sort-relevance = Best match
archive-search = Search
archive-syntax = Search syntax
archive-syntax-words = both words, anywhere; case and accents do not matter (Grüße finds grüsse)
archive-syntax-phrase = the exact phrase
archive-syntax-header = in one header
archive-syntax-attachment = attachment names; messages with attachments
archive-syntax-date = message date (a day, a month or a year)
archive-syntax-where = where it was archived, and the mailbox's labels
archive-syntax-logic = either; without; grouping
archive-filters = Filters
archive-chip-attachments = With attachments
archive-chip-last-year = Last 12 months
archive-chip-mailbox = Mailbox { $name }
archive-indexing-note = { $count ->
    [one] { $count } archived message is still being indexed and may not be found yet.
   *[other] { $count } archived messages are still being indexed and may not be found yet.
}
archive-empty-indexing-title = Mail is being indexed
archive-empty-indexing = { $count ->
    [one] { $count } archived message is being made searchable; it appears here within moments. Reload the page to see it.
   *[other] { $count } archived messages are being made searchable; they appear here within moments. Reload the page to see them.
}
archive-empty-title = The archive is empty
archive-empty-body = Once a mailbox is archived, its messages can be searched, read, exported and restored here.
# Around the link to the mailboxes.
archive-empty-start-before = Start by connecting a mailbox under{" "}
archive-empty-start-link = Mailboxes
archive-empty-start-after = .
archive-nothing-found-title = Nothing found
archive-nothing-found = No message you may see matches this search. Try fewer words, or check the spelling of from: and mailbox: names.
# "1–50 of 1,204 messages"; the end-to-end tests read "of 1 messages", so no plural here.
archive-result-count = { $first }–{ $last } of { $total } messages
archive-selected = { $count } selected:
archive-restore-selected = Restore…
# Followed by the size of the selection, " (1.4 MB)".
archive-download-zip = Download .zip
archive-download-mbox = Download .mbox
archive-export-all = Export all { $count } as .zip
archive-export-all-mbox = as .mbox
archive-select-all = Select all on this page
archive-select = Select
archive-col-from = From
archive-col-subject = Subject
archive-col-date = Date
archive-pages = Pages
archive-newer-page = ← Newer page
archive-next-page = Next page →
archive-undated = undated
archive-no-subject = (no subject)
archive-has-attachments = Has attachments
