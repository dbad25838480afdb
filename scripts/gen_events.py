#!/usr/bin/env python3
"""Writes N seed-shaped events as JSON lines (deterministic), for load tests of `herald event`.

usage: scripts/gen_events.py N > events.jsonl
Mixes the seven event types; 20,000 CRM staff/customers in Ethiopia and 20,000 garage customers in Tunisia.
"""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(42)
langs_et = ["am", "en", "am", "am"]
langs_tn = ["fr", "fr", "en", "am"]
types = ["case.assigned", "case.response_added", "case.escalated", "case.resolved",
         "service.completed", "invoice.created", "appointment.reminder"]
out = sys.stdout
for i in range(n):
    t = types[i % len(types)]
    hour = 6 + (i * 7) % 12
    occurred = f"2026-11-23T{hour:02d}:{(i * 13) % 60:02d}:00+03:00"
    if t.startswith("case."):
        person = lambda k: {"id": f"crm-{k}", "phone": f"09{k:08d}"[:10], "name": f"P{k}", "language": langs_et[k % 4]}
        k = rng.randrange(20_000)
        data = {"case": {"number": f"CASE-{i:06d}", "title": f"Issue {i}", "responseCount": 1 + i % 3},
                "actor": {"id": f"crm-{rng.randrange(20_000)}"}}
        role = {"case.assigned": "assignee", "case.escalated": "manager"}.get(t, "customer")
        data[role] = person(k)
    else:
        k = rng.randrange(20_000)
        data = {"customer": {"id": f"ecar-{k}", "phone": f"2{k:07d}", "region": "TN", "firstName": f"Client{k}",
                             "language": langs_tn[k % 4], "timeZone": "Africa/Tunis"},
                "car": {"make": "Peugeot", "model": "208"},
                "invoice": {"number": f"F-{i:06d}", "total": round(rng.uniform(20, 5000), 3)},
                "appointment": {"at": "2026-11-25T09:30:00+01:00"}}
    out.write(json.dumps({"id": f"load-{i}", "type": t, "occurredAt": occurred, "data": data}, ensure_ascii=False))
    out.write("\n")
