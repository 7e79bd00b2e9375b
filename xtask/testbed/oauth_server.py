#!/usr/bin/env python3
"""The test bed's OAuth2 authorization server (stdlib only), shaped like Microsoft's identity
platform v2 (see ../shared/reference/oauth-graph.md §2) and answering Dovecot's token
introspection, so tokens it issues log in to the test bed's Dovecot over XOAUTH2/OAUTHBEARER.

Endpoints (any tenant):
  GET  /{tenant}/oauth2/v2.0/authorize   a sign-in page: user name, Accept / Cancel
  POST /{tenant}/oauth2/v2.0/authorize   the page's answer: redirect with ?code&state or ?error
  POST /{tenant}/oauth2/v2.0/token       authorization_code (PKCE S256 checked), refresh_token
                                         (rotated), device_code (RFC 8628 polling), client_credentials
  POST /{tenant}/oauth2/v2.0/devicecode  device authorization
  GET  /device?user_code=...&user=...&deny=1  the verification page: grants (or denies) a code
  GET|POST /o/oauth2/v2/auth, POST /token      the same, shaped like Google's (refresh answers
                                         carry no new refresh token, as Google's do)
  POST /introspect                       RFC 7662 for Dovecot (GET with Authorization: Bearer too)
  /v1.0/…, /graph-test/…              the Microsoft Graph mail stand-in (graph_standin.py)
Test controls:
  POST /test/revoke  user=U          U's refresh tokens issued so far stop working (invalid_grant),
                                     as Microsoft's "revoke sessions"; a new sign-in works again
  POST /test/expire-access client=C  C's access tokens stop working now, before their expiry
  GET  /test/stats                   counters (grants by type, polls, slow_downs; tokens issued
                                     by client) as JSON

Clients: "tresor-public" (public, PKCE), "tresor-confidential" (secret "tresor-client-secret").
A client id containing "short" gets access tokens living 30 s; one containing "expiring" gets
device codes living 4 s; one containing "slow" is told slow_down at its second poll. Device codes
ask for a 1 s polling interval; a poll sooner than the interval answers slow_down (RFC 8628 §3.5)
and adds 5 s to it, so a client that ignores it collects more. Access tokens are opaque.
usage: oauth_server.py [PORT] [-v]"""
import base64, hashlib, html, json, os, secrets, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graph_standin  # noqa: E402  (Microsoft Graph mail, behind the same tokens)

CLIENTS = {"tresor-public": None, "tresor-confidential": "tresor-client-secret"}


def client_secret(client):
    """A client's secret; "tresor-confidential-<anything>" are confidential too, so a test can
    have a client (and its counters) of its own."""
    if client.startswith("tresor-confidential-"):
        return "tresor-client-secret"
    return CLIENTS.get(client)
# Static tokens the Dovecot tests use directly.
ACCESS = {t: {"user": u, "expires": float("inf"), "scope": "IMAP"}
          for t, u in {"alice-token": "alice", "bob-token": "bob", "archiver-token": "alice"}.items()}
REFRESH = {}      # token -> {"user", "client", "scope"}
CODES = {}        # code -> {"user", "client", "redirect_uri", "challenge", "scope", "expires"}
DEVICES = {}      # device_code -> {"user_code", "client", "scope", "expires", "interval", "last_poll", "state", "user"}
REVOKED_USERS = {}  # user -> time: refresh tokens issued before it stop working
STATS = {"authorization_code": 0, "refresh_token": 0, "device_code": 0, "client_credentials": 0,
         "polls": 0, "slow_down": 0, "introspections": 0, "by_client": {}}
LOCK = threading.Lock()


def access_ttl(client):
    # Well inside Tresor's two-minute renewal margin (renewed at every use), yet long enough
    # for a login on a loaded machine to finish with it.
    return 30 if "short" in client else 3600


