# Ablehnungen und Fehler, mit denen jede Serverfunktion antworten kann.

error-unauthenticated = Bitte melden Sie sich an.
error-forbidden = Dazu sind Sie nicht berechtigt.
error-bad-credentials = E-Mail-Adresse oder Passwort ist falsch.
error-too-many-attempts = Zu viele Versuche. Versuchen Sie es in { $seconds } Sekunden erneut.
error-not-found = Nicht gefunden.
error-internal = Auf dem Server ist etwas schiefgegangen ({ $reference }). Der Administrator findet die Einzelheiten im Protokoll.
error-transport = Tresor ist nicht erreichbar: { $error }
