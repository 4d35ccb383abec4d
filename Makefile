# The two commands of the README. Each one installs everything it needs by itself.
.PHONY: run test client bench

run:  ## install, migrate a SQLite file, load the demo company and serve on :8000
	@scripts/run.sh

test:  ## install, then lint, type-check and run the whole suite
	@scripts/test.sh

client:  ## regenerate web/openapi.json and the TypeScript client from the API
	uv run python -m nexus.openapi > web/openapi.json
	cd web && npm run generate
