"""Storage faults: a database folder that does not exist, a corrupt file, a filesystem turned read-only under
a running server, a full disk (a small tmpfs, remounted larger to recover). Each must give a clear error, lose
no acknowledged event, and recover when the fault goes away.
"""
import os
import subprocess
import time

from support import ROOT, Checks, Herald, Keys, Workspace, case_event


def run(ctx):
    checks = Checks("storage")
    ws = Workspace("storage", ctx.keep)
    keys = Keys(ctx.herald, ws.path)
    try:
        refusals(ctx, ws, keys, checks)
        mount = ws.file("disk")
        os.makedirs(mount)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount], capture_output=True).returncode != 0:
            checks.add("read-only and full disk (needs a tmpfs mount)", os.geteuid() != 0,
                       "not run: mount refused" + (" as root" if os.geteuid() == 0 else " (not root)"))
            return checks
        try:
            faults_on_tmpfs(ctx, ws, keys, mount, checks)
        finally:
            subprocess.run(["umount", "-l", mount], capture_output=True)
    finally:
        ws.close()
    return checks


def refusals(ctx, ws, keys, checks):
    """Start-up faults: one clear line naming the file, exit 1, nothing created elsewhere."""
    corrupt = ws.file("corrupt.sqlite")
    with open(corrupt, "wb") as f:
        f.write(b"this is not a database " * 50_000)
    for what, db, words in [("a missing folder", ws.file("missing/dir/herald.sqlite"), ["missing/dir"]),
                            ("a corrupt file", corrupt, ["corrupt.sqlite"])]:
        herald = Herald(ctx.herald, ws.path, keys, db=db)
        code, said = refused_start(herald)
        checks.add(f"serve on {what}: a clear error", code == 1 and all(w in said for w in words),
                   f"exit {code}: {said.strip().splitlines()[-1] if said.strip() else '(nothing)'}")
        event = subprocess.run([ctx.herald, "event", os.path.join(ROOT, "Examples/events/case.assigned.json"), "--db", db,
                                "--templates", os.path.join(ROOT, "Templates"), "--locales", os.path.join(ROOT, "Locales")],
                               capture_output=True, text=True)
        checks.add(f"herald event on {what}: a clear error", event.returncode not in (0,) and event.returncode < 128
                   and any(w in event.stderr for w in words),
                   f"exit {event.returncode}: {event.stderr.strip().splitlines()[-1] if event.stderr.strip() else '-'}")
        os.remove(herald.log_path)
    with open(corrupt, "rb") as f:
        untouched = f.read(23) == b"this is not a database "
    checks.add("a corrupt file is left as it was", untouched, "first bytes unchanged" if untouched else "overwritten")


def refused_start(herald):
    """Starts a server that must refuse to start: its exit code (None if it kept running) and its last words."""
    herald.start(wait=False)
    try:
        code = herald.process.wait(30)
    except subprocess.TimeoutExpired:
        code = None
    herald.kill()
    return code, herald.tail(5)


def faults_on_tmpfs(ctx, ws, keys, mount, checks):
    herald = Herald(ctx.herald, ws.path, keys, db=os.path.join(mount, "herald.sqlite"), extra=["--no-worker"])
    herald.start()
    backend = herald.client("backend", timeout=20)
    acked = []

    def post(i):
        try:
            status, body = backend.json("POST", "/v1/events", case_event(i, "st"))
        except OSError as error:
            backend.close()
            return 0, str(error)
        if status in (200, 201):
            acked.append(i)
        return status, body

    for i in range(20):
        post(i)
    # Read-only: the file system is remounted read-only while the server is stopped (Linux refuses it while a file
    # is open for writing); the next start, and the CLI, must say so, and change nothing.
    herald.stop()
    subprocess.run(["mount", "-o", "remount,ro", mount], check=True)
    code, said = refused_start(herald)
    said = said.strip().splitlines()
    checks.add("read-only database: serve refuses to start with a clear error",
               code == 1 and said and "read-only" in said[-1], f"exit {code}: {said[-1] if said else '-'}")
    cli = subprocess.run([ctx.herald, "event", os.path.join(ROOT, "Examples/events/case.assigned.json"), "--db", herald.db,
                          "--templates", os.path.join(ROOT, "Templates"), "--locales", os.path.join(ROOT, "Locales")],
                         capture_output=True, text=True)
    checks.add("read-only database: herald event refuses with a clear error",
               cli.returncode == 1 and "read-only" in cli.stderr, f"exit {cli.returncode}: {cli.stderr.strip()[:120]}")
    subprocess.run(["mount", "-o", "remount,rw", mount], check=True)
    herald.start()
    backend.close()
    status, _ = post(1001)
    checks.add("read-only database: recovers when writable again", status == 201, f"POST /v1/events: {status}")
    # Full: events until the 3 MB disk is full, then more room.
    statuses = {}
    i = 2000
    full_detail = ""
    while i < 20000:
        status, body = post(i)
        statuses[status] = statuses.get(status, 0) + 1
        if status not in (200, 201):
            full_detail = body.get("detail", "") if isinstance(body, dict) else str(body)
            if statuses[status] >= 5:
                break
        i += 1
    alive = herald.alive()
    checks.add("full disk: a clear error, the server stays up",
               any(s in statuses for s in (503, 507)) and "full" in full_detail and alive,
               f"answers {statuses} after {i - 2000} events; {full_detail[:100]!r}")
    subprocess.run(["mount", "-o", "remount,size=64m", mount], check=True)
    time.sleep(0.2)
    status, _ = post(30000)
    checks.add("full disk: recovers when there is room", status == 201, f"POST /v1/events: {status}")
    herald.kill()  # the worst stop: acknowledged events must all be there at the next start
    herald.start()
    backend.close()
    reader = herald.client("staff")
    lost = [i for i in acked if reader.request("GET", f"/v1/events/st-{i}")[0] != 200]
    checks.add("no acknowledged event lost across the faults and a kill", not lost and len(acked) > 20,
               f"{len(acked)} acknowledged, {len(lost)} lost")
    herald.stop()
    ctx.keep_log(herald, list(keys.key.values()))
