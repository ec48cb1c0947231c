"""Each export format is accepted by the tool it is for.

TRL: the files load with `datasets`, TRL recognises them as conversational, renders them with the
embedded SmolLM2's real chat template, and each trainer (SFT, DPO, KTO) takes one optimisation step
on them with a tiny randomly initialised Llama (the data path is what is under test, and no weights
can be downloaded here). OpenAI: the checks of OpenAI's chat fine-tuning data-preparation guide.
LLaMA-Factory (it pins another torch, so it cannot be installed here): `dataset_info.json` and the
records are checked against the rules of its dataset parser and alpaca/sharegpt converters.
"""

import copy
import json
from pathlib import Path

import pytest
from datasets import load_dataset

from core.training_data.export import DATASET_INFO, ExportOptions, export_dataset
from core.training_data.export_formats import FORMATS
from core.training_data.importer import import_file
from tests.conftest import SHARED_DATA

# transformers 5 renames gradient checkpointing; TRL 1.16 still calls the old names.
pytestmark = pytest.mark.filterwarnings("ignore:.*checkpointing.*:FutureWarning")


@pytest.fixture
def exported(sessions, tmp_path):
    """Every format exported from the imported sample plus app-style variants and thumbs."""
    from db.repository import GenerationRecord, add_rating, log_generation

    import_file(sessions, SHARED_DATA / "import_sample.csv", "Huayu Flowers")
    messages = [
        {"role": "system", "content": "You are the shop's assistant."},
        {"role": "user", "content": "Late!"},
    ]
    with sessions.begin() as session:
        for text, chosen, thumbs in (("Sorry, refund.", True, 1), ("Sorry.", False, -1)):
            generation = log_generation(
                session,
                GenerationRecord(
                    task="complaint",
                    template_id="complaint_reply.en",
                    template_version="v",
                    inputs={},
                    messages=messages,
                    output=text,
                    backend="fake",
                    model_id="fake",
                    variant_group="g",
                ),
            )
            generation.chosen = chosen
            add_rating(session, generation.id, thumbs=thumbs)
    files = {}
    for name in FORMATS:
        summary = export_dataset(
            sessions, ExportOptions(format=name), tmp_path / name / f"{name}.jsonl"
        )
        files[name] = summary.files[0]
    return files


@pytest.fixture(scope="module")
def tokenizer():
    """The embedded SmolLM2's tokenizer and chat template, built from the GGUF file itself."""
    from transformers import AutoTokenizer

    from core.models.backends.gguf import embedded_model_path

    path = embedded_model_path()
    return AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)


def tiny_llama(tokenizer):
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return LlamaForCausalLM(config)


TRL_FORMATS = {
    "trl-sft": {"messages"},
    "trl-prompt-completion": {"prompt", "completion"},
    "trl-dpo": {"prompt", "chosen", "rejected"},
    "trl-kto": {"prompt", "completion", "label"},
}


