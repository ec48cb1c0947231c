"""The shop's own model: training data from approved replies (`dataset`), LoRA fine-tuning with TRL
and PEFT (`trainer`), the GGUF adapter llama.cpp serves (`convert`), the evaluation gate (`gate`),
the whole run (`pipeline`) and runs in the background for the training page (`jobs`).

Serving a tuned model needs none of this: `core.models.tuned` reads the folders it writes.
"""
