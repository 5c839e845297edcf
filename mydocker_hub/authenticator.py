"""The platform's authenticator (entry point ``mydocker``).

One authenticator for every way in, each enabled by configuration:

- LTI 1.1 launches from several consumers (`auth.lti11`, ``/hub/lti/launch``);
- LTI 1.3 launches and deep linking from several platforms (`auth.lti13`,
  ``/hub/lti13/...``);
- the federation through OpenID Connect (`auth.oidc`, ``/hub/oauth_login``);
- local accounts (`auth.local`, the form of ``/hub/login``).

`authenticate` is the single entry point: the source proves who logs in (an
`Identity`), `auth.usernames` gives them their one account, `auth.roles` their
groups (``teachers`` / ``students``), roles and admin flag, on every login.
"""

import asyncio

from jupyterhub import orm, scopes
from jupyterhub.auth import Authenticator
from jupyterhub.roles import grant_role
from jupyterhub.utils import url_path_join
from sqlalchemy.orm import object_session
from traitlets import Instance, Type, default

from . import accounts, db
from .auth import lti13_handlers, oidc, pages
from .auth.activity_links import ActivityLinkHandler, choice_url
from .auth.errors import LoginRefused
from .auth.identity import Identity
from .auth.local import LocalAccounts
from .auth.login_lookup import find_user_for_login
from .auth.lti11 import LTI11Launches, LTI11LaunchHandler
from .auth.lti13 import LTI13Launches
from .auth.pending import DatabasePendingChoices
from .auth.redirects import environment_url, safe_next_url
from .auth.roles import (
    ADMIN,
    CUSTOM_SCOPES,
    DEFAULT_ROLES,
    TEACHER,
    TEACHER_ROLE,
    TEACHERS_GROUP,
    RoleMapping,
    groups_and_roles,
    kind_of_local_role,
)
from .auth.store import LinkStore
from .auth.usernames import check_distinct_issuers, resolve_username
from .environments import READY, EnvironmentCatalog, StaticEnvironmentCatalog


def user_model(name, role):
    """The JupyterHub user model for a local account with `role` (used by the admin CLI).

    Its groups are the ones the account's logins get (`auth.roles.groups_and_roles`);
    the ``teacher`` role, which the REST API cannot give, comes from
    `MyDockerAuthenticator.add_user` when the CLI creates the user.
    """
    groups, _ = groups_and_roles(kind_of_local_role(role), role == ADMIN)
    return {"name": name, "admin": role == ADMIN, "groups": groups}


def activity_payload(identity):
    """What the link page keeps of a launch while a teacher chooses its environment."""
    return {
        "activity": identity.activity,
        "source": identity.source,
        "issuer": identity.issuer,
        "context": identity.context,
        "context_title": identity.context_title,
        "activity_title": identity.activity_title,
    }


