# The two set-up commands are `make run` and `make test`; nothing else is needed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test worker beat lint format install messages clean services-down

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEMO=$(DEMO) $(PY) -m civil_affairs.launcher run

test: $(STAMP)
	$(PY) -m civil_affairs.launcher test $(ARGS)

worker: $(STAMP)
	$(PY) -m civil_affairs.launcher worker

beat: $(STAMP)
	$(PY) -m civil_affairs.launcher beat

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Re-extract and compile translations (needs GNU gettext; the compiled .mo files are committed).
messages: $(STAMP)
	mkdir -p locale
	CIVIL_AFFAIRS_DEV=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete -i '.venv/*' -i 'var/*' -i 'tests/*' -i 'bench/*'
	CIVIL_AFFAIRS_DEV=1 $(PY) manage.py compilemessages -l zh_Hans -i .venv

services-down: $(STAMP)
	$(PY) -m civil_affairs.localservices down

clean: services-down
	rm -rf var/ $(VENV)