@pytest.mark.parametrize("name", sorted(TRL_FORMATS))
def test_trl_reads_renders_and_trains_on_each_format(name, exported, tokenizer, tmp_path):
    from trl import DPOConfig, DPOTrainer, KTOConfig, KTOTrainer, SFTConfig, SFTTrainer
    from trl.data_utils import is_conversational, maybe_apply_chat_template

    dataset = load_dataset("json", data_files=str(exported[name]), split="train")
    assert set(dataset.column_names) == TRL_FORMATS[name]
    assert len(dataset) >= 3
    for example in dataset:
        assert is_conversational(example)
        rendered = maybe_apply_chat_template(example, tokenizer)
        text = rendered.get("text") or rendered["prompt"]
        assert text.startswith(
            "<|im_start|>system\n"
        )  # the stored system prompt, not SmolLM's default
        assert "You are SmolLM" not in text

    trainer_type, config_type = {
        "trl-sft": (SFTTrainer, SFTConfig),
        "trl-prompt-completion": (SFTTrainer, SFTConfig),
        "trl-dpo": (DPOTrainer, DPOConfig),
        "trl-kto": (KTOTrainer, KTOConfig),
    }[name]
    model = tiny_llama(tokenizer)
    extra = {"ref_model": copy.deepcopy(model)} if name in ("trl-dpo", "trl-kto") else {}
    config = config_type(
        output_dir=str(tmp_path / "run"),
        # The app's prompts carry the template's example exchange, and this tokenizer spends two
        # or three tokens on a Chinese character: TRL's 1024-token default would drop some rows.
        max_length=4096,
        max_steps=1,
        per_device_train_batch_size=2,
        report_to=[],
        save_strategy="no",
        logging_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = trainer_type(
        model=model, processing_class=tokenizer, train_dataset=dataset, args=config, **extra
    )
    assert len(trainer.train_dataset) == len(dataset)  # nothing dropped as malformed
    result = trainer.train()
    assert result.global_step == 1 and result.training_loss > 0


def test_openai_chat_meets_openais_fine_tuning_format_checks(exported):
    # The checks of OpenAI's "Chat fine-tuning data prep" guide, one by one.
    lines = exported["openai-chat"].read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 3
    for line in lines:
        example = json.loads(line)
        assert isinstance(example, dict)  # data_type
        assert set(example) == {"messages"} and isinstance(
            example["messages"], list
        )  # missing_messages_list
        for message in example["messages"]:
            assert {"role", "content"} <= set(message)  # message_missing_key
            assert set(message) <= {"role", "content", "name", "weight"}  # message_unrecognized_key
            assert message["role"] in ("system", "user", "assistant")  # unrecognized_role
            assert (
                isinstance(message["content"], str) and message["content"].strip()
            )  # missing_content
        roles = [m["role"] for m in example["messages"]]
        assert roles[-1] == "assistant"  # example_missing_assistant_message; the target is last
        assert roles.count("system") <= 1 and roles.index("user") == (
            1 if roles[0] == "system" else 0
        )


# LLaMA-Factory 0.9.5 (llamafactory/data/parser.py DatasetAttr.join): the column and tag names it reads.
LLAMA_FACTORY_COLUMNS = {
    "prompt",
    "query",
    "response",
    "history",
    "messages",
    "system",
    "tools",
    "images",
    "videos",
    "audios",
    "chosen",
    "rejected",
    "kto_tag",
}
LLAMA_FACTORY_TAGS = {
    "role_tag",
    "content_tag",
    "user_tag",
    "assistant_tag",
    "observation_tag",
    "function_tag",
    "system_tag",
}


@pytest.mark.parametrize("name", ["alpaca", "sharegpt"])
def test_llama_factory_dataset_info_and_records_follow_its_converters(name, exported):
    folder: Path = exported[name].parent
    info = json.loads((folder / DATASET_INFO).read_text(encoding="utf-8"))
    [(dataset_name, entry)] = info.items()
    assert dataset_name == name and (folder / entry["file_name"]).is_file()
    assert entry["formatting"] == name and not entry.get("ranking", False)
    assert set(entry["columns"]) <= LLAMA_FACTORY_COLUMNS
    assert set(entry.get("tags", {})) <= LLAMA_FACTORY_TAGS
    dataset = load_dataset("json", data_files=str(folder / entry["file_name"]), split="train")
    columns = entry["columns"]
    assert set(columns.values()) == set(dataset.column_names)
    for example in dataset:
        system = example[columns["system"]]
        assert (
            "Huayu Flowers" in system or system == "You are the shop's assistant."
        )  # as generated
        if name == "alpaca":
            # AlpacaDatasetConverter: history pairs, then "instruction\ninput" as the user turn.
            assert example[columns["prompt"]].strip() and example[columns["query"]] == ""
            assert (
                isinstance(example[columns["response"]], str)
                and example[columns["response"]].strip()
            )
            assert all(len(turn) == 2 for turn in example[columns["history"]])
        else:
            # SharegptDatasetConverter: human/gpt alternate from human, an even count (not ranking).
            tags = entry["tags"]
            turns = example[columns["messages"]]
            assert len(turns) % 2 == 0
            for index, turn in enumerate(turns):
                expected = tags["user_tag"] if index % 2 == 0 else tags["assistant_tag"]
                assert turn[tags["role_tag"]] == expected and turn[tags["content_tag"]].strip()
