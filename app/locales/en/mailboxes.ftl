# The list of mailboxes with their last run.

mailboxes-title = Mailboxes
mailboxes-intro = Each mailbox is an archiving profile: the server to read from, the folders to take, and what happens to a message once it is safely archived.
mailboxes-add = Add mailbox
mailboxes-loading = Loading mailboxes…
mailboxes-empty-title = No mailboxes connected
mailboxes-empty-body = Once a mailbox is connected, Tresor archives it on its schedule and lists every run here.
mailboxes-add-first = Add your first mailbox
mailboxes-col-name = Name
mailboxes-col-server = Server
mailboxes-col-owner = Owner
mailboxes-col-schedule = Schedule
mailboxes-col-last-run = Last run
mailboxes-paused = Paused
mailboxes-manual = Manual only
mailboxes-shared = Shared
mailboxes-read-only = Read-only
mailboxes-not-signed-in = Not signed in
mailboxes-needs-sign-in = Needs sign-in
mailboxes-template = Template: { $template }
mailboxes-imported = Imported files
mailboxes-not-run = Not run yet
mailboxes-last-run-counts = { $archived } archived, { $duplicates } duplicates, { $failed } failed
