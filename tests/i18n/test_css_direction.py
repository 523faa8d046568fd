"""Urdu pages mirror by `dir="rtl"` alone, so stylesheets use logical properties only."""

from __future__ import annotations

import re
from pathlib import Path

CSS_DIR = Path(__file__).resolve().parents[2] / "static" / "css"
PHYSICAL = re.compile(
    r"(?<![\w-])(?:"
    r"(?:margin|padding|border|inset|scroll-margin|scroll-padding)-(?:left|right)[\w-]*"
    r"|border-(?:top|bottom)-(?:left|right)-radius"
    r"|left|right"
    r")\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)\b",
    re.IGNORECASE,
)


def physical_properties(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return [m.group(0) for m in PHYSICAL.finditer(css)]


def test_the_check_finds_physical_properties() -> None:
    css = (
        ".a { margin-left: 1rem; padding-inline-start: 1rem; }\n"
        ".b { right: 0; text-align: left; float: right; border-top-left-radius: 2px; }\n"
        "/* margin-left: in a comment is fine */ .c { inset-inline-end: 0; text-align: start; }"
    )
    assert physical_properties(css) == [
        "margin-left:",
        "right:",
        "text-align: left",
        "float: right",
        "border-top-left-radius:",
    ]


def test_stylesheets_use_logical_properties_only() -> None:
    problems = [
        f"{path.name}: {found}"
        for path in sorted(CSS_DIR.glob("*.css"))
        for found in physical_properties(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "Use logical properties (margin-inline-start, inset-inline-end...):\n" + (
        "\n".join(problems)
    )


def test_only_urdu_and_nepali_pages_load_web_fonts() -> None:
    assert "@font-face" not in (CSS_DIR / "app.css").read_text(encoding="utf-8")
    for name, family, files in (
        (
            "lang-ur.css",
            "Noto Nastaliq Urdu",
            ("NotoNastaliqUrdu-Regular", "NotoNastaliqUrdu-Bold"),
        ),
        (
            "lang-ne.css",
            "Noto Sans Devanagari",
            ("NotoSansDevanagari-Regular", "NotoSansDevanagari-Bold"),
        ),
    ):
        css = (CSS_DIR / name).read_text(encoding="utf-8")
        assert css.count("@font-face") == 2 and "font-display: swap" in css
        assert f'"{family}"' in css
        for file in files:
            assert f"../fonts/{file}.woff2" in css
            assert (CSS_DIR.parent / "fonts" / f"{file}.woff2").is_file()


TEMPLATES = CSS_DIR.parents[1] / "templates"
# Arrows Unicode does not mirror in right-to-left text (unlike ‹ › « », which it does).
UNMIRRORED_ARROWS = re.compile(r"[→←⇒⇐➔➜⟶⟵]|&(?:rarr|larr|rArr|lArr);")


def test_direction_arrows_are_flipped_on_urdu_pages() -> None:
    problems = [
        f"{path.relative_to(TEMPLATES.parent)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNMIRRORED_ARROWS.search(line) and "flip" not in line
    ]
    assert not problems, 'Put the arrow in <span class="flip" aria-hidden="true">:\n' + (
        "\n".join(problems)
    )
