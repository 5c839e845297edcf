"""What a teacher types, checked: exact clean values, and one message key per wrong field."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docker.utils import parse_bytes

from mydocker_hub.portal import forms, i18n
from mydocker_hub.portal.models import EnvironmentRecord

IMAGES = ["mydocker/jupyterlab:1", "mydocker/vscode:2"]
COMPUTE = ["gpu", "big"]

# What the page's form sends (strings; checkboxes "on" or absent).
FORM = {
    "name": "  Python-L1 ",
    "title": " Python (L1) ",
    "description": "Première année",
    "image": "mydocker/jupyterlab:1",
    "status": "ready",
    "public": "on",
    "cpu_limit": "2",
    "cpu_reservation": "0.5",
    "mem_limit": "4g",
    "mem_reservation": "1.5G",
    "gpus": "1",
    "compute_type": "gpu",
    "home_volume": "on",
    "disk_quota": "10g",
    "idle_minutes": "90",
    "interfaces": ["jupyterlab", "vscode"],
}


def parse(overrides=(), *, drop=(), **kwargs):
    data = {**FORM, **dict(overrides)}
    for field in drop:
        data.pop(field)
    kwargs.setdefault("images", IMAGES)
    kwargs.setdefault("compute_types", COMPUTE)
    return forms.parse_environment(data, **kwargs)


def error_of(field, value, **kwargs):
    values, errors = parse({field: value}, **kwargs)
    return errors


def test_a_valid_environment_gives_exact_values():
    values, errors = parse()
    assert errors == {}
    assert values == {
        "name": "python-l1",
        "title": "Python (L1)",
        "description": "Première année",
        "image": "mydocker/jupyterlab:1",
        "status": "READY",
        "public": True,
        "cpu_limit": 2.0,
        "cpu_reservation": 0.5,
        "mem_limit": "4G",
        "mem_reservation": "1.5G",
        "gpus": 1,
        "compute_type": "gpu",
        "home_volume": True,
        "work_volume": False,
        "disk_quota": "10G",
        "idle_timeout": 90 * 60,
        "interfaces": ("jupyterlab", "vscode"),
    }


def test_the_defaults_of_a_minimal_form():
    values, errors = forms.parse_environment(
        {"name": "a", "image": IMAGES[0], "mem_limit": "2G"}, images=IMAGES
    )
    assert errors == {}
    assert values == {
        "name": "a",
        "title": "",
        "description": "",
        "image": IMAGES[0],
        "status": "DRAFT",
        "public": False,
        "cpu_limit": 1.0,
        "cpu_reservation": 0.0,
        "mem_limit": "2G",
        "mem_reservation": "",
        "gpus": 0,
        "compute_type": "",
        "home_volume": False,
        "work_volume": False,
        "disk_quota": "",
        "idle_timeout": 3600,
        "interfaces": ("jupyterlab",),
    }


def test_editing_has_no_name():
    values, errors = parse({"name": "NOT A NAME!"}, creating=False)
    assert errors == {}
    assert "name" not in values


@pytest.mark.parametrize(
    "name", ["", "-lead", "a" * 31, "with space", "accént", "under_score", "dot.ted"]
)
def test_bad_names(name):
    assert error_of("name", name) == {"name": "field_name"}


@pytest.mark.parametrize("name", ["a", "9", "a" * 30, "x-1-y"])
def test_good_names(name):
    assert error_of("name", name) == {}


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("image", "mydocker/other:1", "field_image"),
        ("image", "", "field_image"),
        ("status", "PUBLISHED", "field_status"),
        ("cpu_limit", "0", "field_cpu"),
        ("cpu_limit", "0.05", "field_cpu"),
        ("cpu_limit", "65", "field_cpu"),
        ("cpu_limit", "two", "field_cpu"),
        ("cpu_limit", "", "field_cpu"),
        ("cpu_limit", "nan", "field_cpu"),
        ("cpu_limit", "inf", "field_cpu"),
        ("cpu_reservation", "-1", "field_cpu_reservation"),
        ("cpu_reservation", "65", "field_cpu_reservation"),
        ("cpu_reservation", "x", "field_cpu_reservation"),
        ("cpu_reservation", "2.5", "field_reservation_above_limit"),
        ("mem_limit", "", "field_size"),
        ("mem_limit", "4GB", "field_size"),
        ("mem_limit", "-1G", "field_size"),
        ("mem_limit", "1,5G", "field_size"),
        ("mem_reservation", "lots", "field_size"),
        ("disk_quota", "10 G", "field_size"),
        ("gpus", "-1", "field_gpus"),
        ("gpus", "9", "field_gpus"),
        ("gpus", "1.5", "field_gpus"),
        ("compute_type", "tiny", "field_compute_type"),
        ("idle_minutes", "-1", "field_idle"),
        ("idle_minutes", str(7 * 24 * 60 + 1), "field_idle"),
        ("idle_minutes", "1h", "field_idle"),
        ("interfaces", ["jupyterlab", "rdp"], "field_interfaces"),
        ("interfaces", "telnet", "field_interfaces"),
        ("title", "t" * 201, "field_too_long"),
        ("description", "d" * 4001, "field_too_long"),
    ],
)
def test_each_bad_field_gives_its_key(field, value, key):
    values, errors = parse({field: value})
    assert errors == {field: key}
    for lang in i18n.LANGUAGES:
        assert key in i18n.MESSAGES[lang]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("cpu_limit", "0.5", 0.5),  # equal to the reservation
        ("cpu_limit", "64", 64.0),
        ("cpu_reservation", "2", 2.0),  # equal to the limit
        ("cpu_reservation", "", 0.0),
        ("gpus", "8", 8),
        ("gpus", "", 0),
        ("mem_reservation", "", ""),
        ("mem_reservation", "512m", "512M"),
        ("disk_quota", "", ""),
        ("compute_type", "", ""),
        ("title", "t" * 200, "t" * 200),
        ("description", "d" * 4000, "d" * 4000),
        ("status", "", "DRAFT"),
        ("status", "archived", "ARCHIVED"),
    ],
)
def test_values_at_the_limits(field, value, expected):
    values, errors = parse({field: value})
    assert errors == {}
    assert values[field] == expected


def test_the_smallest_cpu_limit():
    values, errors = parse({"cpu_limit": "0.1", "cpu_reservation": "0.1"})
    assert errors == {}
    assert (values["cpu_limit"], values["cpu_reservation"]) == (0.1, 0.1)


def test_a_text_too_long_keeps_what_was_typed():
    values, errors = parse({"title": "t" * 300})
    assert errors == {"title": "field_too_long"}
    assert values["title"] == "t" * 300


def test_idle_minutes_limits():
    assert parse({"idle_minutes": "0"})[0]["idle_timeout"] == 0
    assert parse({"idle_minutes": str(7 * 24 * 60)})[0]["idle_timeout"] == 7 * 24 * 3600
    assert parse({"idle_minutes": ""})[0]["idle_timeout"] == 3600
    values, errors = parse({"idle_minutes": "-5"})
    assert values["idle_timeout"] is None and errors == {"idle_minutes": "field_idle"}


def test_a_json_idle_time_of_zero_is_kept():
    # The API sends numbers; its PATCH also fills the fields it is not given from
    # the current environment (`idle_minutes` as an int): 0 must stay 0.
    values, errors = parse({"idle_minutes": 0})
    assert errors == {}
    assert values["idle_timeout"] == 0


def test_a_reservation_above_the_limit_is_not_reported_twice_when_the_limit_is_wrong():
    values, errors = parse({"cpu_limit": "0", "cpu_reservation": "4"})
    assert errors == {"cpu_limit": "field_cpu"}


def test_a_memory_reservation_above_the_limit_is_refused_like_the_cpus():
    # Docker refuses a container whose memory reservation exceeds its limit
    # ("Minimum memory limit can not be less than memory reservation limit"):
    # every start of the environment would fail, so the form must say it.
    values, errors = parse({"mem_limit": "2G", "mem_reservation": "4G"})
    assert errors == {"mem_reservation": "field_reservation_above_limit"}


def test_a_memory_reservation_up_to_the_limit_is_fine():
    values, errors = parse({"mem_limit": "2G", "mem_reservation": "2048M"})
    assert errors == {}
    assert values["mem_reservation"] == "2048M"


def test_compute_type_offered_or_none():
    assert error_of("compute_type", "big") == {}
    values, errors = parse({"compute_type": "gpu"}, compute_types=())
    assert errors == {"compute_type": "field_compute_type"}


def test_several_errors_at_once():
    values, errors = parse({"name": "!", "image": "x", "gpus": "99", "interfaces": ["ftp"]})
    assert errors == {
        "name": "field_name",
        "image": "field_image",
        "gpus": "field_gpus",
        "interfaces": "field_interfaces",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("on", True),
        ("ON", True),
        ("true", True),
        ("1", True),
        ("yes", True),
        ("", False),
        ("off", False),
        ("false", False),
        ("0", False),
        (None, False),
        (True, True),
        (False, False),
        (1, True),
        (0, False),
    ],
)
def test_checkboxes_and_json_booleans(value, expected):
    for field in ("public", "home_volume", "work_volume"):
        values, errors = parse({field: value})
        assert errors == {}
        assert values[field] is expected, field


def test_an_absent_checkbox_is_off():
    values, _ = parse(drop=("public", "home_volume"))
    assert values["public"] is False and values["home_volume"] is False


def test_json_numbers_are_accepted():
    values, errors = parse({"cpu_limit": 3, "cpu_reservation": 1.5, "gpus": 2, "idle_minutes": 30})
    assert errors == {}
    assert (values["cpu_limit"], values["cpu_reservation"], values["gpus"]) == (3.0, 1.5, 2)
    assert values["idle_timeout"] == 1800


def test_interfaces():
    assert parse({"interfaces": "desktop"})[0]["interfaces"] == ("desktop",)
    assert parse({"interfaces": []})[0]["interfaces"] == ("jupyterlab",)
    all_four = ["jupyterlab", "vscode", "desktop", "ssh"]
    values, errors = parse({"interfaces": all_four})
    assert errors == {} and values["interfaces"] == tuple(all_four)


@pytest.mark.parametrize("size", ["512M", "2G", "1.5G", "1T", "4096K", "1000000"])
def test_a_size_the_form_accepts_is_one_docker_understands(size):
    # The spawner (swarm/specs.py), the disk quota (swarm/disk.py) and the capacity
    # check read sizes with docker's parse_bytes: b, k, m, g only.
    values, errors = parse({"mem_limit": size, "mem_reservation": "", "disk_quota": size})
    if not errors:
        assert parse_bytes(values["mem_limit"]) > 0
        assert parse_bytes(values["disk_quota"]) > 0


@pytest.mark.parametrize("field", ["mem_limit", "mem_reservation", "disk_quota"])
def test_a_size_the_form_accepts_fits_its_column(field):
    # The columns are VARCHAR(16): PostgreSQL refuses a longer value (a 500, not a 400).
    length = EnvironmentRecord.__table__.c[field].type.length
    values, errors = parse({"mem_limit": "1G", "mem_reservation": "", field: "1" * 20 + "G"})
    if field not in errors:
        assert len(values[field]) <= length


# ---- form_values -----------------------------------------------------------------


def test_form_values_decodes_and_keeps_the_last_value():
    form = {
        "name": [b"first", b"python-l1"],
        "title": ["Caf\u00e9".encode()],
        "interfaces": [b"jupyterlab", b"ssh"],
        "broken": [b"\xff"],
    }
    assert forms.form_values(form) == {
        "name": "python-l1",
        "title": "Café",
        "interfaces": ["jupyterlab", "ssh"],
        "broken": "\ufffd",
    }


def test_form_values_feed_parse_environment():
    form = {
        "name": [b"python-l1"],
        "image": [IMAGES[1].encode()],
        "mem_limit": [b"2G"],
        "interfaces": [b"vscode"],
        "public": [b"on"],
    }
    values, errors = forms.parse_environment(forms.form_values(form), images=IMAGES)
    assert errors == {}
    assert values["interfaces"] == ("vscode",)
    assert values["public"] is True


# ---- parse_session ---------------------------------------------------------------

PARIS = ZoneInfo("Europe/Paris")


def test_naive_times_take_the_sessions_zone():
    values, errors = forms.parse_session(
        {
            "start": "2025-03-10T09:00",
            "end": "2025-03-10T12:30",
            "timezone": "America/Montreal",
            "expected_students": "25",
            "block_before_start": "on",
        }
    )
    assert errors == {}
    zone = ZoneInfo("America/Montreal")
    assert values == {
        "timezone": "America/Montreal",
        "start": datetime(2025, 3, 10, 9, 0, tzinfo=zone),
        "end": datetime(2025, 3, 10, 12, 30, tzinfo=zone),
        "expected_students": 25,
        "block_before_start": True,
        "stop_at_end": False,
    }
    assert values["start"].tzinfo is zone
    # 9:00 in Montreal, on daylight time since 9 March 2025, is 13:00 UTC.
    assert values["start"].astimezone(UTC) == datetime(2025, 3, 10, 13, 0, tzinfo=UTC)


def test_the_zone_defaults_to_paris():
    values, errors = forms.parse_session({"start": "2025-01-06T08:00", "end": "2025-01-06T10:00"})
    assert errors == {}
    assert values["timezone"] == "Europe/Paris"
    assert values["start"].utcoffset() == timedelta(hours=1)
    assert values["expected_students"] == 0
    assert values["stop_at_end"] is False


def test_times_with_an_offset_keep_it():
    values, errors = forms.parse_session(
        {"start": "2025-01-06T08:00+00:00", "end": "2025-01-06T10:00+00:00"}
    )
    assert errors == {}
    assert values["start"] == datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    assert values["start"].utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-01-06T10:00", "2025-01-06T09:00"),
        ("2025-01-06T10:00", "2025-01-06T10:00"),
        # the same instant written in two zones
        ("2025-01-06T10:00+01:00", "2025-01-06T09:00+00:00"),
    ],
)
def test_the_end_must_come_after_the_start(start, end):
    values, errors = forms.parse_session({"start": start, "end": end, "timezone": "Europe/Paris"})
    assert errors == {"end": "field_end_before_start"}


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd", "not a zone"])
def test_a_bad_zone(zone):
    values, errors = forms.parse_session(
        {"start": "2025-01-06T08:00", "end": "2025-01-06T10:00", "timezone": zone}
    )
    assert errors == {"timezone": "field_timezone"}
    assert values["timezone"] == zone


def test_a_bad_zone_with_one_time_with_an_offset_is_an_error_not_a_crash():
    values, errors = forms.parse_session(
        {"start": "2025-01-06T08:00+01:00", "end": "2025-01-06T10:00", "timezone": "Mars/Olympus"}
    )
    assert errors["timezone"] == "field_timezone"


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize("value", ["", "tomorrow", "2025-13-01T10:00", None])
def test_bad_times(field, value):
    data = {"start": "2025-01-06T08:00", "end": "2025-01-06T10:00", field: value}
    values, errors = forms.parse_session(data)
    assert errors == {field: "field_datetime"}
    assert values[field] is None


@pytest.mark.parametrize(
    ("students", "expected", "error"),
    [
        ("", 0, None),
        ("0", 0, None),
        (0, 0, None),
        ("2000", 2000, None),
        (30, 30, None),
        ("2001", None, "field_students"),
        ("-1", None, "field_students"),
        ("many", None, "field_students"),
        ("2.5", None, "field_students"),
    ],
)
def test_students_range(students, expected, error):
    values, errors = forms.parse_session(
        {"start": "2025-01-06T08:00", "end": "2025-01-06T10:00", "expected_students": students}
    )
    assert values["expected_students"] == expected
    assert errors == ({"expected_students": error} if error else {})


def test_session_booleans_from_json():
    values, errors = forms.parse_session(
        {
            "start": "2025-01-06T08:00",
            "end": "2025-01-06T10:00",
            "block_before_start": False,
            "stop_at_end": True,
        }
    )
    assert errors == {}
    assert values["block_before_start"] is False and values["stop_at_end"] is True


# ---- parse_collaborator, parse_join_link ------------------------------------------


@pytest.mark.parametrize(
    ("data", "values", "errors"),
    [
        ({"username": " bob@moodle ", "permission": "edit"}, ("bob@moodle", "edit"), {}),
        ({"username": "bob"}, ("bob", "view"), {}),
        ({"username": "bob", "permission": ""}, ("bob", "view"), {}),
        ({"username": "u" * 255}, ("u" * 255, "view"), {}),
        ({"username": "u" * 256}, ("u" * 256, "view"), {"username": "field_username"}),
        ({"username": ""}, ("", "view"), {"username": "field_username"}),
        ({}, ("", "view"), {"username": "field_username"}),
        ({"username": "bob smith"}, ("bob smith", "view"), {"username": "field_username"}),
        ({"username": "bob\tx"}, ("bob\tx", "view"), {"username": "field_username"}),
        (
            {"username": "bob", "permission": "own"},
            ("bob", "own"),
            {"permission": "field_permission"},
        ),
        (
            {"username": "bob", "permission": "EDIT"},
            ("bob", "EDIT"),
            {"permission": "field_permission"},
        ),
    ],
)
def test_parse_collaborator(data, values, errors):
    got_values, got_errors = forms.parse_collaborator(data)
    assert got_values == {"username": values[0], "permission": values[1]}
    assert got_errors == errors


@pytest.mark.parametrize(
    ("days", "expected", "errors"),
    [
        ("", None, {}),
        (None, None, {}),
        ("1", 1, {}),
        (" 7 ", 7, {}),
        (30, 30, {}),
        ("366", 366, {}),
        ("0", None, {"expires_in_days": "field_days"}),
        ("367", None, {"expires_in_days": "field_days"}),
        ("-3", None, {"expires_in_days": "field_days"}),
        ("a week", None, {"expires_in_days": "field_days"}),
    ],
)
def test_parse_join_link(days, expected, errors):
    assert forms.parse_join_link({"expires_in_days": days}) == (
        {"expires_in_days": expected},
        errors,
    )


def test_join_link_without_the_field_never_expires():
    assert forms.parse_join_link({}) == ({"expires_in_days": None}, {})
