# What "Test connection" shows in the mailbox editor (app/src/ui/pages/mailbox_editor/probe.rs).

probe-advice-authentication = The server refused this user name and password. Check both; Microsoft 365 and Gmail refuse plain passwords for many accounts: use an app password or sign in with OAuth.
probe-advice-certificate = The server's certificate is not trusted as it is. Compare its fingerprint below with the one the server's administrator gives you, then trust it.
probe-advice-ca-file = The CA file cannot be used; check its path and contents.
probe-advice-host-not-found = This host name does not exist. Check it for typing errors.
probe-advice-connect = Nothing answered here. Check the host, the port and the security, and that a firewall lets Tresor reach the server.
probe-advice-timeout = The server did not answer in time. Check the host and port, or try again later.
probe-advice-tls = The encrypted connection failed. Check that port and security belong together (993 with TLS, 143 with STARTTLS).
probe-advice-other = Check the settings above.
probe-see-server = See the note at the server's address.
probe-see-password = See the note at the password.
probe-see-certificate = See the certificate section.
probe-connected = Connected in { $ms } ms. { $folders ->
    [one] { $folders } folder
   *[other] { $folders } folders
}, { $selected } of them archived by the current rules.
probe-insecure = Certificate checks are weakened for this mailbox.
probe-capabilities = What the server offers
probe-subject = Subject
probe-issuer = Issuer
probe-valid = Valid
probe-names = Names
probe-trust-intro = The server presented this certificate, which Tresor does not trust on its own. Trust it only if its SHA-256 fingerprint is the one your mail server's administrator gives you: from then on this mailbox accepts exactly this certificate, and a run fails if the server presents another.
probe-trust = Trust this certificate
probe-folders-intro = Ticked folders are archived; a tick changes “Folders to archive” at once.
probe-column-archive = Archive
probe-column-folder = Folder
probe-column-messages = Messages
probe-column-subscription = Subscription on the server
probe-archive-folder = Archive { $folder }
probe-subscribe-folder = Subscribe { $folder } on the server
probe-unsubscribe-folder = Unsubscribe { $folder } on the server
probe-subscribed = Subscribed · unsubscribe
probe-not-subscribed = Not subscribed · subscribe
probe-special-sent = Sent
probe-special-trash = Trash
probe-special-junk = Junk
probe-special-drafts = Drafts
probe-special-archive = Archive
probe-special-all = All mail
probe-special-flagged = Flagged
