# The mailbox form's fields that cannot be read (app/src/model/mailbox_form).

mailbox-form-no-mailbox = The form refers to no mailbox; reload the page.
mailbox-form-no-template = Choose a template from the list.
mailbox-form-not-inheritable = { $name } cannot come from a template; reload the page.
mailbox-form-import-has-no-server = Imported mail has no server to read; choose IMAP or Microsoft Graph.
mailbox-form-port = The port must be a number between 1 and 65535.
mailbox-form-no-sign-in-app = Choose a sign-in app from the list.
mailbox-form-fingerprint = A SHA-256 fingerprint is 64 hexadecimal digits (colons allowed); take it from “Test connection”.
mailbox-form-message-size = Enter a size in MB, e.g. 50, or leave it empty.
mailbox-form-choice = Choose one of the offered values ({ $reason }).
mailbox-form-days = Enter a number of days, or leave it empty.
mailbox-form-label = Line { $line }: write a label as key=value, e.g. category=Invoices.
mailbox-form-max-connections = Allow at least one connection.
mailbox-form-page-size = Enter a page size between 1 and 1000 messages.
