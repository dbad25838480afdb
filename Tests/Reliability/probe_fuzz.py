"""Fuzzing with libFuzzer: the targets of Tests/Fuzz/Targets (template and catalog check, YAML, event JSON,
phone numbers, segment counter against splitter, the GSM-7 keeper, delivery reports, dates), built with
`-sanitize=fuzzer,address` (optimised in the full run), each run from the corpus in Tests/Fuzz/corpus until
its input count or its time is reached, as many targets side by side as there are cores. New inputs go to a
scratch copy; a crash is kept in .build-fuzz/crash-<target> and fails the check.
"""
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from support import ROOT, Checks, Workspace, log

TARGETS = ["json", "event", "message", "catalog", "phone", "segments", "keeper", "report", "instant", "inbound"]


def build(configuration):
    command = ["swift", "build", "-c", configuration, "--scratch-path", os.path.join(ROOT, ".build-fuzz"),
               "--product", "herald-fuzz", "-Xswiftc", "-sanitize=fuzzer,address", "-Xswiftc", "-DHERALD_FUZZ"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("fuzz build failed:\n" + "\n".join((result.stdout + result.stderr).splitlines()[-30:]))
    return os.path.join(ROOT, ".build-fuzz", configuration, "herald-fuzz")


def fuzz(ctx, ws, binary, target):
    """Runs one target; returns (passed, inputs, per second, seconds, new corpus entries, crashes)."""
    kept = os.path.join(ROOT, "Tests", "Fuzz", "corpus", target)
    scratch = ws.file(f"corpus-{target}")
    os.makedirs(scratch)
    artifacts = ws.file(f"crash-{target}") + os.sep
    os.makedirs(artifacts)
    env = dict(os.environ, HERALD_FUZZ_TARGET=target, HERALD_ROOT=ROOT,
               ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1")
    args = [binary, scratch] + ([kept] if os.path.isdir(kept) else []) + [
        f"-max_total_time={ctx.fuzz_seconds}", "-print_final_stats=1", f"-artifact_prefix={artifacts}",
        "-max_len=4096", "-rss_limit_mb=4096", "-timeout=10", f"-seed={ctx.seed}"]
    if ctx.fuzz_runs:
        args.append(f"-runs={ctx.fuzz_runs}")
    started = time.monotonic()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, errors="replace", env=env)
    seconds = time.monotonic() - started
    out = result.stderr + result.stdout
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    crashes = os.listdir(artifacts)
    n = int(runs.group(1)) if runs else 0
    ok = result.returncode == 0 and not crashes and n > 0
    if not ok:
        kept_crash = os.path.join(ROOT, ".build-fuzz", f"crash-{target}")
        shutil.rmtree(kept_crash, ignore_errors=True)
        shutil.copytree(artifacts, kept_crash)
        log(f"fuzz {target}: exit {result.returncode}; inputs kept in {kept_crash}\n" + "\n".join(out.splitlines()[-25:]))
    return ok, n, n / seconds if seconds > 0 else 0, seconds, len(os.listdir(scratch)), len(crashes)


def run(ctx):
    checks = Checks("fuzz")
    configuration = "debug" if ctx.short else "release"
    log(f"building the fuzz targets with -sanitize=fuzzer,address ({configuration}, .build-fuzz)")
    binary = build(configuration)
    ws = Workspace("fuzz", ctx.keep)
    total = 0
    try:
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            results = list(pool.map(lambda target: fuzz(ctx, ws, binary, target), TARGETS))
        for target, (ok, n, rate, seconds, found, crashes) in zip(TARGETS, results):
            total += n
            checks.add(f"fuzz {target}", ok,
                       f"{n:,} inputs in {seconds:.0f} s ({rate:,.0f}/s), {found} new corpus entries, {crashes} crash(es)")
            ctx.figures.setdefault("fuzz", {})[target] = {"inputs": n, "seconds": round(seconds, 1), "crashes": crashes}
    finally:
        ws.close()
    ctx.figures.setdefault("fuzz", {})["total"] = total
    return checks
