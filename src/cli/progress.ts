// Progress bars on a terminal (one line per expert, redrawn in place); silent otherwise.
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
    this.fractions[expert] = fraction;
    if (this.tty) this.draw();
  }

  done(): void {
    if (this.tty && this.drawn) {
      this.out.write(`\x1b[${this.drawn}A\x1b[J`);
      this.drawn = 0;
    }
  }

  private draw(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A`);
    const lines = this.fractions.map((f = 0, i) => {
      const filled = Math.round(f * WIDTH);
      return `${this.label} expert ${i + 1} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.round(f * 100)}%`;
    });
    this.out.write(`${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawn = lines.length;
  }
}
