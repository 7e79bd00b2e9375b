# Texte, die viele Seiten teilen: Namen, Rollen, Einheiten, häufige Wörter.

lang-name = Deutsch
lang-switch-label = Sprache
role-admin = Administrator
role-user = Benutzer
role-auditor = Prüfer
common-messages = { $count ->
    [one] { $count } Nachricht
   *[other] { $count } Nachrichten
}
common-loading = Wird geladen …
common-save = Speichern
common-saved = Gespeichert.
common-cancel = Abbrechen
common-never = nie
common-actions = Aktionen
