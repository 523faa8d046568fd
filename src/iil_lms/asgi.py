"""The ASGI entry point for uvicorn workers."""

from iil_lms.app import create_app

app = create_app()
