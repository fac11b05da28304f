"""What `grok info` says about a file or a folder: a frames file, a run file, a sweep's summary.csv,
a run directory or a sweep folder. Every file is read through its checks first (frames/checks.py,
training/checks.py, training/sweep.py), so a summary never shows an unchecked value."""

from __future__ import annotations

import json
from pathlib import Path

from frames.errors import GrokError
from frames.operations import parse_operation


def summarise(path: Path) -> str:
    if path.is_dir():
        return folder_summary(path)
    if path.suffix.lower() == ".npz":
        return sweep_file_summary(path) if is_sweep_file(path) else frames_summary(path)
    if path.suffix.lower() == ".csv":
        return sweep_summary(path)
    return checkpoint_summary(path)


def when(epoch: int | None, preposition: str = "at") -> str:
    """A milestone as read: 'at epoch N', 'never', or 'not recorded' (the file lacks what it needs)."""
    from frames import NOT_RECORDED

    return NOT_RECORDED if epoch is None else "never" if epoch < 0 else f"{preposition} epoch {epoch:,}"


def settings_line(cfg: dict) -> str:
    """A run's settings as its file records them; 'not recorded' for each one it does not."""
    from frames import shown

    betas = (
        f"{cfg['beta1']}/{cfg['beta2']}"
        if cfg.get("beta1") is not None and cfg.get("beta2") is not None
        else shown(None)
    )
    return (
        f"lr {shown(cfg.get('lr'))}, wd {shown(cfg.get('wd'))}, betas {betas}, scheduler {shown(cfg.get('scheduler'))}, "
        f"epochs {shown(cfg.get('epochs'), ',')}, train_frac {shown(cfg.get('train_frac'))}, "
        f"seed {shown(cfg.get('seed'))}, split seed {shown(cfg.get('split_seed'))}"
    )


def frames_summary(path: Path) -> str:
    from frames import CLUSTER_THRESHOLD, NOT_RECORDED, get_formula, get_not_applicable, load_frames, milestones

    f = load_frames(path)
    m = milestones(f)
    p, epochs = int(f["p"]), f["checkpoint_epochs"]
    n_pairs = int((f["op_labels"] >= 0).sum())  # p², less the pairs the operation leaves out (div: b = 0)
    points = ", ".join(
        f"{name.replace('_', ' ')} {len(f[name]):,}" if len(f[name]) else f"{name.replace('_', ' ')} {NOT_RECORDED}"
        for name in ("train_loss", "test_loss", "train_acc", "test_acc")
    )
    peak = (
        f"test loss peak {m['test_loss_peak']:.3g} {when(m['test_loss_peak_epoch'])}"
        if m["test_loss_peak"] is not None
        else f"test loss {NOT_RECORDED}"
    )
    lines = [
        f"frames file      {path} ({path.stat().st_size / 1e6:.1f} MB, schema v{int(f['schema_version'])})",
        f"task             {get_formula(f)} (op {f['operation']}), p = {p}",
        f"coordinates      {get_coordinates(f)}",
        f"labels           evenness {float(f['op_label_evenness']):.3f} (entropy of the answers over log p; 1: all equally common)",
        f"training         {settings_line(json.loads(str(f['config_json'])))}",
        f"split            {int(f['train_pairs']):,} train / {n_pairs - int(f['train_pairs']):,} test pairs; {f['split_note']}",
        f"curves           points: {points} ({f['curves_note']})",
        f"reached          train acc 99 % {when(m['train_acc_99_epoch'])}, test acc 99 % "
        f"{when(m['test_acc_99_epoch'])}; {peak}",
        "checkpoints      "
        + (
            f"{len(epochs)}, epochs {epochs[0]:,}..{epochs[-1]:,}"
            if len(epochs) > 1
            else f"1, at epoch {epochs[0]:,} (the final weights only)"
        ),
        f"final            train loss {f['ckpt_train_loss'][-1]:.3g}, test loss {f['ckpt_test_loss'][-1]:.3g}, "
        f"test accuracy {f['ckpt_test_acc'][-1]:.1%} ({'grokked' if f['grokked'] else 'NOT grokked'})",
    ]
    if get_not_applicable(f):
        lines += [
            f"not applicable   key frequencies, the clock, restricted and excluded loss, the Gini of W_E and the "
            f"phases: no relabelling makes {get_formula(f)} addition",
            f"clustered        {m['clustered_share']:.0%} of {len(f['neuron_share'])} neurons (share >= {CLUSTER_THRESHOLD}, "
            "2-D spectrum over the tokens' own order)",
            f"answer waves     frequencies of the logits over the answer: {get_top_shares(f['logit_freq_share'])}",
            "Gini             W_L "
            + (
                f"{m['gini_W_L_start']:.2f} -> {m['gini_W_L_end']:.2f} (first -> last checkpoint)"
                if len(epochs) > 1
                else f"{m['gini_W_L_end']:.2f} (the one checkpoint)"
            ),
        ]
    else:
        lines += [
            f"key frequencies  {f['key_freqs'].tolist()} (over Z_{int(f['op_group_order'])})",
            f"clustered        {m['clustered_share']:.0%} of {len(f['neuron_share'])} neurons (share >= {CLUSTER_THRESHOLD})",
        ] + get_progress_lines(f, m)
    lines.append(get_measures_line(f))
    lines.append(f"source           {f['source_layout']} layout, sha256 {str(f['source_sha256'])[:12]}")
    return "\n".join(lines + get_arithmetic_lines(json.loads(str(f["arithmetic_json"]))))


