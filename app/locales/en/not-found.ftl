# The page for an address the app does not know.

not-found-title = Not found
not-found-heading = Page not found
not-found-body = There is nothing at this address.
not-found-home = Go to the dashboard