def issue(user, client, scope, refresh=True, offline=False):
    """Tokens for `user`; a refresh token with offline access (Microsoft's offline_access
    scope, Google's access_type=offline)."""
    access = "at-" + secrets.token_urlsafe(24)
    ttl = access_ttl(client)
    ACCESS[access] = {"user": user, "client": client, "expires": time.time() + ttl, "scope": scope}
    STATS["by_client"][client] = STATS["by_client"].get(client, 0) + 1
    answer = {"token_type": "Bearer", "scope": scope, "expires_in": ttl, "ext_expires_in": ttl,
              "access_token": access}
    if refresh and (offline or "offline_access" in scope.split()):
        token = "rt-" + secrets.token_urlsafe(32)
        REFRESH[token] = {"user": user, "client": client, "scope": scope, "issued": time.time()}
        answer["refresh_token"] = token
    return answer


def aad_error(error, description, code=400):
    """Microsoft's error body: error, error_description with an AADSTS number, error_codes, ids."""
    now = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    trace = secrets.token_hex(8)
    return code, {"error": error,
                  "error_description": f"{description}\r\nTrace ID: {trace}\r\nCorrelation ID: {trace}\r\nTimestamp: {now}",
                  "error_codes": [70000], "timestamp": now, "trace_id": trace, "correlation_id": trace}


def check_client(form):
    client = form.get("client_id", "")
    if client not in CLIENTS and not client.startswith("tresor-"):
        return None, aad_error("unauthorized_client", f"AADSTS700016: Application with identifier '{client}' was not found.")
    secret = client_secret(client)
    if secret is not None and form.get("client_secret") != secret:
        return None, aad_error("invalid_client", "AADSTS7000215: Invalid client secret provided.", 401)
    return client, None


def token(form):
    grant = form.get("grant_type", "")
    client, error = check_client(form)
    if error:
        return error
    with LOCK:
        if grant == "authorization_code":
            entry = CODES.pop(form.get("code", ""), None)
            if entry is None or entry["expires"] < time.time() or entry["client"] != client:
                return aad_error("invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired or is invalid.")
            if form.get("redirect_uri") != entry["redirect_uri"]:
                return aad_error("invalid_grant", "AADSTS50148: The redirect_uri does not match the one of the authorization request.")
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != entry["challenge"]:
                return aad_error("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.")
            STATS["authorization_code"] += 1
            return 200, issue(entry["user"], client, entry["scope"], offline=entry["offline"])
        if grant == "refresh_token":
            entry = REFRESH.get(form.get("refresh_token", ""))
            if entry is None or entry["client"] != client or entry["issued"] <= REVOKED_USERS.get(entry["user"], 0):
                return aad_error("invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity or was revoked.")
            STATS["refresh_token"] += 1
            # Rotated: a new refresh token comes back; the old one is not revoked at once.
            return 200, issue(entry["user"], client, form.get("scope") or entry["scope"], offline=True)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            entry = DEVICES.get(form.get("device_code", ""))
            if entry is None or entry["client"] != client:
                return aad_error("bad_verification_code", "AADSTS70019: Verification code not recognized.")
            STATS["polls"] += 1
            now = time.time()
            if now > entry["expires"]:
                return aad_error("expired_token", "AADSTS70019: Verification code expired.")
            entry["polls"] += 1
            too_soon = entry["last_poll"] and now - entry["last_poll"] < entry["interval"] - 0.2
            if too_soon or ("slow" in client and entry["polls"] == 2):
                entry["interval"] += 5
                entry["last_poll"] = now
                STATS["slow_down"] += 1
                return aad_error("slow_down", "Polling too fast: wait the interval.")
            entry["last_poll"] = now
            if entry["state"] == "denied":
                return aad_error("authorization_declined", "AADSTS70000: The user declined the sign-in.")
            if entry["state"] != "granted":
                return aad_error("authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
            DEVICES.pop(form["device_code"])
            STATS["device_code"] += 1
            return 200, issue(entry["user"], client, entry["scope"])
        if grant == "client_credentials":
            if client_secret(client) is None:
                return aad_error("invalid_client", "AADSTS7000218: The request body must contain client_assertion or client_secret.", 401)
            scope = form.get("scope", "")
            if not scope.endswith("/.default"):
                return aad_error("invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed.")
            STATS["client_credentials"] += 1
            return 200, issue("app:" + client, client, scope, refresh=False)
        if grant == "password":  # the old stub's grant, kept for scripts
            return 200, issue(form.get("username", "alice"), client, form.get("scope", ""), refresh=False)
    return aad_error("unsupported_grant_type", f"AADSTS70003: The app requested an unsupported grant type '{grant}'.")


def device_authorization(form, host):
    client, error = check_client(form)
    if error:
        return error
    code = secrets.token_urlsafe(32)
    user_code = "".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(8))
    expires_in = 4 if "expiring" in client else 900
    with LOCK:
        DEVICES[code] = {"user_code": user_code, "client": client, "scope": form.get("scope", ""),
                         "expires": time.time() + expires_in, "interval": 1, "last_poll": 0.0, "polls": 0,
                         "state": "pending", "user": None}
    uri = f"http://{host}/device"
    return 200, {"device_code": code, "user_code": user_code, "verification_uri": uri,
                 "expires_in": expires_in, "interval": 1,
                 "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."}


