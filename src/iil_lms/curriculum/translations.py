"""Translations of a module's text (`module.<lang>.yaml` beside module.yaml): checking
them against the English module, merging them into what pages show, and saying what
is still missing.

A translation file holds `review` (draft | reviewed), `outcomes` (same count and order)
and `exercises` keyed by slug with the exercise's text fields in module.yaml's shape.
Any text may be left out: English stands in, as an `English` string, so a page can mark
it `lang="en"` and say once per block that it is not translated yet."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from iil_lms.curriculum.checker import Checker, YamlMap, YamlSeq

REVIEW_STATES = ("draft", "reviewed")
TOP_FIELDS = ("review", "outcomes", "exercises")
# Text fields of an exercise that a translation may carry, when module.yaml has them.
EXERCISE_TEXT_FIELDS = ("title", "prompt", "scenario", "questions", "statements", "rubric")


class English(str):
    """Curriculum text shown in English because its translation is missing."""

    __slots__ = ()


# --- checking a translation file -------------------------------------------------------


def check_translation(
    check: Checker,
    path: Path,
    outcomes: list[str],
    exercises: dict[str, tuple[str, dict[str, Any]]],
) -> dict[str, Any] | None:
    """Validate `path` against the English module (outcomes; exercise slug -> (title,
    spec)). Returns {"review", "outcomes"?, "exercises": {slug: {...}}} as plain data,
    or None when the file cannot be read."""
    data = check.read_yaml(path)
    if data is None:
        return None
    check.known_fields(path, data, TOP_FIELDS, "")
    review = data.get("review")
    if review not in REVIEW_STATES:
        check.error(
            path,
            check.line_of(data, "review"),
            "review",
            f"draft or reviewed (got {review!r})",
        )
    result: dict[str, Any] = {"review": review if review in REVIEW_STATES else "draft"}
    if "outcomes" in data:
        found = _text_list(check, path, data, "outcomes", "", len(outcomes))
        if found is not None:
            result["outcomes"] = found
    raw_exercises = data.get("exercises", {})
    translated: dict[str, dict[str, Any]] = {}
    if raw_exercises is None:
        raw_exercises = {}
    if not isinstance(raw_exercises, YamlMap):
        check.error(
            path,
            check.line_of(data, "exercises"),
            "exercises",
            "a mapping of exercise slug to its translated text",
        )
        raw_exercises = YamlMap()
        raw_exercises.lines = {}
    for slug, raw in raw_exercises.items():
        where = f"exercises.{slug}."
        line = check.line_of(raw_exercises, slug)
        if slug not in exercises:
            known = ", ".join(exercises) or "none"
            check.error(
                path,
                line,
                f"exercises.{slug}",
                f"the slug of an exercise in module.yaml ({known})",
            )
            continue
        if not isinstance(raw, YamlMap):
            check.error(path, line, f"exercises.{slug}", "a mapping of translated fields")
            continue
        _title, spec = exercises[slug]
        translated[slug] = _check_exercise(check, path, raw, spec, where)
    result["exercises"] = translated
    return result


def _text_list(
    check: Checker, path: Path, data: YamlMap, key: str, prefix: str, count: int
) -> list[str] | None:
    value = data.get(key)
    line = check.line_of(data, key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        check.error(path, line, prefix + key, f"a list of {count} texts, as in module.yaml")
        return None
    if len(value) != count:
        check.error(
            path,
            line,
            prefix + key,
            f"{count} entries, the same count and order as module.yaml (got {len(value)})",
        )
        return None
    return [str(v) for v in value]


def _text(check: Checker, path: Path, data: YamlMap, key: str, prefix: str) -> str | None:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        check.error(path, check.line_of(data, key), prefix + key, "a non-empty text")
        return None
    return value


def _check_exercise(
    check: Checker, path: Path, raw: YamlMap, spec: dict[str, Any], prefix: str
) -> dict[str, Any]:
    allowed = ("title", *(k for k in EXERCISE_TEXT_FIELDS[1:] if k in spec))
    check.known_fields(path, raw, allowed, prefix)
    out: dict[str, Any] = {}
    for key in ("title", "prompt", "scenario"):
        if key in raw and key in allowed:
            value = _text(check, path, raw, key, prefix)
            if value is not None:
                out[key] = value
    if "statements" in raw and "statements" in spec:
        found = _text_list(check, path, raw, "statements", prefix, len(spec["statements"]))
        if found is not None:
            out["statements"] = found
    if "questions" in raw and "questions" in spec:
        questions = spec["questions"] or []
        if questions and isinstance(questions[0], dict):
            quiz = _check_quiz(check, path, raw, questions, prefix)
            if quiz is not None:
                out["questions"] = quiz
        else:
            found = _text_list(check, path, raw, "questions", prefix, len(questions))
            if found is not None:
                out["questions"] = found
    if "rubric" in raw and "rubric" in spec:
        rubric = _check_rubric(check, path, raw, spec["rubric"] or [], prefix)
        if rubric is not None:
            out["rubric"] = rubric
    return out


def _seq_line(check: Checker, parent: YamlMap, key: str, index: int) -> int:
    value = parent.get(key)
    if isinstance(value, YamlSeq) and index < len(value.lines):
        return value.lines[index]
    return check.line_of(parent, key)


def _check_quiz(
    check: Checker, path: Path, raw: YamlMap, questions: list[Any], prefix: str
) -> list[dict[str, Any]] | None:
    value = raw.get("questions")
    line = check.line_of(raw, "questions")
    if not isinstance(value, list):
        check.error(path, line, prefix + "questions", "a list of {text, options}")
        return None
    if len(value) != len(questions):
        check.error(
            path,
            line,
            prefix + "questions",
            f"{len(questions)} questions, the same count and order as module.yaml "
            f"(got {len(value)})",
        )
        return None
    out: list[dict[str, Any]] = []
    for q_index, (question, english) in enumerate(zip(value, questions, strict=True), start=1):
        where = f"{prefix}questions[{q_index}]."
        if not isinstance(question, YamlMap):
            check.error(
                path,
                _seq_line(check, raw, "questions", q_index - 1),
                where.rstrip("."),
                "a mapping with text and options",
            )
            out.append({})
            continue
        check.known_fields(path, question, ("text", "options"), where)
        item: dict[str, Any] = {}
        if "text" in question:
            text = _text(check, path, question, "text", where)
            if text is not None:
                item["text"] = text
        if "options" in question:
            item["options"] = _check_options(
                check, path, question, english.get("options") or [], where
            )
        out.append(item)
    return out


def _check_options(
    check: Checker, path: Path, question: YamlMap, english: list[Any], where: str
) -> list[dict[str, str]]:
    options = question.get("options")
    line = check.line_of(question, "options")
    if not isinstance(options, list) or len(options) != len(english):
        got = len(options) if isinstance(options, list) else repr(options)
        check.error(
            path,
            line,
            where + "options",
            f"{len(english)} options, the same count and order as module.yaml (got {got})",
        )
        return []
    out: list[dict[str, str]] = []
    for o_index, option in enumerate(options, start=1):
        o_where = f"{where}options[{o_index}]."
        if not isinstance(option, YamlMap):
            check.error(
                path,
                _seq_line(check, question, "options", o_index - 1),
                o_where.rstrip("."),
                "a mapping with text and explanation",
            )
            out.append({})
            continue
        check.known_fields(path, option, ("text", "explanation"), o_where)
        item: dict[str, str] = {}
        for key in ("text", "explanation"):
            if key in option:
                text = _text(check, path, option, key, o_where)
                if text is not None:
                    item[key] = text
        out.append(item)
    return out


def _check_rubric(
    check: Checker, path: Path, raw: YamlMap, english: list[Any], prefix: str
) -> list[dict[str, Any]] | None:
    rubric = raw.get("rubric")
    line = check.line_of(raw, "rubric")
    if not isinstance(rubric, list) or len(rubric) != len(english):
        got = len(rubric) if isinstance(rubric, list) else repr(rubric)
        check.error(
            path,
            line,
            prefix + "rubric",
            f"{len(english)} criteria, the same count and order as module.yaml (got {got})",
        )
        return None
    out: list[dict[str, Any]] = []
    for index, (row, english_row) in enumerate(zip(rubric, english, strict=True), start=1):
        where = f"{prefix}rubric[{index}]."
        if not isinstance(row, YamlMap):
            check.error(
                path,
                _seq_line(check, raw, "rubric", index - 1),
                where.rstrip("."),
                "a mapping with criterion and levels",
            )
            out.append({})
            continue
        check.known_fields(path, row, ("criterion", "levels"), where)
        item: dict[str, Any] = {}
        if "criterion" in row:
            text = _text(check, path, row, "criterion", where)
            if text is not None:
                item["criterion"] = text
        if "levels" in row:
            levels = _text_list(
                check, path, row, "levels", where, len(english_row.get("levels") or [])
            )
            if levels is not None:
                item["levels"] = levels
        out.append(item)
    return out


# --- merging for pages -----------------------------------------------------------------


def _pick(english: Any, translated: Any) -> Any:
    if isinstance(translated, str) and translated.strip():
        return translated
    return English(english) if isinstance(english, str) else english


def localized_outcomes(
    outcomes: list[str] | tuple[str, ...], translations: dict[str, Any] | None, language: str
) -> list[str]:
    if language == "en":
        return list(outcomes)
    found = ((translations or {}).get(language) or {}).get("outcomes") or []
    return [_pick(text, found[i] if i < len(found) else None) for i, text in enumerate(outcomes)]


def localized_title(title: str, translations: dict[str, Any] | None, language: str) -> str:
    if language == "en":
        return title
    return _pick(title, ((translations or {}).get(language) or {}).get("title"))


def _at(items: Any, index: int) -> Any:
    return items[index] if isinstance(items, list) and index < len(items) else None


def localized_spec(
    spec: dict[str, Any], translations: dict[str, Any] | None, language: str
) -> dict[str, Any]:
    """A copy of `spec` with its texts in `language`; English (as `English`) where the
    translation is missing. Answers, pass marks and the like are the spec's own."""
    if language == "en":
        return spec
    tr = (translations or {}).get(language) or {}
    out = dict(spec)
    for key in ("prompt", "scenario"):
        if isinstance(spec.get(key), str):
            out[key] = _pick(spec[key], tr.get(key))
    if isinstance(spec.get("statements"), list):
        out["statements"] = [
            _pick(s, _at(tr.get("statements"), i)) for i, s in enumerate(spec["statements"])
        ]
    questions = spec.get("questions")
    if isinstance(questions, list):
        merged: list[Any] = []
        for i, question in enumerate(questions):
            q_tr = _at(tr.get("questions"), i)
            if isinstance(question, dict):
                q_tr = q_tr if isinstance(q_tr, dict) else {}
                q = dict(question)
                q["text"] = _pick(question.get("text", ""), q_tr.get("text"))
                options = []
                for j, option in enumerate(question.get("options") or []):
                    o_tr = _at(q_tr.get("options"), j)
                    o_tr = o_tr if isinstance(o_tr, dict) else {}
                    o = dict(option)
                    o["text"] = _pick(option.get("text", ""), o_tr.get("text"))
                    if "explanation" in option:
                        o["explanation"] = _pick(option["explanation"], o_tr.get("explanation"))
                    options.append(o)
                q["options"] = options
                merged.append(q)
            else:
                merged.append(_pick(question, q_tr))
        out["questions"] = merged
    rubric = spec.get("rubric")
    if isinstance(rubric, list):
        rows = []
        for i, row in enumerate(rubric):
            r_tr = _at(tr.get("rubric"), i)
            r_tr = r_tr if isinstance(r_tr, dict) else {}
            if not isinstance(row, dict):
                rows.append(row)
                continue
            r = dict(row)
            r["criterion"] = _pick(row.get("criterion", ""), r_tr.get("criterion"))
            r["levels"] = [
                _pick(level, _at(r_tr.get("levels"), j))
                for j, level in enumerate(row.get("levels") or [])
            ]
            rows.append(r)
        out["rubric"] = rows
    return out


