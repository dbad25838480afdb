"""Secrets and access: every route × no key, a wrong key, each role's key, a customer's token for that
person and for another. The harness's own table of who may do what (the README's) is the oracle. Keys must be
stored hashed; no key, full phone number or message text may reach the server's log or an error body.
"""
import json
import os
import re

from support import ROLES, Checks, Herald, Keys, Workspace

# route → the roles that may use it (admin may use every route); "token" marks the contact's own token, "public"
# a route anyone may read without a key (a wrong key presented there is still refused).
MATRIX = [
    ("GET", "/metrics", {"staff"}),
    ("GET", "/openapi.yaml", {"public"}),
    ("POST", "/v1/events", {"backend"}),
    ("POST", "/v1/events:batch", {"backend"}),
    ("GET", "/v1/events/ac-evt", {"backend", "staff"}),
    ("POST", "/v1/render", {"backend", "author"}),
    ("GET", "/v1/templates", {"backend", "author", "staff"}),
    ("GET", "/v1/templates/case.assigned", {"backend", "author", "staff"}),
    ("GET", "/v1/me", {"backend", "author", "staff", "provider"}),
    ("POST", "/v1/templates:check", {"author"}),
    ("POST", "/v1/templates/case.assigned/preview", {"author", "staff"}),
    ("PUT", "/v1/templates/case.assigned/messages/fr", {"author"}),
    ("GET", "/v1/contacts/ac-owner/preferences", {"backend", "staff", "token"}),
    ("PUT", "/v1/contacts/ac-owner/preferences", {"backend", "staff", "token"}),
    ("GET", "/v1/contacts/ac-owner/history?since=24h", {"staff"}),
    ("POST", "/v1/contacts/ac-owner/tokens", {"backend"}),
    ("POST", "/v1/inbound", {"backend", "provider"}),
    ("POST", "/v1/delivery-reports", {"backend", "provider"}),
    ("GET", "/v1/messages", {"staff"}),
    ("GET", "/v1/messages/1", {"staff", "backend"}),
    ("POST", "/v1/messages/1:resend", {"staff"}),
    ("POST", "/v1/campaigns", {"backend"}),
    ("GET", "/v1/campaigns/ac-campaign", {"backend", "staff"}),
    ("GET", "/v1/stats", {"staff"}),
]

EVENT = {"id": "ac-evt", "type": "case.assigned",
         "data": {"case": {"number": "AC-1", "title": "Access"},
                  "assignee": {"id": "ac-owner", "phone": "+251911222333", "name": "Abebe", "language": "en"},
                  "actor": {"id": "ac-actor"}}}
OTHER = {"id": "ac-evt-2", "type": "case.assigned",
         "data": {"case": {"number": "AC-2", "title": "Access"},
                  "assignee": {"id": "ac-other", "phone": "+251911444555", "name": "Kebede", "language": "en"},
                  "actor": {"id": "ac-actor"}}}
BODIES = {"/v1/events": json.dumps(dict(EVENT, id="ac-new")), "/v1/events:batch": "[]",
          "/v1/render": json.dumps({"template": "case.assigned", "locale": "en", "params": {"caseNumber": "1", "title": "t"}}),
          "/v1/templates:check": json.dumps({"content": "id: x\n"}), "/v1/templates/case.assigned/preview": "{}", "/v1/contacts/ac-owner/preferences": "{}",
          "/v1/contacts/ac-owner/tokens": "{}", "/v1/inbound": json.dumps({"from": "+251911999000", "text": "hello"}),
          "/v1/delivery-reports": json.dumps({"reference": "nope", "status": "delivered"}),
          "/v1/campaigns": json.dumps({"id": "ac-c", "template": "service.completed", "recipients": []})}


