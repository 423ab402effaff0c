"""One router a resource, joined in :func:`mentor.server.app.create_app`."""