def introspect(token_value):
    with LOCK:
        STATS["introspections"] += 1
        entry = ACCESS.get(token_value)
        # A revoked grant keeps its access tokens until they expire, as at Microsoft.
        if entry is None or entry["expires"] < time.time():
            return {"active": False}   # Dovecot: "active" mismatch -> authentication fails
        user = entry["user"]
        return {"active": True, "username": user, "sub": user, "email": user, "scope": entry["scope"]}


SIGN_IN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in — test identity provider</title></head>
<body><h1>Sign in to {client}</h1><p>Tresor asks for: <code>{scope}</code></p>
<form method="post"><input type="hidden" name="request" value="{request}">
<label>User name <input name="user" value="{hint}"></label>
<button name="answer" value="accept">Accept</button> <button name="answer" value="cancel">Cancel</button></form></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def _send(self, code, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else (json.dumps(body) if content_type == "application/json" else body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type + ("; charset=utf-8" if content_type != "application/json" else ""))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _form(self):
        n = int(self.headers.get("Content-Length") or 0)
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True).items()}

    def _graph(self, method):
        """Microsoft Graph requests and the stand-in's test controls; False if neither."""
        url = urllib.parse.urlparse(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if url.path.startswith("/graph-test/"):
            code, answer = graph_standin.handle_control(method, url.path, query, body)
            self._send(code, answer)
            return True
        if not url.path.startswith("/v1.0/"):
            return False
        auth = self.headers.get("Authorization", "")
        with LOCK:
            entry = ACCESS.get(auth[7:]) if auth.startswith("Bearer ") else None
            user = entry["user"] if entry and entry["expires"] >= time.time() else None
        code, answer, headers = graph_standin.handle_graph(method, url.path, query, self.headers, body, user)
        if answer is None:
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif isinstance(answer, bytes):
            self._send(code, answer, "application/octet-stream", headers)
        else:
            self._send(code, answer, "application/json", headers)
        return True

    def do_PATCH(self):
        if not self._graph("PATCH"):
            self._send(404, {"error": "not_found"})

    def do_DELETE(self):
        if not self._graph("DELETE"):
            self._send(404, {"error": "not_found"})

    def do_GET(self):
        if self.path.startswith(("/v1.0/", "/graph-test/")):
            self._graph("GET")
            return
        url = urllib.parse.urlparse(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        if url.path.endswith("/oauth2/v2.0/authorize") or url.path == "/o/oauth2/v2/auth":
            if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                return self._send(400, "response_type=code with a S256 code_challenge is required", "text/plain")
            request = base64.urlsafe_b64encode(json.dumps(query).encode()).decode()
            page = SIGN_IN_PAGE.format(client=html.escape(query.get("client_id", "")), scope=html.escape(query.get("scope", "")),
                                       request=request, hint=html.escape(query.get("login_hint", "alice")))
            return self._send(200, page, "text/html")
        if url.path == "/device":
            with LOCK:
                entry = next((d for d in DEVICES.values() if d["user_code"] == query.get("user_code")), None)
                if entry is None:
                    return self._send(404, "unknown code", "text/plain")
                entry["state"] = "denied" if query.get("deny") else "granted"
                entry["user"] = query.get("user", "alice")
            return self._send(200, f"Signed in as {entry['user']}. You can close this window.", "text/plain")
        if url.path == "/test/stats":
            with LOCK:
                return self._send(200, json.loads(json.dumps(STATS)))
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return self._send(200, introspect(auth[7:]))
        if url.path.startswith("/introspect"):
            return self._send(200, introspect(query.get("access_token", "")))
        self._send(404, {"error": "not_found"})

    def do_POST(self):
        if self.path.startswith(("/v1.0/", "/graph-test/")):
            self._graph("POST")
            return
        url = urllib.parse.urlparse(self.path)
        form = self._form()
        if url.path.startswith("/introspect"):
            return self._send(200, introspect(form.get("token", "")))
        if url.path.endswith("/oauth2/v2.0/token") or url.path == "/token":
            code, body = token(form)
            if url.path == "/token" and form.get("grant_type") == "refresh_token" and code == 200:
                body.pop("refresh_token", None)  # Google keeps the first refresh token valid
            return self._send(code, body)
        if url.path.endswith("/oauth2/v2.0/devicecode"):
            code, body = device_authorization(form, self.headers.get("Host", "127.0.0.1"))
            return self._send(code, body)
        if url.path.endswith("/oauth2/v2.0/authorize") or url.path == "/o/oauth2/v2/auth":
            query = json.loads(base64.urlsafe_b64decode(form.get("request", "")))
            redirect = query["redirect_uri"]
            join = "&" if "?" in redirect else "?"
            state = urllib.parse.quote(query.get("state", ""))
            if form.get("answer") != "accept":
                return self._redirect(f"{redirect}{join}error=access_denied&error_description="
                                      f"{urllib.parse.quote('AADSTS65004: User declined to consent to access the app.')}&state={state}")
            code = secrets.token_urlsafe(24)
            with LOCK:
                CODES[code] = {"user": form.get("user") or "alice", "client": query.get("client_id", ""),
                               "redirect_uri": redirect, "challenge": query["code_challenge"],
                               "scope": query.get("scope", ""), "expires": time.time() + 600,
                               "offline": query.get("access_type") == "offline"}
            return self._redirect(f"{redirect}{join}code={code}&state={state}")
        if url.path == "/test/revoke":
            with LOCK:
                REVOKED_USERS[form.get("user", "")] = time.time()
            return self._send(200, {})
        if url.path == "/test/expire-access":
            # The client's access tokens stop working before their time (as when Entra ID's
            # continuous access evaluation ends them): Graph answers 401 until a new one comes.
            with LOCK:
                for entry in ACCESS.values():
                    if entry.get("client") == form.get("client"):
                        entry["expires"] = 0
            return self._send(200, {})
        if url.path == "/revoke":  # the old stub's endpoint
            with LOCK:
                ACCESS.pop(form.get("token", ""), None)
            return self._send(200, {})
        self._send(404, {"error": "not_found"})

    def log_message(self, *args):
        if "-v" in sys.argv:
            super().log_message(*args)


port = int(next((a for a in sys.argv[1:] if a.isdigit()), 18080))
print(f"OAuth2 test server on 127.0.0.1:{port}", flush=True)
class Server(ThreadingHTTPServer):
    # Many tests at once open connections faster than one Python process
    # accepts them on a loaded machine: the default backlog of 5 overflows,
    # and a connection the kernel then drops looks like a broken server.
    request_queue_size = 256
    daemon_threads = True


Server(("127.0.0.1", port), Handler).serve_forever()
