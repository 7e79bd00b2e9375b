# Admin → Import files: a mail file uploaded from the browser into an import mailbox.

import-title = Import mail files
import-intro = Upload an Outlook file (.pst, .ost, .msg), a saved message (.eml) or an mbox file. Its folders become folders of an import mailbox of the user you choose; the import runs on the server and its job log shows on the mailbox's page. Files above 50 GiB are imported on the server with `tresor import`.
import-file = Mail file
import-file-help = .pst, .ost, .msg, .eml or .mbox; sent as it is, never read into this page.
import-mailbox = Import into mailbox
import-mailbox-help = A new import mailbox of this name is made, or the existing one of the owner is added to (nothing is stored twice).
import-owner = Owner
import-owner-choose = Choose a user…
import-loading = Loading users…
import-upload = Upload and import
import-uploading = Uploading…
import-progress = { $sent } of { $total } sent
import-started = The server has the file ({ $size }) and is importing it into “{ $mailbox }”.
import-open-mailbox = Open the mailbox and follow the import
import-no-file = Choose a file first.
import-network = The upload did not reach the server. Check the connection and try again.
import-signed-out = Your session has ended. Sign in again, then upload the file once more.
import-forbidden = Only administrators can import files.
import-name-taken = The owner already has a mailbox of this name that is not an import mailbox. Choose another name.
import-too-large = The file is larger than 50 GiB. Import it on the server with `tresor import`.
import-disk-full = The server cannot store the file (is its disk full?). Ask the server's administrator.