def run(ctx):
    checks = Checks("access")
    ws = Workspace("access", ctx.keep)
    keys = Keys(ctx.herald, ws.path)
    # --studio-writes: the write route answers by role (its body here has no text, so nothing is written).
    herald = Herald(ctx.herald, ws.path, keys, extra=["--studio-writes"])
    try:
        herald.start()
        admin = herald.client("admin")
        admin.json("POST", "/v1/events", EVENT)
        admin.json("POST", "/v1/events", OTHER)
        _, own = admin.json("POST", "/v1/contacts/ac-owner/tokens", {"ttl": "1h"})
        _, other = admin.json("POST", "/v1/contacts/ac-other/tokens", {"ttl": "1h"})
        credentials = {"no key": None, "a wrong key": "hk_" + "0" * 40, "a malformed key": "not a key",
                       "own token": own.get("token"), "another's token": other.get("token")}
        credentials.update({role: keys.key[role] for role in ROLES})
        wrong, total = [], 0
        bodies = []
        for method, path, roles in MATRIX:
            for who, credential in credentials.items():
                total += 1
                client = herald.client(None)
                status, payload, _ = client.request(method, path, raw=BODIES.get(path.split("?")[0], "{}").encode()
                                                    if method != "GET" else None, key=credential)
                client.close()
                bodies.append(payload)
                if "public" in roles:
                    # Anyone may read it; a key that is presented is still checked, and a wrong one refused.
                    if who in ("a wrong key", "a malformed key"):
                        expected, ok = "401", status == 401
                    else:
                        expected, ok = "allowed", status not in (401, 403)
                elif who in ("no key", "a wrong key", "a malformed key"):
                    expected = "401"
                    ok = status == 401
                elif who == "own token":
                    expected = "allowed" if "token" in roles else "refused"
                    ok = (status not in (401, 403)) if "token" in roles else status in (401, 403)
                elif who == "another's token":
                    expected, ok = "refused", status in (401, 403)
                else:
                    allowed = who == "admin" or who in roles
                    expected = "allowed" if allowed else "403"
                    ok = status not in (401, 403) if allowed else status == 403
                ok = ok and status < 500
                if not ok:
                    wrong.append(f"{method} {path} with {who}: {status} (expected {expected})")
        checks.add("every route × every credential", not wrong,
                   f"{total - len(wrong)} of {total} as expected ({len(MATRIX)} routes × {len(credentials)} credentials)"
                   + ("; " + "; ".join(wrong[:5]) if wrong else ""))
        with open(keys.file, "rb") as f:
            stored = f.read()
        with open(herald.db, "rb") as f:
            database = f.read()
        leaked = [role for role, key in keys.key.items() if key.encode() in stored or key.encode() in database]
        hashed = all(line.split()[-1].startswith("sha256:") for line in stored.decode().splitlines() if line.strip()
                     and not line.startswith("#"))
        checks.add("keys stored hashed, never in clear", not leaked and hashed,
                   f"{len(keys.key)} keys; in clear: {leaked or 'none'}")
        phones = re.compile(rb"\+?251911(222333|444555)")
        in_bodies = [b[:120] for b in bodies if phones.search(b) or any(k.encode() in b for k in keys.key.values())]
        checks.add("no key or full number in any answer of the matrix", not in_bodies,
                   f"{len(bodies)} answers read" + (f"; found in {in_bodies[:2]}" if in_bodies else ""))
    finally:
        herald.stop()
        ctx.keep_log(herald, secrets=list(keys.key.values()))
        ws.close()
    return checks


def scan_logs(ctx):
    """After every probe: the servers' logs hold no key, no full phone number and no message text."""
    checks = Checks("secrets")
    # A number stands alone: digits inside a longer word (a request id's hex) are not one, nor is a message id in
    # a path (/v1/messages/900693219).
    number = re.compile(r"(?<![\w.:-])\+?(?:251|216)\d{8,9}(?!\w)|(?<![\w.:-])(?<!messages/)0?9\d{8}(?!\w)")
    texts = ["has been assigned to you", "Harness case", "Please check your MINTT CRM account", "Bonjour"]
    found = []
    lines = 0
    for name, text, secrets in ctx.logs:
        for n, line in enumerate(text.splitlines(), 1):
            lines += 1
            what = ([f"number {m}" for m in number.findall(line)] + [f"text {t!r}" for t in texts if t in line]
                    + ["a key" for s in secrets if s and s in line])
            if what:
                found.append(f"{name}:{n}: {', '.join(what)}: {line[:140]}")
    checks.add("no key, full number or message text in the servers' logs", not found and lines > 0,
               f"{lines} lines of {len(ctx.logs)} logs" + ("; " + "; ".join(found[:4]) if found else ""))
    return checks


if __name__ == "__main__":
    print(os.path.basename(__file__))
