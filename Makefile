# Deployment packages of the SCF functions (functions/<name>/, see devtools/build_package.py),
# their dependency locks and their deployment files.
#
#   make package                      getMonthlyVisitTrend for CPython 3.10 (SCF's default runtime,
#                                     the deployment files'): build/getMonthlyVisitTrend/ and .zip
#   make package FUNCTION=getDailySummary    another function: build/getDailySummary/ and .zip
#   make packages                     every function (each dependency set installed once)
#   make package PYTHON_VERSION=3.11  another runtime: build/py3.11/<name>/ and .zip
#                                     (never at the path the deployment files deploy, whose runtime is 3.10)
#   make lock                         re-lock the dependencies with hashes (uv; needs the network)
#   make deploy-files                 regenerate serverless.yml and deploy/*/serverless.yml from the
#                                     functions' config.json (their timers) and devtools/deploy_files.py
#   make pictures                     docs/report.png, docs/report-phone.png (390 px) and the README's
#                                     docs/archive-visits.png, from a sample archive the emulator fills
#                                     on a pinned day (devtools/report_screenshot.py; needs .venv with
#                                     the dev requirements, as python3 dev.py check makes it, and
#                                     apt-get install -y chromium chromium-driver fonts-wqy-microhei)
#   make dist                         wxcloud's sdist and wheel in dist/ (devtools/dist.py: what `python -m build`
#                                     builds, with python3 and pip alone), to install where there is no checkout:
#                                     pip install 'dist/wxcloud-0.1.0-py3-none-any.whl[archive]'
#   make clean                        remove the built packages and dist/ (keeps the wheel cache)
#   make distclean                    also remove the wheel cache .cache/wheels and .cache/tools
#
# The bytecode shipped in a package must come from the target's own CPython, so the build runs
# with python$(PYTHON_VERSION) when one runs here (on PATH, or installed by pyenv but not
# active), else with python3, which ships no bytecode and says so. Override with PYTHON=...
# The build needs only python3 with pip (no virtualenv, no uv); it downloads the locked wheels
# once, into .cache/wheels/cpXY.

PYTHON_VERSION ?= 3.10
FUNCTION ?= getMonthlyVisitTrend

ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell \
	for candidate in python$(PYTHON_VERSION) "$$(pyenv root 2>/dev/null)"/versions/$(PYTHON_VERSION).*/bin/python$(PYTHON_VERSION) python3; do \
		if "$$candidate" -c "" >/dev/null 2>&1; then echo "$$candidate"; break; fi; \
	done)
endif

ifeq ($(PYTHON_VERSION),3.10)
OUT ?= build
else
OUT ?= build/py$(PYTHON_VERSION)
endif

VENV_PYTHON ?= .venv/bin/python

.PHONY: package packages lock deploy-files pictures dist clean distclean check-python

check-python:
	@test -n "$(PYTHON)" || { echo "make: no python3 found" >&2; exit 1; }
	@echo "building with $(PYTHON) ($$($(PYTHON) -c 'import sys; print(sys.version.split()[0])')) for CPython $(PYTHON_VERSION)"

package: check-python
	$(PYTHON) devtools/build_package.py --function $(FUNCTION) --python-version $(PYTHON_VERSION) --out $(OUT)

packages: check-python
	$(PYTHON) devtools/build_package.py --all --python-version $(PYTHON_VERSION) --out $(OUT)

lock:
	python3 devtools/lock.py

deploy-files:
	python3 devtools/deploy_files.py

pictures:
	$(VENV_PYTHON) devtools/report_screenshot.py

dist:
	python3 devtools/dist.py --out dist

clean:
	rm -rf build dist

distclean: clean
	rm -rf .cache/wheels .cache/tools