def has_english(*values: Any, skip: str = "") -> bool:
    """True when any text in `values` (nested lists and mappings) stands in English;
    `skip` names a mapping key not looked into (e.g. "explanation" on a quiz form)."""
    return any(isinstance(text, English) for value in values for text in _strings(value, skip))


def _strings(value: Any, skip: str) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != skip:
                yield from _strings(item, skip)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, skip)


# --- what is missing -------------------------------------------------------------------


@dataclass
class Coverage:
    """What a module's translation into one language still lacks."""

    module: str
    language: str
    review: str | None  # None: no module.<lang>.yaml
    reading: bool
    missing: list[str] = field(default_factory=list)


def _missing_spec(spec: dict[str, Any], tr: dict[str, Any], prefix: str) -> list[str]:
    missing: list[str] = []
    for key in ("prompt", "scenario"):
        if isinstance(spec.get(key), str) and not tr.get(key):
            missing.append(prefix + key)
    for key in ("statements",):
        for i, _s in enumerate(spec.get(key) or [], start=1):
            if not _at(tr.get(key), i - 1):
                missing.append(f"{prefix}{key}[{i}]")
    for i, question in enumerate(spec.get("questions") or [], start=1):
        q_tr = _at(tr.get("questions"), i - 1)
        where = f"{prefix}questions[{i}]"
        if isinstance(question, dict):
            q_tr = q_tr if isinstance(q_tr, dict) else {}
            if not q_tr.get("text"):
                missing.append(where + ".text")
            for j, option in enumerate(question.get("options") or [], start=1):
                o_tr = _at(q_tr.get("options"), j - 1)
                o_tr = o_tr if isinstance(o_tr, dict) else {}
                for key in ("text", "explanation"):
                    if key in option and not o_tr.get(key):
                        missing.append(f"{where}.options[{j}].{key}")
        elif not q_tr:
            missing.append(where)
    for i, row in enumerate(spec.get("rubric") or [], start=1):
        r_tr = _at(tr.get("rubric"), i - 1)
        r_tr = r_tr if isinstance(r_tr, dict) else {}
        if not r_tr.get("criterion"):
            missing.append(f"{prefix}rubric[{i}].criterion")
        levels = row.get("levels") if isinstance(row, dict) else None
        for j, _level in enumerate(levels or [], start=1):
            if not _at(r_tr.get("levels"), j - 1):
                missing.append(f"{prefix}rubric[{i}].levels[{j}]")
    return missing


