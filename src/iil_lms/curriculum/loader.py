"""Read and validate a curriculum folder (`curricula/<slug>/`) without touching the
database. Every problem is collected, with the file, the line where YAML tells us, the
field and what was expected, so an author can fix them all in one pass."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iil_lms.curriculum.checker import (
    SLUG_RE,
    TRANSLATED,
    Checker,
    LoadError,
    YamlMap,
    YamlSeq,
)
from iil_lms.curriculum.translations import check_translation

MODULE_LINK_RE = re.compile(r"\]\(module:([^)\s]*)\)")
LANGUAGES = ("en", "ur", "ne")
EXERCISE_TYPES = ("reflection", "case_study", "quiz", "upload", "action_plan", "survey")
UPLOAD_KINDS = ("image", "pdf")
TOP_FIELDS = ("slug", "title", "summary", "languages", "milestones")
MILESTONE_FIELDS = ("slug", "title", "title.ur", "title.ne", "summary", "modules")
MODULE_FIELDS = ("slug", "title", "title.ur", "title.ne", "minutes", "outcomes", "exercises")
EXERCISE_FIELDS = {
    "reflection": ("prompt", "rubric"),
    "case_study": ("scenario", "questions", "rubric"),
    "quiz": ("pass_mark", "attempts", "questions"),
    "upload": ("prompt", "accept", "rubric"),
    "action_plan": ("prompt", "rubric"),
    "survey": ("statements", "questions"),
}
# Markdown fields of an exercise spec whose `module:` links are checked and rewritten.
MARKDOWN_SPEC_FIELDS = ("prompt", "scenario")


@dataclass
class ExerciseData:
    slug: str
    type: str
    title: str
    spec: dict[str, Any]
    # {lang: {"title", "prompt", ...}} from module.<lang>.yaml
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ModuleData:
    slug: str
    title: str
    title_translations: dict[str, str]
    minutes: int
    outcomes: list[str]
    reading_md: str
    reading_translations: dict[str, str]
    exercises: list[ExerciseData] = field(default_factory=list)
    # {lang: {"review": "draft"|"reviewed", "outcomes": [...]}} from module.<lang>.yaml
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class MilestoneData:
    slug: str
    title: str
    title_translations: dict[str, str]
    summary: str
    module_slugs: list[str]


@dataclass
class CurriculumData:
    slug: str
    title: str
    summary: str
    languages: list[str]
    milestones: list[MilestoneData]
    modules: dict[str, ModuleData]
    content_hash: str


class CurriculumInvalid(Exception):
    def __init__(self, errors: list[LoadError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the curriculum")
        self.errors = errors


def content_hash(folder: Path) -> str:
    """sha256 over every file's relative path and bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """Line-tracking mappings to plain dicts (for JSON columns)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def module_url(slug: str) -> str:
    return f"/curriculum/modules/{slug}"


def rewrite_module_links(text: str) -> str:
    """`[text](module:slug)` becomes a link to the module's page."""
    return MODULE_LINK_RE.sub(lambda m: f"]({module_url(m.group(1))})", text)


