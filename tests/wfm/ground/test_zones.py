"""Zones that fit the UTC offsets of a file, and the country of a zone (tz database zone.tab)."""

import pandas as pd

from wfm.ground.zones import country_of_zone, offsets_text, zones_matching_offsets


def _offsets(stamps: pd.DatetimeIndex) -> list[int]:
    return [int(t.utcoffset().total_seconds() // 60) for t in stamps]


def test_us_mountain_time_fits_denver_not_phoenix_nor_stockholm():
    t = pd.date_range("2017-01-01", "2017-12-31", freq="6h", tz="America/Denver")
    zones = zones_matching_offsets(t, _offsets(t))
    assert "America/Denver" in zones
    assert "America/Phoenix" not in zones  # no daylight saving: -07:00 all year
    assert "Europe/Stockholm" not in zones
    assert offsets_text(_offsets(t)) == "-07:00, -06:00"


def test_a_stockholm_file_fits_stockholm_and_offsets_no_zone_has_fit_none():
    t = pd.date_range("2024-01-01", "2024-12-31", freq="6h", tz="Europe/Stockholm")
    assert "Europe/Stockholm" in zones_matching_offsets(t, _offsets(t))
    # +02:00 in January: Stockholm is +01:00 then, and Helsinki changes on the same dates as Stockholm
    bad = [120 if t_.month == 1 else o for t_, o in zip(t, _offsets(t))]
    assert "Europe/Stockholm" not in zones_matching_offsets(t, bad)


def test_country_of_zone():
    assert country_of_zone("America/Denver") == "US"
    assert country_of_zone("Europe/Stockholm") == "SE"
    assert country_of_zone("Asia/Jerusalem") == "IL"
    assert country_of_zone("UTC") is None


def test_written_offsets_are_read_from_the_text():
    from wfm.ground.zones import NO_OFFSET, written_offset_minutes

    got = written_offset_minutes(pd.Series(["2017-03-12T03:00:00-06:00", "2017-03-12T03:00:00Z",
                                            "2017-03-12T03:00:00+0530", "2017-03-12 03:00"]))
    assert list(got) == [-360, 0, 330, NO_OFFSET]


def test_holidays_follow_the_zone():
    from wfm.ground.calendar import holiday_country

    assert holiday_country("America/Denver") == "US"
    assert holiday_country("Europe/Stockholm") == "SE"
    assert holiday_country("UTC") is None
