"""Reading curriculum YAML so that every problem names its file, line and field: a YAML
loader whose mappings and sequences remember their lines, and the checks the loader
runs on fields (texts, slugs, lists, translations, unknown keys)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{0,59}$")
TRANSLATED = ("ur", "ne")


@dataclass(frozen=True)
class LoadError:
    file: str
    line: int | None
    field: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.expected}"


class YamlMap(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.lines[str(key)] = key_node.start_mark.line + 1
    return result


class YamlSeq(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    lines: list[int]


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> YamlSeq:
    result = YamlSeq(loader.construct_object(child, deep=True) for child in node.value)
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


class Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[LoadError] = []

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root.parent).as_posix()

    def error(self, file: Path, line: int | None, field_name: str, expected: str) -> None:
        self.errors.append(LoadError(self.rel(file), line, field_name, expected))

    def read_yaml(self, path: Path) -> YamlMap | None:
        if not path.is_file():
            self.error(path, None, "(file)", "file is missing")
            return None
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
        except yaml.MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else None
            self.error(path, line, "(syntax)", f"valid YAML ({error.problem})")
            return None
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            self.error(path, None, "(syntax)", f"valid UTF-8 YAML ({error})")
            return None
        if not isinstance(data, YamlMap):
            self.error(path, 1, "(document)", "a mapping of fields at the top level")
            return None
        return data

    def line_of(self, data: YamlMap, key: str) -> int:
        return data.lines.get(key, data.line)

    def text(
        self, path: Path, data: YamlMap, key: str, prefix: str = "", required: bool = True
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, data.line, prefix + key, "a non-empty text (field is missing)")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(path, self.line_of(data, key), prefix + key, "a non-empty text")
            return ""
        return value

    def slug(self, path: Path, data: YamlMap, key: str, prefix: str = "") -> str:
        value = data.get(key)
        if value is None:
            self.error(path, data.line, prefix + key, "a slug (field is missing)")
            return ""
        if not isinstance(value, str) or not SLUG_RE.match(value):
            self.error(
                path,
                self.line_of(data, key),
                prefix + key,
                f"a slug matching {SLUG_RE.pattern} (got {value!r})",
            )
            return ""
        return value

    def text_list(
        self,
        path: Path,
        data: YamlMap,
        key: str,
        prefix: str,
        *,
        minimum: int = 1,
        maximum: int = 0,
    ) -> list[str]:
        value = data.get(key)
        line = self.line_of(data, key)
        bounds = f"{minimum}-{maximum}" if maximum else f"at least {minimum}"
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.error(path, line, prefix + key, f"a list of texts ({bounds})")
            return []
        if len(value) < minimum or (maximum and len(value) > maximum):
            self.error(path, line, prefix + key, f"{bounds} entries (got {len(value)})")
        return list(value)

    def known_fields(
        self, path: Path, data: YamlMap, allowed: tuple[str, ...], prefix: str
    ) -> None:
        """A misspelt field is an error, not silently ignored content."""
        for key in data:
            if key not in allowed:
                self.error(
                    path,
                    self.line_of(data, key),
                    prefix + key,
                    f"a known field (one of {', '.join(allowed)})",
                )

    def translations(
        self, path: Path, data: YamlMap, base: str, prefix: str = ""
    ) -> dict[str, str]:
        found: dict[str, str] = {}
        for language in TRANSLATED:
            key = f"{base}.{language}"
            if key in data:
                value = self.text(path, data, key, prefix)
                if value:
                    found[language] = value
        return found
