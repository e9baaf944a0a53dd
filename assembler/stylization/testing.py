"""Tiny random-config SDXL checkpoints (base, ControlNet, refiner, VAE, LoRA) written to a folder, for tests and
the benchmark's ``--tiny`` smoke run — diffusers' ``get_dummy_components`` habit. Nothing is downloaded: the
tokenizer is written from a byte-level vocabulary made here. Needs diffusers, transformers and peft."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TinyCheckpoints", "write_tokenizer", "tiny_components", "save_tiny_checkpoints", "save_tiny_lora"]

TEXT_WIDTH = 32  # each tiny text encoder's hidden size; the base cross-attends to both (64)
TIME_EMBED = 8  # addition_time_embed_dim


def _bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def write_tokenizer(folder: str | Path, max_length: int = 77):
    """A CLIP tokenizer over single bytes plus a few merges, saved to ``folder``; returns it."""
    from transformers import CLIPTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chars = list(_bytes_to_unicode().values())
    merges = ["t h", "th e</w>", "a n", "o n</w>", "e r", "i n", "a r"]
    vocab: dict[str, int] = {"<|startoftext|>": 0, "!": 1, "<|endoftext|>": 2}  # bos 0, pad 1, eos 2
    for tok in chars + [c + "</w>" for c in chars] + [m.replace(" ", "") for m in merges]:
        vocab.setdefault(tok, len(vocab))
    raw = folder / "_raw"
    raw.mkdir(exist_ok=True)
    (raw / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (raw / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    import inspect

    files = {"vocab": str(raw / "vocab.json"), "merges": str(raw / "merges.txt")}  # transformers 5
    if "vocab_file" in inspect.signature(CLIPTokenizer.__init__).parameters:  # transformers 4
        files = {"vocab_file": files["vocab"], "merges_file": files["merges"]}
    tok = CLIPTokenizer(**files, model_max_length=max_length, pad_token="!")
    if tok.convert_tokens_to_ids("the</w>") != vocab["the</w>"]:
        raise RuntimeError("the tiny CLIP tokenizer did not take its vocabulary")
    tok.save_pretrained(str(folder))
    return CLIPTokenizer.from_pretrained(str(folder), local_files_only=True)


def tiny_components(tokenizer_dir: str | Path, seed: int = 0) -> dict:
    """Random tiny SDXL components (float32, CPU): unet, controlnet, vae, text encoders, tokenizers, scheduler,
    refiner_unet."""
    import torch
    from diffusers import AutoencoderKL, ControlNetModel, EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(seed)
    common = dict(block_out_channels=(32, 64), layers_per_block=2, in_channels=4, down_block_types=(
        "DownBlock2D", "CrossAttnDownBlock2D"), attention_head_dim=(2, 4), use_linear_projection=True,
        addition_embed_type="text_time", addition_time_embed_dim=TIME_EMBED, transformer_layers_per_block=(1, 2),
        norm_num_groups=32)
    unet = UNet2DConditionModel(
        **common, sample_size=32, out_channels=4, up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        projection_class_embeddings_input_dim=6 * TIME_EMBED + TEXT_WIDTH, cross_attention_dim=2 * TEXT_WIDTH)
    controlnet = ControlNetModel(
        **common, conditioning_embedding_out_channels=(16, 32),
        projection_class_embeddings_input_dim=6 * TIME_EMBED + TEXT_WIDTH, cross_attention_dim=2 * TEXT_WIDTH)
    # the refiner: text_encoder_2 only, aesthetic score in the time ids (5 of them)
    refiner_unet = UNet2DConditionModel(
        **common, sample_size=32, out_channels=4, up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        projection_class_embeddings_input_dim=5 * TIME_EMBED + TEXT_WIDTH, cross_attention_dim=TEXT_WIDTH)
    vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4, sample_size=64, norm_num_groups=32)
    text_cfg = CLIPTextConfig(bos_token_id=0, eos_token_id=2, pad_token_id=1, hidden_size=TEXT_WIDTH,
                              intermediate_size=37, layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=3,
                              vocab_size=1000, hidden_act="gelu", projection_dim=TEXT_WIDTH)
    text_encoder = CLIPTextModel(text_cfg)
    text_encoder_2 = CLIPTextModelWithProjection(text_cfg)
    tokenizer = write_tokenizer(tokenizer_dir)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       steps_offset=1, timestep_spacing="leading")
    return dict(unet=unet, controlnet=controlnet, refiner_unet=refiner_unet, vae=vae, text_encoder=text_encoder,
                text_encoder_2=text_encoder_2, tokenizer=tokenizer, tokenizer_2=tokenizer, scheduler=scheduler)


@dataclass
class TinyCheckpoints:
    root: Path
    base: Path  # diffusers SDXL folder (no ControlNet)
    controlnet: Path  # diffusers ControlNet folder
    controlnet_file: Path  # the same ControlNet as one .safetensors (config: the folder above)
    refiner: Path  # diffusers SDXL refiner folder
    vae: Path  # diffusers VAE folder
    vae_file: Path  # the same VAE as one .safetensors
    lora: Path  # LoRA .safetensors for the base UNet


def save_tiny_lora(path: str | Path, seed: int = 1) -> Path:
    """A rank-4 LoRA on the tiny base UNet's attention projections, with non-zero weights, as one file."""
    import torch
    from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    path = Path(path)
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=2, in_channels=4, sample_size=32, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=TIME_EMBED, transformer_layers_per_block=(1, 2),
        projection_class_embeddings_input_dim=6 * TIME_EMBED + TEXT_WIDTH, cross_attention_dim=2 * TEXT_WIDTH)
    unet.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights=False,
                                target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    layers = {k: v * 4.0 for k, v in layers.items()}  # strong enough to see
    StableDiffusionXLPipeline.save_lora_weights(str(path.parent), unet_lora_layers=layers, weight_name=path.name,
                                                safe_serialization=True)
    return path


