"""The reference ceiling: a bare FastAPI JSON endpoint, served exactly like the app."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
