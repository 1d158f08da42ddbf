"""The ASGI application object for `uvicorn service.api.app:app` (settings from the environment)."""

from service.api.main import create_app

app = create_app()