def save_tiny_checkpoints(root: str | Path, seed: int = 0) -> TinyCheckpoints:
    """Write tiny base / ControlNet / refiner / VAE / LoRA checkpoints under ``root``."""
    from diffusers import StableDiffusionXLImg2ImgPipeline, StableDiffusionXLPipeline
    from safetensors.torch import save_file

    root = Path(root)
    c = tiny_components(root / "tokenizer", seed=seed)
    base = StableDiffusionXLPipeline(vae=c["vae"], text_encoder=c["text_encoder"], text_encoder_2=c["text_encoder_2"],
                                     tokenizer=c["tokenizer"], tokenizer_2=c["tokenizer_2"], unet=c["unet"],
                                     scheduler=c["scheduler"], add_watermarker=False)
    base.save_pretrained(str(root / "sdxl-base"))
    c["controlnet"].save_pretrained(str(root / "controlnet"))
    save_file({k: v.contiguous() for k, v in c["controlnet"].state_dict().items()}, str(root / "controlnet.safetensors"))
    refiner = StableDiffusionXLImg2ImgPipeline(vae=c["vae"], text_encoder=None, text_encoder_2=c["text_encoder_2"],
                                               tokenizer=None, tokenizer_2=c["tokenizer_2"], unet=c["refiner_unet"],
                                               scheduler=c["scheduler"], requires_aesthetics_score=True,
                                               force_zeros_for_empty_prompt=False, add_watermarker=False)
    refiner.save_pretrained(str(root / "sdxl-refiner"))
    c["vae"].save_pretrained(str(root / "vae"))
    save_file({k: v.contiguous() for k, v in c["vae"].state_dict().items()}, str(root / "vae.safetensors"))
    lora = save_tiny_lora(root / "lora" / "memoji_lora.safetensors")
    return TinyCheckpoints(root=root, base=root / "sdxl-base", controlnet=root / "controlnet",
                           controlnet_file=root / "controlnet.safetensors", refiner=root / "sdxl-refiner",
                           vae=root / "vae", vae_file=root / "vae.safetensors", lora=lora)
