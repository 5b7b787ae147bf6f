// Microphone samples to 16 kHz PCM16 (the rate sent to the realtime session), and a WAV file.
export const RATE = 16000;

export class Downsampler {
  constructor(inputRate) {
    this.ratio = inputRate / RATE;
    this.rest = new Float32Array(0);
    this.position = 0;
  }

  push(input) {
    const buffer = new Float32Array(this.rest.length + input.length);
    buffer.set(this.rest);
    buffer.set(input, this.rest.length);
    const out = new Int16Array(Math.max(0, Math.floor((buffer.length - this.position) / this.ratio)));
    let position = this.position;
    let n = 0;
    while (n < out.length && position + this.ratio <= buffer.length) {
      const from = Math.floor(position);
      const to = Math.max(from + 1, Math.floor(position + this.ratio));
      let sum = 0;
      for (let i = from; i < to; i++) sum += buffer[i];
      const value = Math.max(-1, Math.min(1, sum / (to - from)));
      out[n++] = value < 0 ? value * 0x8000 : value * 0x7fff;
      position += this.ratio;
    }
    const keep = Math.floor(position);
    this.rest = buffer.slice(keep);
    this.position = position - keep;
    return out.subarray(0, n);
  }
}

export function level(samples) {
  let sum = 0;
  for (const value of samples) sum += value * value;
  return Math.min(1, Math.sqrt(sum / Math.max(1, samples.length)) * 4);
}

export function base64(pcm) {
  const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function wav(chunks) {
  const samples = chunks.reduce((n, c) => n + c.length, 0);
  const view = new DataView(new ArrayBuffer(44 + samples * 2));
  const text = (offset, value) => [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, RATE, true);
  view.setUint32(28, RATE * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples * 2, true);
  let offset = 44;
  for (const chunk of chunks) {
    for (const value of chunk) {
      view.setInt16(offset, value, true);
      offset += 2;
    }
  }
  return new Blob([view.buffer], { type: "audio/wav" });
}
