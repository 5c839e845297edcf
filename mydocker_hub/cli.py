"""`mydocker-hub`: bring the platform up and administer it from the host.

Every failure is one line on stderr and a non-zero exit, never a traceback.
Settings come from ``MYDOCKER_*`` environment variables, and from a ``.env``
file in the current folder for those the environment does not set.
"""

import argparse
import os
import sys
import time

from docker.errors import DockerException

from . import __version__
from .deploy import DeployError, database, engine, hub, images, priority, proxy, swarm
from .swarm import names


def say(message):
    print(f"mydocker-hub: {message}", flush=True)


def read_dotenv(path=".env"):
    """KEY=VALUE lines of `path` (comments and blank lines skipped)."""
    values = {}
    if not os.path.exists(path):
        return values
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise DeployError(f"{path}:{number}: expected KEY=VALUE")
            values[key.strip()] = value.strip().strip("'\"")
    return values


def instance_from_env():
    environ = {**read_dotenv(), **os.environ}
    return hub.Instance.from_env(environ)


def source_root():
    """The folder with images/ and jupyterhub_config.py: here, or the package's checkout."""
    for candidate in (os.getcwd(), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))):
        if os.path.exists(os.path.join(candidate, "images", "hub", "Dockerfile")):
            return candidate
    raise DeployError("run mydocker-hub from the root of its source tree (images/ not found)")


def cmd_up(args):
    started = time.monotonic()
    instance = instance_from_env()
    root = source_root()
    client = engine.ensure(say)
    swarm.ensure_swarm(client, say)
    swarm.ensure_network(client, instance.network, instance.subnet, say)
    images.build_platform_images(client, say, root, force=args.rebuild)
    database.check(client, instance, say)
    hub.remove_if_publishing(client, instance, say)
    group = priority.cgroup_parent(client)
    token = proxy.ensure(client, instance, say, group)
    hub.ensure(client, instance, root, say, token, group)
    if group:
        problem = priority.give_weight()
        if problem:
            say(problem)
    version = hub.wait_until_ready(client, instance)
    for line in hub.startup_repairs(client, instance):
        say(line)
    code, out, err = hub.exec_admin(client, instance, ["ensure-admin"])
    if code != 0:
        raise DeployError(f"could not create the first administrator: {err.strip()}")
    say(f"JupyterHub {version} is up at {instance.url}/ ({time.monotonic() - started:.0f} s)")
    if out.strip():
        print("\nFirst administrator (shown once; keep it safe):")
        print("\n".join(f"  {line}" for line in out.strip().splitlines()))
        print(f"  url: {instance.url}/hub/login\n")
    return 0


def user_services(client, instance):
    """The services of this deployment's servers, never another deployment's.

    See `names.is_deployment_service`: a prefix ``mydocker`` must not catch
    the servers of ``mydocker2`` or ``mydocker-2``.
    """
    return [
        s
        for s in client.services.list(filters={"name": f"{instance.prefix}-"})
        if names.is_deployment_service(s.name, s.attrs["Spec"].get("Labels") or {}, instance.prefix)
    ]


def cmd_down(args):
    instance = instance_from_env()
    client = engine.require()
    container = hub.get_container(client, instance)
    if container is not None:
        container.remove(force=True)
        say(f"Stopped the hub ({instance.container})")
    if proxy.remove(client, instance):
        say(f"Stopped the proxy ({proxy.container_name(instance)})")
    services = user_services(client, instance)
    for service in services:
        service.remove()
    say(f"Stopped {len(services)} user server(s); accounts, homes and the database are kept")
    return 0


def cmd_status(args):
    instance = instance_from_env()
    client = engine.require()
    container = hub.get_container(client, instance)
    state = container.status if container else "absent"
    print(f"hub:      {instance.container} ({hub.describe_state(container)}) {instance.url}/")
    if state != "running" and container is not None:
        error = hub.last_error(container)
        if error:
            print(f"          last error: {error}")
    proxy_container = hub.container_named(client, proxy.container_name(instance))
    proxy_state = proxy_container.status if proxy_container else "absent"
    print(f"proxy:    {proxy.container_name(instance)} ({proxy_state})")
    swarm_state = client.info().get("Swarm", {}).get("LocalNodeState", "inactive")
    print(f"swarm:    {swarm_state}")
    services = user_services(client, instance)
    print(f"servers:  {len(services)}")
    if services:
        rows = sorted(server_row(s, instance.prefix) for s in services)
        print(columns([("USER", "ENVIRONMENT", "SERVER", "SERVICE"), *rows], indent="  "))
    return 0 if state == proxy_state == "running" else 3


