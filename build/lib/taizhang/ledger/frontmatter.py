"""Reading record files: bytes to text, front matter split, YAML composed into located nodes.

Only YAML's node tree is used (never a constructor), so object tags cannot run,
aliases are refused before they can expand, and keys stay as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from taizhang.errors import Error

try:  # libyaml is ~8x faster; fall back where it is not compiled in.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader with the tags of short plain scalars remembered.

    libyaml parses in C but asks Python for every plain scalar's tag, trying the implicit
    resolvers' regexes each time: two million times over a large history. Keys, ids, statuses
    and dates repeat, so a short value's tag is worked out once; the answer is the resolver's own.
    """

    _tags: dict[str, str] = {}

    def resolve(self, kind, value, implicit):  # type: ignore[no-untyped-def]
        if kind is not yaml.ScalarNode or not implicit[0] or len(value) > 40:
            return super().resolve(kind, value, implicit)
        tag = self._tags.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._tags) < 100_000:
                self._tags[value] = tag
        return tag

MAX_DEPTH = 32
_FENCE = re.compile(r"\n(---|\.\.\.)[ \t]*(?=\n|\Z)")  # from its newline: leaps newline to newline


@dataclass(frozen=True, slots=True)
class Text:
    """A decoded record file; `offset` is the number of lines before `yaml`."""

    yaml: str
    body: str
    offset: int


def decode(data: bytes, path: str) -> tuple[str | None, list[Error]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Error(path, line, "encoding", f"应为 UTF-8 编码，实际第 {exc.start + 1} 字节无法按 UTF-8 解码（可能是 GBK 编码，请另存为 UTF-8）")]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Error(path, line, "encoding", "应为文本文件，实际包含 NUL 字节")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split_front_matter(text: str, path: str) -> tuple[Text | None, list[Error]]:
    """Split `---` front matter from the Markdown body."""
    if not text.strip():
        return None, [Error(path, 1, "front matter", "应以 --- 开头的 YAML 头部，实际文件为空")]
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return None, [Error(path, 1, "front matter", "应以 --- 开头的 YAML 头部，实际第一行为 " + _first_line(text))]
    end = _FENCE.search(text, 3)  # the newline ending the first line, then each line after
    if end is None:
        return None, [Error(path, 1, "front matter", "YAML 头部缺少结束行 ---")]
    body = text[end.end() :].lstrip("\n") if end.end() < len(text) else ""
    return Text(text[4 : end.start() + 1], body, 1), []


def _first_line(text: str) -> str:
    line = text.split("\n", 1)[0]
    return f"“{line[:30]}”"


def compose(source: str, path: str, offset: int = 0) -> tuple[yaml.Node | None, list[Error]]:
    """Compose one YAML document into nodes, refusing tags, aliases and deep nesting."""
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else 1 + offset
        return None, [Error(path, line, "yaml", f"YAML 语法错误：{_reason(exc)}")]
    except yaml.reader.ReaderError as exc:  # e.g. a control character: its str() spans lines and names no line
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        # The first such character is the one refused (libyaml's position counts UTF-8 bytes, not characters).
        line = source.count("\n", 0, max(source.find(chr(code)), 0)) + 1 + offset
        return None, [Error(path, line, "yaml", f"应为可打印的文字，实际包含不允许的字符 U+{code:04X}")]
    except yaml.YAMLError as exc:
        return None, [Error(path, 1 + offset, "yaml", f"YAML 语法错误：{exc}")]
    except RecursionError:
        return None, [Error(path, 1 + offset, "yaml", f"嵌套层级过深（超过 {MAX_DEPTH} 层）")]
    if node is None:
        return None, []
    errors = _audit(node, path, offset)
    return (None if errors else node), errors


def _reason(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "，".join(parts) or "无法解析"


_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


def _audit(root: yaml.Node, path: str, offset: int) -> list[Error]:
    """Walk the tree once, iteratively: refuse aliases, object tags and deep nesting.

    Every node of every record passes here (half a million in a large history), so the walk
    does no more than it must for a node that passes; lines are looked up for errors only.
    """
    seen: set[int] = set()
    plain = _PLAIN_TAGS
    containers = (yaml.MappingNode, yaml.SequenceNode)
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:  # composed once, reached twice: an alias
            return [Error(path, _line(node, offset), "yaml", "不支持 YAML 锚点与别名（& 和 *），请直接写出内容")]
        seen.add(id(node))
        if node.tag not in plain:
            return [Error(path, _line(node, offset), "yaml", f"不支持 YAML 标签 {node.tag}")]
        if not isinstance(node, containers):
            continue
        if depth >= MAX_DEPTH and node.value:  # its items would lie deeper than allowed
            return [Error(path, _line(node, offset), "yaml", f"嵌套层级过深（超过 {MAX_DEPTH} 层）")]
        depth += 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth))
                stack.append((value, depth))
        else:
            stack.extend((item, depth) for item in node.value)
    return []


def _line(node: yaml.Node, offset: int) -> int:
    return node.start_mark.line + 1 + offset
