"""Reading what a teacher typed: an environment, a session, a collaborator, a join link.

Each ``parse_*`` function takes the submitted values (a form's strings or a
JSON object's values) and returns ``(values, errors)``: the clean values, and
for each field that is wrong a message key of `mydocker_hub.portal.i18n`. A
page shows each error next to its field and keeps what was typed; the API
answers 400 with the same errors. Nothing here touches the database.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from docker.utils import parse_bytes

from ..environments import NAME_PATTERN, STATUSES

INTERFACES = ("jupyterlab", "vscode", "desktop", "ssh")
# What Docker's parse_bytes reads (no T), and short enough for its column.
SIZE = re.compile(r"^\d{1,8}(\.\d{1,4})?[kKmMgG]?$")

MAX_CPUS = 64
MAX_GPUS = 8
MAX_STUDENTS = 2000
MAX_IDLE_MINUTES = 7 * 24 * 60
TEXT_LIMITS = {"title": 200, "description": 4000}
USERNAME_LIMIT = 255


def _text(value):
    return "" if value is None else str(value).strip()


def _flag(value):
    """A checkbox (absent, "on") or a JSON boolean."""
    if isinstance(value, bool):
        return value
    return _text(value).lower() in ("on", "true", "1", "yes")


def _number(value, kind, low, high, errors, field, key):
    try:
        number = kind(_text(value))
    except ValueError:
        errors[field] = key
        return None
    if not low <= number <= high:
        errors[field] = key
        return None
    return number


def _size(value, errors, field, *, required=False):
    text = _text(value).upper()
    if not text and not required:
        return ""
    if not SIZE.match(text):
        errors[field] = "field_size"
        return None
    return text


def parse_environment(data, *, images, compute_types=(), creating=True):
    """An environment's fields from `data`, checked against what the platform offers.

    `images` are the images the teacher may use; `compute_types` the labels of
    the platform's nodes (an empty compute type runs anywhere).
    """
    errors = {}
    values = {}
    if creating:
        name = _text(data.get("name")).lower()
        if not NAME_PATTERN.match(name):
            errors["name"] = "field_name"
        values["name"] = name
    for field, limit in TEXT_LIMITS.items():
        values[field] = _text(data.get(field))
        if len(values[field]) > limit:
            errors[field] = "field_too_long"
    values["image"] = _text(data.get("image"))
    if values["image"] not in images:
        errors["image"] = "field_image"
    values["status"] = _text(data.get("status")).upper() or "DRAFT"
    if values["status"] not in STATUSES:
        errors["status"] = "field_status"
    values["public"] = _flag(data.get("public"))
    values["cpu_limit"] = _number(
        data.get("cpu_limit", "1"), float, 0.1, MAX_CPUS, errors, "cpu_limit", "field_cpu"
    )
    values["cpu_reservation"] = _number(
        data.get("cpu_reservation") or "0",
        float,
        0,
        MAX_CPUS,
        errors,
        "cpu_reservation",
        "field_cpu_reservation",
    )
    if (
        values["cpu_limit"] is not None
        and values["cpu_reservation"] is not None
        and values["cpu_reservation"] > values["cpu_limit"]
    ):
        errors["cpu_reservation"] = "field_reservation_above_limit"
    values["mem_limit"] = _size(data.get("mem_limit"), errors, "mem_limit", required=True)
    values["mem_reservation"] = _size(data.get("mem_reservation"), errors, "mem_reservation")
    if values["mem_limit"] and values["mem_reservation"]:
        if parse_bytes(values["mem_reservation"]) > parse_bytes(values["mem_limit"]):
            errors["mem_reservation"] = "field_reservation_above_limit"
    values["gpus"] = _number(
        data.get("gpus") or "0", int, 0, MAX_GPUS, errors, "gpus", "field_gpus"
    )
    values["compute_type"] = _text(data.get("compute_type"))
    if values["compute_type"] and values["compute_type"] not in compute_types:
        errors["compute_type"] = "field_compute_type"
    values["home_volume"] = _flag(data.get("home_volume"))
    values["work_volume"] = _flag(data.get("work_volume"))
    values["disk_quota"] = _size(data.get("disk_quota"), errors, "disk_quota")
    idle = data.get("idle_minutes")
    minutes = _number(
        "60" if idle is None or idle == "" else idle,
        int,
        0,
        MAX_IDLE_MINUTES,
        errors,
        "idle_minutes",
        "field_idle",
    )
    values["idle_timeout"] = None if minutes is None else minutes * 60
    interfaces = data.get("interfaces") or ["jupyterlab"]
    if isinstance(interfaces, str):
        interfaces = [interfaces]
    values["interfaces"] = tuple(_text(i) for i in interfaces)
    if not set(values["interfaces"]) <= set(INTERFACES):
        errors["interfaces"] = "field_interfaces"
    return values, errors


def form_values(form):
    """A Tornado form (``request.arguments``-like: name → list of bytes) as parse_* input."""
    values = {}
    for name, items in form.items():
        decoded = [item.decode("utf-8", "replace") for item in items]
        values[name] = decoded if name == "interfaces" else decoded[-1]
    return values


def parse_session(data):
    """A session's fields: start and end (local times of `timezone`), students, options."""
    errors = {}
    values = {"timezone": _text(data.get("timezone")) or "Europe/Paris"}
    try:
        zone = ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = "field_timezone"
        zone = None
    for field in ("start", "end"):
        try:
            moment = datetime.fromisoformat(_text(data.get(field)))
        except ValueError:
            errors[field] = "field_datetime"
            values[field] = None
            continue
        if moment.tzinfo is None and zone is not None:
            moment = moment.replace(tzinfo=zone)
        values[field] = moment
    if zone and values["start"] and values["end"] and values["end"] <= values["start"]:
        errors["end"] = "field_end_before_start"
    values["expected_students"] = _number(
        data.get("expected_students") or "0",
        int,
        0,
        MAX_STUDENTS,
        errors,
        "expected_students",
        "field_students",
    )
    values["block_before_start"] = _flag(data.get("block_before_start"))
    values["stop_at_end"] = _flag(data.get("stop_at_end"))
    return values, errors


def parse_collaborator(data):
    """A collaborator: a user name and ``view`` or ``edit``."""
    errors = {}
    username = _text(data.get("username"))
    if not username or len(username) > USERNAME_LIMIT or any(c.isspace() for c in username):
        errors["username"] = "field_username"
    permission = _text(data.get("permission")) or "view"
    if permission not in ("view", "edit"):
        errors["permission"] = "field_permission"
    return {"username": username, "permission": permission}, errors


def parse_join_link(data):
    """A join link's lifetime: a number of days (empty: it never expires)."""
    errors = {}
    days = _text(data.get("expires_in_days"))
    value = None
    if days:
        value = _number(days, int, 1, 366, errors, "expires_in_days", "field_days")
    return {"expires_in_days": value}, errors
