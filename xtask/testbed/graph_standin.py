"""A stateful Microsoft Graph (v1.0) mail stand-in for the test bed, served by oauth_server.py so
that it accepts the access tokens that server issues (see ../shared/reference/oauth-graph.md §4).

What it implements, as Microsoft documents it:
  GET    /v1.0/users/{u}/mailFolders[?includeHiddenFolders=true&$top=N]   root's children, paged
  GET    /v1.0/users/{u}/mailFolders/{id|wellknown}                        one folder
  GET    /v1.0/users/{u}/mailFolders/{id}/childFolders[...]                its children, paged
  POST   /v1.0/users/{u}/mailFolders/{id}/childFolders {"displayName"}     201, or 400 ErrorFolderExists
  GET    /v1.0/users/{u}/mailFolders/{id}/messages/delta                   Prefer: odata.maxpagesize=N;
         @odata.nextLink ($skiptoken) until @odata.deltaLink ($deltatoken); a later round with the
         delta link gives what changed since: new messages, and {"id","@removed":{"reason":"deleted"}}
  GET    /v1.0/users/{u}/messages/{id}/$value                              the MIME bytes, unchanged
  POST   /v1.0/users/{u}/messages/{id}/move {"destinationId"}              201, the message, a NEW id
  PATCH  /v1.0/users/{u}/messages/{id} {"categories":[...]}                200
  DELETE /v1.0/users/{u}/messages/{id}                                     204
Errors are Graph's shape {"error":{"code","message","innerError"}}: 401 InvalidAuthenticationToken,
404 ErrorItemNotFound, 429 TooManyRequests with Retry-After (fractional seconds at times), and 429
"Application is over its MailboxConcurrency limit." beyond 4 requests at once per mailbox.

Test controls (no token needed):
  POST /graph-test/load     {"user","folders":{"Inbox":[paths], "Inbox/Projects/2024":[paths]}}
                            builds a mailbox from .eml files (well-known names for the top level)
  POST /graph-test/throttle {"user","every":N,"retry_after":"0.5"}   every Nth request answers 429
  POST /graph-test/add      {"user","folder","path"}                 a new message arrives
  POST /graph-test/remove   {"user","id"}                            a message is deleted by its user
  GET  /graph-test/state?user=U   folders, message ids, categories, counters (requests, throttled,
                            value_fetches, max_concurrency) as JSON
"""
import base64, json, os, secrets, threading, time, urllib.parse

WELL_KNOWN = {"inbox": "Inbox", "sentitems": "Sent Items", "drafts": "Drafts", "deleteditems": "Deleted Items",
              "archive": "Archive", "junkemail": "Junk Email", "outbox": "Outbox", "msgfolderroot": ""}
LOCK = threading.Lock()
MAILBOXES = {}   # user -> Mailbox
MAX_CONCURRENT = 4


def new_id(prefix):
    return prefix + base64.urlsafe_b64encode(secrets.token_bytes(18)).decode().rstrip("=")


