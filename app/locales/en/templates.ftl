# Admin → Templates: the list of templates.

templates-title = Templates
templates-intro = A template holds the settings many mailboxes share: server, folders, what happens after archiving, schedule. A mailbox inherits each field or overrides it; a changed template reaches its mailboxes from their next run.
templates-new = New template
templates-loading = Loading templates…
templates-empty-title = No templates yet
templates-empty-text = Create one for your mail server, then choose it when adding mailboxes (or in a CSV import) instead of typing the same settings each time.
templates-column-name = Name
templates-column-server = Server
templates-column-schedule = Schedule
templates-column-mailboxes = Mailboxes
templates-confirm-delete = { $count ->
    [one] Delete the template "{ $name }"? Its 1 mailbox keeps its current values as its own.
   *[other] Delete the template "{ $name }"? Its { $count } mailboxes keep their current values as their own.
}
templates-manual-only = Manual only
templates-delete = Delete
