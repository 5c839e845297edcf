"""The portal's Tornado handlers, one module per noun (see `mydocker_hub.portal.app`)."""