class Mailbox:
    def __init__(self, user):
        self.user = user
        self.folders = {}      # id -> {"id","displayName","parentFolderId","wellKnown","isHidden"}
        self.messages = {}     # id -> {"id","folder","path","categories","received","seq"}
        self.removed = []      # (seq, folder, id): deletions and moves out, for delta rounds
        self.seq = 0
        self.delta_tokens = {} # token -> (folder, seq at issue)
        self.skip_tokens = {}  # token -> (folder, snapshot ids remaining, seq at start, since)
        self.throttle_every = 0
        self.retry_after = "1"
        self.counters = {"requests": 0, "throttled": 0, "value_fetches": 0, "max_concurrency": 0,
                         "concurrency_refused": 0, "moves": 0, "patches": 0, "deletes": 0}
        self.in_flight = 0
        self.root = self.add_folder("", None, "msgfolderroot")
        # Every Exchange mailbox has its well-known folders.
        for well_known in ("inbox", "sentitems", "drafts", "deleteditems", "archive", "junkemail"):
            self.add_folder(WELL_KNOWN[well_known], self.root, well_known)

    def add_folder(self, name, parent, well_known=None):
        folder_id = new_id("AAMkAGFo")
        self.folders[folder_id] = {"id": folder_id, "displayName": name, "parentFolderId": parent,
                                   "wellKnown": well_known, "isHidden": False}
        return folder_id

    def folder_by_path(self, path):
        """'Inbox/Projects/2024' -> id, creating folders; the top level by well-known name."""
        parent = self.root
        for depth, part in enumerate(path.split("/")):
            found = next((f["id"] for f in self.folders.values()
                          if f["parentFolderId"] == parent and f["displayName"] == part), None)
            if found is None:
                well_known = next((k for k, v in WELL_KNOWN.items() if v == part), None) if depth == 0 else None
                found = self.add_folder(part, parent, well_known)
            parent = found
        return parent

    def resolve(self, key):
        if key in self.folders:
            return key
        return next((f["id"] for f in self.folders.values() if f["wellKnown"] == key.lower()), None)

    def add_message(self, folder, path):
        self.seq += 1
        message_id = new_id("AAMkAGI2")
        self.messages[message_id] = {"id": message_id, "folder": folder, "path": path, "categories": [],
                                     "received": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seq": self.seq}
        return message_id

    def folder_view(self, folder_id):
        f = self.folders[folder_id]
        children = [c for c in self.folders.values() if c["parentFolderId"] == folder_id]
        here = [m for m in self.messages.values() if m["folder"] == folder_id]
        return {"id": f["id"], "displayName": f["displayName"], "parentFolderId": f["parentFolderId"],
                "childFolderCount": len(children), "unreadItemCount": 0, "totalItemCount": len(here),
                "isHidden": f["isHidden"]}


def graph_error(status, code, message, headers=()):
    return status, {"error": {"code": code, "message": message,
                              "innerError": {"date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
                                             "request-id": secrets.token_hex(8)}}}, list(headers)


def page(items, top, base_url, skip):
    """A collection page with an @odata.nextLink while more remain."""
    chunk = items[skip:skip + top]
    body = {"value": chunk}
    if skip + top < len(items):
        body["@odata.nextLink"] = f"{base_url}?$top={top}&$skip={skip + top}"
    return body


def message_view(m):
    return {"@odata.type": "#microsoft.graph.message", "id": m["id"], "parentFolderId": m["folder"],
            "receivedDateTime": m["received"], "categories": list(m["categories"])}


def delta(mb, folder, query, host, prefer):
    """One page of a delta round: messages in the folder (first round) or changes since the token."""
    size = 10
    for part in prefer.split(","):
        part = part.strip()
        if part.startswith("odata.maxpagesize="):
            size = max(1, int(part.split("=", 1)[1]))
    base = f"http://{host}/v1.0/users/{urllib.parse.quote(mb.user)}/mailFolders/{folder}/messages/delta"
    if "$skiptoken" in query:
        state = mb.skip_tokens.pop(query["$skiptoken"], None)
        if state is None:
            return graph_error(400, "InvalidRequest", "The skip token is not valid.")
        _, remaining, start_seq = state
    elif "$deltatoken" in query:
        issued = mb.delta_tokens.get(query["$deltatoken"])
        if issued is None:
            return graph_error(410, "syncStateNotFound", "The sync state was not found; start a new round.")
        _, since = issued
        changed = [message_view(m) for m in sorted(mb.messages.values(), key=lambda m: m["seq"])
                   if m["folder"] == folder and m["seq"] > since]
        gone = [{"@odata.type": "#microsoft.graph.message", "id": i, "@removed": {"reason": "deleted"}}
                for (s, f, i) in mb.removed if f == folder and s > since]
        remaining, start_seq = changed + gone, mb.seq
    else:
        remaining = [message_view(m) for m in sorted(mb.messages.values(), key=lambda m: m["seq"])
                     if m["folder"] == folder]
        start_seq = mb.seq
    chunk, rest = remaining[:size], remaining[size:]
    body = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(message)", "value": chunk}
    if rest:
        token = secrets.token_urlsafe(16)
        mb.skip_tokens[token] = (folder, rest, start_seq)
        body["@odata.nextLink"] = f"{base}?$skiptoken={token}"
    else:
        token = secrets.token_urlsafe(16)
        mb.delta_tokens[token] = (folder, start_seq)
        body["@odata.deltaLink"] = f"{base}?$deltatoken={token}"
    return 200, body, []


def handle_graph(method, path, query, headers, body, token_user):
    """Answers a /v1.0 request: (status, body dict | bytes | None, extra headers)."""
    parts = [urllib.parse.unquote(p) for p in path.split("/") if p]
    if token_user is None:
        return graph_error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
    if len(parts) < 4 or parts[1] != "users":
        return graph_error(400, "BadRequest", "Unsupported request.")
    user = parts[2]
    with LOCK:
        mb = MAILBOXES.get(user)
        if mb is None:
            return graph_error(404, "MailboxNotEnabledForRESTAPI", "REST API is not yet supported for this mailbox.")
        # Delegated tokens may only read their own mailbox; app-only tokens any.
        if not token_user.startswith("app:") and token_user != user and token_user != user.split("@")[0]:
            return graph_error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        mb.counters["requests"] += 1
        if mb.throttle_every and mb.counters["requests"] % mb.throttle_every == 0:
            mb.counters["throttled"] += 1
            return graph_error(429, "TooManyRequests", "Please retry again later.", [("Retry-After", mb.retry_after)])
        if mb.in_flight >= MAX_CONCURRENT:
            mb.counters["concurrency_refused"] += 1
            return graph_error(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
                               [("Retry-After", "1")])
        mb.in_flight += 1
        mb.counters["max_concurrency"] = max(mb.counters["max_concurrency"], mb.in_flight)
    try:
        # Hold the slot a moment, so concurrency is observable.
        time.sleep(0.01)
        with LOCK:
            return route(mb, method, parts[3:], query, headers, body)
    finally:
        with LOCK:
            mb.in_flight -= 1


def route(mb, method, rest, query, headers, body):
    host = headers.get("Host", "127.0.0.1")
    top = int(query.get("$top", "10"))
    skip = int(query.get("$skip", "0"))
    hidden = query.get("includeHiddenFolders", "false") == "true"
    base = f"http://{host}/v1.0/users/{urllib.parse.quote(mb.user)}/" + "/".join(rest)
    if rest[0] == "mailFolders":
        if len(rest) == 1 and method == "GET":
            children = [mb.folder_view(i) for i, f in mb.folders.items()
                        if f["parentFolderId"] == mb.root and (hidden or not f["isHidden"])]
            return 200, page(children, top, base, skip), []
        folder = mb.resolve(rest[1])
        if folder is None:
            return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        if len(rest) == 2 and method == "GET":
            return 200, mb.folder_view(folder), []
        if rest[2] == "childFolders" and method == "GET":
            children = [mb.folder_view(i) for i, f in mb.folders.items()
                        if f["parentFolderId"] == folder and (hidden or not f["isHidden"])]
            return 200, page(children, top, base, skip), []
        if rest[2] == "childFolders" and method == "POST":
            name = json.loads(body or b"{}").get("displayName", "")
            if any(f["parentFolderId"] == folder and f["displayName"] == name for f in mb.folders.values()):
                return graph_error(400, "ErrorFolderExists", "A folder with the specified name already exists.")
            return 201, mb.folder_view(mb.add_folder(name, folder)), []
        if rest[2:] == ["messages", "delta"] and method == "GET":
            return delta(mb, folder, query, host, headers.get("Prefer", ""))
    if rest[0] == "messages" and len(rest) >= 2:
        m = mb.messages.get(rest[1])
        if m is None:
            return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        if len(rest) == 3 and rest[2] == "$value" and method == "GET":
            mb.counters["value_fetches"] += 1
            with open(m["path"], "rb") as f:
                return 200, f.read(), []
        if len(rest) == 3 and rest[2] == "move" and method == "POST":
            target = mb.resolve(json.loads(body or b"{}").get("destinationId", ""))
            if target is None:
                return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            mb.counters["moves"] += 1
            # Moving gives the message a new id; the source folder's delta reports it gone.
            mb.seq += 1
            mb.removed.append((mb.seq, m["folder"], m["id"]))
            del mb.messages[m["id"]]
            moved = mb.add_message(target, m["path"])
            mb.messages[moved]["categories"] = m["categories"]
            return 201, message_view(mb.messages[moved]), []
        if len(rest) == 2 and method == "PATCH":
            mb.counters["patches"] += 1
            m["categories"] = json.loads(body or b"{}").get("categories", m["categories"])
            # A change: the next delta round lists the message again, as Exchange does.
            mb.seq += 1
            m["seq"] = mb.seq
            return 200, message_view(m), []
        if len(rest) == 2 and method == "DELETE":
            mb.counters["deletes"] += 1
            mb.seq += 1
            mb.removed.append((mb.seq, m["folder"], m["id"]))
            del mb.messages[m["id"]]
            return 204, None, []
    return graph_error(400, "BadRequest", "Unsupported request.")


def handle_control(method, path, query, body):
    data = json.loads(body or b"{}") if method == "POST" else {}
    with LOCK:
        if path == "/graph-test/load":
            mb = MAILBOXES[data["user"]] = Mailbox(data["user"])
            for folder_path, files in data["folders"].items():
                folder = mb.folder_by_path(folder_path)
                for file in files:
                    mb.add_message(folder, file)
            return 200, {"messages": len(mb.messages), "folders": len(mb.folders) - 1}
        mb = MAILBOXES.get(data.get("user") or query.get("user", ""))
        if mb is None:
            return 404, {"error": "no such mailbox"}
        if path == "/graph-test/throttle":
            mb.throttle_every = int(data.get("every", 0))
            mb.retry_after = str(data.get("retry_after", "1"))
            return 200, {}
        if path == "/graph-test/add":
            return 200, {"id": mb.add_message(mb.folder_by_path(data["folder"]), data["path"])}
        if path == "/graph-test/remove":
            m = mb.messages.pop(data["id"], None)
            if m:
                mb.seq += 1
                mb.removed.append((mb.seq, m["folder"], m["id"]))
            return 200, {"removed": m is not None}
        if path == "/graph-test/state":
            def path_of(folder_id):
                names = []
                while folder_id and folder_id != mb.root:
                    names.append(mb.folders[folder_id]["displayName"])
                    folder_id = mb.folders[folder_id]["parentFolderId"]
                return "/".join(reversed(names))
            return 200, {"counters": mb.counters,
                         "folders": sorted(path_of(i) for i in mb.folders if i != mb.root),
                         "messages": [{"id": m["id"], "folder": path_of(m["folder"]), "path": m["path"],
                                       "categories": m["categories"]} for m in mb.messages.values()]}
    return 404, {"error": "unknown control"}
