"""LoRA fine-tuning with TRL's `SFTTrainer` and PEFT, on this computer's CPU (or its GPU).

The base is the GGUF file the app serves, dequantized once into a transformers checkpoint
(`core.models.backends.hf.convert_gguf`), so the adapter is trained on exactly the weights llama.cpp
will apply it over. LoRA goes on every linear layer except `lm_head`: SmolLM2 ties it to the
embeddings, and llama.cpp's converter cannot write an adapter for a tied tensor.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.tuning.dataset import TuneData

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters of one run; all of them go into the manifest."""

    epochs: float = 2.0
    max_length: int = 768
    """Tokens per example (prompt and reply); longer ones lose their end, so keep above the prompts."""
    learning_rate: float = 2e-4
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    batch_size: int = 4
    seed: int = 0


STAGES = (
    "data",
    "training",
    "validating",
    "converting",
    "evaluating base",
    "evaluating tuned",
    "done",
)
"""What a run is doing, in order (`Progress.stage`)."""


@dataclass
class Progress:
    """Where a run is, for the CLI's progress line and the training page."""

    step: int = 0
    total_steps: int = 0
    loss: float | None = None
    elapsed_s: float = 0.0
    stage: str = "training"

    @property
    def eta_s(self) -> float | None:
        if not self.step or not self.total_steps:
            return None
        return self.elapsed_s / self.step * (self.total_steps - self.step)


@dataclass
class TrainResult:
    """What training produced: the PEFT adapter folder and its losses."""

    adapter_dir: Path
    base_checkpoint: Path
    steps: int
    seconds: float
    train_tokens: int
    train_loss: float | None
    validation_loss: float | None
    loss_curve: list[dict[str, float]] = field(default_factory=list)
    device: str = "cpu"
    too_long: int = 0
    """Training examples left out because they did not fit in max_length tokens."""

    @property
    def tokens_per_second(self) -> float:
        return self.train_tokens / self.seconds if self.seconds else 0.0

    def as_manifest(self) -> dict[str, Any]:
        data = asdict(self)
        # Both are this machine's working folders, not facts about the model.
        data.pop("adapter_dir")
        data.pop("base_checkpoint")
        data["tokens_per_second"] = round(self.tokens_per_second, 1)
        return data


def _loss_report(
    state: Progress, progress: Callable[[Progress], None] | None
) -> tuple[Any, list[dict[str, float]]]:
    """A Trainer callback that records every step's loss (logging_steps=1) in the returned curve
    and reports `state` with it: the Trainer logs a step after its on_step_end, loss included."""
    from transformers import TrainerCallback

    curve: list[dict[str, float]] = []
    started = time.perf_counter()

    class Report(TrainerCallback):  # type: ignore[misc]
        def on_log(
            self, args: Any, trainer_state: Any, control: Any, logs: Any = None, **kwargs: Any
        ) -> None:
            if logs and "loss" in logs:
                curve.append(
                    {"step": trainer_state.global_step, "loss": round(float(logs["loss"]), 4)}
                )
                state.step = trainer_state.global_step
                state.total_steps = trainer_state.max_steps or state.total_steps
                state.loss = float(logs["loss"])
                state.elapsed_s = time.perf_counter() - started
                if progress is not None:
                    progress(state)

    return Report(), curve


