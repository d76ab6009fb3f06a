"""The one way a lower layer calls up into a higher one (docs/hooks.md).

The layers in pyproject.toml let an app import only the apps below it, yet some rules are owned
higher up: bookings must ask consultations whether a session keeps its heal time, expire a hold only
after payments had its last word, show the deposit ledger payments keeps; the uploads sweep must ask
every app whose rows name bucket objects. The lower module declares a `Hook` where it calls out; the
higher app provides an implementation in its `AppConfig.ready`. Work that may happen after the
commit (mail, QPay, image work) is not a hook: it is a job by name (tattoo.core.jobs).

    # bookings/rules.py (lower)
    slot_rules: Hook[SlotRule] = Hook("bookings.slot_rules")
    ...
    for rule in slot_rules.providers():
        ...

    # consultations/apps.py (higher)
    slot_rules.provide(heal_refusal)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class HookError(RuntimeError):
    """A hook used against its declaration (two providers for a single hook)."""


class Hook(Generic[F]):
    """A named call-out point. `single=True`: at most one provider (a reader, a last word); otherwise
    every provider is called, in the order the apps became ready (INSTALLED_APPS order)."""

    def __init__(self, name: str, *, single: bool = False) -> None:
        self.name = name
        self.single = single
        self._providers: list[F] = []

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, providers={len(self._providers)})"

    def provide(self, fn: F) -> F:
        """Register `fn` (idempotent: AppConfig.ready may run twice in tests). Returns `fn`, so it
        also works as a decorator."""
        if fn in self._providers:
            return fn
        if self.single and self._providers:
            raise HookError(f"hook {self.name} takes one provider; {self._providers[0]!r} is already there")
        self._providers.append(fn)
        return fn

    def providers(self) -> tuple[F, ...]:
        return tuple(self._providers)

    def one(self) -> F | None:
        """The single provider, or None when no app provides it."""
        if not self.single:
            raise HookError(f"hook {self.name} takes several providers; ask providers()")
        return self._providers[0] if self._providers else None

    def required(self) -> F:
        """The single provider; HookError when no installed app provides it."""
        provider = self.one()
        if provider is None:
            raise HookError(f"no installed app provides hook {self.name}")
        return provider

    @contextmanager
    def replaced(self, *fns: F) -> Iterator[None]:
        """For tests: the hook answers with `fns` only, then with what it had before."""
        saved = self._providers
        self._providers = list(fns)
        try:
            yield
        finally:
            self._providers = saved
