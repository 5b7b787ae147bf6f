// Recording: microphone -> AudioWorklet -> 16 kHz PCM16 -> /v1/realtime; the turns' partial
// text (greyed) and final text come back as segments; the recording is kept as a WAV file.
// The socket opens with a client secret bound to the session's settings, never the API key.
import { clientSecret, realtimeSocket } from "./api.js";
import { Downsampler, RATE, base64, level, wav } from "./pcm.js";

const PREFIX = "conversation.item.input_audio_transcription";
const DRAIN_MS = 15000;

export class LiveSession {
  constructor(transcript, { onChange, onLevel, onError }) {
    this.transcript = transcript;
    this.onChange = onChange;
    this.onLevel = onLevel;
    this.onError = onError;
    this.chunks = [];
    this.items = new Map();
    this.stopping = false;
  }

  get seconds() {
    return this.chunks.reduce((n, c) => n + c.length, 0) / RATE;
  }

  async start(options) {
    // the secret first: a server that refuses leaves the microphone untouched
    const secret = await clientSecret(sessionConfig(options));
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    });
    this.context = new AudioContext();
    await this.context.audioWorklet.addModule("/web/pcm-worklet.js");
    this.socket = await this.connect(secret);
    const source = this.context.createMediaStreamSource(this.stream);
    const node = new AudioWorkletNode(this.context, "pcm-capture");
    const mute = this.context.createGain();
    mute.gain.value = 0;
    source.connect(node).connect(mute).connect(this.context.destination);
    const downsampler = new Downsampler(this.context.sampleRate);
    node.port.onmessage = (event) => this.capture(downsampler.push(event.data), event.data);
    this.node = node;
  }

  connect(secret) {
    return new Promise((resolve, reject) => {
      const socket = realtimeSocket(secret);
      socket.onopen = () => resolve(socket);
      socket.onerror = () => reject(new Error("WebSocket error"));
      socket.onmessage = (event) => this.receive(JSON.parse(event.data));
      socket.onclose = (event) => this.closed(event);
    });
  }

  capture(pcm, raw) {
    if (this.stopping || !pcm.length) return;
    this.chunks.push(pcm);
    this.onLevel(level(raw));
    if (this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "input_audio_buffer.append", audio: base64(pcm) }));
    }
  }

  item(id, startMs = null) {
    let segment = this.items.get(id);
    if (!segment) {
      const start = startMs == null ? this.seconds : startMs / 1000;
      segment = { start, end: start, text: "", partial: true };
      this.items.set(id, segment);
      this.transcript.segments.push(segment);
    }
    return segment;
  }

  receive(event) {
    const type = event.type;
    if (type === "input_audio_buffer.speech_started") this.item(event.item_id, event.audio_start_ms);
    else if (type === "input_audio_buffer.speech_stopped") this.item(event.item_id).end = event.audio_end_ms / 1000;
    else if (type === "input_audio_buffer.committed") this.item(event.item_id);
    else if (type === `${PREFIX}.delta`) {
      const segment = this.item(event.item_id);
      segment.text += event.delta;
      segment.end = Math.max(segment.end, this.seconds);
    } else if (type === `${PREFIX}.segment`) {
      this.item(event.item_id).speaker = event.speaker || null;
    } else if (type === `${PREFIX}.completed`) {
      const segment = this.item(event.item_id);
      segment.text = event.transcript.trim();
      segment.partial = false;
      if (segment.end <= segment.start) segment.end = this.seconds;
    } else if (type === `${PREFIX}.failed`) this.onError(event.error);
    else if (type === "error" && !(this.stopping && event.error.code === "input_audio_buffer_commit_empty")) {
      this.shown = true;
      this.onError(event.error);
    }
    this.onChange();
    if (this.stopping && this.pending() === 0) this.finish();
  }

  pending() {
    return [...this.items.values()].filter((s) => s.partial).length;
  }

  closed(event) {
    if (!this.stopping && event.code !== 1000 && !this.shown) {
      this.onError({ lost: true, message: event.reason || `code ${event.code}` });
    }
    this.finish();
  }

  async stop() {
    this.stopping = true;
    for (const track of this.stream.getTracks()) track.stop();
    this.node.port.onmessage = null;
    await this.context.close();
    const done = new Promise((resolve) => (this.finished = resolve));
    if (this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "input_audio_buffer.commit" }));
      setTimeout(() => this.finish(), DRAIN_MS);
    } else this.finish();
    await done;
    this.transcript.segments = this.transcript.segments.filter((s) => !s.partial || s.text.trim());
    for (const segment of this.transcript.segments) segment.partial = false;
    this.transcript.live = false;
    this.transcript.duration = this.seconds;
    return wav(this.chunks);
  }

  finish() {
    if (!this.finished) return;
    const resolve = this.finished;
    this.finished = null;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    resolve();
  }
}

// The session the client secret is bound to. speakers: the same model under its diarizing
// name (the server labels each turn).
function sessionConfig({ model, language, speakers }) {
  const transcription = {};
  if (model || speakers) transcription.model = speakers ? `${model || "whisper-1"}-diarize` : model;
  if (language) transcription.language = language;
  return {
    type: "transcription",
    audio: {
      input: {
        format: { type: "audio/pcm", rate: RATE },
        transcription,
        turn_detection: { type: "server_vad", silence_duration_ms: 600 },
      },
    },
  };
}
