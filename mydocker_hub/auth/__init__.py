"""Identity sources of the platform: LTI 1.1, LTI 1.3, OpenID Connect and local accounts.

Each source turns a verified login into an `Identity`; `MyDockerAuthenticator`
(in `mydocker_hub.authenticator`) then gives it a username (`usernames`) and
its groups, roles and admin flag (`roles`).
"""
