# Ein Postfach Schritt für Schritt hinzufügen (app/src/ui/pages/mailbox_editor/wizard.rs)
# und die angebotenen Anbieter (presets.rs).

wizard-step-provider = Anbieter
wizard-step-sign-in = Anmeldung
wizard-step-test = Test
wizard-step-folders = Ordner
wizard-step-schedule = Zeitplan
wizard-where = 1. Wo liegen die Nachrichten?
wizard-mailbox-and-sign-in = 2. Postfach und Anmeldung
wizard-connection-test = 3. Verbindungstest
wizard-test-after-sign-in = Dieses Postfach meldet sich nach dem Speichern über seine Anmelde-App an; testen Sie die Verbindung dann auf seiner Seite.
wizard-continue = Weiter
wizard-skip-test = Test überspringen
wizard-skip-warning = Speichern ohne funktionierende Verbindung: Seine Läufe schlagen fehl, bis die Einstellungen stimmen.
wizard-skipped = Der Test wurde übersprungen.
wizard-folders = 4. Ordner
wizard-schedule = 5. Zeitplan
wizard-provider = Anbieter
wizard-import = E-Mail-Dateien importieren
wizard-import-note = .eml-, mbox- und Maildir-Dateien importiert, wer den Tresor-Server betreibt, dort mit „tresor import“.
wizard-batch = Viele Postfächer auf einmal hinzufügen (CSV, Master-Benutzer)
wizard-provider-imap = IMAP-Server
wizard-provider-m365-description = Exchange Online über Microsoft Graph. Braucht eine Anmelde-App, die ein Administrator registriert hat.
wizard-provider-gmail-description = Gmail oder Google Workspace über IMAP mit Google-Anmeldung. Braucht eine Anmelde-App, die ein Administrator registriert hat.
wizard-provider-imap-description = Jeder Mailserver mit IMAP: der Ihrer Firma oder ein Anbieter wie IONOS, GMX oder Telekom, mit Benutzername und Passwort.
wizard-provider-pop3 = POP3-Server
wizard-provider-pop3-description = Ein Mailserver, gelesen über POP3: nur sein Posteingang, mit Benutzername und Passwort; die Mails bleiben auf dem Server oder werden nach dem Archivieren gelöscht.
wizard-preset-m365-graph-help = Liest das Postfach über Microsoft Graph. Braucht eine Anmelde-App aus der Voreinstellung „Microsoft 365 (Graph, app-only)“: Anwendungsberechtigung Mail.ReadWrite (Mail.Read ohne Aktionen nach dem Archivieren) mit Administratorzustimmung. Benutzername: die Adresse des Postfachs. Nach dem Speichern „Nur-App-Zugriff verwenden“ auf der Seite des Postfachs.
wizard-preset-m365-imap-help = Braucht eine Anmelde-App aus der Voreinstellung „Microsoft 365 (IMAP, OAuth2)“: delegiert IMAP.AccessAsUser.All und offline_access (oder IMAP.AccessAsApp für App-only, wenn das Postfach in Exchange für die App freigegeben ist). Benutzername: die Adresse des Postfachs.
wizard-preset-gmail-help = Braucht eine Anmelde-App aus der Voreinstellung „Gmail / Google Workspace“: Scope https://mail.google.com/; melden Sie sich auf der Seite des Postfachs mit Google an. Benutzername: die Gmail-Adresse.
wizard-preset-outlook-com-help = Braucht eine Anmelde-App aus der Voreinstellung „Outlook.com“ (Mandant consumers): IMAP.AccessAsUser.All und offline_access. Benutzername: die Outlook.com-Adresse.
