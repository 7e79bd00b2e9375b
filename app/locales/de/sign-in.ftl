# Signing in, and resetting a forgotten password.

sign-in-title = Anmelden
sign-in-intro = Melden Sie sich bei Ihrem Mail-Archiv an.
sign-in-email = E-Mail-Adresse
sign-in-password = Passwort
sign-in-pending = Anmeldung läuft…
sign-in-button = Anmelden
sign-in-forgot = Passwort vergessen?
sign-in-reset-title = Passwort zurücksetzen
sign-in-reset-intro = Geben Sie die Adresse ein, mit der Sie sich anmelden. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen; er gilt einmal, eine Stunde lang.
sign-in-reset-sent = Wenn diese Adresse zu einem Konto gehört, ist eine Mail mit dem Link unterwegs. Sehen Sie in Ihrem Posteingang (und im Spam-Ordner) nach.
sign-in-reset-send = Link senden
sign-in-reset-ask-admin = Keine Mail, oder ist dieses Konto deaktiviert? Ein Administrator kann Ihnen ein neues Passwort setzen, einen neuen Link senden oder das Konto wieder aktivieren.
sign-in-back = Zurück zur Anmeldung
sign-in-new-password-title = Neues Passwort wählen
sign-in-new-password-done = Ihr Passwort ist geändert; jede Sitzung Ihres Kontos wurde beendet.
sign-in-new-password-rule = Wählen Sie ein Passwort mit mindestens { $min } Zeichen; melden Sie sich dann mit Ihrer E-Mail-Adresse und diesem Passwort an.
sign-in-new-password-repeat = Wiederholen
sign-in-new-password-set = Neues Passwort setzen