def server_row(service, prefix):
    """(user, environment, server, service name) of a server's service, readable.

    From the labels the spawner gives each service (`swarm.specs.labels`); a
    service without them is read from its name (`names.service_name`). The
    default server, which has no name, shows as ``(default)``.
    """
    labels = service.attrs["Spec"].get("Labels") or {}
    user_part, _, server_part = service.name.removeprefix(f"{prefix}-").partition("--")
    user = labels.get("mydocker.user", names.unescape_name(user_part))
    server = labels.get("mydocker.server", names.unescape_name(server_part))
    environment = labels.get("mydocker.environment", server or "?")
    return user, environment, server or "(default)", service.name


def columns(rows, indent=""):
    """`rows` of text as left-aligned columns, two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        indent
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def cmd_logs(args):
    instance = instance_from_env()
    client = engine.require()
    print(hub.logs_tail(client, instance, args.lines))
    return 0


def _admin(args_list):
    instance = instance_from_env()
    client = engine.require()
    code, out, err = hub.exec_admin(client, instance, args_list)
    if out:
        print(out, end="")
    if code != 0:
        message = err.strip().splitlines()[-1] if err.strip() else "failed"
        raise DeployError(message.removeprefix("error: "))
    return 0


def cmd_token(args):
    return _admin(["token", args.user])


def cmd_add_user(args):
    return _admin(["add-user", args.name, "--role", args.role])


def cmd_reset_password(args):
    return _admin(["reset-password", args.name])


def cmd_link_login(args):
    return _admin(["link-login", args.name, args.source])


def cmd_rotate_lti_key(args):
    return _admin(["rotate-lti-key"])


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments get one line, not the usage text."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def parser():
    p = OneLineParser(
        prog="mydocker-hub", description="Run and administer a mydocker_hub platform."
    )
    p.add_argument("--version", action="version", version=__version__)
    commands = p.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser
    )

    up = commands.add_parser("up", help="install what is missing and start the platform")
    up.add_argument("--rebuild", action="store_true", help="rebuild the images")
    up.set_defaults(func=cmd_up)
    commands.add_parser("down", help="stop the platform (keeps all data)").set_defaults(
        func=cmd_down
    )
    commands.add_parser("status", help="what runs").set_defaults(func=cmd_status)
    logs = commands.add_parser("logs", help="the hub's last log lines")
    logs.add_argument("-n", "--lines", type=int, default=100)
    logs.set_defaults(func=cmd_logs)
    token = commands.add_parser("token", help="print a new API token of an administrator")
    token.add_argument("user", nargs="?", default="admin")
    token.set_defaults(func=cmd_token)
    add = commands.add_parser("add-user", help="create a local account, print its password")
    add.add_argument("name")
    add.add_argument("--role", choices=["student", "teacher", "admin"], default="student")
    add.set_defaults(func=cmd_add_user)
    reset = commands.add_parser("reset-password", help="give a local account a new password")
    reset.add_argument("name")
    reset.set_defaults(func=cmd_reset_password)
    link = commands.add_parser(
        "link-login",
        help="let a login from outside (federation or an LMS) use the local account of its name",
    )
    link.add_argument("name", help="the local account, e.g. marie@univ.fr")
    link.add_argument(
        "source", help="'federation', an LTI 1.1 consumer key or an LTI 1.3 platform's name"
    )
    link.set_defaults(func=cmd_link_login)
    commands.add_parser(
        "rotate-lti-key", help="make a new LTI 1.3 signing key (the previous stays published)"
    ).set_defaults(func=cmd_rotate_lti_key)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except DeployError as e:
        print(f"mydocker-hub: error: {e}", file=sys.stderr)
    except DockerException as e:
        print(f"mydocker-hub: error: Docker: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("mydocker-hub: interrupted", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
