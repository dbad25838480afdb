"""Fuzzing with libFuzzer: the targets of Tests/Fuzz/Targets (template and catalog check, YAML, event JSON,
phone numbers, segment counter against splitter, the GSM-7 keeper, delivery reports, dates), built with
`-sanitize=fuzzer,address`, each run for a time from the corpus in Tests/Fuzz/corpus. New inputs go to a
scratch copy; a crash is kept beside it and fails the check.
"""
import os
import re
import shutil
import subprocess

from support import ROOT, Checks, Workspace, log

TARGETS = ["json", "event", "message", "catalog", "phone", "segments", "keeper", "report", "instant"]


def build():
    command = ["swift", "build", "--scratch-path", os.path.join(ROOT, ".build-fuzz"), "--product", "herald-fuzz",
               "-Xswiftc", "-sanitize=fuzzer,address", "-Xswiftc", "-DHERALD_FUZZ"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("fuzz build failed:\n" + "\n".join((result.stdout + result.stderr).splitlines()[-30:]))
    return os.path.join(ROOT, ".build-fuzz", "debug", "herald-fuzz")


def run(ctx):
    checks = Checks("fuzz")
    log("building the fuzz targets with -sanitize=fuzzer,address (.build-fuzz)")
    binary = build()
    ws = Workspace("fuzz", ctx.keep)
    total = 0
    try:
        for target in TARGETS:
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
            result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, errors="replace", env=env)
            out = result.stderr + result.stdout
            runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
            per_second = re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
            crashes = os.listdir(artifacts)
            n = int(runs.group(1)) if runs else 0
            total += n
            found = len(os.listdir(scratch))
            ok = result.returncode == 0 and not crashes and n > 0
            if not ok:
                kept_crash = os.path.join(ROOT, ".build-fuzz", f"crash-{target}")
                shutil.rmtree(kept_crash, ignore_errors=True)
                shutil.copytree(artifacts, kept_crash)
                log(f"fuzz {target}: exit {result.returncode}; inputs kept in {kept_crash}\n" + "\n".join(out.splitlines()[-25:]))
            checks.add(f"fuzz {target}", ok,
                       f"{n:,} inputs in {ctx.fuzz_seconds} s ({per_second.group(1) if per_second else '?'}/s), "
                       f"{found} new corpus entries, {len(crashes)} crash(es)")
            ctx.figures.setdefault("fuzz", {})[target] = {"inputs": n, "crashes": len(crashes)}
    finally:
        ws.close()
    ctx.figures.setdefault("fuzz", {})["total"] = total
    return checks
