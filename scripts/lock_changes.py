"""Prints what moved between two uv.lock files: added, removed and changed versions."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path


def versions(lock: Path) -> dict[str, str]:
    if not lock.exists():
        return {}
    data = tomllib.loads(lock.read_text())
    return {p["name"]: p.get("version", "") for p in data.get("package", [])}


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if old is None:
            lines.append(f"  + {name} {new}")
        elif new is None:
            lines.append(f"  - {name} {old}")
        else:
            lines.append(f"  ~ {name} {old} -> {new}")
    return lines


def main(argv: list[str]) -> int:
    before, after = (versions(Path(a)) for a in argv)
    lines = changes(before, after)
    if not lines:
        print("==> uv.lock unchanged")
    else:
        print(f"==> uv.lock: {len(lines)} package(s) changed; run `make test` and `make audit`")
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
