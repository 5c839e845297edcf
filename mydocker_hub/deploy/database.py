"""Before the hub starts: can its SQLite database be opened?

A database that cannot be opened (a disk that filled up, a copy cut short)
would make the hub fail at each start, and Docker restart it forever. `up`
checks it first, in a throwaway container of the hub's image on the data
volume, and refuses to go on, with the steps to recover; it never changes
the file. A database elsewhere (``MYDOCKER_DB_URL``) is the admin's server.
"""

from docker.errors import ContainerError

from . import DeployError
from .images import HUB_IMAGE

DATA_DIR = "/srv/jupyterhub"
DATABASE = "jupyterhub.sqlite"

# `quick_check` reads every page without the slow index checks; a WAL left by a
# killed hub is replayed on opening, as the hub itself would.
CHECK = """
import os, sqlite3, sys
path = sys.argv[1]
if not os.path.exists(path):
    sys.exit(0)
try:
    answer = sqlite3.connect(path, timeout=30).execute("PRAGMA quick_check").fetchone()[0]
except sqlite3.Error as e:
    answer = str(e)
if answer != "ok":
    print(answer.splitlines()[0], file=sys.stderr)
    sys.exit(1)
"""


def recovery_steps(instance):
    """What the admin can do, on one line: the file stays in the volume, untouched."""
    volume = instance.data_volume
    return (
        f"your data is untouched in the volume {volume}; keep a copy "
        f"(docker run --rm -v {volume}:/data -v $PWD:/backup debian:bookworm-slim "
        f"cp -a /data /backup/{volume}-copy), then restore your last backup of {DATABASE} "
        "into the volume, or see 'Recovering the database' in the README"
    )


def check(client, instance, say):
    """Refuse to start the hub on a SQLite database that cannot be opened."""
    if instance.settings.get("MYDOCKER_DB_URL"):
        return
    hub = client.containers.list(filters={"name": f"^{instance.container}$"})
    if hub and hub[0].status == "running":
        return  # it has it open: it could open it
    path = f"{DATA_DIR}/{DATABASE}"
    try:
        client.containers.run(
            HUB_IMAGE,
            ["python3", "-c", CHECK, path],
            entrypoint=[],
            volumes={instance.data_volume: {"bind": DATA_DIR, "mode": "rw"}},
            network_disabled=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            remove=True,
            stderr=True,
        )
    except ContainerError as e:
        reason = (e.stderr or b"").decode(errors="replace").strip() or f"exit code {e.exit_status}"
        raise DeployError(
            f"the hub's database {DATABASE} cannot be opened ({reason}): the hub was not "
            f"started; {recovery_steps(instance)}"
        ) from None
    say(f"Checked the hub's database ({DATABASE})")
