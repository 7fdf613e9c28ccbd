"""One router per domain; :data:`ROUTERS` lists them in the order the OpenAPI shows them."""
