"""The real app plus one trivial endpoint, served by uvicorn: the ceiling for the card benchmark."""

from __future__ import annotations

import sys

import uvicorn

from mtg_tracker.main import create_app

app = create_app()


@app.get("/bench/trivial")
async def trivial() -> dict[str, str]:
    """A trivial FastAPI endpoint through the same middleware: the ceiling to compare against."""
    return {"object": "ok"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
