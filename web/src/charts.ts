// Live training charts (uPlot): one small chart per group of logged metrics, and the experiments' chart of the mean
// training return per variant with its min/max band over seeds.
import uPlot from "uplot";

/** Which logged metrics each live chart shows (a metric appears once it has been logged). */
const GROUPS: { title: string; match: (key: string) => boolean }[] = [
  { title: "Episode return (mean of last 100)", match: (k) => k === "rollout/ep_rew_mean" },
  { title: "Losses", match: (k) => k.startsWith("train/") && k.endsWith("loss") && k !== "train/entropy_loss" },
  { title: "Entropy", match: (k) => k === "train/entropy_loss" || k === "train/entropy" },
  { title: "Approx KL", match: (k) => k === "train/approx_kl" },
  { title: "Explained variance", match: (k) => k === "train/explained_variance" },
  { title: "Env steps/s", match: (k) => k === "time/fps" },
];

const COLORS = ["#2457c5", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5c940d", "#e67700"];

function chartWidth(el: HTMLElement): number {
  return Math.max(240, Math.floor(el.clientWidth));
}

class Chart {
  readonly el: HTMLElement;
  private plot: uPlot | null = null;
  private readonly keys: string[] = [];
  private readonly steps: number[] = [];
  private readonly values = new Map<string, (number | null)[]>();
  private drawn = 0;

  constructor(
    parent: HTMLElement,
    readonly title: string,
  ) {
    this.el = document.createElement("figure");
    this.el.className = "chart";
    this.el.setAttribute("aria-label", title);
    this.el.innerHTML = `<h3></h3>`;
    (this.el.firstChild as HTMLElement).textContent = title;
    parent.append(this.el);
  }

  add(step: number, row: Record<string, number>, keys: string[]): void {
    for (const k of keys) {
      if (!this.values.has(k)) {
        this.keys.push(k);
        this.values.set(
          k,
          this.steps.map(() => null),
        );
        this.plot?.destroy();
        this.plot = null;
      }
    }
    this.steps.push(step);
    for (const k of this.keys) (this.values.get(k) as (number | null)[]).push(k in row ? row[k] : null);
  }

  get created(): boolean {
    return this.plot !== null;
  }

  /** Redraw if new points came (called once per animation frame at most). */
  draw(): void {
    if (this.drawn === this.steps.length && this.plot !== null) return;
    this.drawn = this.steps.length;
    const data: uPlot.AlignedData = [this.steps, ...this.keys.map((k) => this.values.get(k) as (number | null)[])];
    if (this.plot === null) {
      this.plot = new uPlot(
        {
          width: chartWidth(this.el),
          height: 160,
          legend: { show: this.keys.length > 1 },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: false } },
          series: [
            { label: "env steps" },
            ...this.keys.map((k, i) => ({
              label: k.replace(/^\w+\//, ""),
              stroke: COLORS[i % COLORS.length],
              width: 1.5,
              spanGaps: true,
            })),
          ],
          axes: [{ size: 28 }, { size: 64 }],
        },
        data,
        this.el,
      );
    } else {
      this.plot.setData(data);
    }
  }

  resize(): void {
    this.plot?.setSize({ width: chartWidth(this.el), height: 160 });
  }
}

/** The live charts of one run. */
export class LiveCharts {
  private readonly charts = new Map<string, Chart>();
  private scheduled = false;

  constructor(private readonly parent: HTMLElement) {
    new ResizeObserver(() => {
      for (const c of this.charts.values()) c.resize();
    }).observe(parent);
  }

  add(step: number, row: Record<string, number>): void {
    for (const g of GROUPS) {
      const keys = Object.keys(row).filter(g.match);
      if (keys.length === 0) continue;
      let chart = this.charts.get(g.title);
      if (!chart) {
        chart = new Chart(this.parent, g.title);
        this.charts.set(g.title, chart);
      }
      chart.add(step, row, keys);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => requestAnimationFrame(() => this.drawAll()), 250);
    }
  }

  /**
   * At most four redraws a second, each in an animation frame, and at most one chart created per frame (creating
   * one costs about as much as redrawing all): the main thread stays free for the canvas.
   */
  private drawAll(): void {
    let created = false;
    for (const c of this.charts.values()) {
      if (!c.created) {
        if (created) {
          requestAnimationFrame(() => this.drawAll());
          return;
        }
        created = true;
      }
      c.draw();
    }
    this.scheduled = false;
  }

  clear(): void {
    this.charts.clear();
    this.parent.replaceChildren();
  }
}

