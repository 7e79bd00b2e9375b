# Texts shared by many pages: names, roles, units, common words.

lang-name = English
lang-switch-label = Language
role-admin = Administrator
role-user = User
role-auditor = Auditor
common-messages = { $count ->
    [one] { $count } message
   *[other] { $count } messages
}
common-loading = Loading…
common-save = Save
common-saved = Saved.
common-cancel = Cancel
common-never = never
common-actions = Actions