def coverage(
    module: str,
    language: str,
    *,
    title_translated: bool,
    reading: bool,
    outcomes: list[str],
    exercises: list[tuple[str, str, dict[str, Any]]],
    translation: dict[str, Any] | None,
) -> Coverage:
    """Every field of the module still in English in `language` (exercises are
    (slug, title, spec))."""
    tr = translation or {}
    result = Coverage(module, language, tr.get("review") if translation else None, reading)
    if not title_translated:
        result.missing.append(f"title.{language}")
    if not reading:
        result.missing.append(f"reading.{language}.md")
    found = tr.get("outcomes") or []
    result.missing += [f"outcomes[{i}]" for i in range(1, len(outcomes) + 1) if i > len(found)]
    for slug, _title, spec in exercises:
        e_tr = (tr.get("exercises") or {}).get(slug) or {}
        if not e_tr.get("title"):
            result.missing.append(f"exercises.{slug}.title")
        result.missing += _missing_spec(spec, e_tr, f"exercises.{slug}.")
    return result


# --- helpers for templates -------------------------------------------------------------


def en_attrs(text: Any) -> Markup:
    """` lang="en"` on an element whose text stands in English (put `dir="auto"` on it
    too, so an English sentence keeps its full stop at its end in a right-to-left page)."""
    return Markup(' lang="en"') if isinstance(text, English) else Markup("")


def bdi(text: Any) -> Markup:
    """Curriculum text isolated inside a sentence, marked English where it stands in."""
    return Markup("<bdi%s>%s</bdi>") % (en_attrs(text), text)


def review_states(translations: dict[str, Any] | None) -> dict[str, str]:
    """{language: "draft" | "reviewed"} of a module's translation files."""
    return {
        lang: str(value.get("review") or "draft")
        for lang, value in sorted((translations or {}).items())
        if isinstance(value, dict)
    }


def pdf_en_attrs(text: Any) -> Markup:
    """For PDFs (WeasyPrint knows neither dir="auto" nor <bdi>): an English stand-in is
    marked lang="en" and set left to right."""
    return Markup(' lang="en" dir="ltr"') if isinstance(text, English) else Markup("")


def ltr_isolated(text: Any) -> Any:
    """An English stand-in inside a line of a PDF, wrapped in the Unicode isolates LRI and
    PDI: the text layout (Pango) then keeps its full stop at its end in a right-to-left
    line."""
    return f"\u2066{text}\u2069" if isinstance(text, English) else text
