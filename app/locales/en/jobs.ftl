# Archiving runs: status words, live progress, history, the job log.

jobs-status-running = Running
jobs-status-succeeded = Succeeded
jobs-status-failed = Failed
jobs-connecting = Connecting and listing folders…
jobs-running-title = Running
# Follows the folder's name.
jobs-folder-of = — folder { $current } of { $total }
jobs-progress = { $done } of { $total } messages in this folder · { $archived } archived, { $duplicates } duplicates so far · { $rate } messages/s
jobs-col-started = Started
jobs-col-duration = Duration
jobs-col-result = Result
jobs-col-archived = Archived
jobs-col-duplicates = Duplicates
jobs-col-failed = Failed
jobs-col-folder = Folder
jobs-col-on-server = On the server
jobs-col-in-archive = In the archive
jobs-col-new = New
jobs-col-skipped = Skipped
jobs-col-reconciled = Reconciled
jobs-duration-running = running
jobs-no-folder = No folder was archived.
jobs-folders = Folders ({ $count })
jobs-throttled = { $count ->
    [one] Microsoft Graph asked the run to wait once; it waited as told.
   *[other] Microsoft Graph asked the run to wait { $count } times; it waited as told.
}
jobs-reconciled-yes = ✓ complete
jobs-reconciled-no = ✗ incomplete
jobs-messages-in-detail = { $count ->
    [one] { $count } message of { $folder } in detail
   *[other] { $count } messages of { $folder } in detail
}
jobs-uid-failed = UID { $uid } failed: { $reason }
jobs-uid-skipped = UID { $uid } skipped: { $reason }
# Followed by the link "archived message 42".
jobs-uid-duplicate = UID { $uid } is a duplicate of{" "}
jobs-archived-message = archived message { $id }
jobs-more-duplicates = { $count ->
    [one] { $count } more duplicate is counted but not listed.
   *[other] { $count } more duplicates are counted but not listed.
}