def _fitting(
    rows: list[dict[str, Any]], tokenizer: Any, max_length: int
) -> tuple[list[dict[str, Any]], int]:
    """The rows whose prompt and reply fit in `max_length` tokens, and how many did not."""
    kept = []
    for row in rows:
        encoded = tokenizer.apply_chat_template(
            row["prompt"] + row["completion"], tokenize=True, return_dict=True
        )
        if len(encoded["input_ids"]) <= max_length:
            kept.append(row)
    return kept, len(rows) - len(kept)


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def train(
    data: TuneData,
    base_gguf: Path,
    work_dir: Path,
    settings: TrainSettings = TrainSettings(),
    progress: Callable[[Progress], None] | None = None,
    models_dir: Path | None = None,
) -> TrainResult:
    """Train a LoRA adapter on `data.train` over `base_gguf`; PEFT files land in `work_dir/adapter`."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback
    from trl import SFTConfig, SFTTrainer

    from core.models.backends.gguf import physical_cores
    from core.models.backends.hf import convert_gguf, converted_dir
    from core.settings import shop_settings

    if not data.train:
        raise ValueError("no training examples: approve some replies first, or use --data starter")
    device = _device()
    if device == "cpu":
        torch.set_num_threads(physical_cores())
    checkpoint = convert_gguf(
        base_gguf, converted_dir(base_gguf, models_dir or shop_settings().models_dir)
    )
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float32)
    # An example longer than max_length would lose its reply's end (TRL cuts the right side):
    # leave it out and count it rather than teach replies that stop mid-sentence.
    train_rows, too_long = _fitting(
        [e.record() for e in data.train], tokenizer, settings.max_length
    )
    validation_rows, _ = _fitting(
        [e.record() for e in data.validation], tokenizer, settings.max_length
    )
    if not train_rows:
        raise ValueError(
            f"every example is longer than {settings.max_length} tokens; raise --max-length"
        )
    train_set = Dataset.from_list(train_rows)
    validation_set = Dataset.from_list(validation_rows) if validation_rows else None
    steps_per_epoch = math.ceil(len(train_rows) / settings.batch_size)
    total_steps = math.ceil(steps_per_epoch * settings.epochs)
    config = SFTConfig(
        output_dir=str(work_dir / "trainer"),
        num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=max(1, total_steps // 20),
        max_length=settings.max_length,
        completion_only_loss=True,
        # Examples of similar length share a batch: less padding, which is most of the waste here.
        train_sampling_strategy="group_by_length",
        logging_steps=1,
        # TRL turns it on by default; a 135M model fits in memory, and recomputing costs ~20%.
        activation_checkpointing=False,
        gradient_checkpointing=False,
        save_strategy="no",
        eval_strategy="no",
        report_to="none",
        seed=settings.seed,
        use_cpu=device == "cpu",
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    lora = LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=list(TARGET_MODULES),
        task_type="CAUSAL_LM",
    )
    started = time.perf_counter()
    state = Progress(total_steps=total_steps)
    report, curve = _loss_report(state, progress)

    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=train_set,
        eval_dataset=validation_set,
        processing_class=tokenizer,
        peft_config=lora,
        callbacks=[report],
    )
    # Our own progress replaces the Trainer's printed dict per step.
    trainer.remove_callback(PrinterCallback)
    train_tokens = sum(len(ids) for ids in trainer.train_dataset["input_ids"]) * settings.epochs
    output = trainer.train()
    seconds = time.perf_counter() - started
    validation_loss = None
    if validation_set is not None:
        state.stage = "validating"
        if progress is not None:
            progress(state)
        validation_loss = float(trainer.evaluate()["eval_loss"])
    adapter_dir = work_dir / "adapter"
    trainer.model.save_pretrained(adapter_dir)
    return TrainResult(
        adapter_dir=adapter_dir,
        base_checkpoint=checkpoint,
        steps=int(output.global_step),
        seconds=round(seconds, 1),
        train_tokens=int(train_tokens),
        train_loss=round(float(output.training_loss), 4),
        validation_loss=round(validation_loss, 4) if validation_loss is not None else None,
        loss_curve=curve,
        device=device,
        too_long=too_long,
    )


def train_dpo(
    pairs: list[dict[str, Any]],
    adapter_dir: Path,
    base_checkpoint: Path,
    work_dir: Path,
    settings: TrainSettings = TrainSettings(),
    beta: float = 0.1,
    progress: Callable[[Progress], None] | None = None,
) -> TrainResult:
    """A DPO stage over the SFT adapter in `adapter_dir`: `pairs` are conversational
    prompt/chosen/rejected rows (the staff's edits, picked variants, blind picks, ratings). The
    reference is a frozen copy of the SFT adapter (TRL adds it), so DPO moves away from where
    SFT left the model only as far as the pairs ask."""
    import torch
    from datasets import Dataset
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback
    from trl import DPOConfig, DPOTrainer

    if not pairs:
        raise ValueError("no preference pairs: edit, pick or compare some drafts first")
    tokenizer = AutoTokenizer.from_pretrained(base_checkpoint)
    base = AutoModelForCausalLM.from_pretrained(base_checkpoint, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, adapter_dir, is_trainable=True)
    config = DPOConfig(
        output_dir=str(work_dir / "dpo"),
        num_train_epochs=1,
        per_device_train_batch_size=min(settings.batch_size, 2),
        learning_rate=settings.learning_rate / 4,
        beta=beta,
        max_length=settings.max_length,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        seed=settings.seed,
        use_cpu=_device() == "cpu",
        activation_checkpointing=False,
        gradient_checkpointing=False,
        disable_tqdm=True,
    )
    started = time.perf_counter()
    report, curve = _loss_report(Progress(), progress)

    trainer = DPOTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(pairs),
        processing_class=tokenizer,
        callbacks=[report],
    )
    trainer.remove_callback(PrinterCallback)
    output = trainer.train()
    out = work_dir / "adapter-dpo"
    trainer.model.save_pretrained(out, selected_adapters=["default"])
    return TrainResult(
        adapter_dir=out,
        base_checkpoint=base_checkpoint,
        steps=int(output.global_step),
        seconds=round(time.perf_counter() - started, 1),
        train_tokens=0,
        train_loss=round(float(output.training_loss), 4),
        validation_loss=None,
        loss_curve=curve,
        device=_device(),
    )
