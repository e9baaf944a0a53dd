"""Named backends, the timm ``register_model`` / ``create_model`` way.

Each stage has one :class:`Registry`. Backends register a factory under a name; ``create(name, **kw)`` builds one;
an unknown name raises an error listing the registered names.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .errors import UnknownNameError, did_you_mean

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str):
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def deco(factory: Callable[..., T]) -> Callable[..., T]:
            if name in self._factories:
                raise ValueError(f"{self.kind} '{name}' is already registered")
            self._factories[name] = factory
            return factory

        return deco

    def names(self) -> list[str]:
        return sorted(self._factories)

    def __contains__(self, name: str) -> bool:
        return name in self._factories

    def create(self, name: str, **kwargs: Any) -> T:
        try:
            factory = self._factories[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self.kind} '{name}'{did_you_mean(name, self._factories)} "
                f"(registered: {', '.join(self.names())})"
            ) from None
        return factory(**kwargs)
