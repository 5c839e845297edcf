# JupyterHub configuration of a mydocker_hub platform.
#
# `configure` reads the MYDOCKER_* environment variables (see README.md) and
# sets everything a small deployment needs. Put site-specific settings below
# it; `make up` applies this file to the running hub. For example:
#
#   c.StaticEnvironmentCatalog.environments = [
#       {"name": "python-l1", "title": "Python (L1)", "public": True,
#        "image": "mydocker/jupyterlab:0.1.0", "cpu_limit": 2, "mem_limit": "4G"},
#   ]
from mydocker_hub.config import configure

configure(c)  # noqa: F821 (`c` is given by JupyterHub)
