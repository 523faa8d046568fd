"""Serve an ASGI app the way `iil-lms serve` does (same uvicorn, same options, one
worker unless a third argument asks for more), so the hello reference and the app differ
only in the application.

Run: python -m bench.serve MODULE:APP PORT [WORKERS]"""

from __future__ import annotations

import sys

import uvicorn


def main() -> None:
    target, port = sys.argv[1], int(sys.argv[2])
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if target.startswith("iil_lms"):
        from iil_lms.logging_setup import configure_logging

        configure_logging()
    # keep in step with iil_lms.cli.cmd_serve
    uvicorn.run(
        target,
        host="127.0.0.1",
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        access_log=False,
        log_config=None,
        log_level="info",
    )


if __name__ == "__main__":
    main()
