// AudioWorklet processor: the microphone at the context's rate (`sampleRate`, often 48 kHz) in,
// 16 kHz mono 16-bit PCM frames out (posted to the main thread as transferable ArrayBuffers).
//
// Channels are averaged to mono, low-passed below the output's Nyquist frequency with a
// Blackman-windowed sinc (so no aliasing folds into the speech band), and read at the output's
// sample times with linear interpolation between filtered samples (any rate ratio, 44.1 kHz too).
// Messages in: "flush" (post the partial frame, then {flushed: true}); "stop" (end processing).
// Messages out: {pcm: ArrayBuffer (Int16, little-endian as every platform is), rms: 0..1}.

function lowPass(step) {
  // Cut-off a little under the output's Nyquist, in cycles per input sample.
  const fc = (0.5 / step) * 0.9;
  const half = Math.ceil(8 * step);
  const taps = new Float32Array(2 * half + 1);
  let sum = 0;
  for (let k = -half; k <= half; k++) {
    const x = 2 * fc * k;
    const sinc = k === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const n = (k + half) / (2 * half);
    const blackman = 0.42 - 0.5 * Math.cos(2 * Math.PI * n) + 0.08 * Math.cos(4 * Math.PI * n);
    taps[k + half] = 2 * fc * sinc * blackman;
    sum += taps[k + half];
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= sum;  // unity gain at 0 Hz
  return taps;
}

class PcmResampler extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    this.outRate = opts.outRate || 16000;
    this.frameSamples = Math.round((this.outRate * (opts.frameMs || 100)) / 1000);
    this.step = sampleRate / this.outRate;  // input samples per output sample
    this.taps = this.step > 1 ? lowPass(this.step) : new Float32Array([1]);
    this.half = (this.taps.length - 1) / 2;
    this.buf = new Float32Array(this.half);  // zero history before the first sample
    this.pos = this.half;  // where (in buf) the next output sample is read
    this.frame = new Int16Array(this.frameSamples);
    this.fill = 0;
    this.sumSq = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data === "flush") {
        this.post();
        this.port.postMessage({ flushed: true });
      } else if (event.data === "stop") {
        this.running = false;
      }
    };
  }

  filtered(i) {
    const taps = this.taps, buf = this.buf, start = i - this.half;
    let acc = 0;
    for (let k = 0; k < taps.length; k++) acc += taps[k] * buf[start + k];
    return acc;
  }

  post() {
    if (this.fill === 0) return;
    const pcm = this.frame.slice(0, this.fill).buffer;
    const rms = Math.sqrt(this.sumSq / this.fill);
    this.port.postMessage({ pcm, rms }, [pcm]);
    this.fill = 0;
    this.sumSq = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (!this.running) return false;
    if (!channels || channels.length === 0) return true;  // no input connected (yet)
    const n = channels[0].length;
    const next = new Float32Array(this.buf.length + n);
    next.set(this.buf);
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c];
      for (let i = 0; i < n; i++) next[this.buf.length + i] += ch[i] / channels.length;
    }
    this.buf = next;
    // Every output sample whose filter window is complete.
    while (Math.floor(this.pos) + 1 + this.half < this.buf.length) {
      const i = Math.floor(this.pos);
      const frac = this.pos - i;
      const y0 = this.filtered(i);
      const y = frac > 0 ? y0 + frac * (this.filtered(i + 1) - y0) : y0;
      const s = Math.max(-1, Math.min(1, y));
      this.frame[this.fill++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      this.sumSq += s * s;
      if (this.fill === this.frameSamples) this.post();
      this.pos += this.step;
    }
    // Keep only the history the next output samples still need.
    const drop = Math.floor(this.pos) - this.half;
    if (drop > 0) {
      this.buf = this.buf.slice(drop);
      this.pos -= drop;
    }
    return true;
  }
}

registerProcessor("pcm-resampler", PcmResampler);
