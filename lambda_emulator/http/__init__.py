"""The Starlette edge: routes, the request pipeline, middleware and the envelope."""
