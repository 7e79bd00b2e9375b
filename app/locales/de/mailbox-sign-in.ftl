# Die Anmeldung eines Postfachs (app/src/ui/pages/mailbox_sign_in.rs) und was
# jede Voreinstellung einer Anmelde-App beim Anbieter braucht (app/src/model/oauth.rs).

mailbox-sign-in-title = Anmeldung
mailbox-sign-in-failed = Anmeldung fehlgeschlagen: { $error }
mailbox-sign-in-done = Angemeldet. Das Postfach kann jetzt archiviert werden.
mailbox-sign-in-signed-in = { $flow ->
    [device_code] Am { $date } mit einem Code über die App { $app } angemeldet.
    [client_credentials] Am { $date } für den Nur-App-Zugriff über die App { $app } angemeldet.
    [authorization_code] Am { $date } im Browser über die App { $app } angemeldet.
   *[other] Am { $date } über die App { $app } angemeldet.
}
mailbox-sign-in-not-signed-in = Noch nicht angemeldet: Melden Sie sich vor dem ersten Lauf mit { $app } an.
mailbox-sign-in-needs-sign-in = Neue Anmeldung nötig: { $reason }
mailbox-sign-in-grant-refused = der Anbieter hat die gespeicherte Berechtigung abgelehnt
mailbox-sign-in-the-provider = dem Anbieter
mailbox-sign-in-open-and-enter = Öffnen Sie { $url } und geben Sie den Code unten ein.
mailbox-sign-in-waiting = Warten auf die Anmeldung… Der Code ist { $minutes ->
    [one] { $minutes } Minute
   *[other] { $minutes } Minuten
} gültig.
mailbox-sign-in-with-provider = Mit { $provider } anmelden
mailbox-sign-in-with-code = Mit einem Code anmelden
mailbox-sign-in-app-only = Nur-App-Zugriff verwenden
mailbox-sign-in-forget-confirm = Die Tokens dieses Postfachs vergessen? Läufe schlagen fehl, bis sich jemand erneut anmeldet.
mailbox-sign-in-sign-out = Abmelden
mailbox-sign-in-preset-m365-imap-help = Entra ID → App-Registrierungen → Neue Registrierung. Authentifizierung: Fügen Sie die Weiterleitungs-URL unten als Web-Plattform hinzu; erlauben Sie öffentliche Clientflows für die Anmeldung mit einem Code. API-Berechtigungen: Office 365 Exchange Online → IMAP.AccessAsUser.All (delegiert) und offline_access. Postfächer verwenden XOAUTH2 auf outlook.office365.com:993.
mailbox-sign-in-preset-m365-graph-help = Entra ID → App-Registrierungen → Neue Registrierung; Zertifikate & Geheimnisse: ein geheimer Clientschlüssel. API-Berechtigungen: Microsoft Graph → Anwendungsberechtigungen → Mail.ReadWrite (Mail.Read, wenn nach dem Archivieren nichts markiert, verschoben oder gelöscht wird), dann „Administratorzustimmung erteilen“. Geben Sie Ihre Mandanten-ID oder Domain ein (App-only braucht einen echten Mandanten). Postfächer lesen mit „Microsoft Graph“; eine Anwendungszugriffsrichtlinie in Exchange kann die App auf die Postfächer beschränken, die sie archiviert. Für IMAP mit App-only stattdessen: Office 365 Exchange Online → IMAP.AccessAsApp, Scope https://outlook.office365.com/.default, und registrieren Sie die App in Exchange (New-ServicePrincipal, Add-MailboxPermission).
mailbox-sign-in-preset-gmail-help = Google Cloud Console → APIs & Dienste → Anmeldedaten → OAuth-Client-ID (Webanwendung) mit der Weiterleitungs-URL unten; kopieren Sie Client-ID und Geheimnis. Der Scope https://mail.google.com/ ist eingeschränkt: Interne Apps Ihres Workspace brauchen keine Überprüfung. Google bietet für Gmail keine Anmeldung mit einem Code: Melden Sie sich im Browser an. Postfächer verwenden XOAUTH2 auf imap.gmail.com:993.
mailbox-sign-in-preset-outlook-com-help = Eine App-Registrierung für persönliche Microsoft-Konten („Konten in einem beliebigen Organisationsverzeichnis und persönliche Microsoft-Konten“), die Weiterleitungs-URL unten als Web-Plattform, öffentliche Clientflows erlaubt. Berechtigungen: IMAP.AccessAsUser.All und offline_access. Postfächer verwenden XOAUTH2 auf outlook.office365.com:993.
