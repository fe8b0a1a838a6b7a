// Training progress: bars on a terminal (one line per expert, redrawn in place); elsewhere
// (a pipe, a log file, CI) a plain line each time an expert passes a quarter of its epochs.
const WIDTH = 24;

export class Progress {
  private fractions: number[] = [];
  private drawn = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  update(expert: number, fraction: number): void {
    const before = this.fractions[expert] ?? 0;
    this.fractions[expert] = fraction;
    if (this.tty) this.draw();
    else if (Math.floor(fraction * 4) > Math.floor(before * 4)) this.out.write(`${this.line(expert)}\n`);
  }

  done(): void {
    if (this.tty && this.drawn) {
      this.out.write(`\x1b[${this.drawn}A\x1b[J`);
      this.drawn = 0;
    }
  }

  private line(expert: number): string {
    const f = this.fractions[expert] ?? 0;
    const filled = Math.round(f * WIDTH);
    return `${this.label} expert ${expert + 1} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.round(f * 100)}%`;
  }

  private draw(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A`);
    const lines = this.fractions.map((_, i) => this.line(i));
    this.out.write(`${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawn = lines.length;
  }
}
