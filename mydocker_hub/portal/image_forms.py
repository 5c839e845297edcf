"""Reading what a teacher typed about an image: its name, description, Dockerfile, interfaces.

As `forms`: ``(values, errors)`` with a message key per wrong field, and no
database. The Dockerfile's rules (where it may start from, what it may not
reach) are checked when a build is asked for, where the images the teacher
may start from are known (`mydocker_hub.portal.builds.plan.check_dockerfile`).
"""

import re

from .forms import INTERFACES, _flag, _number, _text

# An image's name ends up in a Docker tag, and its test environment is
# ``test-NAME``: at most 30 characters, like every environment's name.
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,24}$")
# The platform's own images are called so: a teacher's image may not take their name.
RESERVED_NAMES = frozenset({"hub", "jupyterlab", "base"})
DESCRIPTION_LIMIT = 4000
DOCKERFILE_LIMIT = 64 * 1024
IMAGE_INTERFACES = (*INTERFACES, "custom")


def parse_image(data, *, creating=True):
    """An image's fields from `data` (a form's strings or a JSON object's values)."""
    errors = {}
    values = {}
    if creating:
        name = _text(data.get("name")).lower()
        if not IMAGE_NAME.match(name):
            errors["name"] = "field_image_name"
        elif name in RESERVED_NAMES:
            errors["name"] = "field_image_name_reserved"
        values["name"] = name
    values["description"] = _text(data.get("description"))
    if len(values["description"]) > DESCRIPTION_LIMIT:
        errors["description"] = "field_too_long"
    # Kept as typed but for line ends: a Dockerfile's indentation is the teacher's.
    dockerfile = "" if data.get("dockerfile") is None else str(data["dockerfile"])
    values["dockerfile"] = dockerfile.replace("\r\n", "\n")
    if len(values["dockerfile"].encode()) > DOCKERFILE_LIMIT:
        errors["dockerfile"] = "field_dockerfile_too_long"
    elif not values["dockerfile"].strip():
        errors["dockerfile"] = "field_dockerfile_empty"
    interfaces = data.get("interfaces") or ["jupyterlab"]
    if isinstance(interfaces, str):
        interfaces = [interfaces]
    values["interfaces"] = tuple(_text(i) for i in interfaces)
    if not set(values["interfaces"]) <= set(IMAGE_INTERFACES):
        errors["interfaces"] = "field_interfaces"
    port = _text(data.get("custom_port"))
    port = "" if port == "0" else port  # 0: no port (what an image without one shows)
    values["custom_port"] = 0
    if "custom" in values["interfaces"] or port:
        values["custom_port"] = _number(
            port, int, 1024, 65535, errors, "custom_port", "field_custom_port"
        )
    values["public"] = _flag(data.get("public"))
    return values, errors
