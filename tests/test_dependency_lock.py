"""The locked dependency set and the commands around it: uv.lock pins every package with
hashes, `make lock` reports what moved, and `make audit` (scripts/audit.py) sorts
pip-audit's findings. All offline: the audit's outside service is never asked here."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"scripts_{name}", ROOT / "scripts" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"scripts_{name}"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


audit = _script("audit")
lock_changes = _script("lock_changes")


def test_every_locked_package_from_the_index_is_pinned_with_hashes():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    packages = [p for p in lock["package"] if "registry" in p.get("source", {})]
    assert len(packages) > 50
    for package in packages:
        assert package.get("version"), package["name"]
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        assert files, f"{package['name']} has no file in the lock"
        assert all(f.get("hash", "").startswith("sha256:") for f in files), package["name"]


def test_the_lock_holds_the_app_and_the_dev_extra():
    names = {p["name"] for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]}
    for name in ("fastapi", "sqlmodel", "weasyprint", "pytest", "playwright", "pytest-socket"):
        assert name in names


def test_make_installs_from_the_lock_and_never_upgrades_on_its_own():
    makefile = (ROOT / "Makefile").read_text()
    assert "sync --quiet --locked" in makefile
    assert "--upgrade-strategy" not in makefile
    assert "$(if $(UPGRADE),--upgrade)" in makefile


def test_the_committed_allowlist_is_well_formed():
    assert isinstance(audit.read_allowlist(), dict)


def test_an_allowlist_line_without_a_reason_is_refused(tmp_path):
    allowlist = tmp_path / "allow.txt"
    allowlist.write_text("# comment\nGHSA-aaaa-bbbb-cccc short\n")
    with pytest.raises(ValueError, match="line 2: explain why GHSA-aaaa-bbbb-cccc"):
        audit.read_allowlist(allowlist)


def test_an_allowlist_line_without_an_id_is_refused(tmp_path):
    allowlist = tmp_path / "allow.txt"
    allowlist.write_text("jinja2 is fine because we never render user templates\n")
    with pytest.raises(ValueError, match="line 1: 'jinja2' is not a vulnerability id"):
        audit.read_allowlist(allowlist)


def test_exported_requirements_give_the_pins(tmp_path):
    requirements = tmp_path / "req.txt"
    requirements.write_text(
        "# generated\nfastapi==0.115.2\n    # via iil-lms\n"
        "colorama==0.4.6 ; sys_platform == 'win32'\nMarkupSafe==3.0.2 \\\n"
    )
    assert audit.pins_of(requirements) == {
        "fastapi": "0.115.2",
        "colorama": "0.4.6",
        "markupsafe": "3.0.2",
    }


def _never_asked(name: str, version: str) -> list[dict] | None:
    raise AssertionError("the fallback is asked only for releases PyPI does not describe")


def test_audit_sorts_findings_into_accepted_unexplained_and_unaudited():
    report = {
        "dependencies": [
            {"name": "jinja2", "version": "3.1.4", "vulns": [{"id": "GHSA-1", "aliases": []}]},
            {"name": "h11", "version": "0.14.0", "vulns": [{"id": "PYSEC-2", "aliases": ["X"]}]},
            {"name": "certifi", "version": "2026.1.1", "vulns": []},
            {"name": "private-lib", "skip_reason": "Dependency not on any index"},
        ]
    }
    findings = audit.judge(
        report, {"private-lib": "1.0"}, {"GHSA-1": "accepted: reason"}, _never_asked
    )
    assert findings.accepted == ["jinja2 3.1.4: GHSA-1 (fixed in None)"]
    assert findings.unexplained == ["h11 0.14.0: PYSEC-2 (fixed in None)"]
    assert findings.unaudited == ["private-lib 1.0: Dependency not on any index"]


def test_a_release_missing_from_the_per_release_api_uses_the_project_data_or_is_unaudited():
    report = {
        "dependencies": [
            {"name": "jsonschema-rs", "skip_reason": "Dependency not found on PyPI and could"},
            {"name": "old-lib", "skip_reason": "Dependency not found on PyPI and could"},
        ]
    }
    latest = {"jsonschema-rs": [{"id": "GHSA-9", "aliases": [], "fixed_in": ["0.61"]}]}
    findings = audit.judge(
        report,
        {"jsonschema-rs": "0.60.3", "old-lib": "0.1"},
        {},
        lambda name, version: latest.get(name),
    )
    assert findings.unexplained == ["jsonschema-rs 0.60.3: GHSA-9 (fixed in ['0.61'])"]
    assert findings.unaudited == [
        "old-lib 0.1: Dependency not found on PyPI and could",
    ]


def test_lock_changes_lists_added_removed_and_moved_packages(tmp_path):
    before, after = tmp_path / "before.lock", tmp_path / "after.lock"
    before.write_text(
        'version = 1\n[[package]]\nname = "a"\nversion = "1.0"\n'
        '[[package]]\nname = "b"\nversion = "2.0"\n'
    )
    after.write_text(
        'version = 1\n[[package]]\nname = "a"\nversion = "1.1"\n'
        '[[package]]\nname = "c"\nversion = "0.1"\n'
    )
    lines = lock_changes.changes(lock_changes.versions(before), lock_changes.versions(after))
    assert lines == ["  ~ a 1.0 -> 1.1", "  - b 2.0", "  + c 0.1"]
    same = lock_changes.versions(after)
    assert lock_changes.changes(same, same) == []
