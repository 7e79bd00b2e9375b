# Signing in, and resetting a forgotten password.

sign-in-title = Sign in
sign-in-intro = Sign in to your mail archive.
sign-in-email = E-mail address
sign-in-password = Password
sign-in-pending = Signing in…
sign-in-button = Sign in
sign-in-forgot = Forgot your password?
sign-in-reset-title = Reset your password
sign-in-reset-intro = Enter the address you sign in with. We send you a link to choose a new password; it works once, for an hour.
sign-in-reset-sent = If this address belongs to an account, a mail with the link is on its way. Check your inbox (and spam folder).
sign-in-reset-send = Send the link
sign-in-reset-ask-admin = No mail, or this account is disabled? An administrator can set a new password for you, mail you a new link, or enable the account again.
sign-in-back = Back to sign-in
sign-in-new-password-title = Choose a new password
sign-in-new-password-done = Your password is changed; every session of your account was ended.
sign-in-new-password-rule = Choose a password of at least { $min } characters; then sign in with your e-mail address and it.
sign-in-new-password-repeat = Repeat it
sign-in-new-password-set = Set the new password
