# Adding a mailbox step by step (app/src/ui/pages/mailbox_editor/wizard.rs)
# and the providers it offers (presets.rs).

wizard-step-provider = Provider
wizard-step-sign-in = Sign-in
wizard-step-test = Test
wizard-step-folders = Folders
wizard-step-schedule = Schedule
wizard-where = 1. Where is the mail?
wizard-mailbox-and-sign-in = 2. Mailbox and sign-in
wizard-connection-test = 3. Connection test
wizard-test-after-sign-in = This mailbox signs in through its sign-in app after saving; test the connection on its page then.
wizard-continue = Continue
wizard-skip-test = Skip the test
wizard-skip-warning = Saving without a working connection: its runs fail until the settings are right.
wizard-skipped = The test was skipped.
wizard-folders = 4. Folders
wizard-schedule = 5. Schedule
wizard-provider = Provider
wizard-import = Import mail files
wizard-import-note = .eml, mbox and Maildir files are imported on the Tresor server with “tresor import” by whoever runs it.
wizard-batch = Add many mailboxes at once (CSV, master user)
wizard-provider-imap = IMAP server
wizard-provider-m365-description = Exchange Online through Microsoft Graph. Needs a sign-in app an administrator registered.
wizard-provider-gmail-description = Gmail or Google Workspace over IMAP with Google sign-in. Needs a sign-in app an administrator registered.
wizard-provider-imap-description = Any mail server with IMAP: your company's, or a provider such as IONOS, GMX or Telekom, with a user name and password.
wizard-provider-pop3 = POP3 server
wizard-provider-pop3-description = A mail server read over POP3: its inbox only, with a user name and password; the mail is left on the server or deleted once archived.
wizard-preset-m365-graph-help = Reads the mailbox through Microsoft Graph. Needs a sign-in app from the preset "Microsoft 365 (Graph, app-only)": application permission Mail.ReadWrite (Mail.Read without after-archive actions) with admin consent. User name: the mailbox's address. After saving, "Use app-only access" on the mailbox's page.
wizard-preset-m365-imap-help = Needs a sign-in app from the preset "Microsoft 365 (IMAP, OAuth2)": delegated IMAP.AccessAsUser.All and offline_access (or IMAP.AccessAsApp for app-only, with the mailbox granted to the app in Exchange). User name: the mailbox's address.
wizard-preset-gmail-help = Needs a sign-in app from the preset "Gmail / Google Workspace": scope https://mail.google.com/; sign in with Google on the mailbox's page. User name: the Gmail address.
wizard-preset-outlook-com-help = Needs a sign-in app from the preset "Outlook.com" (tenant consumers): IMAP.AccessAsUser.All and offline_access. User name: the Outlook.com address.
