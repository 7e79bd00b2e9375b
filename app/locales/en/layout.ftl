# The frame around pages: top bar, navigation, sign-in card.

layout-who-unknown = Tresor cannot tell who you are right now: { $error }
layout-nav-label = Main
layout-nav-dashboard = Dashboard
layout-nav-mailboxes = Mailboxes
layout-nav-archive = Archive
layout-nav-admin = Admin
layout-your-account = Your account
layout-sign-out = Sign out
