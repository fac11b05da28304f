"""grok figures: data helpers on known inputs, figures from a real run that groks, the CLI's files and
errors, and explorer.html opened in headless Chromium (no console error, no network request, a
slider that moves the clock). Browser tests skip when no Chrome/Chromium is installed."""

import hashlib
import json
import os
import re
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from frames import load_frames, milestones
from grok.cli import main
from grok.figures.explorer import get_payload
from grok.figures.run import (
    FIGURES,
    SURFACE_UPSAMPLING,
    get_cluster_counts,
    get_frequency_norms,
    get_phase_spans,
    get_sum_share,
    get_upsampled,
    losses_figure,
    neurons_figure,
    surface_figure,
)
from grok.figures.write import STILL_SIZE, find_browser

BROWSER = find_browser()
needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chrome/Chromium installed (apt-get install chromium, "
    "as ./setup.sh does): PNG stills and the browser test need one",
)
REPO = Path(__file__).resolve().parent.parent
PAGES = ["surface.html", "losses.html", "spectrum.html", "neurons.html", "explorer.html", "plotly.min.js"]


@pytest.fixture(scope="module")
def frames(grokked_frames):
    return load_frames(grokked_frames)


@pytest.fixture(scope="module")
def figures_dir(grokked_frames, tmp_path_factory):
    """`grok figures` run once on the tiny run; the tests below read what it wrote."""
    out = tmp_path_factory.mktemp("figures")
    result = CliRunner().invoke(main, ["figures", "--frames", str(grokked_frames), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


# data helpers


def test_frequency_norms_pair_cos_and_sin():
    spectrum = np.zeros((2, 7), np.float32)  # p = 7: const, cos 1, sin 1, cos 2, sin 2, cos 3, sin 3
    spectrum[0, [1, 2]] = [3, 4]
    spectrum[1, 0], spectrum[1, 6] = 9, 2
    assert np.allclose(get_frequency_norms(spectrum), [[5, 0, 0], [0, 0, 2]])  # the constant is left out


def test_upsampling_keeps_the_samples_and_follows_the_wave_between_them():
    p, k = 23, 9
    a = np.arange(p)
    grid = np.cos(2 * np.pi * k * (a[:, None] + a[None, :]) / p)  # [p, p], ridges along a + b
    up = get_upsampled(grid, SURFACE_UPSAMPLING)
    assert up.shape == (SURFACE_UPSAMPLING * p,) * 2
    assert np.allclose(up[::SURFACE_UPSAMPLING, ::SURFACE_UPSAMPLING], grid, atol=1e-12)
    fine = np.arange(SURFACE_UPSAMPLING * p) / SURFACE_UPSAMPLING
    assert np.allclose(up, np.cos(2 * np.pi * k * (fine[:, None] + fine[None, :]) / p), atol=1e-12)


def test_sum_share_separates_functions_of_a_plus_b():
    p = 23
    a = np.arange(p)
    rng = np.random.default_rng(0)
    of_sum = rng.normal(size=p)[(a[:, None] + a[None, :]) % p]
    of_a = np.repeat(rng.normal(size=p)[:, None], p, axis=1)
    assert get_sum_share(of_sum) == pytest.approx(1.0)
    assert get_sum_share(of_a) == pytest.approx(0.0, abs=1e-12)


def test_cluster_counts_add_up(frames):
    n_freqs = len(frames["logit_freq_share"])
    clustered, rest = get_cluster_counts(frames["neuron_freq"], frames["neuron_share"], n_freqs)
    assert clustered.sum() + rest.sum() == len(frames["neuron_freq"])
    assert clustered.sum() / len(frames["neuron_freq"]) == pytest.approx(milestones(frames)["clustered_share"])
    enough = max(2, 0.01 * len(frames["neuron_freq"]))  # the key-frequency rule of data/FRAMES.md
    assert sorted(np.nonzero(clustered >= enough)[0] + 1) == frames["key_freqs"].tolist()


def test_phase_spans_start_at_epoch_one_on_a_log_axis():
    assert get_phase_spans(np.array([0, 1500, -1]), 25_000) == [
        ("memorisation", 1, 1500),
        ("circuit formation", 1500, 25_000),
    ]


def test_figures_import_neither_torch_nor_manim():
    code = "import sys, grok.figures, grok.figures.explorer; print(sorted({'torch', 'manim', 'training'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"


# figures from a real run


def test_surface_is_the_final_logit_upsampled(frames):
    fig = surface_figure(frames)
    z = np.asarray(fig.data[0].z)
    p = int(frames["p"])
    assert z.shape == (SURFACE_UPSAMPLING * p,) * 2
    assert np.allclose(
        z[::SURFACE_UPSAMPLING, ::SURFACE_UPSAMPLING], frames["surface_logit"][-1].T.astype(np.float32), atol=1e-3
    )
    share = get_sum_share(frames["surface_logit"][-1])
    assert share > 0.9  # the run groks: the logit depends on a + b
    assert f"{round(100 * share)} % of its variance" in fig.layout.title.text


def test_losses_figure_draws_every_curve_without_epoch_zero(frames):
    fig = losses_figure(frames)
    names = [trace.name for trace in fig.data]
    assert names[:2] == ["train loss", "test loss"] and len(names) == 7
    assert min(min(trace.x) for trace in fig.data) >= 1  # log axis
    assert len(fig.data[0].y) == len(frames["train_loss"]) - 1
    restricted = milestones(frames)["restricted_loss_below_1_epoch"]
    assert f"restricted loss from epoch {restricted:,}" in fig.layout.title.text


def test_neurons_figure_counts_every_neuron(frames):
    fig = neurons_figure(frames)
    assert sum(fig.data[0].y) + sum(fig.data[1].y) == len(frames["neuron_freq"])
    assert len(fig.layout.annotations) == len(frames["key_freqs"])


def test_explorer_payload_keeps_the_frames_values(frames, grokked_frames):
    import base64

    payload = get_payload(frames, grokked_frames)
    clock = np.frombuffer(base64.b64decode(payload["clock"]["b64"]), "<f2").reshape(payload["clock"]["shape"])
    assert np.array_equal(clock, frames["embed_clock"])
    assert payload["patterns"]["shape"] == [len(frames["surface_epochs"]), 4, int(frames["p"]), int(frames["p"])]
    assert payload["meta"]["frames_sha256"] == hashlib.sha256(grokked_frames.read_bytes()).hexdigest()
    assert payload["meta"]["config"] == json.loads(str(frames["config_json"]))


# the command


def test_figures_command_writes_every_page(figures_dir):
    for name in PAGES:
        assert (figures_dir / name).stat().st_size > 0, name
    assert not [path for path in figures_dir.iterdir() if ".tmp" in path.name]
    for name in FIGURES:  # no CDN: each page loads the plotly.min.js beside it
        html = (figures_dir / f"{name}.html").read_text()
        assert re.findall(r'src="([^"]*)"', html) == ["plotly.min.js"]


@needs_browser
def test_figures_command_writes_png_stills(figures_dir):
    for name in FIGURES:
        header = (figures_dir / f"{name}.png").read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", header[16:24]) == STILL_SIZE


def test_without_a_browser_the_html_is_still_written(grokked_frames, tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    result = CliRunner().invoke(main, ["figures", "--frames", str(grokked_frames), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "PNG stills skipped: no Chrome or Chromium found; install Chromium" in result.output
    assert (tmp_path / "out" / "explorer.html").is_file() and not list((tmp_path / "out").glob("*.png"))
    strict = CliRunner().invoke(
        main, ["figures", "--strict", "--frames", str(grokked_frames), "--out", str(tmp_path / "out")]
    )
    assert strict.exit_code == 1 and "Traceback" not in strict.output
    assert [line for line in strict.output.splitlines() if line.startswith("Error")] == [
        "Error: PNG stills skipped: no Chrome or Chromium found; install Chromium (Debian/Ubuntu: apt-get install "
        "chromium) or set BROWSER_PATH to a Chrome"
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--frames", "missing.npz"], "frames file not found"),
        (["--out", "{file}"], "cannot write figures to"),
    ],
)
def test_bad_input_is_one_line(grokked_frames, tmp_path, args, message):
    (tmp_path / "file").write_text("")
    args = [arg.replace("{file}", str(tmp_path / "file")) for arg in args]
    result = CliRunner().invoke(main, ["figures", "--frames", str(grokked_frames), *args])
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and message in errors[0], result.output


# the explorer in a real browser


class DevTools:
    """Headless Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: the browser
    reads commands on fd 3 and writes replies and events on fd 4, each a JSON text ending in NUL).
    A one-line relay puts our stdin/stdout pipes on those descriptors; no websocket, no extra package."""

    RELAY = (
        "import os, sys; os.dup2(0, 3); os.dup2(1, 4); null = os.open(os.devnull, os.O_RDWR); "
        "os.dup2(null, 0); os.dup2(null, 1); os.execv(sys.argv[1], sys.argv[1:])"
    )

    def __init__(self, browser, profile):
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-pipe",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.RELAY, browser, *flags],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.buffer, self.last_id, self.events = b"", 0, []

    def send(self, method, session=None, timeout=30, **params):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params} | ({"sessionId": session} if session else {})
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()
        reply = self.receive_until(lambda m: m.get("id") == self.last_id, timeout)
        assert "error" not in reply, f"{method}: {reply['error']}"
        return reply["result"]

    def receive_until(self, wanted, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" not in self.buffer:
                ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.monotonic()))
                assert ready, "the browser did not answer in time"
                chunk = os.read(self.process.stdout.fileno(), 1 << 16)
                assert chunk, "the browser closed the pipe"
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            message = json.loads(raw)
            if "method" in message:
                self.events.append(message)
            if wanted(message):
                return message

    def evaluate(self, session, expression):
        result = self.send("Runtime.evaluate", session, expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def close(self):
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def page(figures_dir, tmp_path_factory):
    """explorer.html loaded once in headless Chromium: (devtools, session, page url)."""
    devtools = DevTools(BROWSER, tmp_path_factory.mktemp("profile"))
    try:
        target = devtools.send("Target.createTarget", url="about:blank")["targetId"]
        session = devtools.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            devtools.send(f"{domain}.enable", session)
        url = (figures_dir / "explorer.html").as_uri()
        devtools.send("Page.navigate", session, url=url)
        devtools.receive_until(lambda m: m.get("method") == "Page.loadEventFired", timeout=60)
        yield devtools, session, url
    finally:
        devtools.close()


SHOWN = """new Promise(resolve => requestAnimationFrame(() => resolve({
  epoch: document.getElementById('epoch').textContent,
  clock: [...document.querySelectorAll('#clock .scatterlayer .point')].map(p => p.getAttribute('transform')),
})))"""


def move_slider(devtools, session, where):
    devtools.evaluate(
        session,
        f"{{ const s = document.getElementById('checkpoint'); s.value = {where}; "
        "s.dispatchEvent(new Event('input')); }",
    )
    return devtools.evaluate(session, SHOWN)


@needs_browser
def test_explorer_loads_offline_without_errors(page, frames, grokked_frames):
    devtools, session, url = page
    plots = devtools.evaluate(
        session, "[...document.querySelectorAll('.js-plotly-plot')].map(d => d.id + ':' + d.data.length)"
    )
    assert sorted(plots) == sorted(["losses:4", "clock:1", "spectrum:1", "pattern-plot:1"])
    header = devtools.evaluate(session, "document.querySelector('header').textContent")
    assert hashlib.sha256(grokked_frames.read_bytes()).hexdigest()[:16] in header
    assert f"p = {int(frames['p'])}" in header
    devtools.evaluate(session, "new Promise(resolve => setTimeout(resolve, 300))")  # let late errors arrive
    errors = [
        e
        for e in devtools.events
        if e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
        or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    requested = [e["params"]["request"]["url"] for e in devtools.events if e["method"] == "Network.requestWillBeSent"]
    assert requested and all(u == url or u.startswith("data:") for u in requested), requested


@needs_browser
def test_explorer_slider_and_play_move_the_clock(page, frames):
    devtools, session, _ = page
    first = move_slider(devtools, session, 0)
    last = move_slider(devtools, session, "s.max")
    epochs = frames["checkpoint_epochs"]
    assert first["epoch"] == f"epoch {epochs[0]:,}" and last["epoch"] == f"epoch {epochs[-1]:,}"
    assert len(first["clock"]) == len(last["clock"]) == int(frames["p"])
    moved = sum(a != b for a, b in zip(first["clock"], last["clock"]))
    assert moved > 0.9 * int(frames["p"])  # training moved (nearly) every token
    played = devtools.evaluate(
        session,
        "document.getElementById('play').click(); "
        "new Promise(resolve => setTimeout(() => resolve(document.getElementById('checkpoint').value), 600))",
    )
    assert int(played) > 0  # from the end, play starts over and advances
