"""Bad input on every write route and CLI command: malformed and invalid-UTF-8 JSON, 10 MB bodies, deep
nesting, wrong types, unknown fields, impossible dates, bidi and control characters, ICU syntax in parameters.
Each must get a clear 4xx (a problem naming the field) or a non-zero exit with the file and line, store
nothing, and leave the server serving.
"""
import json
import os
import subprocess

from support import ROOT, Checks, Herald, Keys, Workspace

GOOD_EVENT = {"id": "in-good", "type": "case.assigned",
              "data": {"case": {"number": "IN-1", "title": "Fine"},
                       "assignee": {"id": "in-u1", "phone": "+251911000001", "name": "Abebe", "language": "en"},
                       "actor": {"id": "in-actor"}}}


def with_param(key, value, event_id):
    e = json.loads(json.dumps(GOOD_EVENT))
    e["id"] = event_id
    e["data"]["case"][key] = value
    return e


WRITE_ROUTES = [
    ("POST", "/v1/events"), ("POST", "/v1/events:batch"), ("POST", "/v1/render"), ("POST", "/v1/templates:check"),
    ("PUT", "/v1/contacts/in-u1/preferences"), ("POST", "/v1/contacts/in-u1/tokens"), ("POST", "/v1/inbound"),
    ("POST", "/v1/delivery-reports"), ("POST", "/v1/messages/1:resend"), ("POST", "/v1/campaigns"),
]

GENERIC = [
    ("malformed JSON", b'{"id": "x", '),
    ("invalid UTF-8", b'{"id": "\xff\xfe\xfa"}'),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000),
    ("deep object nesting", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("a number for a body", b"42"),
    ("a string for a body", b'"hello"'),
    ("null for a body", b"null"),
    ("an unknown field", b'{"bogusField": 1}'),
    ("10 MB body", b'{"x": "' + b"a" * 10_000_000 + b'"}'),
]

# (what, method, path, body, the field the problem must name)
SPECIFIC = [
    ("impossible occurredAt", "POST", "/v1/events",
     dict(GOOD_EVENT, id="in-date", occurredAt="2026-02-30T99:00:00Z"), "occurredAt"),
    ("NUL in a parameter", "POST", "/v1/events", with_param("title", "a\u0000b", "in-nul"), "title"),
    ("BEL and ESC in a parameter", "POST", "/v1/events", with_param("title", "ring\u0007\u001b[31m", "in-bel"), "title"),
    ("wrong type for a parameter", "POST", "/v1/events", with_param("number", {"n": 1}, "in-type"), "number"),
    ("unknown event type", "POST", "/v1/events", dict(GOOD_EVENT, id="in-type2", type="case.exploded"), "type"),
    ("an integer id", "POST", "/v1/events", dict(GOOD_EVENT, id=17), "id"),
    ("a bad language", "PUT", "/v1/contacts/in-u1/preferences", {"language": "klingon"}, "language"),
    ("a bad time zone", "PUT", "/v1/contacts/in-u1/preferences", {"timeZone": "Mars/Olympus"}, "timeZone"),
    ("impossible quiet hours", "PUT", "/v1/contacts/in-u1/preferences", {"quietHours": "25:00-08:00"}, "quietHours"),
    ("optedOutAll a string", "PUT", "/v1/contacts/in-u1/preferences", {"optedOutAll": "yes"}, "optedOutAll"),
    ("ttl a number", "POST", "/v1/contacts/in-u1/tokens", {"ttl": 3600}, "ttl"),
    ("ttl forever", "POST", "/v1/contacts/in-u1/tokens", {"ttl": "forever"}, "ttl"),
    ("impossible receivedAt", "POST", "/v1/inbound",
     {"from": "+251911000001", "text": "STOP", "receivedAt": "2026-02-30T99:00:00Z"}, "receivedAt"),
    ("an integer messageId", "POST", "/v1/inbound", {"from": "+251911000001", "text": "STOP", "messageId": 5}, "messageId"),
    ("a report of an unknown status", "POST", "/v1/delivery-reports", {"reference": "1", "status": "teleported"}, "status"),
    ("a render with a malformed locale", "POST", "/v1/render",
     {"template": "case.assigned", "locale": "not a locale!", "params": {"caseNumber": "1", "title": "t"}}, "locale"),
    ("a render with an RLO override", "POST", "/v1/render",
     {"template": "case.assigned", "locale": "en", "params": {"caseNumber": "1\u202e", "title": "t"}}, None),
    ("a campaign without recipients", "POST", "/v1/campaigns", {"id": "in-c", "template": "service.completed"}, "recipients"),
]


