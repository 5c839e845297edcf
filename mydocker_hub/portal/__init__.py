"""The teacher portal: environments, sessions, collaborators, join links and activity.

`models` holds what teachers and students do through the portal, in the
platform's database (see `mydocker_hub.migrations`).
"""
