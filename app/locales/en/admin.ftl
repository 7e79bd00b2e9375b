# The frame of the administration pages: the tabs and the "not allowed" page.

admin-not-allowed-title = Not allowed
admin-not-allowed-text = This page is for administrators. Your account does not have that role; an administrator can give it to you if you need it.
admin-not-allowed-home = Go to the dashboard
admin-tabs-label = Administration
admin-tab-users = Users
admin-tab-templates = Templates
admin-tab-batch = Batch archiving
admin-tab-import = Import files
admin-tab-retention = Retention
admin-tab-sign-in-apps = Sign-in apps
admin-tab-notifications = Notifications
admin-tab-audit = Audit log
