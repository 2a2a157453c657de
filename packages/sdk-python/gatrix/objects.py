"""Results: JSON objects readable as attributes or as a dict, and pages of a list.

The API speaks camelCase. Objects keep the keys exactly as the server sent them (so ``dict(obj)`` and
``json.dumps(obj)`` give back the API's JSON, and free-form fields such as ``customPayload`` or
``maintenanceMessages`` are never rewritten), and also answer to the snake_case spelling::

    world.world_id == world.worldId == world["worldId"] == world["world_id"]
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Generic, Iterator, List, Optional, TypeVar, Union, overload

__all__ = ["GatrixObject", "Page", "to_camel", "to_snake", "wrap", "unwrap"]

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])([A-Z])")


def to_camel(name: str) -> str:
    """``sub_channel`` → ``subChannel``; names without an inner underscore are kept as they are."""
    if "_" not in name.strip("_"):
        return name
    lead = len(name) - len(name.lstrip("_"))
    head, *rest = name[lead:].split("_")
    return name[:lead] + head + "".join(p[:1].upper() + p[1:] for p in rest if p)


def to_snake(name: str) -> str:
    """``totalPages`` → ``total_pages``."""
    return _CAMEL_BOUNDARY.sub(lambda m: "_" + m.group(1).lower(), name)


class GatrixObject(Dict[str, Any]):
    """A JSON object from the API: a ``dict`` with the server's keys, readable as attributes in either case.

    ``obj.etag`` is the resource's ETag when the server sent one (pass it as ``if_match=`` to update safely).
    """

    etag: Optional[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "etag", None)

    def _key(self, name: str) -> Optional[str]:
        if super().__contains__(name):
            return name
        camel = to_camel(name)
        if camel != name and super().__contains__(camel):
            return camel
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        key = self._key(name)
        if key is None:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}; it has {sorted(self.keys())}")
        return super().__getitem__(key)

    def __getitem__(self, name: str) -> Any:
        key = self._key(name) if isinstance(name, str) else None
        return super().__getitem__(name if key is None else key)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) is not None or super().__contains__(name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        key = self._key(name)
        return default if key is None else super().__getitem__(key)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | {to_snake(k) for k in self.keys() if isinstance(k, str) and k.isidentifier()})

    def __repr__(self) -> str:
        return f"GatrixObject({dict.__repr__(self)})"

    def __reduce__(self) -> Any:
        return (GatrixObject, (dict(self),))

    def to_dict(self) -> Dict[str, Any]:
        """A plain ``dict`` (recursively), with the API's keys."""
        return unwrap(self)  # type: ignore[no-any-return]


def wrap(value: Any) -> Any:
    """JSON value → the same with every object a :class:`GatrixObject`."""
    if isinstance(value, dict):
        return GatrixObject({k: wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def unwrap(value: Any) -> Any:
    """The reverse of :func:`wrap`: plain dicts and lists."""
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


T = TypeVar("T")


class Page(Generic[T]):
    """One page of a list: iterate it for its items; ``.data`` and ``.pagination`` as the API returns them.

    ``page.pagination`` has ``page``, ``limit``, ``total`` and ``total_pages`` (``totalPages``); on users also
    ``totalExact`` (false: ``total`` is an estimate).
    ``next_page()`` fetches the following page; ``auto_paging_iter()`` yields every item from here to the end.
    ``next_cursor`` is the keyset cursor of the following page on lists that answer one (users), else ``None``;
    such a list is followed by its cursor (``fetch_after``), which does not depend on an estimated total.
    """

    def __init__(
        self,
        data: List[T],
        pagination: GatrixObject,
        fetch: Optional[Callable[[int], "Page[T]"]] = None,
        next_cursor: Optional[str] = None,
        fetch_after: Optional[Callable[[str], "Page[T]"]] = None,
    ) -> None:
        self.data: List[T] = data
        self.pagination: GatrixObject = pagination
        self.next_cursor: Optional[str] = next_cursor
        self._fetch = fetch
        self._fetch_after = fetch_after

    @property
    def page(self) -> int:
        return int(self.pagination.get("page", 1))

    @property
    def limit(self) -> int:
        return int(self.pagination.get("limit", len(self.data)))

    @property
    def total(self) -> int:
        return int(self.pagination.get("total", len(self.data)))

    @property
    def total_pages(self) -> int:
        return int(self.pagination.get("totalPages", 1))

    def has_next_page(self) -> bool:
        if self._fetch_after is not None:
            return self.next_cursor is not None
        return self.page < self.total_pages and len(self.data) > 0

    def next_page(self) -> "Optional[Page[T]]":
        """The following page, or ``None`` on the last one."""
        if not self.has_next_page():
            return None
        if self._fetch_after is not None and self.next_cursor is not None:
            return self._fetch_after(self.next_cursor)
        return None if self._fetch is None else self._fetch(self.page + 1)

    def auto_paging_iter(self) -> Iterator[T]:
        """Every item of this page and of the pages after it."""
        page: Optional[Page[T]] = self
        while page is not None:
            yield from page.data
            page = page.next_page()

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> List[T]: ...
    @overload
    def __getitem__(self, index: str) -> Any: ...

    def __getitem__(self, index: Union[int, slice, str]) -> Any:
        if isinstance(index, str):
            if index == "data":
                return self.data
            if index == "pagination":
                return self.pagination
            raise KeyError(index)
        return self.data[index]

    def __contains__(self, item: object) -> bool:
        return item in ("data", "pagination") if isinstance(item, str) else item in self.data

    def to_dict(self) -> Dict[str, Any]:
        """``{"data": [...], "pagination": {...}}`` as plain JSON values."""
        return {"data": unwrap(self.data), "pagination": unwrap(self.pagination)}

    def __repr__(self) -> str:
        p = self.pagination
        return f"<Page {p.get('page')}/{p.get('totalPages')} of {p.get('total')} ({len(self.data)} items)>"
