"""``python -m mydocker_hub.portal``: how JupyterHub starts the portal's service."""

from .app import main

if __name__ == "__main__":
    main()
