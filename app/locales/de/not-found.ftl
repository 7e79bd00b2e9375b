# The page for an address the app does not know.

not-found-title = Nicht gefunden
not-found-heading = Seite nicht gefunden
not-found-body = Unter dieser Adresse gibt es nichts.
not-found-home = Zur Übersicht
