"""FastAPI dependencies shared by the route modules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request


def get_ros(request: Request) -> Any:
    return request.app.state.ros


Ros = Annotated[Any, Depends(get_ros)]
