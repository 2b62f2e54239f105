"""YAML with line numbers: every mapping and list remembers where it (and each of its keys) came from.

PyYAML's composer keeps a ``Mark`` on every node; this loader turns the node tree into ordinary
``dict``/``list`` subclasses that carry the (1-based) line of the node, of each key and of each list
item, so a validator can say ``rubrics/call.yaml:12: points must be a number``.

    >>> data = load_yaml("rubrics/call.yaml")
    >>> data.line, data.key_line("sections")          # doctest: +SKIP
    (1, 9)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import yaml


class YamlError(ValueError):
    """A YAML file that cannot be read or is not valid YAML; the message starts with ``file:line:``."""


class YDict(dict):
    """A mapping loaded from YAML: ``.line`` of the mapping, ``.key_line(key)`` of a key."""

    line: int = 0
    key_lines: dict

    def key_line(self, key: Any) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class YList(list):
    """A sequence loaded from YAML: ``.line`` of the sequence, ``.item_line(i)`` of an item."""

    line: int = 0
    item_lines: list

    def item_line(self, i: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[i] if 0 <= i < len(lines) else self.line


def line_of(obj: Any, default: int = 0) -> int:
    return int(getattr(obj, "line", default) or default)


class _Loader(yaml.SafeLoader):
    pass


def _convert(loader: _Loader, node: yaml.Node, path: str) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merge keys (<<)
        out = YDict()
        out.line = line
        out.key_lines = {}
        for knode, vnode in node.value:
            key = _convert(loader, knode, path)
            try:
                hash(key)
            except TypeError:
                raise YamlError(f"{path}:{knode.start_mark.line + 1}: a mapping key must be a plain value")
            if key in out:
                raise YamlError(f"{path}:{knode.start_mark.line + 1}: duplicate key {key!r} "
                                f"(first at line {out.key_lines[key]})")
            out[key] = _convert(loader, vnode, path)
            out.key_lines[key] = knode.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out_l = YList(_convert(loader, n, path) for n in node.value)
        out_l.line = line
        out_l.item_lines = [n.start_mark.line + 1 for n in node.value]
        return out_l
    return loader.construct_object(node, deep=True)


def loads_yaml(text: str, path: str = "<string>") -> Any:
    """Parse YAML text; raise :class:`YamlError` ``path:line: problem`` on a syntax error."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, path)
    except yaml.MarkedYAMLError as e:
        mark: Optional[yaml.Mark] = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = " ".join(x for x in (e.context, e.problem) if x) or str(e)
        raise YamlError(f"{path}:{line}: invalid YAML: {what}") from e
    except yaml.YAMLError as e:
        raise YamlError(f"{path}:0: invalid YAML: {e}") from e
    finally:
        loader.dispose()


def load_yaml(path: str | Path) -> Any:
    """Read a UTF-8 YAML file with line numbers (see :class:`YDict`, :class:`YList`)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise YamlError(f"{p}:0: cannot read: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise YamlError(f"{p}:0: not UTF-8 text") from e
    return loads_yaml(text, str(p))
