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
  environments, and in no one else's;
- what people are called (`Person`, ``mydocker_people``): the name (and email) their
  last login's source gave, for people to recognise each other, since an LMS user's
  username is ``user_id@consumer``. Other code reads them with `display_names`;
- which LMS activity opens which environment (`LmsLink`, ``mydocker_lms_links``),
  with the course's and activity's titles, as launches show it. Other code reads
  them with `lms_links_of`.

The functions taking a `session` work inside the caller's transaction
(``with db.session() as session:``); `LinkStore` opens its own.

The tables live beside the platform's others (prefix ``mydocker_``).
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, UniqueConstraint, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .. import db
from .identity import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, clean_email, clean_text

# An unchanged LMS link's `last_seen` is written again only after this long: a class
# of 200 students launching one activity at once does not write its row 200 times.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# Usernames per query in `display_names` (below every database's limit on parameters).
QUERY_CHUNK = 500
MAX_ID_LENGTH = 255


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


class Person(db.Base):
    """What a user is called, as the source of their latest login that said it."""

    __tablename__ = "mydocker_people"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH), default="")
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL_LENGTH), nullable=True)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class LmsLink(db.Base):
    """An LMS activity (resource link) seen opening an environment, in its course.

    One row per activity (`issuer`: an LTI 1.1 consumer key or an LTI 1.3
    platform's name, and the LMS's `resource_link_id`); `first_seen` is its first
    launch into `environment`, `last_seen` its latest (to a minute).
    """

    __tablename__ = "mydocker_lms_links"
    __table_args__ = (UniqueConstraint("issuer", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    issuer: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), default="")
    context_title: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH), default="")
    resource_link_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    resource_link_title: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH), default="")
    environment: Mapped[str] = mapped_column(String(64), index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


# The statements of every login, built once and run on the transaction's connection
# (`_run`). A lookup through the ORM (``session.get``, a query built in place) builds
# its statement and the statement's cache key anew each time, then keeps the row in
# the session: four times the cost of running a statement built once, which is all a
# login's lookups and small writes need. Rarer writes keep the ORM.
_USERNAME_OF = select(IdentityLink.username).where(IdentityLink.key == bindparam("key"))
_KEYS_OF = select(IdentityLink.key).where(IdentityLink.username == bindparam("username"))
_ADD_LINK = insert(IdentityLink)
_ADMIN_GRANT = select(LoginAdminGrant.username).where(
    LoginAdminGrant.username == bindparam("username")
)
_ADD_ADMIN_GRANT = insert(LoginAdminGrant)
_REMOVE_ADMIN_GRANT = delete(LoginAdminGrant).where(
    LoginAdminGrant.username == bindparam("username")
)
_CONTEXT_TEACHER = select(ContextTeacher.username).where(
    ContextTeacher.context == bindparam("context"),
    ContextTeacher.username == bindparam("username"),
)
_ADD_CONTEXT_TEACHER = insert(ContextTeacher)
_PERSON = select(Person.display_name, Person.email).where(Person.username == bindparam("username"))
_ADD_PERSON = insert(Person)
_LMS_LINK = select(LmsLink).where(
    LmsLink.issuer == bindparam("issuer"),
    LmsLink.resource_link_id == bindparam("resource_link_id"),
)


def _run(session, statement, **params):
    """`statement` (built once, above) with `params`, on `session`'s connection."""
    return session.connection().execute(statement, params)


def _aware(moment):
    # SQLite gives back naive datetimes; they were written in UTC.
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def record_person(session, username, display_name, email=None, now=None):
    """Remember what `username` is called; return whether anything changed.

    Both values are cleaned (`clean_text`, capped at 200 characters; `clean_email`).
    A value the login did not carry ("" or None) never erases a known one: a local
    login, or an LMS that keeps names to itself, leaves the name another source gave.
    """
    name = clean_text(display_name)
    email = clean_email(email) or None
    if not name and not email:
        return False
    known = _run(session, _PERSON, username=username).first()
    if known is None:
        _run(
            session,
            _ADD_PERSON,
            username=username,
            display_name=name,
            email=email,
            updated=now or _now(),
        )
        return True
    changes = {}
    if name and known.display_name != name:
        changes["display_name"] = name
    if email and known.email != email:
        changes["email"] = email
    if changes:
        query = update(Person).where(Person.username == username)
        session.execute(query.values(**changes, updated=now or _now()))
    return bool(changes)


def display_names(session, usernames):
    """``{username: display name}`` for those of `usernames` whose name is known.

    Users without one are left out: show their username instead.
    """
    wanted = sorted(set(usernames))
    names = {}
    for start in range(0, len(wanted), QUERY_CHUNK):
        chunk = wanted[start : start + QUERY_CHUNK]
        query = select(Person.username, Person.display_name).where(
            Person.username.in_(chunk), Person.display_name != ""
        )
        names.update((username, name) for username, name in session.execute(query))
    return names


def display_name(session, username):
    """The display name of `username`, or None when no login said it."""
    return display_names(session, [username]).get(username)


def record_lms_link(
    session,
    *,
    source,
    issuer,
    resource_link_id,
    environment,
    context_id="",
    context_title="",
    resource_link_title="",
    now=None,
):
    """Remember that an LMS activity opens `environment`; return whether a row was written.

    An activity now opening another environment moves (its `first_seen` starts
    again); a title the launch did not carry keeps the known one.
    """
    now = now or _now()
    resource_link_id = str(resource_link_id)[:MAX_ID_LENGTH]
    context_id = str(context_id or "")[:MAX_ID_LENGTH]
    context_title, resource_link_title = clean_text(context_title), clean_text(resource_link_title)
    params = {"issuer": issuer, "resource_link_id": resource_link_id}
    link = session.execute(_LMS_LINK, params).scalar_one_or_none()
    if link is None:
        session.add(
            LmsLink(
                source=source,
                issuer=issuer,
                context_id=context_id,
                context_title=context_title,
                resource_link_id=resource_link_id,
                resource_link_title=resource_link_title,
                environment=environment,
                first_seen=now,
                last_seen=now,
            )
        )
        return True
    changes = {}
    if link.environment != environment:
        changes.update(environment=environment, first_seen=now)
    if context_id and link.context_id != context_id:
        changes["context_id"] = context_id
    if context_title and link.context_title != context_title:
        changes["context_title"] = context_title
    if resource_link_title and link.resource_link_title != resource_link_title:
        changes["resource_link_title"] = resource_link_title
    if not changes and now - _aware(link.last_seen) < LAST_SEEN_RESOLUTION:
        return False
    for name, value in {**changes, "last_seen": now}.items():
        setattr(link, name, value)
    return True


def lms_links_of(session, environment_name):
    """The LMS activities seen opening `environment_name`, the latest launched first.

    Each is a dict: ``source`` (``lti11`` / ``lti13``), ``issuer`` (the consumer
    key or platform name), ``context_id``, ``context_title``, ``resource_link_id``,
    ``resource_link_title``, ``environment``, ``first_seen`` and ``last_seen``
    (aware UTC datetimes). Titles are "" when the LMS did not send them.
    """
    query = (
        select(LmsLink)
        .where(LmsLink.environment == environment_name)
        .order_by(LmsLink.last_seen.desc(), LmsLink.id)
    )
    return [
        {
            "source": link.source,
            "issuer": link.issuer,
            "context_id": link.context_id,
            "context_title": link.context_title,
            "resource_link_id": link.resource_link_id,
            "resource_link_title": link.resource_link_title,
            "environment": link.environment,
            "first_seen": _aware(link.first_seen),
            "last_seen": _aware(link.last_seen),
        }
        for link in session.scalars(query)
    ]


class LinkStore:
    """Identity links and login-granted admin flags, through `mydocker_hub.db`."""

    def username_of(self, key):
        with db.session() as session:
            return _run(session, _USERNAME_OF, key=key).scalar()

    def keys_of(self, username):
        with db.session() as session:
            return list(_run(session, _KEYS_OF, username=username).scalars())

    def link(self, key, username):
        """Link `key`, which `username_of` just found unlinked, to `username`."""
        try:
            with db.session() as session:
                _run(session, _ADD_LINK, key=key, username=username)
        except IntegrityError:
            # The same person's first two launches at once: the other one linked it.
            pass

    def admin_granted_by_login(self, username):
        with db.session() as session:
            return _run(session, _ADMIN_GRANT, username=username).first() is not None

    def record_admin_grant(self, username, granted):
        try:
            with db.session() as session:
                known = _run(session, _ADMIN_GRANT, username=username).first() is not None
                if granted and not known:
                    _run(session, _ADD_ADMIN_GRANT, username=username)
                elif not granted and known:
                    _run(session, _REMOVE_ADMIN_GRANT, username=username)
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
                known = _run(session, _CONTEXT_TEACHER, context=context, username=username)
                if known.first() is None:
                    _run(
                        session,
                        _ADD_CONTEXT_TEACHER,
                        context=context,
                        username=username,
                    )
        except IntegrityError:
            pass  # the same teacher's two launches at once

    def context_teachers(self, context):
        with db.session() as session:
            query = select(ContextTeacher.username).where(ContextTeacher.context == context)
            return {row[0] for row in session.execute(query)}

    def record_person(self, username, display_name, email=None):
        """`record_person` in a transaction of its own."""
        try:
            with db.session() as session:
                return record_person(session, username, display_name, email)
        except IntegrityError:
            return False  # the same person's two logins at once: the other one wrote it

    def record_lms_link(self, identity, environment):
        """`record_lms_link` for the activity of an LMS launch (`identity`) into `environment`."""
        if identity.source not in ("lti11", "lti13") or not identity.activity_id:
            return False
        try:
            with db.session() as session:
                return record_lms_link(
                    session,
                    source=identity.source,
                    issuer=identity.issuer,
                    resource_link_id=identity.activity_id,
                    environment=environment,
                    context_id=identity.context_id,
                    context_title=identity.context_title,
                    resource_link_title=identity.activity_title,
                )
        except IntegrityError:
            return False  # two first launches of the activity at once: the other one wrote it


class MemoryLinkStore:
    """The same interface in memory, for tests and dry runs."""

    def __init__(self):
        self.links = {}
        self.admin_grants = set()
        self.activities = {}
        self.join_grants = set()
        self.teachers = {}
        self.people = {}
        self.lms_links = {}

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

    def record_person(self, username, display_name, email=None):
        name, email = clean_text(display_name), clean_email(email)
        known = self.people.get(username, ("", ""))
        person = (name or known[0], email or known[1])
        if (name or email) and person != known:
            self.people[username] = person
            return True
        return False

    def record_lms_link(self, identity, environment):
        if identity.source not in ("lti11", "lti13") or not identity.activity_id:
            return False
        self.lms_links[(identity.issuer, identity.activity_id)] = environment
        return True