def get_arithmetic_lines(stretches: list[dict] | None) -> list[str]:
    """What decided the run's rounding, under one heading; why it matters where it is not recorded."""
    from frames import NOT_RECORDED, describe_arithmetic

    described = describe_arithmetic(stretches) or [
        f"{NOT_RECORDED} (a run's numbers move with the machine's kernels: docs/machines.md)"
    ]
    return [f"{'arithmetic' if n == 0 else '':<17}{line}" for n, line in enumerate(described)]


def get_measures_line(f: dict) -> str:
    """Every progress measure that applies (frames/schema.py MEASURES), first -> last checkpoint."""
    from frames import get_not_applicable
    from frames.schema import MEASURES

    said = [
        f"{m.name} {float(f[m.key][0]):.3g} -> {float(f[m.key][-1]):.3g}"
        for m in MEASURES
        if m.key not in get_not_applicable(f)
    ]
    return f"measures         {', '.join(said)} (first -> last checkpoint)"


def get_progress_lines(f: dict, m: dict) -> list[str]:
    """The phases, milestones and Gini of a run with a relabelling: over the series, or of its one checkpoint."""
    from frames import NOT_RECORDED

    epochs = f["checkpoint_epochs"]
    if len(epochs) > 1:
        names = ("memorisation", "circuit formation", "clean-up")
        phases = ", ".join(f"{name} {when(int(e), 'from')}" for name, e in zip(names, f["phase_starts"]))
        return [
            f"phases           {phases}",
            f"loss < 1         restricted loss {when(m['restricted_loss_below_1_epoch'], 'from')}, "
            f"test loss {when(m['test_loss_below_1_epoch'], 'from')}",
            f"peaks            excluded loss {when(m['excluded_loss_peak_epoch'])}, "
            f"sum of squared weights {when(m['sum_sq_weights_peak_epoch'])}",
            f"Gini             W_E {m['gini_W_E_start']:.2f} -> {m['gini_W_E_end']:.2f}, "
            f"W_L {m['gini_W_L_start']:.2f} -> {m['gini_W_L_end']:.2f} (first -> last checkpoint)",
        ]
    return [
        f"progress         phases, loss < 1, peaks: {NOT_RECORDED} (one checkpoint, no series to follow)",
        f"Gini             W_E {m['gini_W_E_end']:.2f}, W_L {m['gini_W_L_end']:.2f} (the one checkpoint)",
    ]


def get_coordinates(f: dict) -> str:
    """'u = log₂ a, v = log₂ b, w = log₂ c in Z_58 (0 aside)', or why there are none."""
    if not f["op_relabelled"]:
        return "none: no relabelling of a and b makes this addition; measures over the tokens' own order"
    u, v, w = (str(label).format(name) for label, name in zip(f["op_coord_labels"], "abc"))
    outside = " (0 aside)" if (f["op_coord_a"] < 0).any() else ""
    return f"u = {u}, v = {v}, w = {w} in Z_{int(f['op_group_order'])}{outside}: w = u + v"


def get_top_shares(shares, n: int = 3) -> str:
    """The n largest shares as 'k 5: 31 %, k 12: 20 %, ...'."""
    top = sorted(range(len(shares)), key=lambda k: -shares[k])[:n]
    return ", ".join(f"k {k + 1}: {shares[k]:.0%}" for k in top)


def checkpoint_summary(path: Path) -> str:
    from training.checkpoints import load_run
    from training.checks import CURVE_NAMES

    run = load_run(path)
    cfg = run.cfg
    lines = [
        f"run file         {path} ({path.stat().st_size / 1e6:.1f} MB, {run.layout} layout)",
        f"model            d_model {cfg.d_model}, {cfg.n_heads} heads x {cfg.d_head}, d_mlp {cfg.d_mlp}, p = {cfg.p}",
        f"task             op {cfg.op}: {parse_operation(cfg.op).formula}",
        f"training         {settings_line(run.recorded)}",
        f"checkpoints      {len(run.checkpoints)}, epochs {run.checkpoint_epochs[0]}..{run.checkpoint_epochs[-1]}",
        f"split            {len(run.train_indices)} train / {len(run.test_indices)} test ({run.split_note})",
        f"curves           {run.curves_note}",
    ]
    last = [f"last {CURVE_NAMES[name]} {values[-1]:.3g}" for name, values in run.curves.items() if values]
    if last:
        lines[-1] += f"; {', '.join(last)}"
    return "\n".join(lines + get_arithmetic_lines(run.arithmetic))


