# One archived message: headers, body, attachments, integrity, conversation.

message-title = Message
message-loading = Loading the message…
message-back-to-archive = Back to the archive
message-archive-link = ← Archive
message-no-subject = (no subject)
message-no-date = no date
message-download-eml = Download .eml ({ $size })
message-permalink = Permalink
message-permalink-title = A link to this message that works for everyone allowed to read it
# Followed by the link "show it".
message-newer-revision = A newer revision of this message was archived:{" "}
message-older-revision = This message replaced an earlier revision, which is kept:{" "}
message-show-it = show it
message-from = From
message-to = To
message-cc = Cc
message-date = Date
message-tab-text = Text
# Followed by the button "Load images".
message-remote-images-blocked = Remote images are blocked to protect your privacy.{" "}
message-load-images = Load images
message-no-text-body = This message has no text body.
message-body-title = Message body
message-attachments = Attachments ({ $count })
message-parser-notes = { $count ->
    [one] { $count } parser note (the message is archived exactly as received)
   *[other] { $count } parser notes (the message is archived exactly as received)
}
message-conversation = Conversation ({ $count })
message-integrity = Integrity
message-integrity-note = The archived bytes are stored unchanged under their SHA-256; the download is those bytes.
message-size = Size
message-archived = Archived
message-found-in = Found in
# After "mailbox / folder ·".
message-location = UID { $uid } · archived { $when }
message-converted = Converted
message-converted-from-file = Converted by Tresor from the Outlook file “{ $file }”: the bytes stored are the conversion, not the original's.
message-converted-from-folder = Converted by Tresor from the Outlook file “{ $file }”, folder “{ $folder }”: the bytes stored are the conversion, not the original's.
message-export-folder = Export folder
message-export-folder-title = Download every message of this folder as a .zip of .eml files
