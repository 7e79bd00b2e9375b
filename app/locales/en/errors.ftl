# Refusals and failures every server function may answer with.

error-unauthenticated = Please sign in.
error-forbidden = You do not have permission to do this.
error-bad-credentials = Wrong e-mail address or password.
error-too-many-attempts = Too many attempts. Try again in { $seconds } seconds.
error-not-found = Not found.
error-internal = Something went wrong on the server ({ $reference }). The administrator can find details in the log.
error-transport = Tresor could not be reached: { $error }
