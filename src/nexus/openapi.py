"""Print the API's OpenAPI schema (``python -m nexus.openapi``): the web client is generated
from it, and CI checks that the committed copy matches."""

import json

from nexus.app import create_app
from nexus.config import Settings

if __name__ == "__main__":
    schema = create_app(Settings()).openapi()
    print(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False))  # noqa: T201
