"""Channel names, built here and nowhere else: `{prefix}:{area}:{id}` and `{prefix}:{area}:feed`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

DEFAULT_PREFIX = "esatis"
FEED = "feed"

# Areas use the project's one vocabulary (ARCHITECTURE.md section 1): snake_case words.
_AREA = re.compile(r"[a-z][a-z0-9_]*\Z")
# Ids are UUIDs or integers in practice; ':' would make names ambiguous, so it is refused.
_ID = re.compile(r"[A-Za-z0-9_.\-]+\Z")
_PREFIX = re.compile(r"[A-Za-z0-9_.\-]+\Z")


@dataclass(frozen=True, slots=True)
class Channels:
    """Builds channel names under one prefix (one prefix per deployment, or per test)."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.prefix):
            raise ValueError(f"channel prefix must match [A-Za-z0-9_.-]+, not {self.prefix!r}")

    def channel(self, area: str, id: str | UUID | int) -> str:
        """The channel of one object, e.g. `esatis:shipments:<uuid>`."""
        key = str(id)
        if not _ID.match(key) or key == FEED:
            # "feed" is reserved so that an object channel never equals its area's feed channel.
            raise ValueError(f"channel id must match [A-Za-z0-9_.-]+ and not be 'feed': {key!r}")
        return f"{self.prefix}:{_area(area)}:{key}"

    def feed(self, area: str) -> str:
        """The area-wide feed channel, e.g. `esatis:deliveries:feed`."""
        return f"{self.prefix}:{_area(area)}:{FEED}"

    def owns(self, name: str) -> bool:
        """Whether `name` was built under this prefix (a bus refuses other prefixes' names)."""
        return name.startswith(f"{self.prefix}:")


def _area(area: str) -> str:
    if not _AREA.match(area):
        raise ValueError(f"channel area must be a snake_case area name, not {area!r}")
    return area
