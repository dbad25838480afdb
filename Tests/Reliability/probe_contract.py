"""Contract: schemathesis (PyPI) generates requests from `/openapi.yaml`, valid and invalid, and sends them to a
real `herald serve` with a key of each role. No answer may be a server error, and every answer must match the
document: its status codes, content types and schemas.
"""
import os
import re
import shutil
import subprocess
import sys

from support import ROLES, Checks, Herald, Keys, Workspace, log

# Every check but positive_data_acceptance: a request the schema allows may still be refused with a documented
# 422 for what no schema says (an unknown template, a field its event type requires, a category no template has).
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance," \
         "negative_data_rejection,missing_required_header,unsupported_method"


def schemathesis():
    """The schemathesis installed beside this Python (scripts/harness may have made a venv), else on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "st")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("st") or shutil.which("schemathesis")
    if found:
        return found
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "schemathesis"], check=True)
    return shutil.which("st") or os.path.join(os.path.dirname(sys.executable), "st")


def run(ctx):
    checks = Checks("contract")
    st = schemathesis()
    ws = Workspace("contract", ctx.keep)
    keys = Keys(ctx.herald, ws.path)
    herald = Herald(ctx.herald, ws.path, keys)
    roles = ["admin", "backend"] if ctx.short else ROLES
    try:
        herald.start()
        status, spec, _ = herald.client("admin").request("GET", "/openapi.yaml")
        path = ws.file("openapi.yaml")
        with open(path, "wb") as f:
            f.write(spec)
        validator = subprocess.run([sys.executable, "-m", "openapi_spec_validator", path], capture_output=True, text=True)
        checks.add("the document is valid OpenAPI", status == 200 and validator.returncode == 0,
                   (validator.stdout + validator.stderr).strip().splitlines()[-1][:160] if (validator.stdout + validator.stderr).strip() else "")
        for role in roles:
            result = subprocess.run(
                [st, "run", path, "--url", f"http://127.0.0.1:{herald.port}", "-H", f"Authorization: Bearer {keys.key[role]}",
                 "--max-examples", str(ctx.examples), "--checks", CHECKS, "--seed", str(ctx.seed), "--no-color",
                 "--suppress-health-check", "all", "--warnings", "off", "--continue-on-failure"],
                capture_output=True, text=True, cwd=ws.path, env=dict(os.environ, NO_COLOR="1"))
            out = result.stdout + result.stderr
            tested = re.search(r"(\d+) generated", out)
            failures = {what: int(n) for what, n in re.findall(r"^\s*\u274c ([^:\n]+): (\d+)\s*$", out, re.M)}
            summary = ", ".join(f"{n} {what}" for what, n in sorted(failures.items())) or (
                "none" if result.returncode == 0 else f"see schemathesis-{role}.txt")
            checks.add(f"schemathesis with the {role} key", result.returncode == 0,
                       f"{tested.group(1) if tested else '?'} cases; failures: {summary}")
            if result.returncode != 0:
                with open(ws.file(f"schemathesis-{role}.txt"), "w") as f:
                    f.write(out)
                log(f"schemathesis ({role}), last lines:\n" + "\n".join(out.splitlines()[-60:]))
        alive = herald.alive()
        checks.add("the server still serves", alive, "after every contract run")
    finally:
        herald.stop()
        ctx.keep_log(herald, list(keys.key.values()))
        ws.close()
    return checks

