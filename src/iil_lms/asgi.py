"""The ASGI entry point for uvicorn workers."""

from iil_lms.app import create_app
from iil_lms.logging_setup import configure_logging

configure_logging()
app = create_app()
