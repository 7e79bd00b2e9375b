# One mailbox: run it now, pause or delete it, its run history.

mailbox-title = Mailbox
mailbox-loading = Loading the mailbox…
mailbox-run-queued = The run is queued and starts as soon as the job limits allow.
mailbox-run-already = A run of this mailbox is going on already.
mailbox-schedule-on = Runs on the schedule “{ $schedule }”.
mailbox-schedule-paused = The schedule “{ $schedule }” is paused; runs start only by hand.
mailbox-schedule-none = No schedule: runs start only by hand.
# $name comes in quotes.
mailbox-confirm-delete = Delete the mailbox { $name }? It stops being archived; the mail archived so far stays in the archive.
mailbox-read-only = Shared with you: you can read its runs and its archived mail; an administrator manages it.
mailbox-edit = Edit
mailbox-delete = Delete
mailbox-pause = Pause schedule
mailbox-resume = Resume schedule
mailbox-run-now = Run now
mailbox-queued-banner = A run is queued and starts as soon as a job slot is free.
mailbox-history = History
mailbox-no-runs = No run yet. Runs start on the schedule, or now with “Run now”.