def run(ctx):
    checks = Checks("input")
    ws = Workspace("input", ctx.keep)
    keys = Keys(ctx.herald, ws.path)
    herald = Herald(ctx.herald, ws.path, keys, extra=["--no-worker"])
    try:
        herald.start()
        admin = herald.client("admin", timeout=60)
        status, _ = admin.json("POST", "/v1/events", GOOD_EVENT)
        before = herald.stats()
        bad = []
        total = 0
        for method, path in WRITE_ROUTES:
            for what, raw in GENERIC:
                total += 1
                status, payload, response = admin.request(method, path, raw=raw)
                problem = response.getheader("Content-Type", "")
                if not (400 <= status < 500 and status not in (401, 403) and "problem+json" in problem):
                    bad.append(f"{method} {path} {what}: {status} {payload[:120]!r}")
        for what, method, path, body, field in SPECIFIC:
            total += 1
            status, payload, response = admin.request(method, path, body)
            ok = 400 <= status < 500
            if field:
                try:
                    answer = json.loads(payload)
                    named = [e.get("field", "") for e in answer.get("errors", [])] + [answer.get("detail", "")]
                    ok = ok and any(field in n for n in named)
                except ValueError:
                    ok = False
            elif status == 200:  # the RLO is removed from what is rendered
                ok = "\u202e" not in json.loads(payload).get("text", "")
            if not ok:
                bad.append(f"{what}: {status} {payload[:160]!r}")
        after = herald.stats()
        changed = before.get("messages") != after.get("messages") or before.get("byStatus") != after.get("byStatus")
        events_stored = [e for e in ("in-date", "in-nul", "in-bel", "in-type", "in-type2")
                         if admin.request("GET", f"/v1/events/{e}")[0] == 200]
        healthy = admin.request("GET", "/health")[0] == 200 and herald.alive()
        checks.add("every bad request is a clear 4xx naming the field", not bad,
                   f"{total - len(bad)} of {total} requests on {len(WRITE_ROUTES)} routes" + ("; " + "; ".join(bad[:6]) if bad else ""))
        checks.add("bad requests store nothing", not changed and not events_stored,
                   f"messages {before.get('messages')} → {after.get('messages')}; events stored: {events_stored or 'none'}")
        checks.add("the server still serves", healthy, "GET /health 200" if healthy else herald.tail())
        icu(admin, checks)
        unknown_method(admin, checks)
    finally:
        herald.stop()
        ctx.keep_log(herald, list(keys.key.values()))
    try:
        cli(ctx, ws, checks)
    finally:
        ws.close()
    return checks


def icu(admin, checks):
    """ICU syntax in a parameter is text, never a pattern."""
    title = "{caseNumber} {0, plural, one {#} other {##}} '{' it's"
    status, answer = admin.json("POST", "/v1/render", {"template": "case.assigned", "locale": "en",
                                                       "params": {"caseNumber": "IN-9", "title": title}})
    text = (answer or {}).get("text", "") if status == 200 else ""
    checks.add("ICU syntax in a parameter is sent as text", title in text, f"{status}: {text[:90]!r}")


def unknown_method(admin, checks):
    status, payload, response = admin.request("DELETE", "/v1/events")
    allow = response.getheader("Allow", "")
    checks.add("a method a route does not have is 405 with Allow", status == 405 and "POST" in allow,
               f"DELETE /v1/events: {status}, Allow: {allow or '-'}")


def cli(ctx, ws, checks):
    db = ws.file("cli.sqlite")
    common = ["--db", db, "--templates", os.path.join(ROOT, "Templates"), "--locales", os.path.join(ROOT, "Locales"),
              "--events", os.path.join(ROOT, "Events")]
    good = json.dumps(GOOD_EVENT)
    # (what, the file's lines (JSON lines: a good event, then the bad one), where the error must point, the id of
    # the bad event, which must not be stored)
    cases = [
        ("a malformed line", [good, '{"id": "cli-2", "type": '], ":2", "cli-2"),
        ("invalid UTF-8", [good, json.dumps(dict(GOOD_EVENT, id="cli-1")).replace("Fine", "F\udcff")], ":2", "cli-1"),
        ("an impossible date", [good, json.dumps(dict(GOOD_EVENT, id="cli-3", occurredAt="2026-13-01T00:00:00Z"))], ":2", "cli-3"),
        ("a control character", [good, json.dumps(with_param("title", "x\u0007", "cli-4"))], ":2", "cli-4"),
        ("an unknown type", [good, json.dumps(dict(GOOD_EVENT, id="cli-5", type="nope"))], ":2", "cli-5"),
    ]
    bad = []
    for n, (what, lines, where, bad_id) in enumerate(cases):
        path = ws.file(f"cli-{n}.jsonl")
        with open(path, "wb") as f:
            for line in lines:
                f.write(line.encode("utf-8", "surrogateescape") + b"\n")
        result = subprocess.run([ctx.herald, "event", path] + common, capture_output=True, text=True, errors="replace")
        said = result.stderr + result.stdout
        stored = subprocess.run([ctx.herald, "explain", bad_id] + common, capture_output=True).returncode == 0
        if result.returncode == 0 or f"{os.path.basename(path)}{where}" not in said or stored:
            bad.append(f"{what}: exit {result.returncode}, stored {stored}: {said.strip()[:160]}")
    catalog = common[2:]
    for what, args, field in [
        ("contact set: a bad language", ["contact", "set", "in-u1", "--language", "klingon"] + common, "klingon"),
        ("contact set: a bad zone", ["contact", "set", "in-u1", "--time-zone", "Mars/Olympus"] + common, "Mars/Olympus"),
        ("contact set: a bad number", ["contact", "set", "in-u1", "--phone", "12"] + common, "12"),
        ("render: a missing parameter", ["render", "case.assigned", "--language", "en"] + catalog, "caseNumber"),
        ("messages: an unknown status", ["messages", "--status", "bogus", "--db", db], "bogus"),
    ]:
        result = subprocess.run([ctx.herald] + args, capture_output=True, text=True)
        if result.returncode == 0 or field not in result.stderr + result.stdout:
            bad.append(f"{what}: exit {result.returncode}: {(result.stderr + result.stdout).strip()[:160]}")
    checks.add("bad CLI input: non-zero exit naming the file, line or value; nothing stored", not bad,
               f"{len(cases) + 5 - len(bad)} of {len(cases) + 5}" + ("; " + "; ".join(bad) if bad else ""))