def folder_summary(folder: Path) -> str:
    """A run directory (config.json) or a sweep folder (sweep.json): what is in it, whether a process
    is working in it, and the partial files an interrupted write left (never read)."""
    from frames.files import lock_holder, partial_files
    from training.checkpoints import RunDir
    from training.checks import check_config, check_resume_state, read_torch_file

    run = RunDir(folder)
    if (folder / "sweep.json").is_file():
        summary = folder / "summary.csv"
        lines = [
            f"sweep folder     {folder}",
            sweep_summary(summary) if summary.is_file() else "summary          none yet (sweep unfinished)",
        ]
    elif run.config.exists() or run.config.is_symlink():
        from frames.files import read_json

        settings = read_json(run.config, "run's config")
        if not isinstance(settings, dict):
            raise GrokError(f"{run.config} is unreadable: it holds no config")
        try:
            cfg = check_config(settings, str(run.config))
        except TypeError as e:
            raise GrokError(f"{run.config} is unreadable ({type(e).__name__})") from None
        epochs = run.checkpoint_epochs()
        state = None
        if run.state.exists() or run.state.is_symlink():  # its weights must be the config's model
            state = check_resume_state(read_torch_file(run.state, "resume state"), cfg, str(run.state))
        resume = state["epoch"] if state is not None else None
        if run.run_file.exists() and not run.run_file.is_file():
            raise GrokError(
                f"{run.run_file} is not a regular file (a folder, a pipe or a device); a run file is a file"
            )
        lines = [
            f"run directory    {folder}: op {cfg.op}, p = {cfg.p}, lr {cfg.lr}, wd {cfg.wd}, train_frac {cfg.train_frac}, "
            f"seed {cfg.seed}, {cfg.epochs:,} epochs",
            f"checkpoints      {len(epochs)}" + (f", epochs {epochs[0]}..{epochs[-1]}" if epochs else ""),
            f"resume state     {'none' if resume is None else f'epoch {resume}'}",
            "run file         "
            + (
                f"{run.run_file.name} ({run.run_file.stat().st_size / 1e6:.1f} MB)"
                if run.run_file.is_file()
                else "not written yet (training unfinished)"
            ),
        ]
    else:
        raise GrokError(f"{folder} is a folder, but neither a run directory (config.json) nor a sweep (sweep.json)")
    holder = lock_holder(folder)
    partial = partial_files(folder)
    lines.append(f"in use           {'no' if holder is None else 'yes, by ' + holder}")
    lines.append(
        "partial files    "
        + (
            "none"
            if not partial
            else f"{len(partial)} ({', '.join(str(p.relative_to(folder)) for p in partial[:3])}"
            f"{', ...' if len(partial) > 3 else ''}): writes a kill interrupted, never read; "
            "the next run here removes them"
        )
    )
    return "\n".join(lines)


def sweep_summary(path: Path) -> str:
    from training.sweep import read_summary

    plan = Path(path).parent / "sweep.json"
    rows = read_summary(path, plan if plan.exists() or plan.is_symlink() else None)
    grokked = sorted(row["grok_epoch"] for row in rows if row["grok_epoch"] >= 0)
    diverged = sum(row["final_train_loss"] != row["final_train_loss"] for row in rows)
    ops = {row["op"]: sum(other["op"] == row["op"] for other in rows) for row in rows}
    return "\n".join(
        [
            f"sweep summary    {path}: {len(rows)} run(s)",
            "operations       " + ", ".join(f"{op} ({n} run{'s' * (n > 1)})" for op, n in ops.items()),
            f"grokked          {len(grokked)} of {len(rows)}"
            + (f", test accuracy 99 % at epochs {grokked[0]:,}..{grokked[-1]:,}" if grokked else ""),
            f"diverged         {diverged}",
        ]
    )


def is_sweep_file(path: Path) -> bool:
    """Whether an .npz holds a sweep (frames/sweep.py) rather than one run's frames."""
    import numpy as np

    if not Path(path).is_file():  # a pipe is never opened (it would wait for a writer): the frames reader says why
        return False
    try:
        with np.load(path, allow_pickle=False) as npz:
            return "sweep_schema_version" in npz.files
    except Exception:  # unreadable: the frames reader says why, in one line
        return False


def sweep_file_summary(path: Path) -> str:
    from collections import Counter

    from frames.sweep import STATE_NAMES, get_rows, get_settings, get_varied, load_sweep, run_state

    sweep = load_sweep(path)
    rows = get_rows(sweep)
    settings = get_settings(sweep)
    varied = get_varied(rows, list(settings))
    states = Counter(STATE_NAMES[run_state(row)] for row in rows)
    return "\n".join(
        [
            f"sweep file       {path} ({path.stat().st_size / 1e6:.1f} MB, sweep schema v{int(sweep['sweep_schema_version'])})",
            f"task             {sweep['operation']}, p = {int(sweep['p'])}, {int(sweep['epochs']):,} epochs per run",
            f"runs             {len(rows)}, varying "
            + (", ".join(f"{c} ({len(set(settings[c].tolist()))})" for c in varied) or "nothing"),
            "states           " + ", ".join(f"{n} {state}" for state, n in states.items()),
            f"draw it with     grok figures --sweep {path}   or   grok render phase --sweep {path}",
        ]
    )
