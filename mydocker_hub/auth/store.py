"""What logins remember between them, in the platform's database.

- which JupyterHub user each identity (source, issuer, subject) was given, so that a
  person keeps their account and two people never share one;
- which admin flags were granted by a login (and may be taken back by a later one),
  as opposed to flags an admin granted by hand;
- which environment an LMS activity opens, when a teacher chose it at the
  activity's first launch (LTI 1.1, or LTI 1.3 without deep linking);
- which local accounts an administrator linked to a login from outside
  (``mydocker-hub link-login``): no other outside login reaches a local account;
- who teaches in which LMS course (context), as the LMS said at their launches:
  an activity of that course may enrol its students in those teachers'
  environments, and in no one else's.

The tables live beside the platform's others (prefix ``mydocker_``).
"""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .. import db


def _now():
    return datetime.now(UTC)


class IdentityLink(db.Base):
    """One identity at one source, and the user it logs in as."""

    __tablename__ = "mydocker_identity_links"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    username: Mapped[str] = mapped_column(String(255), index=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class LoginAdminGrant(db.Base):
    """A user whose admin flag was set by a login (a claim or a role), not by hand."""

    __tablename__ = "mydocker_login_admin_grants"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ActivityLink(db.Base):
    """An LMS activity (resource link) bound to the environment it opens."""

    __tablename__ = "mydocker_activity_links"

    activity: Mapped[str] = mapped_column(String(512), primary_key=True)
    environment: Mapped[str] = mapped_column(String(64))
    linked_by: Mapped[str] = mapped_column(String(255))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class JoinGrant(db.Base):
    """A local account that logins from `issuer` with the same verified name may use."""

    __tablename__ = "mydocker_join_grants"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255), primary_key=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ContextTeacher(db.Base):
    """A user whom the LMS named a teacher of a course (``source:issuer:context_id``)."""

    __tablename__ = "mydocker_context_teachers"

    context: Mapped[str] = mapped_column(String(512), primary_key=True)
    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class LinkStore:
    """Identity links and login-granted admin flags, through `mydocker_hub.db`."""

    def username_of(self, key):
        with db.session() as session:
            link = session.get(IdentityLink, key)
            return link.username if link else None

    def keys_of(self, username):
        with db.session() as session:
            query = select(IdentityLink.key).where(IdentityLink.username == username)
            return [row[0] for row in session.execute(query)]

    def link(self, key, username):
        try:
            with db.session() as session:
                if session.get(IdentityLink, key) is None:
                    session.add(IdentityLink(key=key, username=username))
        except IntegrityError:
            # The same person's first two launches at once: the other one linked it.
            pass

    def admin_granted_by_login(self, username):
        with db.session() as session:
            return session.get(LoginAdminGrant, username) is not None

    def record_admin_grant(self, username, granted):
        try:
            with db.session() as session:
                grant = session.get(LoginAdminGrant, username)
                if granted and grant is None:
                    session.add(LoginAdminGrant(username=username))
                elif not granted and grant is not None:
                    session.delete(grant)
        except IntegrityError:
            pass  # recorded by a login of the same user at the same time

    def environment_of_activity(self, activity):
        with db.session() as session:
            link = session.get(ActivityLink, activity)
            return link.environment if link else None

    def link_activity(self, activity, environment, user_name):
        with db.session() as session:
            link = session.get(ActivityLink, activity)
            if link is None:
                session.add(
                    ActivityLink(activity=activity, environment=environment, linked_by=user_name)
                )
            else:
                link.environment, link.linked_by = environment, user_name

    def allow_join(self, username, issuer):
        """Let logins from `issuer` whose verified name is `username` use that local account."""
        try:
            with db.session() as session:
                if session.get(JoinGrant, (username, issuer)) is None:
                    session.add(JoinGrant(username=username, issuer=issuer))
        except IntegrityError:
            pass

    def join_allowed(self, username, issuer):
        with db.session() as session:
            return session.get(JoinGrant, (username, issuer)) is not None

    def record_context_teacher(self, context, username):
        try:
            with db.session() as session:
                if session.get(ContextTeacher, (context, username)) is None:
                    session.add(ContextTeacher(context=context, username=username))
        except IntegrityError:
            pass  # the same teacher's two launches at once

    def context_teachers(self, context):
        with db.session() as session:
            query = select(ContextTeacher.username).where(ContextTeacher.context == context)
            return {row[0] for row in session.execute(query)}


class MemoryLinkStore:
    """The same interface in memory, for tests and dry runs."""

    def __init__(self):
        self.links = {}
        self.admin_grants = set()
        self.activities = {}
        self.join_grants = set()
        self.teachers = {}

    def username_of(self, key):
        return self.links.get(key)

    def keys_of(self, username):
        return [key for key, name in self.links.items() if name == username]

    def link(self, key, username):
        self.links.setdefault(key, username)

    def admin_granted_by_login(self, username):
        return username in self.admin_grants

    def record_admin_grant(self, username, granted):
        if granted:
            self.admin_grants.add(username)
        else:
            self.admin_grants.discard(username)

    def environment_of_activity(self, activity):
        return self.activities.get(activity)

    def link_activity(self, activity, environment, user_name):
        self.activities[activity] = environment

    def allow_join(self, username, issuer):
        self.join_grants.add((username, issuer))

    def join_allowed(self, username, issuer):
        return (username, issuer) in self.join_grants

    def record_context_teacher(self, context, username):
        self.teachers.setdefault(context, set()).add(username)

    def context_teachers(self, context):
        return set(self.teachers.get(context, ()))
