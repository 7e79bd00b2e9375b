# The signed-in person's own account and password change.

account-title = Your account
account-name = Name
account-email = E-mail address
account-role = Role
account-change-password = Change password
account-password-rule = At least { $min } characters. Your other sessions are signed out.
account-password-changed = Your password has been changed.
account-current-password = Current password
account-repeat-password = Repeat new password
