"""`make audit`: pip-audit on the locked dependencies (uv.lock exported as pinned
requirements). Fails on a known vulnerability that security/pip-audit-allowlist.txt does
not explain, and names every dependency that could not be audited, with why.

pip-audit asks PyPI's per-release JSON API. Where that answers "not found" for a release
that is the project's latest, the project JSON's `vulnerabilities` (which PyPI computes for
the latest release) stand in; otherwise the package is reported as not audited. This asks
an outside service, so it is a command to run before a release and after `make lock`,
never a test: the project's tests must not pass or fail with a web service's state."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ALLOWLIST = Path(__file__).resolve().parents[1] / "security" / "pip-audit-allowlist.txt"
NOT_ON_PYPI = "Dependency not found on PyPI"
ID_PATTERN = re.compile(r"^(PYSEC|GHSA|CVE|OSV)-")


def read_allowlist(path: Path = ALLOWLIST) -> dict[str, str]:
    """id -> reason; a line whose id is malformed or whose reason is too short is an error."""
    allowed: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not ID_PATTERN.match(vuln_id):
            raise ValueError(f"{path.name} line {number}: {vuln_id!r} is not a vulnerability id")
        if len(reason.strip()) < 20:
            raise ValueError(f"{path.name} line {number}: explain why {vuln_id} is accepted")
        allowed[vuln_id] = reason.strip()
    return allowed


def pins_of(requirements: Path) -> dict[str, str]:
    """name -> version of every `name==version` line of an exported requirements file."""
    pins: dict[str, str] = {}
    for line in requirements.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def latest_release_vulnerabilities(name: str, version: str) -> list[dict] | None:
    """The project JSON's vulnerabilities if `version` is the latest release, else None."""
    url = f"https://pypi.org/pypi/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - fixed https URL
            project = json.load(response)
    except (OSError, ValueError):
        return None
    if project["info"]["version"] != version:
        return None
    return list(project.get("vulnerabilities") or [])


@dataclass
class Findings:
    unexplained: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)


def judge(
    report: dict,
    pins: dict[str, str],
    allowed: dict[str, str],
    fallback: Callable[[str, str], list[dict] | None] = latest_release_vulnerabilities,
) -> Findings:
    """Sorts pip-audit's JSON report into unexplained, accepted and unaudited findings."""
    findings = Findings()
    for dependency in report["dependencies"]:
        name = dependency["name"]
        version = dependency.get("version") or pins.get(name.lower().replace("_", "-"), "?")
        vulns = dependency.get("vulns", [])
        if "skip_reason" in dependency:
            stand_in = fallback(name, version) if NOT_ON_PYPI in dependency["skip_reason"] else None
            if stand_in is None:
                findings.unaudited.append(f"{name} {version}: {dependency['skip_reason']}")
                continue
            vulns = [
                {"id": v["id"], "aliases": v.get("aliases", []), "fix_versions": v["fixed_in"]}
                for v in stand_in
            ]
        for vuln in vulns:
            ids = {vuln["id"], *vuln.get("aliases", [])}
            line = f"{name} {version}: {vuln['id']} (fixed in {vuln.get('fix_versions')})"
            if ids & set(allowed):
                findings.accepted.append(line)
            else:
                findings.unexplained.append(line)
    return findings


def run_pip_audit(requirements: Path) -> dict:
    result = subprocess.run(  # noqa: S603 - fixed command
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            "pypi",
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if not result.stdout.strip():
        raise SystemExit(f"pip-audit printed no report:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: audit.py REQUIREMENTS (exported from uv.lock)", file=sys.stderr)
        return 2
    requirements = Path(argv[0])
    allowed = read_allowlist()
    pins = pins_of(requirements)
    print(f"==> Auditing {len(pins)} locked dependencies (asks PyPI's vulnerability data)")
    findings = judge(run_pip_audit(requirements), pins, allowed)
    for title, lines in (
        ("accepted (security/pip-audit-allowlist.txt)", findings.accepted),
        ("NOT AUDITED: the service has no data for these releases", findings.unaudited),
        ("UNEXPLAINED known vulnerabilities", findings.unexplained),
    ):
        if lines:
            print(f"{title}:")
            for line in lines:
                print(f"  {line}")
    if findings.unexplained or findings.unaudited:
        print(
            "==> make audit FAILED: upgrade (make lock UPGRADE=1) or explain each id in "
            "security/pip-audit-allowlist.txt; a package that could not be audited needs a "
            "look by hand (its advisories on its project page) before a release"
        )
        return 1
    print(f"==> make audit passed: no unexplained vulnerability in {len(pins)} dependencies")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
