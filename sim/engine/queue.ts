/**
 * The engine's event queue: a binary min-heap on parallel typed arrays, ordered by simulated
 * cycle and then by insertion order, so simultaneous events run in the order they were issued
 * (deterministic). Popping returns the index of the event's payload slot.
 */
export class EventQueue {
  private time = new Float64Array(64);
  private seq = new Float64Array(64);
  private kind = new Int32Array(64);
  private a = new Int32Array(64);
  private b = new Int32Array(64);
  private size = 0;
  private counter = 0;
  /** The last popped time: the simulated clock, which never goes back. */
  now = 0;

  get length(): number {
    return this.size;
  }

  push(time: number, kind: number, a = 0, b = 0): void {
    if (time < this.now) throw new Error(`event at cycle ${time} scheduled in the past (now ${this.now})`);
    if (this.size === this.time.length) this.grow();
    let i = this.size++;
    const s = this.counter++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.time[parent] < time || (this.time[parent] === time && this.seq[parent] < s)) break;
      this.move(parent, i);
      i = parent;
    }
    this.place(i, time, s, kind, a, b);
  }

  /** Removes the earliest event; its fields are then in `popped`. */
  pop(): boolean {
    if (this.size === 0) return false;
    const p = this.popped;
    p.time = this.time[0];
    p.kind = this.kind[0];
    p.a = this.a[0];
    p.b = this.b[0];
    this.now = p.time;
    const last = --this.size;
    if (last > 0) {
      const t = this.time[last];
      const s = this.seq[last];
      const k = this.kind[last];
      const a = this.a[last];
      const b = this.b[last];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const c = r < last && (this.time[r] < this.time[l] || (this.time[r] === this.time[l] && this.seq[r] < this.seq[l])) ? r : l;
        if (t < this.time[c] || (t === this.time[c] && s < this.seq[c])) break;
        this.move(c, i);
        i = c;
      }
      this.place(i, t, s, k, a, b);
    }
    return true;
  }

  readonly popped = { time: 0, kind: 0, a: 0, b: 0 };

  /** Writes one event into slot i (push's and pop's final step). */
  private place(i: number, time: number, seq: number, kind: number, a: number, b: number): void {
    this.time[i] = time;
    this.seq[i] = seq;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.seq[to] = this.seq[from];
    this.kind[to] = this.kind[from];
    this.a[to] = this.a[from];
    this.b[to] = this.b[from];
  }

  private grow(): void {
    const n = this.time.length * 2;
    const grow64 = (x: Float64Array) => {
      const y = new Float64Array(n);
      y.set(x);
      return y;
    };
    const grow32 = (x: Int32Array) => {
      const y = new Int32Array(n);
      y.set(x);
      return y;
    };
    this.time = grow64(this.time);
    this.seq = grow64(this.seq);
    this.kind = grow32(this.kind);
    this.a = grow32(this.a);
    this.b = grow32(this.b);
  }
}
