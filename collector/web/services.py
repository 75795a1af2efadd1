"""What every handler needs, typed: the ``Services`` of one application, built once by
``collector.app.create_app`` and reached through ``services(request)`` (or ``of_app`` where
only the ASGI scope's app is at hand) instead of untyped ``request.app.state`` look-ups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from starlette.requests import Request

if TYPE_CHECKING:
    from collector.clock import Clock
    from collector.dashboard.auth import DashboardState
    from collector.ingest.service import Ingestor
    from collector.metrics import Metrics
    from collector.settings import Settings
    from collector.stats.reports import StatsReader
    from collector.storage.base import Store

T = TypeVar("T")


class Lazy(Generic[T]):
    """A value made on first use (the dashboard's state needs the instance secret, which
    the lifespan creates when the data directory has none yet)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None

    def get(self) -> T:
        if self._value is None:
            self._value = self._make()
        return self._value


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    store: Store
    stats: StatsReader
    metrics: Metrics
    ingestor: Ingestor
    clock: Clock
    dashboard: Lazy[DashboardState]


def of_app(app: Any) -> Services:
    found = app.state.services
    if isinstance(found, Services):
        return found
    raise TypeError("the application was not built by collector.app.create_app")


def services(request: Request) -> Services:
    return of_app(request.app)
