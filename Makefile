# The commands that matter. `make run` and `make test` install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NPM_STAMP := node_modules/.package-lock.json
PORT ?= 4000
# What `make run` keeps across restarts (accounts, catalog, media, follows, ratings); `make reset` forgets it.
DATA_DIR ?= .local-data
STAGE ?= dev
CDK_ENV := CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true CDK_HOME=$(CURDIR)/.cdk-home \
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

.PHONY: setup run reset test lint schema bench bench-scale load import synth deploy promote clean

setup: $(VENV)/.installed $(NPM_STAMP)

# A virtual environment from requirements.txt, rebuilt when the requirements change.
# --no-compile: pip byte-compiled every installed module (aws-cdk-lib, botocore's models...),
# 60 of its 90 s here; Python compiles the few modules we import on first use instead.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-compile -r requirements.txt
	touch $@

# The CDK CLI and the GraphiQL bundle, exactly as pinned in package-lock.json.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## Serve the local API with the demo catalog: GraphiQL at http://127.0.0.1:$(PORT)/graphql
run: setup
	$(PY) -m emulator --port $(PORT) --seed demo --data-dir $(DATA_DIR)

## Forget what the local API kept: the next `make run` starts from the demo catalog again
reset:
	rm -rf $(DATA_DIR)

## Lint, then every test (unit, schema, integration against the emulator, infrastructure)
test: setup lint
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## Regenerate schema/schema.graphql from the strawberry types
schema: setup
	$(PY) -m schema.export

## DynamoDB calls and Lambda invocations per GraphQL operation; the calls of one release's fan-out; of a feed;
## the play consumer's calls for 1,000 plays over 10 and 1,000 songs; real-time latency to 100 subscribers (publish -> event, song READY -> event)
bench: setup
	$(PY) -m bench.dynamodb_calls
	$(PY) -m bench.fanout_calls
	$(PY) -m bench.feed_calls
	$(PY) -m bench.play_counts
	$(PY) -m bench.library_calls
	$(PY) -m bench.realtime_latency

## Figures at scale on fresh local APIs: importing 1,000 tagged tracks (time and rate until the last is READY),
## then the local DynamoDB's cost as the table grows (4,000 sequential createSong, rate and RSS per 1,000)
bench-scale: setup
	$(PY) -m bench.import_scale
	$(PY) -m bench.dynamodb_scale

## Load on a local API of its own: listeners browsing, rating and subscribed while an admin publishes
load: setup
	$(PY) -m bench.load

## Import a music folder into the running local API (`make run`): make import DIR=~/Music [ARGS="--genre rock"]
import: setup
	$(PY) -m tools.import_music "$(DIR)" --local http://127.0.0.1:$(PORT) $(ARGS)

## Synthesize the CloudFormation templates offline (STAGE=dev|prod)
synth: setup
	$(CDK_ENV) node_modules/.bin/cdk synth --no-notices -c stage=$(STAGE) --quiet

## Deploy to the AWS account of your current credentials (run `cdk bootstrap` once per account/region first)
deploy: setup
	$(CDK_ENV) node_modules/.bin/cdk deploy --no-notices -c stage=$(STAGE) --require-approval broadening

## Make an existing account an administrator of the running local API: make promote EMAIL=you@example.com
promote: setup
	$(PY) -m tools.promote_admin --local http://127.0.0.1:$(PORT) $(EMAIL)

clean:
	rm -rf $(VENV) node_modules cdk.out .cdk-home .pytest_cache .ruff_cache
