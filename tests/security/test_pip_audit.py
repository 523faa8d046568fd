"""pip-audit on the locked dependencies: every distribution that iil-lms (with its dev
extra) needs, at the version installed in this environment. Any known vulnerability not
explained in pip-audit-allowlist.txt fails the test, and so does a dependency that could
not be audited (an unreachable service is a failure, never a skip).

pip-audit asks PyPI's per-release JSON API (/pypi/<name>/<version>/json). Where that
answers "not found" but the project's JSON (/pypi/<name>/json) does, and the installed
version is the latest release, the project JSON's `vulnerabilities` (which PyPI computes
for the latest release) are used instead."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ALLOWLIST = Path(__file__).with_name("pip-audit-allowlist.txt")
PROJECT = "iil-lms"
NOT_ON_PYPI = "Dependency not found on PyPI"


def read_allowlist() -> dict[str, str]:
    allowed: dict[str, str] = {}
    for line in ALLOWLIST.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        allowed[vuln_id] = reason.strip()
    return allowed


def locked_dependencies(root: str = PROJECT, extras: tuple[str, ...] = ("dev",)) -> dict[str, str]:
    """name -> installed version for everything `root[extras]` needs, transitively
    (environment markers evaluated here), without the project itself."""
    found: dict[str, str] = {}
    queue: list[tuple[str, tuple[str, ...]]] = [(root, extras)]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while queue:
        name, wanted = queue.pop()
        if (canonicalize_name(name), wanted) in seen:
            continue
        seen.add((canonicalize_name(name), wanted))
        dist = metadata.distribution(name)
        if canonicalize_name(name) != PROJECT:
            found[canonicalize_name(name)] = dist.version
        for text in dist.requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is not None and not any(
                marker.evaluate({"extra": extra}) for extra in (*wanted, "")
            ):
                continue
            queue.append((requirement.name, tuple(sorted(requirement.extras))))
    return found


def run_pip_audit(pins: dict[str, str], tmp_path: Path) -> dict:
    requirements = tmp_path / "locked.txt"
    requirements.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
    result = subprocess.run(
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
        timeout=600,
        check=False,
    )
    assert result.stdout.strip(), f"pip-audit printed no report: {result.stderr[-2000:]}"
    return json.loads(result.stdout)


def latest_release_vulnerabilities(name: str, version: str) -> list[dict] | None:
    """The project JSON's vulnerabilities if `version` is the latest release, else None
    (the project JSON says nothing about older releases)."""
    url = f"https://pypi.org/pypi/{name}/json"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - fixed https URL
        project = json.load(response)
    if project["info"]["version"] != version:
        return None
    return list(project.get("vulnerabilities") or [])


def test_allowlist_gives_a_reason_for_every_id():
    for vuln_id, reason in read_allowlist().items():
        assert re.match(r"^(PYSEC|GHSA|CVE|OSV)-", vuln_id), vuln_id
        assert len(reason) >= 20, f"{vuln_id}: explain why it is accepted"


def test_locked_dependencies_are_found():
    pins = locked_dependencies()
    for name in ("fastapi", "jinja2", "sqlalchemy", "weasyprint", "pytest"):
        assert name in pins
    assert PROJECT not in pins


def test_no_known_vulnerability_is_left_unexplained(tmp_path):
    pins = locked_dependencies()
    report = run_pip_audit(pins, tmp_path)
    allowed = read_allowlist()
    unexplained: list[str] = []
    unaudited: list[str] = []
    for dependency in report["dependencies"]:
        name, version = dependency["name"], dependency.get("version")
        vulns = dependency.get("vulns", [])
        if "skip_reason" in dependency:
            version = pins[canonicalize_name(name)]
            fallback = (
                latest_release_vulnerabilities(name, version)
                if NOT_ON_PYPI in dependency["skip_reason"]
                else None
            )
            if fallback is None:
                unaudited.append(f"{name} {version}: {dependency['skip_reason']}")
                continue
            vulns = [
                {"id": v["id"], "aliases": v.get("aliases", []), "fix_versions": v["fixed_in"]}
                for v in fallback
            ]
        for vuln in vulns:
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if not ids & set(allowed):
                unexplained.append(
                    f"{name} {version}: {vuln['id']} (fixed in {vuln.get('fix_versions')})"
                )
    assert len(report["dependencies"]) == len(pins)
    assert unexplained == [], "known vulnerabilities not in the allowlist:\n" + "\n".join(
        unexplained
    )
    assert unaudited == [], (
        "dependencies the vulnerability service could not audit (is PyPI's per-release "
        "JSON API reachable?):\n" + "\n".join(unaudited)
    )
