# Two commands set up a fresh machine: `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# llama-cpp-python compiles llama.cpp from source. On x86-64 Linux build for AVX2 rather than
# "native": native builds on Xeons with AMX crash in llama.cpp's AMX matmul on the first batch
# (seen with 0.3.36). Set CMAKE_ARGS yourself to override (e.g. -DGGML_CUDA=on for NVIDIA GPUs).
ifeq ($(shell uname -sm),Linux x86_64)
CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
export CMAKE_ARGS
endif

.PHONY: run test bench shop-model clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: requirements are installed again only when the file changed.
$(VENV)/.requirements.stamp: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	# llama.cpp's LoRA converter for `core tune`, from this llama-cpp-python's source distribution.
	$(BIN)/python -m core.tuning.convert
	touch $@

$(VENV)/.requirements-dev.stamp: requirements-dev.txt $(VENV)/.requirements.stamp
	$(BIN)/python -m pip install -r requirements-dev.txt
	touch $@

# The starter pack goes in first (once: importing it again adds nothing), so a new shop's drafts
# have examples to imitate from the first request.
run: $(VENV)/.requirements.stamp
	$(BIN)/python -m core import --starter
	$(BIN)/streamlit run app.py

test: $(VENV)/.requirements-dev.stamp
	$(BIN)/python -m pytest

bench: $(VENV)/.requirements.stamp
	$(BIN)/python -m core bench

# The shop model Huayu ships (shop_model/huayu-starter/): the embedded SmolLM2 fine-tuned on the
# starter pack, then evaluated against it. About 1.5 hours on 2 CPU cores (BENCHMARKS.md).
shop-model: $(VENV)/.requirements.stamp
	$(BIN)/python -m core tune --data starter --out shop_model/huayu-starter --no-default

clean:
	rm -rf $(VENV)