def load_folder(folder: Path) -> CurriculumData:
    """Validate the whole folder; raise CurriculumInvalid with every problem found."""
    folder = folder.resolve()
    check = Checker(folder)
    if not folder.is_dir():
        check.errors.append(LoadError(str(folder), None, "(folder)", "an existing folder"))
        raise CurriculumInvalid(check.errors)
    top_path = folder / "curriculum.yaml"
    top = check.read_yaml(top_path)
    if top is None:
        raise CurriculumInvalid(check.errors)

    check.known_fields(top_path, top, TOP_FIELDS, "")
    slug = check.slug(top_path, top, "slug")
    title = check.text(top_path, top, "title")
    summary = check.text(top_path, top, "summary", required=False)
    languages = top.get("languages", ["en"])
    if (
        not isinstance(languages, list)
        or "en" not in languages
        or any(lang not in LANGUAGES for lang in languages)
    ):
        check.error(
            top_path,
            check.line_of(top, "languages"),
            "languages",
            f"a list of languages from {list(LANGUAGES)} that includes en",
        )
        languages = ["en"]

    milestones: list[MilestoneData] = []
    listed_at: dict[str, tuple[int, str]] = {}  # module slug -> (line, where first listed)
    raw_milestones = top.get("milestones")
    if not isinstance(raw_milestones, list) or not raw_milestones:
        check.error(
            top_path,
            check.line_of(top, "milestones"),
            "milestones",
            "a non-empty list of milestones",
        )
        raw_milestones = []
    seen_milestones: set[str] = set()
    for index, raw in enumerate(raw_milestones, start=1):
        prefix = f"milestones[{index}]."
        if not isinstance(raw, YamlMap):
            check.error(top_path, top.line, f"milestones[{index}]", "a mapping with slug and title")
            continue
        check.known_fields(top_path, raw, MILESTONE_FIELDS, prefix)
        m_slug = check.slug(top_path, raw, "slug", prefix)
        if m_slug and m_slug in seen_milestones:
            check.error(
                top_path,
                check.line_of(raw, "slug"),
                prefix + "slug",
                f"a slug unique among milestones ({m_slug!r} is used twice)",
            )
        seen_milestones.add(m_slug)
        m_title = check.text(top_path, raw, "title", prefix)
        modules_raw = raw.get("modules")
        module_slugs: list[str] = []
        if not isinstance(modules_raw, list) or not modules_raw:
            check.error(
                top_path,
                check.line_of(raw, "modules"),
                prefix + "modules",
                "a non-empty list of module slugs (a milestone needs modules)",
            )
        else:
            for m_index, value in enumerate(modules_raw, start=1):
                where = f"{prefix}modules[{m_index}]"
                line = (
                    modules_raw.lines[m_index - 1]
                    if isinstance(modules_raw, YamlSeq)
                    else check.line_of(raw, "modules")
                )
                if not isinstance(value, str) or not SLUG_RE.match(value):
                    check.error(top_path, line, where, f"a module slug (got {value!r})")
                    continue
                if value in listed_at:
                    check.error(
                        top_path,
                        line,
                        where,
                        f"a module slug unique in the curriculum ({value!r} is already "
                        f"listed at {listed_at[value][1]})",
                    )
                    continue
                listed_at[value] = (line, where)
                module_slugs.append(value)
        milestones.append(
            MilestoneData(
                slug=m_slug,
                title=m_title,
                title_translations=check.translations(top_path, raw, "title", prefix),
                summary=check.text(top_path, raw, "summary", prefix, required=False),
                module_slugs=module_slugs,
            )
        )

    modules_dir = folder / "modules"
    modules: dict[str, ModuleData] = {}
    for module_slug, (line, where) in listed_at.items():
        module_dir = modules_dir / module_slug
        if not module_dir.is_dir():
            check.error(
                top_path, line, where, f"a folder modules/{module_slug}/ (it does not exist)"
            )
            continue
        module = _load_module(check, module_dir)
        if module is not None:
            modules[module_slug] = module
    if modules_dir.is_dir():
        for extra in sorted(p for p in modules_dir.iterdir() if p.is_dir()):
            if extra.name not in listed_at:
                check.error(
                    extra / "module.yaml",
                    None,
                    "(milestone)",
                    f"module {extra.name!r} listed under a milestone in curriculum.yaml",
                )

    _check_links(check, folder, modules)
    if check.errors:
        raise CurriculumInvalid(check.errors)
    for module in modules.values():
        module.reading_md = rewrite_module_links(module.reading_md)
        module.reading_translations = {
            k: rewrite_module_links(v) for k, v in module.reading_translations.items()
        }
        for exercise in module.exercises:
            for key in MARKDOWN_SPEC_FIELDS:
                if isinstance(exercise.spec.get(key), str):
                    exercise.spec[key] = rewrite_module_links(exercise.spec[key])
                for translated in exercise.translations.values():
                    if isinstance(translated.get(key), str):
                        translated[key] = rewrite_module_links(translated[key])
    return CurriculumData(
        slug=slug,
        title=title,
        summary=summary,
        languages=list(languages),
        milestones=milestones,
        modules=modules,
        content_hash=content_hash(folder),
    )


