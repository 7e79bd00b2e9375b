# Der Rahmen um die Seiten: obere Leiste, Navigation, Anmeldekarte.

layout-who-unknown = Tresor kann gerade nicht feststellen, wer Sie sind: { $error }
layout-nav-label = Hauptmenü
layout-nav-dashboard = Übersicht
layout-nav-mailboxes = Postfächer
layout-nav-archive = Archiv
layout-nav-admin = Verwaltung
layout-your-account = Ihr Konto
layout-sign-out = Abmelden
