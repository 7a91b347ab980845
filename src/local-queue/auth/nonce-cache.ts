// Replay protection for Hawk: a request is accepted only within the clock-skew window around its timestamp,
// so a nonce needs remembering only until its timestamp leaves that window. Nonces are kept per client and
// per timestamp second, and whole seconds are forgotten at once.
export class NonceCache {
  private readonly windowSeconds: number;
  private readonly seconds = new Map<number, Set<string>>();
  private oldest = Infinity;

  constructor(windowSeconds: number) {
    this.windowSeconds = windowSeconds;
  }

  /** Records the nonce; false when this client already used it with this timestamp (a replay). */
  remember(clientId: string, nonce: string, timestampSeconds: number, nowSeconds: number): boolean {
    this.forgetBefore(nowSeconds - this.windowSeconds);
    let nonces = this.seconds.get(timestampSeconds);
    if (!nonces) {
      nonces = new Set();
      this.seconds.set(timestampSeconds, nonces);
      this.oldest = Math.min(this.oldest, timestampSeconds);
    }
    const key = `${clientId}\n${nonce}`;
    if (nonces.has(key)) return false;
    nonces.add(key);
    return true;
  }

  get size(): number {
    let total = 0;
    for (const nonces of this.seconds.values()) total += nonces.size;
    return total;
  }

  private forgetBefore(limit: number): void {
    if (this.oldest >= limit) return;
    let oldest = Infinity;
    for (const second of this.seconds.keys()) {
      if (second < limit) this.seconds.delete(second);
      else oldest = Math.min(oldest, second);
    }
    this.oldest = oldest;
  }
}