def _read_text(check: Checker, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        check.error(path, None, path.name, f"Markdown saved as UTF-8 ({error.reason})")
        return ""


def _load_module(check: Checker, module_dir: Path) -> ModuleData | None:
    path = module_dir / "module.yaml"
    data = check.read_yaml(path)
    reading_path = module_dir / "reading.md"
    reading = ""
    if not reading_path.is_file():
        check.error(reading_path, None, "reading.md", "a reading in Markdown (file is missing)")
    else:
        reading = _read_text(check, reading_path)
    translations = {
        lang: _read_text(check, module_dir / f"reading.{lang}.md")
        for lang in TRANSLATED
        if (module_dir / f"reading.{lang}.md").is_file()
    }
    if data is None:
        return None
    check.known_fields(path, data, MODULE_FIELDS, "")
    slug = check.slug(path, data, "slug")
    if slug and slug != module_dir.name:
        check.error(
            path,
            check.line_of(data, "slug"),
            "slug",
            f"the folder's name {module_dir.name!r} (got {slug!r})",
        )
    title = check.text(path, data, "title")
    minutes = data.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 5 <= minutes <= 600:
        check.error(
            path,
            check.line_of(data, "minutes"),
            "minutes",
            f"a whole number of minutes from 5 to 600 (got {minutes!r})",
        )
        minutes = 60
    outcomes = check.text_list(path, data, "outcomes", "")
    exercises: list[ExerciseData] = []
    raw_exercises = data.get("exercises", [])
    if not isinstance(raw_exercises, list):
        check.error(path, check.line_of(data, "exercises"), "exercises", "a list of exercises")
        raw_exercises = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_exercises, start=1):
        prefix = f"exercises[{index}]."
        if not isinstance(raw, YamlMap):
            check.error(path, data.line, f"exercises[{index}]", "a mapping with slug, type, title")
            continue
        ex_slug = check.slug(path, raw, "slug", prefix)
        if ex_slug and ex_slug in seen:
            check.error(
                path,
                check.line_of(raw, "slug"),
                prefix + "slug",
                f"a slug unique in the module ({ex_slug!r} is used twice)",
            )
        seen.add(ex_slug)
        ex_title = check.text(path, raw, "title", prefix)
        ex_type = raw.get("type")
        if ex_type not in EXERCISE_TYPES:
            check.error(
                path,
                check.line_of(raw, "type"),
                prefix + "type",
                f"one of {', '.join(EXERCISE_TYPES)} (got {ex_type!r})",
            )
            continue
        check.known_fields(path, raw, ("slug", "type", "title", *EXERCISE_FIELDS[ex_type]), prefix)
        spec = _check_spec(check, path, raw, str(ex_type), prefix)
        exercises.append(ExerciseData(slug=ex_slug, type=str(ex_type), title=ex_title, spec=spec))
    module_translations: dict[str, dict[str, Any]] = {}
    for lang in TRANSLATED:
        tr_path = module_dir / f"module.{lang}.yaml"
        if not tr_path.is_file():
            continue
        found = check_translation(
            check, tr_path, outcomes, {e.slug: (e.title, e.spec) for e in exercises}
        )
        if found is None:
            continue
        module_translations[lang] = {k: v for k, v in found.items() if k != "exercises"}
        for exercise in exercises:
            if exercise.slug in found["exercises"]:
                exercise.translations[lang] = found["exercises"][exercise.slug]
    return ModuleData(
        slug=slug,
        title=title,
        title_translations=check.translations(path, data, "title"),
        minutes=minutes,
        outcomes=outcomes,
        reading_md=reading,
        reading_translations=translations,
        exercises=exercises,
        translations=module_translations,
    )


def _check_rubric(check: Checker, path: Path, raw: YamlMap, prefix: str) -> None:
    if "rubric" not in raw:
        return
    rubric = raw["rubric"]
    line = check.line_of(raw, "rubric")
    if not isinstance(rubric, list) or not rubric:
        check.error(path, line, prefix + "rubric", "a list of {criterion, levels}")
        return
    for index, row in enumerate(rubric, start=1):
        where = f"{prefix}rubric[{index}]."
        if not isinstance(row, YamlMap):
            check.error(path, line, where.rstrip("."), "a mapping with criterion and levels")
            continue
        check.known_fields(path, row, ("criterion", "levels"), where)
        check.text(path, row, "criterion", where)
        check.text_list(path, row, "levels", where, minimum=2)


