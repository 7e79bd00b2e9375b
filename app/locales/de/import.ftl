# Administration → Dateien importieren: eine im Browser hochgeladene Maildatei in ein Import-Postfach.

import-title = Maildateien importieren
import-intro = Laden Sie eine Outlook-Datei (.pst, .ost, .msg), eine gespeicherte Nachricht (.eml) oder eine mbox-Datei hoch. Ihre Ordner werden Ordner eines Import-Postfachs des gewählten Benutzers; der Import läuft auf dem Server, sein Protokoll steht auf der Seite des Postfachs. Dateien über 50 GiB importieren Sie auf dem Server mit `tresor import`.
import-file = Maildatei
import-file-help = .pst, .ost, .msg, .eml oder .mbox; wird unverändert gesendet, nie in diese Seite geladen.
import-mailbox = In Postfach importieren
import-mailbox-help = Ein neues Import-Postfach dieses Namens wird angelegt oder das vorhandene des Besitzers ergänzt (nichts wird doppelt gespeichert).
import-owner = Besitzer
import-owner-choose = Benutzer wählen…
import-loading = Benutzer werden geladen…
import-upload = Hochladen und importieren
import-uploading = Wird hochgeladen…
import-progress = { $sent } von { $total } gesendet
import-started = Der Server hat die Datei ({ $size }) und importiert sie in „{ $mailbox }“.
import-open-mailbox = Postfach öffnen und den Import verfolgen
import-no-file = Wählen Sie zuerst eine Datei.
import-network = Das Hochladen hat den Server nicht erreicht. Prüfen Sie die Verbindung und versuchen Sie es erneut.
import-signed-out = Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an und laden Sie die Datei noch einmal hoch.
import-forbidden = Nur Administratoren können Dateien importieren.
import-name-taken = Der Besitzer hat bereits ein Postfach dieses Namens, das kein Import-Postfach ist. Wählen Sie einen anderen Namen.
import-too-large = Die Datei ist größer als 50 GiB. Importieren Sie sie auf dem Server mit `tresor import`.
import-disk-full = Der Server kann die Datei nicht speichern (ist sein Datenträger voll?). Wenden Sie sich an den Betreiber des Servers.
