# Admin → Batch archiving: a master-user batch and a CSV list.

batch-title = Batch archiving
batch-intro = Set up many mailboxes at once. Each gets its own archiving job, owned by the user whose mail it holds; first runs start within the limit of concurrent jobs.
batch-loading = Loading…
batch-template = Other settings from template
batch-template-none = None (Tresor's defaults)
batch-template-help = Folders, after-archive action, duplicates, labels and schedule.
batch-master-title = Through a master user
batch-master-intro = A privileged login that may open every user's mailbox (Dovecot master user, Exchange impersonation). One mailbox is created for each selected Tresor user.
batch-host = Host
batch-port = Port
batch-security = Security
batch-ca-file = CA file on the Tresor server
batch-master-user = Master user
batch-master-password = Master password
batch-identity = Log in for each user as
batch-identity-address = their e-mail address
batch-identity-local-part = the part before @
batch-identity-username = their Tresor user name
batch-users = Users
batch-users-all = All users with an address
batch-users-all-except = All except …
batch-users-only = Only …
batch-addresses = E-mail addresses
batch-run-now = Start the first runs now
batch-creating = Creating…
batch-create = Create mailboxes
batch-csv-title = From a list (CSV)
batch-csv-intro = One mailbox per line. The first line names the columns: e-mail address (required), password, and optionally server, port, security, user name, mailbox name, folders, schedule. Separated by ; , | or tab, as spreadsheets export it. Users that do not exist yet are created.
batch-csv-file = File
batch-csv-list = List
batch-csv-placeholder =
    email;password;server
    anna@example.com;secret;imap.example.com
batch-csv-reading = Reading…
batch-csv-preview = Preview
batch-csv-import = { $count ->
    [one] Import { $count } mailbox
   *[other] Import { $count } mailboxes
}
batch-separator-semicolon = semicolon
batch-separator-comma = comma
batch-separator-pipe = pipe
batch-separator-tab = tab
batch-csv-columns = Separated by { $separator }. Columns: { $columns }
batch-csv-column = { $header } → { $meaning }
batch-csv-column-ignored = { $header } (ignored)
batch-csv-importable = { $total ->
    [one] { $valid } of { $total } row can be imported
   *[other] { $valid } of { $total } rows can be imported
}
batch-csv-rejected = { $count ->
    [one] ; { $count } needs fixing in the file (nothing is saved for it).
   *[other] ; { $count } need fixing in the file (nothing is saved for them).
}
batch-csv-line = Line
batch-csv-email = E-mail
batch-csv-mailbox = Mailbox
batch-csv-server = Server
batch-csv-problems = Problems
batch-csv-new-user = new user
batch-report = { $created ->
        [one] { $created } mailbox created
       *[other] { $created } mailboxes created
    }, { $skipped } skipped, { $failed } failed; { $queued ->
        [one] { $queued } first run queued.
       *[other] { $queued } first runs queued.
    }
batch-report-for = For
batch-report-mailbox = Mailbox
batch-report-result = Result
batch-outcome-created = Created
batch-outcome-skipped = Skipped
batch-outcome-failed = Failed
batch-user-created = user created
batch-user-invited = invited by mail
batch-csv-invite = Invite the { $count ->
    [one] new user
   *[other] { $count } new users
  } by mail to choose their own password