def _check_spec(
    check: Checker, path: Path, raw: YamlMap, ex_type: str, prefix: str
) -> dict[str, Any]:
    """The type-specific fields, checked; returned as plain data without the common keys."""
    if ex_type in ("reflection", "upload", "action_plan"):
        check.text(path, raw, "prompt", prefix)
        _check_rubric(check, path, raw, prefix)
    if ex_type == "upload":
        accept = raw.get("accept")
        if (
            not isinstance(accept, list)
            or not accept
            or any(kind not in UPLOAD_KINDS for kind in accept)
        ):
            check.error(
                path,
                check.line_of(raw, "accept"),
                prefix + "accept",
                f"a non-empty list from {list(UPLOAD_KINDS)} (got {accept!r})",
            )
    elif ex_type == "case_study":
        check.text(path, raw, "scenario", prefix)
        check.text_list(path, raw, "questions", prefix, minimum=2, maximum=4)
        _check_rubric(check, path, raw, prefix)
    elif ex_type == "quiz":
        _check_quiz(check, path, raw, prefix)
    elif ex_type == "survey":
        check.text_list(path, raw, "statements", prefix)
        if "questions" in raw:
            check.text_list(path, raw, "questions", prefix, minimum=0)
    return _plain({k: v for k, v in raw.items() if k not in ("slug", "type", "title")})


def _check_quiz(check: Checker, path: Path, raw: YamlMap, prefix: str) -> None:
    pass_mark = raw.get("pass_mark")
    if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100:
        check.error(
            path,
            check.line_of(raw, "pass_mark"),
            prefix + "pass_mark",
            f"a whole number from 1 to 100 (got {pass_mark!r})",
        )
    attempts = raw.get("attempts")
    if attempts is not None and (not isinstance(attempts, int) or attempts < 1):
        check.error(
            path, check.line_of(raw, "attempts"), prefix + "attempts", "a whole number >= 1"
        )
    questions = raw.get("questions")
    if not isinstance(questions, list) or not questions:
        check.error(path, check.line_of(raw, "questions"), prefix + "questions", "a non-empty list")
        return
    for q_index, question in enumerate(questions, start=1):
        where = f"{prefix}questions[{q_index}]."
        if not isinstance(question, YamlMap):
            check.error(path, check.line_of(raw, "questions"), where.rstrip("."), "a mapping")
            continue
        check.known_fields(path, question, ("text", "multiple", "options"), where)
        check.text(path, question, "text", where)
        multiple = question.get("multiple", False)
        if not isinstance(multiple, bool):
            check.error(path, check.line_of(question, "multiple"), where + "multiple", "true/false")
        options = question.get("options")
        if not isinstance(options, list) or len(options) < 2:
            check.error(
                path,
                check.line_of(question, "options"),
                where + "options",
                "a list of at least 2 options",
            )
            continue
        correct = 0
        for o_index, option in enumerate(options, start=1):
            o_where = f"{where}options[{o_index}]."
            if not isinstance(option, YamlMap):
                check.error(path, question.line, o_where.rstrip("."), "a mapping")
                continue
            check.known_fields(path, option, ("text", "correct", "explanation"), o_where)
            check.text(path, option, "text", o_where)
            check.text(path, option, "explanation", o_where)
            if not isinstance(option.get("correct"), bool):
                check.error(
                    path, check.line_of(option, "correct"), o_where + "correct", "true or false"
                )
            elif option["correct"]:
                correct += 1
        line = check.line_of(question, "options")
        if correct == 0:
            check.error(path, line, where + "options", "at least one option with correct: true")
        elif multiple is False and correct != 1:
            check.error(
                path,
                line,
                where + "options",
                f"exactly one correct option when multiple is false (got {correct})",
            )


def _check_links(check: Checker, folder: Path, modules: dict[str, ModuleData]) -> None:
    """Every `module:` link in a reading or an exercise's Markdown names a module here."""
    known = set(modules)
    for slug, module in modules.items():
        texts: list[tuple[str, str]] = [("reading.md", module.reading_md)]
        texts += [(f"reading.{k}.md", v) for k, v in module.reading_translations.items()]
        for exercise in module.exercises:
            for key in MARKDOWN_SPEC_FIELDS:
                value = exercise.spec.get(key)
                if isinstance(value, str):
                    texts.append(("module.yaml", value))
                for lang, translated in exercise.translations.items():
                    if isinstance(translated.get(key), str):
                        texts.append((f"module.{lang}.yaml", translated[key]))
        for file_name, text in texts:
            for match in MODULE_LINK_RE.finditer(text):
                target = match.group(1)
                if target not in known:
                    line = text.count("\n", 0, match.start()) + 1
                    check.error(
                        folder / "modules" / slug / file_name,
                        line if file_name.endswith(".md") else None,
                        f"link module:{target}",
                        "the slug of a module in this curriculum (no such module)",
                    )
