# Mails, die Tresor verschickt. Wer keine Sprache gewählt hat, bekommt
# Deutsch und Englisch in einer Mail (siehe server/src/notify/language.rs).

mail-both-languages-divider = English version below
mail-link-subject-reset = Tresor: Neues Passwort wählen
mail-link-subject-invitation = Tresor: Ihr Konto ist eingerichtet
mail-link-requested =
    Hallo { $name },

    jemand (hoffentlich Sie) hat verlangt, das Passwort Ihres Tresor-Kontos { $email } zurückzusetzen.

    Wählen Sie hier ein neues Passwort (der Link gilt einmal, eine Stunde lang und nur, bis ein neuerer verschickt wird):
    { $link }

    Wenn Sie das nicht verlangt haben, ignorieren Sie diese Mail: Ihr Passwort bleibt, wie es ist.
mail-link-reset =
    Hallo { $name },

    ein Administrator von Tresor hat Ihnen diesen Link geschickt, damit Sie ein neues Passwort für Ihr Konto { $email } wählen.

    Wählen Sie es hier (der Link gilt einmal, eine Stunde lang und nur, bis ein neuerer verschickt wird):
    { $link }

    Bis dahin gilt Ihr bisheriges Passwort weiter.
mail-link-invitation =
    Hallo { $name },

    ein Administrator von Tresor, dem E-Mail-Archiv, hat ein Konto für Sie angelegt: { $email }.

    Wählen Sie hier Ihr Passwort (der Link gilt einmal, sieben Tage lang):
    { $link }

    Melden Sie sich dann mit Ihrer E-Mail-Adresse und diesem Passwort an.
mail-test-subject = Tresor: Testnachricht ✓
mail-test-subject-mailbox = Tresor: Testnachricht ✓ (Postfach „{ $mailbox }“)
mail-test-body = Dies ist eine Testnachricht von Tresor.

    Wenn Sie sie lesen, erreichen Benachrichtigungen { $to } über { $server }.
mail-test-body-mailbox = Dies ist eine Testnachricht von Tresor.

    Wenn Sie sie lesen, erreichen Benachrichtigungen zum Postfach „{ $mailbox }“ { $to } über { $server }.
mail-failure-subject = Tresor: Archivierung des Postfachs „{ $mailbox }“ schlägt fehl
mail-failure-body =
    Die Archivierung des Postfachs „{ $mailbox }“ schlägt seit { $since } fehl ({ $days ->
        [one] { $days } Tag
       *[other] { $days } Tage
    }).

    Der letzte Fehler:
      { $error }
    { $link }
    Bis das behoben ist, wird die Mail dieses Postfachs nicht archiviert. Tresor erinnert Sie einmal am Tag, höchstens { $give_up } Tage lang, und dann erst wieder, wenn das Postfach zwischendurch funktioniert hat.
mail-summary-subject-none = Tresor: keine Archivierungsläufe am letzten Tag
mail-summary-subject-ok = Tresor: Tageszusammenfassung — { $archived } Nachrichten archiviert, keine Fehler
mail-summary-subject-failing = Tresor: Tageszusammenfassung — { $archived } Nachrichten archiviert, { $failing ->
        [one] { $failing } Postfach
       *[other] { $failing } Postfächer
    } mit fehlgeschlagenen Läufen
mail-summary-none =
    Zwischen { $since } und { $until } ist kein Archivierungslauf zu Ende gegangen.

    Wenn Postfächer einen Zeitplan haben, prüfen Sie, ob Tresor läuft und die Postfächer nicht pausiert sind.
mail-summary-intro = Archivierungsläufe, die zwischen { $since } und { $until } endeten:
mail-summary-line = { $mailbox }: { $runs ->
        [one] { $runs } Lauf
       *[other] { $runs } Läufe
    }{ $failed_runs ->
        [0] {""}
       *[other] {" "}({ $failed_runs } fehlgeschlagen)
    }, { $archived } archiviert, { $duplicates } Duplikate, { $failed } Nachrichten fehlgeschlagen
mail-summary-last-error = letzter Fehler: { $error }
mail-summary-unknown-mailbox = Postfach #{ $id }
