"""mydocker_hub: a JupyterHub distribution for course environments on Docker Swarm."""

__version__ = "0.1.0"
