# A mailbox's sign-in panel (app/src/ui/pages/mailbox_sign_in.rs) and what
# each sign-in app preset needs at the provider (app/src/model/oauth.rs).

mailbox-sign-in-title = Sign-in
mailbox-sign-in-failed = Sign-in failed: { $error }
mailbox-sign-in-done = Signed in. The mailbox can be archived now.
mailbox-sign-in-signed-in = { $flow ->
    [device_code] Signed in with a code on { $date } with the app { $app }.
    [client_credentials] Signed in for app-only access on { $date } with the app { $app }.
    [authorization_code] Signed in through the browser on { $date } with the app { $app }.
   *[other] Signed in on { $date } with the app { $app }.
}
mailbox-sign-in-not-signed-in = Not signed in yet: sign in with { $app } before the first run.
mailbox-sign-in-needs-sign-in = Needs a new sign-in: { $reason }
mailbox-sign-in-grant-refused = the provider refused the stored grant
mailbox-sign-in-the-provider = the provider
mailbox-sign-in-open-and-enter = Open { $url } and enter the code below.
mailbox-sign-in-waiting = Waiting for the sign-in… the code is valid for { $minutes ->
    [one] { $minutes } minute.
   *[other] { $minutes } minutes.
}
mailbox-sign-in-with-provider = Sign in with { $provider }
mailbox-sign-in-with-code = Sign in with a code
mailbox-sign-in-app-only = Use app-only access
mailbox-sign-in-forget-confirm = Forget this mailbox's tokens? Runs fail until someone signs in again.
mailbox-sign-in-sign-out = Sign out
mailbox-sign-in-preset-m365-imap-help = Entra ID → App registrations → New registration. Authentication: add the redirect URL below as a Web platform; allow public client flows for sign-in with a code. API permissions: Office 365 Exchange Online → IMAP.AccessAsUser.All (delegated), and offline_access. Mailboxes use XOAUTH2 on outlook.office365.com:993.
mailbox-sign-in-preset-m365-graph-help = Entra ID → App registrations → New registration; Certificates & secrets: a client secret. API permissions: Microsoft Graph → Application permissions → Mail.ReadWrite (Mail.Read if nothing is tagged, moved or deleted after archiving), then "Grant admin consent". Enter your tenant id or domain (app-only needs a real tenant). Mailboxes read with "Microsoft Graph"; an application access policy in Exchange can limit the app to the mailboxes it archives. For IMAP app-only instead: Office 365 Exchange Online → IMAP.AccessAsApp, scope https://outlook.office365.com/.default, and register the app in Exchange (New-ServicePrincipal, Add-MailboxPermission).
mailbox-sign-in-preset-gmail-help = Google Cloud console → APIs & Services → Credentials → OAuth client ID (Web application) with the redirect URL below; copy client id and secret. The scope https://mail.google.com/ is restricted: internal apps of your Workspace need no verification. Google offers no sign-in with a code for Gmail: use "Sign in" in the browser. Mailboxes use XOAUTH2 on imap.gmail.com:993.
mailbox-sign-in-preset-outlook-com-help = An app registration for personal Microsoft accounts ("Accounts in any organizational directory and personal Microsoft accounts"), the redirect URL below as a Web platform, public client flows allowed. Permissions: IMAP.AccessAsUser.All and offline_access. Mailboxes use XOAUTH2 on outlook.office365.com:993.