/** Per variant and seed, the (step, value) points of one metric; plotted as mean and min/max band over seeds. */
export class BandChart {
  private readonly runs = new Map<string, Map<number, { steps: number[]; values: number[] }>>();
  private plot: uPlot | null = null;

  constructor(
    private readonly parent: HTMLElement,
    private readonly variants: string[],
    private readonly totalSteps: number,
  ) {
    parent.replaceChildren();
  }

  add(variant: string, seed: number, step: number, value: number): void {
    let bySeed = this.runs.get(variant);
    if (!bySeed) {
      bySeed = new Map();
      this.runs.set(variant, bySeed);
    }
    let run = bySeed.get(seed);
    if (!run) {
      run = { steps: [], values: [] };
      bySeed.set(seed, run);
    }
    run.steps.push(step);
    run.values.push(value);
  }

  /**
   * Mean, min and max over seeds on a common grid of 60 steps; each seed's value at a grid step is its last logged
   * value at or before it (a seed contributes only once it has logged).
   */
  summary(variant: string): {
    grid: number[];
    mean: (number | null)[];
    min: (number | null)[];
    max: (number | null)[];
  } {
    const grid = Array.from({ length: 61 }, (_, i) => Math.round((i * this.totalSteps) / 60));
    const mean: (number | null)[] = [];
    const min: (number | null)[] = [];
    const max: (number | null)[] = [];
    const seeds = [...(this.runs.get(variant)?.values() ?? [])];
    for (const g of grid) {
      const vals: number[] = [];
      for (const r of seeds) {
        let j = -1;
        while (j + 1 < r.steps.length && r.steps[j + 1] <= g) j++;
        if (j >= 0) vals.push(r.values[j]);
      }
      mean.push(vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null);
      min.push(vals.length ? Math.min(...vals) : null);
      max.push(vals.length ? Math.max(...vals) : null);
    }
    return { grid, mean, min, max };
  }

  /** One entry per variant (uPlot's own legend would list the band edges too). */
  private legend(): HTMLElement {
    const ul = document.createElement("ul");
    ul.className = "legend";
    this.variants.forEach((v, i) => {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.style.background = COLORS[i % COLORS.length];
      li.append(swatch, `${v}: mean, min-max band`);
      ul.append(li);
    });
    return ul;
  }

  draw(): void {
    const series: uPlot.Series[] = [{ label: "env steps" }];
    const bands: uPlot.Band[] = [];
    const data: (number | null)[][] = [];
    let grid: number[] = [];
    this.variants.forEach((v, i) => {
      const s = this.summary(v);
      grid = s.grid;
      const color = COLORS[i % COLORS.length];
      const base = data.length + 1;
      data.push(s.mean, s.min, s.max);
      const edge = { stroke: `${color}55`, width: 0.5, spanGaps: true, points: { show: false } };
      series.push(
        { label: `${v} (mean)`, stroke: color, width: 2, spanGaps: true, points: { show: false } },
        { label: `${v} min`, ...edge },
        { label: `${v} max`, ...edge },
      );
      bands.push({ series: [base + 2, base + 1], fill: `${color}22` });
    });
    const aligned: uPlot.AlignedData = [grid, ...data];
    this.plot?.destroy();
    this.parent.replaceChildren(this.legend());
    this.plot = new uPlot(
      {
        width: Math.max(280, Math.floor(this.parent.clientWidth)),
        height: 260,
        scales: { x: { time: false } },
        cursor: { drag: { x: false, y: false } },
        legend: { show: false },
        series,
        bands,
        axes: [{ size: 28 }, { size: 64 }],
      },
      aligned,
      this.parent,
    );
  }
}
