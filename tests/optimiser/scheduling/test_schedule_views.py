"""Chart frames of a schedule."""

from __future__ import annotations

import pytest

from optimiser.scheduling.views import shift_timeline
from tests.optimiser.scheduling.sched_builders import schedule_shifts


def test_timeline_keeps_the_most_staffed_and_labels_them():
    top = shift_timeline(schedule_shifts(), limit=2)
    assert list(top["shift_id"]) == ["S1", "S3"]  # 12 and 5 agents, sorted by start
    assert top.loc[0, "label"] == "sv_all Mon 07:00-16:00 x12"
    assert top["start"].dt.tz is None
    with pytest.raises(ValueError, match="limit must be >= 1, got 0"):
        shift_timeline(schedule_shifts(), limit=0)
