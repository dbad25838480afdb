"""Provider fault matrix: one `herald serve` whose provider misbehaves in a different way for each person's
number. Per fault: attempts seen by the provider, the gaps between them, the final state Herald records, sends
twice under two keys (0) and messages lost (0). Meanwhile ordinary messages must keep flowing past a provider
that hangs.
"""
import time

from support import Checks, Herald, Keys, Provider, Reply, Workspace, log, refused_url

MAX_ATTEMPTS = 3
BACKOFF = 1
TIMEOUT = 3
HANG = 20
# No retry may wait for a lease to run out (60 s): a claim taken but never sent shows as a gap this long.
MOST_GAP = 10


def first_then_ok(reply, failures):
    return lambda tries: reply if tries <= failures else Reply()


# name → (how the provider answers attempt n, the final status expected, attempts expected, least gap in seconds)
FAULTS = {
    "500": (lambda n: Reply(500, '{"error":"internal"}'), "failed", MAX_ATTEMPTS, BACKOFF * 0.5),
    "503 then ok": (first_then_ok(Reply(503, "busy"), 2), "sent", 3, BACKOFF * 0.5),
    "503 Retry-After": (first_then_ok(Reply(503, "busy", {"Retry-After": "3"}), 1), "sent", 2, 3),
    "429 Retry-After": (first_then_ok(Reply(429, "slow down", {"Retry-After": "3"}), 1), "sent", 2, 3),
    "429 no Retry-After": (first_then_ok(Reply(429, "slow down"), 1), "sent", 2, BACKOFF * 0.5),
    "hangs": (first_then_ok(Reply(hang=HANG), 1), "sent", 2, TIMEOUT * 0.9),
    "malformed JSON": (lambda n: Reply(200, '{"id": "unterminated'), "sent", 1, None),
    "200 with an error": (lambda n: Reply(200, '{"error": "number barred", "code": 21610}'), "sent", 1, None),
    "slow-loris": (first_then_ok(Reply(200, '{"id": "slow-provider-id-0001"}', slow=0.4), 1), "sent", None, None),
    "400 refused": (lambda n: Reply(400, '{"error": "invalid destination +251911000000"}'), "failed", 1, None),
}


def run(ctx, store="sqlite"):
    checks = Checks("faults" if store == "sqlite" else "faults-pg")
    ws = Workspace(checks.probe, ctx.keep)
    names = list(FAULTS)
    phone_of = {name: f"+2519{30_000_000 + n:08d}" for n, name in enumerate(names)}
    fault_of_phone = {p: n for n, p in phone_of.items()}

    def behaviour(record, tries):
        name = fault_of_phone.get(record["body"].get("to"))
        return FAULTS[name][0](tries) if name else Reply()

    provider = Provider(behaviour)
    keys = Keys(ctx.herald, ws.path)
    herald = Herald(ctx.herald, ws.path, keys, provider.url, db=ctx.database(store),
                    extra=["--max-attempts", str(MAX_ATTEMPTS), "--backoff", str(BACKOFF), "--sms-timeout", str(TIMEOUT),
                           "--lease", "60"])
    try:
        herald.start()
        backend = herald.client("backend")
        for n, name in enumerate(names):
            backend.json("POST", "/v1/events", event(f"fault-{n}", f"hf-{n}", phone_of[name]))
        # Ordinary messages posted while the hanging provider holds one request open.
        time.sleep(0.5)
        posted = time.monotonic()
        for i in range(30):
            backend.json("POST", "/v1/events", event(f"flow-{i}", f"hflow-{i}", f"+2519{31_000_000 + i:08d}"))
        deadline = time.monotonic() + 60
        ordinary = {f"+2519{31_000_000 + i:08d}" for i in range(30)}
        while time.monotonic() < deadline:
            got = {r["body"].get("to") for r in provider.snapshot()} & ordinary
            if len(got) == len(ordinary):
                break
            time.sleep(0.05)
        flowed = time.monotonic() - posted
        checks.add("a hanging provider stalls no other message", flowed < HANG / 2,
                   f"30 ordinary messages handed over in {flowed:.1f} s while one request hung for {HANG} s")
        herald.wait_settled(timeout=90)
        staff = herald.client("staff")
        records = provider.snapshot()
        for n, name in enumerate(names):
            _, expected, attempts_expected, least_gap = FAULTS[name]
            status, listing = staff.json("GET", f"/v1/messages?contact=hf-{n}")
            messages = (listing or {}).get("messages", []) if status == 200 else []
            final = messages[0]["status"] if len(messages) == 1 else f"{len(messages)} messages"
            seen = [r for r in records if r["body"].get("to") == phone_of[name]]
            keys_seen = {r["key"] for r in seen}
            gaps = [b["t"] - a["t"] for a, b in zip(seen, seen[1:])]
            ok = final == expected and len(keys_seen) <= 1 and len(messages) == 1
            if attempts_expected is not None:
                ok = ok and len(seen) == attempts_expected
            if least_gap is not None and gaps:
                ok = ok and min(gaps) >= least_gap
            ok = ok and all(g <= MOST_GAP for g in gaps)
            error = messages[0].get("lastError") if messages else None
            checks.add(f"provider {name}", ok,
                       f"{len(seen)} attempt(s), gaps {', '.join(f'{g:.1f}s' for g in gaps) or '-'}; final {final}; "
                       f"keys {len(keys_seen)}" + (f"; note: {error}" if error else ""))
        refused(ctx, ws, checks, store)
        lost = sum(1 for name in names if not any(r["body"].get("to") == phone_of[name] for r in records))
        checks.add("no message lost", lost == 0, f"{lost} of {len(names)} never reached the provider")
    finally:
        herald.stop()
        provider.close()
        ctx.keep_log(herald, list(keys.key.values()))
        ws.close()
    return checks


def refused(ctx, ws, checks, store):
    """A provider that refuses connections: attempts are recorded by Herald, then the message fails."""
    import os
    folder = os.path.join(ws.path, "refused")
    os.makedirs(folder)
    keys = Keys(ctx.herald, folder)
    herald = Herald(ctx.herald, folder, keys, refused_url(), db=ctx.database(store),
                    extra=["--max-attempts", str(MAX_ATTEMPTS), "--backoff", str(BACKOFF), "--sms-timeout", str(TIMEOUT)])
    try:
        herald.start()
        herald.client("backend").json("POST", "/v1/events", event("refused-0", "hrefused", "+251930999999"))
        herald.wait_settled(timeout=60)
        staff = herald.client("staff")
        _, listing = staff.json("GET", "/v1/messages?contact=hrefused")
        message = (listing or {}).get("messages", [{}])[0]
        _, whole = staff.json("GET", f"/v1/messages/{message.get('id')}")
        attempts = len((whole or {}).get("attempts", []))
        checks.add("provider refuses connections", message.get("status") == "failed" and attempts == MAX_ATTEMPTS,
                   f"{attempts} attempts recorded; final {message.get('status')}; note: {message.get('lastError')}")
    finally:
        herald.stop()
        ctx.keep_log(herald, list(keys.key.values()))


def event(event_id, contact, phone):
    return {"id": event_id, "type": "case.assigned",
            "data": {"case": {"number": "HF-1", "title": "Fault"},
                     "assignee": {"id": contact, "phone": phone, "name": "Abebe", "language": "en"},
                     "actor": {"id": "hf-actor"}}}


if __name__ == "__main__":
    log("run through harness.py")
