# Der Rahmen der Verwaltungsseiten: die Reiter und die Seite „Nicht erlaubt“.

admin-not-allowed-title = Nicht erlaubt
admin-not-allowed-text = Diese Seite ist für Administratoren. Ihr Konto hat diese Rolle nicht; ein Administrator kann sie Ihnen geben, wenn Sie sie brauchen.
admin-not-allowed-home = Zur Übersicht
admin-tabs-label = Verwaltung
admin-tab-users = Benutzer
admin-tab-templates = Vorlagen
admin-tab-batch = Stapelarchivierung
admin-tab-import = Dateien importieren
admin-tab-retention = Aufbewahrung
admin-tab-sign-in-apps = Anmelde-Apps
admin-tab-notifications = Benachrichtigungen
admin-tab-audit = Protokoll
