# Deployment package of the getMonthlyVisitTrend SCF function (see devtools/build_package.py).
#
#   make package                      CPython 3.10 (SCF's default runtime, serverless.yml's):
#                                     build/getMonthlyVisitTrend/ and build/getMonthlyVisitTrend.zip
#   make package PYTHON_VERSION=3.11  another runtime: build/py3.11/getMonthlyVisitTrend/ and .zip
#                                     (never at the path serverless.yml deploys, whose runtime is 3.10)
#   make clean                        remove the built packages (keeps the wheel cache)
#   make distclean                    also remove the wheel cache .cache/wheels
#
# The bytecode shipped in the package must come from the target's own CPython, so the build runs
# with python$(PYTHON_VERSION) when one runs here (on PATH, or installed by pyenv but not
# active), else with python3, which ships no bytecode and says so. Override with PYTHON=...
# Needs only python3 with pip (no virtualenv); downloads the wheels of requirements.lock once,
# into .cache/wheels/cpXY.

PYTHON_VERSION ?= 3.10

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

.PHONY: package clean distclean

package:
	@test -n "$(PYTHON)" || { echo "make: no python3 found" >&2; exit 1; }
	@echo "building with $(PYTHON) ($$($(PYTHON) -c 'import sys; print(sys.version.split()[0])')) for CPython $(PYTHON_VERSION)"
	$(PYTHON) devtools/build_package.py --python-version $(PYTHON_VERSION) --out $(OUT)
	@echo "package: $(OUT)/getMonthlyVisitTrend/ and $(OUT)/getMonthlyVisitTrend.zip"

clean:
	rm -rf build/getMonthlyVisitTrend build/getMonthlyVisitTrend.zip build/getMonthlyVisitTrend.report.json build/py3.*

distclean: clean
	rm -rf .cache/wheels
