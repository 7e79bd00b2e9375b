# The signed-in person's own account and password change.

account-title = Ihr Konto
account-name = Name
account-email = E-Mail-Adresse
account-role = Rolle
account-change-password = Passwort ändern
account-password-rule = Mindestens { $min } Zeichen. Ihre anderen Sitzungen werden abgemeldet.
account-password-changed = Ihr Passwort wurde geändert.
account-current-password = Aktuelles Passwort
account-repeat-password = Neues Passwort wiederholen