class MyDockerAuthenticator(Authenticator):
    """LTI 1.1, LTI 1.3, the federation and local accounts, with roles on every login."""

    environment_catalog_class = Type(
        klass=EnvironmentCatalog,
        config=True,
        help="""
        Where launches find environments to enrol students in and deep linking
        finds the environments a teacher may link. Defaults to the spawner's
        `SwarmCourseSpawner.catalog_class`, so both see the same environments.

        .. versionadded:: 0.1
        """,
    )

    @default("environment_catalog_class")
    def _default_environment_catalog_class(self):
        spawner_config = self.config.get("SwarmCourseSpawner", {})
        return spawner_config.get("catalog_class") or StaticEnvironmentCatalog

    catalog = Instance(
        EnvironmentCatalog, help="The environments (from `environment_catalog_class`)."
    )
    lti11 = Instance(LTI11Launches, help="LTI 1.1 launches, configured as `LTI11Launches`.")
    lti13 = Instance(LTI13Launches, help="LTI 1.3 launches, configured as `LTI13Launches`.")
    oidc = Instance(oidc.FederationOIDC, help="Federation logins, configured as `FederationOIDC`.")
    local_accounts = Instance(LocalAccounts, help="Local accounts, configured as `LocalAccounts`.")
    role_mapping = Instance(RoleMapping, help="Roles from sources, configured as `RoleMapping`.")

    @default("catalog")
    def _default_catalog(self):
        return self.environment_catalog_class(parent=self)

    @default("lti11")
    def _default_lti11(self):
        return LTI11Launches(parent=self)

    @default("lti13")
    def _default_lti13(self):
        return LTI13Launches(parent=self)

    @default("oidc")
    def _default_oidc(self):
        return oidc.FederationOIDC(parent=self)

    @default("local_accounts")
    def _default_local_accounts(self):
        return LocalAccounts(parent=self)

    @default("role_mapping")
    def _default_role_mapping(self):
        return RoleMapping(parent=self)

    @default("manage_groups")
    def _default_manage_groups(self):
        return True

    @default("manage_roles")
    def _default_manage_roles(self):
        return True

    @default("reset_managed_roles_on_startup")
    def _default_reset_managed_roles_on_startup(self):
        # JupyterHub 6.1 fails to start (KeyError 'users') when a role from
        # `load_managed_roles` already has members and this is False. With
        # True, the teacher role (listed without users) keeps its members.
        return True

    @default("allow_all")
    def _default_allow_all(self):
        # Having a local account, a launch from a registered LMS or a federation
        # identity is the permission; `blocked_users` still applies.
        return True

    @default("login_service")
    def _default_login_service(self):
        return "Renater"

    _links = None
    _pending_choices = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        check_distinct_issuers(self.issuer_names())
        # Who `authenticate` just let in, new to the hub, and the groups of their login:
        # their login decides their roles, and `add_user` need not read a local account
        # (a thread, a query), but puts them in their groups (`join_groups`).
        self._logging_in = {}
        # Group ids by name: the hub's session keeps the groups it has loaded.
        self._group_ids = {}

    def check_allow_config(self):
        super().check_allow_config()
        # JupyterHub calls this once, at start: the federation's provider is checked now
        # (in the background), so that the log tells what cannot work before a login fails.
        self.oidc.check_provider_soon()

    def issuer_names(self):
        """Every name that scopes usernames, with the setting it comes from."""
        names = [("local", "local accounts")]
        names += [(key, "LTI11Launches.consumers") for key in self.lti11.consumers]
        names += [(p.name, "an LTI13Launches.platforms entry") for p in self.lti13.platforms]
        if self.oidc.enabled:
            names.append((self.oidc.issuer_name, "FederationOIDC.issuer_name"))
        return names

    @property
    def links(self):
        if self._links is None:
            self._links = LinkStore()
        return self._links

    @property
    def pending_choices(self):
        """Deep-linking requests and unlinked activities waiting for a teacher's choice
        (in the database, configured as `DatabasePendingChoices`)."""
        if self._pending_choices is None:
            self._pending_choices = DatabasePendingChoices(parent=self)
        return self._pending_choices

    def get_handlers(self, app):
        return [
            # before JupyterHub's own: the same pages, declaring their language
            *pages.handlers(),
            (r"/lti/launch", LTI11LaunchHandler),
            (r"/lti/link", ActivityLinkHandler),
            *lti13_handlers.handlers(),
            *oidc.handlers(),
        ]

    def add_user(self, user):
        """A user new to the hub (or, at start, one already in its database).

        A local account that has not logged in yet gets the ``teacher`` role its
        logins will give (`auth.roles.kind_of_local_role`): the admin CLI creates
        the user through the REST API, which can set groups and the admin flag but
        no role. Once the user has logged in, their logins decide. When the account
        cannot be read, the user is still created (its first login gives the role). A
        user created by their own login needs none of this: the login gives the roles,
        and the user joins the login's groups here (`join_groups`).

        Returns None, or a coroutine when a local account must be read. Not a coroutine
        for a login: JupyterHub awaits `add_user` through ``maybe_future``, which lets
        other requests run for a coroutine. The groups set here would wait, not yet
        committed, in the hub's single database session, and another request ending
        meanwhile rolls back every change of that session (``BaseHandler.finish``).
        """
        super().add_user(user)
        if user.name in self._logging_in:
            self.join_groups(user, self._logging_in.pop(user.name))
            return None
        if user.last_activity is not None:
            return None
        return self._grant_local_teacher_role(user)

    async def _grant_local_teacher_role(self, user):
        """The ``teacher`` role for `user` when their local account is a teacher's."""
        try:
            role = await asyncio.to_thread(accounts.role_of, user.name)
        except Exception:
            self.log.exception("Could not read the local account of %s", user.name)
            return
        if role is None or kind_of_local_role(role) != TEACHER:
            return
        orm_user = getattr(user, "orm_user", user)
        session = object_session(orm_user)
        if session is None or orm.Role.find(session, TEACHER) is None:
            return
        if TEACHER not in {r.name for r in orm_user.roles}:
            grant_role(session, orm_user, TEACHER, managed=True)

    def join_groups(self, user, names):
        """Put `user`, new to the hub, in the groups `names`, without a commit of its own.

        JupyterHub then finds the login's groups already there: its sync queries
        nothing and commits nothing, and the login's next commit writes these. A
        group that does not exist yet is left to that sync, which creates it.
        """
        orm_user = getattr(user, "orm_user", user)
        session = object_session(orm_user)
        if session is None:
            return
        groups = [self._group(session, name) for name in names]
        if None not in groups:
            orm_user.groups = groups

    def _group(self, session, name):
        """The hub's group `name`, from the session's own objects when it has it."""
        group = session.get(orm.Group, self._group_ids.get(name, -1))
        if group is None or group.name != name:
            group = orm.Group.find(session, name)
            if group is not None:
                self._group_ids[name] = group.id
        return group

    async def load_managed_roles(self):
        # The teacher role carries the portal's custom scopes: define them here too, so
        # that the role loads even when the config did not call `auth.settings.configure`.
        missing = {k: v for k, v in CUSTOM_SCOPES.items() if k not in scopes.scope_definitions}
        if missing:
            scopes.define_custom_scopes(missing)
        return [dict(TEACHER_ROLE)]

    # -- the single entry point -------------------------------------------------------

    async def authenticate(self, handler, data):
        identity = await self.identify(handler, data)
        if identity is None:
            return None
        # One transaction for all the database work of a login: each is a connection,
        # a commit and their ORM work.
        name, admin_flag = await db.run_short(db.one_transaction, self.record_login, identity)
        # One lookup of the user for the whole login: each is a query on the event loop.
        existing = find_user_for_login(handler, name)
        model = self.auth_model(handler, identity, name, admin_flag, existing)
        if existing is None:
            self._logging_in[name] = model["groups"]
        return model

    def record_login(self, identity):
        """The account `identity` logs in to and its admin flag (see `admin_flag`), having
        recorded what the login tells: a course's teacher, the person's name. Blocking."""
        name = resolve_username(identity, self.links, accounts.exists)
        if identity.context and self.role_mapping.is_context_teacher(identity):
            self.links.record_context_teacher(identity.context, name)
        self.record_person(name, identity)
        admin = self.role_mapping.is_admin(name, identity, self.admin_users)
        return name, self.admin_flag(name, admin)

    async def identify(self, handler, data):
        """The `Identity` proven by the handler's source, or None."""
        source = getattr(handler, "identity_source", None)
        if source in ("lti11", "lti13"):
            identity = (data or {}).get("identity")
            if not isinstance(identity, Identity):
                raise LoginRefused(400, "LTI launch without a checked identity.")
            return identity
        if source == "oidc":
            return await self.oidc.identify(handler)
        return await self.local_accounts.identify(data, handler)

    def auth_model(self, handler, identity, name, admin_flag, existing):
        """Groups, roles and admin flag of `name`, logging in with `identity`; `existing`
        is the hub's user of that name (``handler.find_user(name)``), or None."""
        effective_admin = (
            admin_flag if admin_flag is not None else bool(existing and existing.admin)
        )
        kind = self.role_mapping.kind(name, identity)
        kept_groups, kept_roles = self.hand_granted(existing)
        groups, roles = groups_and_roles(kind, effective_admin, kept_groups, kept_roles)
        if {role["name"] for role in roles} == self.roles_before_sync(existing, effective_admin):
            # Nothing to grant or strip: JupyterHub would still redefine every role
            # named (scopes checked, rows rewritten), the most costly part of a login.
            roles = None
        else:
            # JupyterHub redefines the roles it syncs from these dicts: the user role as
            # the hub defines it now, read only then (a query on the event loop).
            user_role = self.role_definition(handler.db, "user")
            _, roles = groups_and_roles(
                kind, effective_admin, kept_groups, kept_roles, user_role=user_role
            )
        self.log.info(
            "Login of %s through %s (%s) as %s%s",
            name,
            identity.source,
            identity.issuer,
            kind,
            ", admin" if effective_admin else "",
        )
        return {
            "name": name,
            "admin": admin_flag,
            "groups": groups,
            "roles": roles,
            "user_info": {"source": identity.source, "issuer": identity.issuer, "role": kind},
        }

    def record_person(self, name, identity):
        """Remember the name (and email) the source gave `name` (`auth.store.Person`).

        Only what people see depends on it: a database error is logged, the login
        goes on. Blocking.
        """
        if not (identity.display_name or identity.email):
            return
        try:
            self.links.record_person(name, identity.display_name, identity.email)
        except Exception:
            self.log.exception("Could not record the display name of %s", name)

    def admin_flag(self, name, admin):
        """True / False when the login decides, None to leave an admin's manual choice."""
        if admin:
            self.links.record_admin_grant(name, True)
            return True
        if self.links.admin_granted_by_login(name):
            self.links.record_admin_grant(name, False)
            return False
        return None

    @staticmethod
    def roles_before_sync(user, admin):
        """The roles `user` holds when JupyterHub syncs a login's roles: theirs, or for a
        new user the default ones JupyterHub gives first (``user``, ``admin``)."""
        if user is not None:
            return {role.name for role in user.orm_user.roles}
        return {"user", "admin"} if admin else {"user"}

    @staticmethod
    def role_definition(db, name):
        """The role `name` as the hub defines it now, or None."""
        role = orm.Role.find(db, name)
        if role is None:
            return None
        return {"name": role.name, "description": role.description, "scopes": list(role.scopes)}

    @staticmethod
    def hand_granted(user):
        """Groups and roles (whole, with their scopes) that no login manages: granted by hand."""
        if user is None:
            return (), ()
        orm_user = user.orm_user
        groups = [group.name for group in orm_user.groups]
        roles = []
        for role in orm_user.roles:
            if role.name in DEFAULT_ROLES or role.name == TEACHER_ROLE["name"]:
                continue
            if not role.managed_by_auth:
                roles.append(
                    {"name": role.name, "description": role.description, "scopes": role.scopes}
                )
        return groups, roles

    # -- after a launch ------------------------------------------------------------

    def home_url(self, handler):
        return url_path_join(handler.hub.base_url, "home")

    async def launch_destination(self, handler, user, identity, next_url=""):
        """Where a launch goes: the activity's environment (enrolled), a teacher's choice
        of it for an activity that names none, else a safe `next` on this hub."""
        enrolled = await db.run_short(
            db.one_transaction, self.enrol_from_launch, user.name, user.admin, identity
        )
        if enrolled:
            return environment_url(handler.hub.base_url, user.name, enrolled)
        if (
            identity.activity
            and self.is_teacher(user)
            and await asyncio.to_thread(self.linkable_environments, user)
        ):
            request_id = await asyncio.to_thread(
                self.pending_choices.add, user.name, "activity", activity_payload(identity)
            )
            return choice_url(handler.hub.base_url, request_id)
        safe = safe_next_url(next_url, handler.hub.base_url)
        lti_paths = tuple(url_path_join(handler.hub.base_url, p) for p in ("lti/", "lti13/"))
        if safe and not safe.startswith(lti_paths):
            return safe
        return self.home_url(handler)

    def enrol_from_launch(self, user_name, is_admin, identity):
        """Enrol `user_name` in the environment the launch's activity opens; its name, or
        None when the activity opens none. Blocking: all of a launch's enrolment work in
        one trip to a thread (and one transaction, `db.one_transaction`)."""
        name = identity.environment
        if not name and identity.activity:
            name = self.links.environment_of_activity(identity.activity)
        if not name:
            return None
        environment = self.catalog.get(name)
        if environment is None:
            raise LoginRefused(
                404,
                f"This activity opens the environment “{name}”, which does "
                "not exist (any more). Tell your teacher. / Cette activité ouvre "
                f"l'environnement « {name} », qui n'existe pas (ou plus). "
                "Prévenez votre enseignant.",
            )
        if identity.environment:
            self.check_activity_may_enrol(environment, user_name, is_admin, identity)
        self.catalog.enrol(environment.name, user_name)
        self.record_lms_link(identity, environment.name)
        return environment.name

    def record_lms_link(self, identity, environment_name):
        """Remember that the launch's LMS activity opens `environment_name`
        (`auth.store.LmsLink`). For the portal only: a database error is logged, the
        launch goes on. Blocking."""
        try:
            self.links.record_lms_link(identity, environment_name)
        except Exception:
            self.log.exception("Could not record the LMS link of %s", identity.activity)

    def check_activity_may_enrol(self, environment, user_name, is_admin, identity):
        """Refuse an activity that names an environment its course may not enrol in.

        Anyone can type a custom parameter in an LMS activity: it enrols only in
        a public environment, or in one that a teacher of the launch's course
        (as the LMS said at their own launch) teaches. Links chosen by a teacher
        on the link page, or made by deep linking from that course, pass too.
        """
        if environment.public or is_admin or user_name in environment.teachers:
            return
        if identity.context and self.links.context_teachers(identity.context) & set(
            environment.teachers
        ):
            return
        self.log.warning(
            "Launch of %s refused: activity %s names %s, not one of its course's teachers'",
            user_name,
            identity.activity,
            environment.name,
        )
        raise LoginRefused(
            403,
            f"This activity opens the environment “{environment.display_name}”, which no "
            "teacher of this course has opened to it. Tell your teacher: they should open the "
            "activity once themselves, or link it from the LMS with the platform's link page. "
            f"/ Cette activité ouvre l'environnement « {environment.display_name} », qu'aucun "
            "enseignant de ce cours n'y a ouvert. Prévenez votre enseignant : il doit ouvrir "
            "l'activité une fois lui-même, ou la lier depuis la plateforme pédagogique.",
        )

    @staticmethod
    def is_teacher(user):
        return user.admin or TEACHERS_GROUP in {group.name for group in user.groups}

    def linkable_environments(self, user):
        """The READY environments `user` may link from an LMS (theirs; all for admins)."""
        return [
            environment
            for environment in self.catalog.all_environments()
            if environment.status == READY and (user.admin or user.name in environment.teachers)
        ]
