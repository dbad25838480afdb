#!/usr/bin/env python3
"""Herald's reliability harness: the built binary, real HTTP on loopback, real SQLite files and a real local
SMS provider, probed for what the README promises: nothing acknowledged is lost, nothing is sent twice under
two keys, no bad input gets past a clear error, no route opens to the wrong key, nothing crashes.

usage: scripts/harness [--short] [--only crash,faults,input,storage,access,contract,console,fuzz,crash-pg,faults-pg] [--json] [--keep]

Prints one line per check, a table at the end and `N passed, N failed`; exits 1 when a check failed.
`--short` is the form CI runs (10 kills, fewer examples, seconds of fuzzing per target). The full run stops
each fuzz target at 10 million inputs or 15 minutes. `crash-pg` and `faults-pg` are the crash and provider-fault
probes on PostgreSQL: they run when HERALD_TEST_POSTGRES_URL names a cluster (scripts/with-postgres starts one),
each on a database of its own; without one they are skipped, and say so.
"""
import argparse
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from support import ROOT, Check  # noqa: E402

PROBES = ["input", "access", "storage", "faults", "crash", "contract", "console", "fuzz", "faults-pg", "crash-pg"]


class Context:
    def __init__(self, args):
        self.herald = os.path.abspath(args.herald)
        self.short = args.short
        self.keep = args.keep
        self.seed = args.seed
        self.kills = args.kills or (10 if args.short else 100)
        self.fuzz_seconds = args.fuzz_seconds or (5 if args.short else 900)
        self.fuzz_runs = args.fuzz_runs or (0 if args.short else 10_000_000)
        self.examples = args.examples or (8 if args.short else 60)
        self.postgres = os.environ.get("HERALD_TEST_POSTGRES_URL") or None
        self.logs = []  # (name, text, keys) of every server's log, read at the end for secrets
        self.figures = {}

    def database(self, store):
        """The `--db` of a probe's server: None for a SQLite file in its folder, or a new PostgreSQL database."""
        if store == "sqlite":
            return None
        import subprocess
        import urllib.parse
        import uuid
        name = "harness_" + uuid.uuid4().hex[:12]
        admin = self.postgres.split("?")[0]
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        parts = urllib.parse.urlsplit(self.postgres)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))

    def keep_log(self, herald, secrets=()):
        try:
            with open(herald.log_path, "r", encoding="utf-8", errors="replace") as f:
                self.logs.append((os.path.basename(os.path.dirname(herald.log_path)) + "/serve.log", f.read(), list(secrets)))
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the short form CI runs")
    parser.add_argument("--only", default=",".join(PROBES), help="probes to run, comma-separated")
    parser.add_argument("--herald", default=os.path.join(ROOT, ".build", "debug", "herald"), help="the built binary")
    parser.add_argument("--kills", type=int, help="SIGKILLs in the crash probe (default 100; short 10)")
    parser.add_argument("--fuzz-seconds", type=int, help="most seconds per fuzz target (default 900; short 5)")
    parser.add_argument("--fuzz-runs", type=int,
                        help="inputs after which a fuzz target stops early (default 10,000,000; short: none)")
    parser.add_argument("--examples", type=int, help="schemathesis examples per operation (default 60; short 8)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("HERALD_HARNESS_SEED", "7")))
    parser.add_argument("--json", action="store_true", help="print the checks and figures as JSON at the end")
    parser.add_argument("--keep", action="store_true", help="keep each probe's scratch folder")
    args = parser.parse_args()
    if not os.access(args.herald, os.X_OK):
        sys.exit(f"harness: no herald binary at {args.herald}; build it first (swift build)")
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in only if p not in PROBES]
    if unknown:
        sys.exit(f"harness: unknown probe {', '.join(unknown)}; probes: {', '.join(PROBES)}")
    ctx = Context(args)
    results = []
    started = time.monotonic()
    for name in PROBES:
        if name not in only:
            continue
        base, _, variant = name.partition("-")
        if variant == "pg" and not ctx.postgres:
            print(f"== {name}: skipped (no PostgreSQL: HERALD_TEST_POSTGRES_URL is not set; scripts/with-postgres sets it)",
                  file=sys.stderr, flush=True)
            continue
        print(f"== {name}", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        try:
            module = __import__(f"probe_{base}")
            checks = module.run(ctx, "postgres") if variant == "pg" else module.run(ctx)
        except Exception as error:  # a probe that breaks is a failed check, with its story
            traceback.print_exc()
            checks = [Check(name, "probe ran to the end", False, f"{type(error).__name__}: {error}")]
        for c in checks:
            print(f"  {'PASS' if c.passed else 'FAIL'}  {c.probe:8} {c.name}: {c.figures}", file=sys.stderr, flush=True)
        print(f"  ({time.monotonic() - t0:.0f} s)", file=sys.stderr, flush=True)
        results += checks
    if ctx.logs:
        from probe_access import scan_logs
        checks = scan_logs(ctx)
        for c in checks:
            print(f"  {'PASS' if c.passed else 'FAIL'}  {c.probe:8} {c.name}: {c.figures}", file=sys.stderr, flush=True)
        results += checks
    passed = sum(1 for c in results if c.passed)
    failed = len(results) - passed
    if args.json:
        print(json.dumps({"checks": [c.as_json() for c in results], "figures": ctx.figures,
                          "passed": passed, "failed": failed, "seconds": round(time.monotonic() - started)}, indent=1))
    else:
        width = max((len(c.name) for c in results), default=10)
        print(f"{'probe':9} {'check':{width}}  result  figures")
        for c in results:
            print(f"{c.probe:9} {c.name:{width}}  {'pass' if c.passed else 'FAIL':6}  {c.figures}")
        print(f"{passed} passed, {failed} failed ({time.monotonic() - started:.0f} s)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
